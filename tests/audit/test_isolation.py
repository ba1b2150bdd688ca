"""``audit`` stays a pure library: importing it (and its CLI) loads no part of the web app."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("flask", "sqlalchemy", "marshmallow", "transitions", "workflow", "config")

PROBE = """
import json, sys
import audit, audit.__main__, audit.bundle, audit.canonical, audit.dsse, audit.entry, audit.keys
import audit.merkle, audit.note, audit.verify
print(json.dumps(sorted(m.split(".")[0] for m in sys.modules)))
"""


def test_audit_imports_none_of_the_app() -> None:
    # A fresh interpreter, started in the repository root so ``audit`` is importable.
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(json.loads(result.stdout))
    assert loaded.isdisjoint(FORBIDDEN), sorted(loaded & set(FORBIDDEN))
    assert "audit" in loaded and "cryptography" in loaded and "rfc8785" in loaded


def test_audit_sources_import_only_allowed_packages() -> None:
    allowed_third_party = {"cryptography", "rfc8785"}
    stdlib = set(sys.stdlib_module_names)
    for path in sorted((ROOT / "audit").glob("*.py")):
        for line in path.read_text().splitlines():
            words = line.split()
            if len(words) >= 2 and words[0] in ("import", "from") and not line.startswith(" "):
                top = words[1].split(".")[0]
                assert top in stdlib | allowed_third_party | {"audit", "__future__"}, f"{path.name}: {line}"
