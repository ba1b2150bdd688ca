"""``python -m audit verify`` works in a bare virtual environment with only its two dependencies.

Slow (creates a venv and installs ``cryptography`` and ``rfc8785`` from the package index).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.audit.helpers import bundle_bytes, bundle_of, log_vkey, standard_log

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ("cryptography==50.0.2", "rfc8785==0.1.4")


@pytest.mark.slow
def test_verify_in_fresh_venv(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    # No --system-site-packages: the inspector's machine has nothing but these two packages.
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *REQUIREMENTS],
        check=True,
        timeout=540,
    )
    # Only the audit package, outside the repository, so nothing else of ours is importable.
    work = tmp_path / "inspector"
    shutil.copytree(ROOT / "audit", work / "audit", ignore=shutil.ignore_patterns("__pycache__"))

    log = standard_log()
    good = work / "good.json"
    good.write_bytes(bundle_bytes(bundle_of(log)))
    leaves = list(log.leaves)
    leaves[7] = leaves[7].replace(b'"time":"2026-03-02T08:07:00Z"', b'"time":"2026-03-02T08:07:30Z"')
    assert leaves[7] != log.leaves[7]
    bad = work / "bad.json"
    bad.write_bytes(bundle_bytes(bundle_of(log, leaves=leaves)))

    def run(path: Path) -> subprocess.CompletedProcess[str]:
        command = [str(python), "-m", "audit", "verify", str(path), "--vkey", log_vkey(), "--json"]
        return subprocess.run(command, cwd=work, capture_output=True, text=True, check=False, timeout=120)

    ok = run(good)
    assert ok.returncode == 0, ok.stderr
    tampered = run(bad)
    assert tampered.returncode == 1, tampered.stderr
    assert '"first_bad_index": 7' in tampered.stdout
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True)
    names = {line.split("==")[0].lower() for line in listed.stdout.split()}
    assert not names & {"flask", "sqlalchemy", "marshmallow", "transitions"}
