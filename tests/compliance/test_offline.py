"""The command line: offline (no Flask, no SQLAlchemy loaded), exit codes, JSON and HTML, trust anchors."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from audit import merkle, note
from audit.bundle import read_bundle_unverified, write_bundle
from tests.compliance.helpers import appointed, export, tamper_evidence
from tests.services.helpers import World
from workflow.compliance import Finding
from workflow.compliance.__main__ import main
from workflow.compliance.replay import ComplianceResult
from workflow.compliance.report import to_html
from workflow.keystore import get_keystore

REPO_ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {"flask", "sqlalchemy", "flask_sqlalchemy", "flask_login", "psycopg", "config"}


def _write(tmp_path: Path, data: bytes, name: str = "bundle.json") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_cli_replays_offline_in_a_fresh_interpreter(world: World, tmp_path: Path) -> None:
    appointed(world)
    path = _write(tmp_path, export(world))
    vkey = get_keystore().log_vkey()
    probe = (
        "import sys, json\n"
        "from workflow.compliance.__main__ import main\n"
        f"code = main([{str(path)!r}, '--json', '--vkey', {vkey!r}])\n"
        "sys.stderr.write(repr(sorted({m.split('.')[0] for m in sys.modules})))\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert FORBIDDEN.isdisjoint(ast.literal_eval(done.stderr.strip().splitlines()[-1]))
    report = json.loads(done.stdout)
    assert report["ok"] and report["integrity"]["ok"] and report["summary"]["hard"] == 0
    assert report["integrity"]["vkey_pinned"] is True


def test_exit_codes_json_html_and_language(world: World, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    appointed(world)
    tamper_evidence(world, world.pool()[1], golongan="IV/e")
    path = _write(tmp_path, export(world))
    html_path = tmp_path / "report.html"
    assert main([str(path), "--html", str(html_path), "--lang", "en"]) == 1
    text = capsys.readouterr().out
    assert "R8" in text and "changed after the snapshot" in text
    page = html_path.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<script" not in page and "http" not in page
    assert main([str(path), "--json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert any(f["rule"] == "R8" and f["severity"] == "hard" for f in findings)
    assert main([str(tmp_path / "missing.json")]) == 2


def test_html_escapes_values_from_the_bundle() -> None:
    hostile = Finding("R1", "soft", "<b>7</b>", (3,), "bulk.per_decree",
                      {"number": "<script>alert(1)</script>", "count": 11, "maximum": 10})
    integrity = __import__("audit.verify", fromlist=["Report"]).Report(True, 4, None, ())
    page = to_html(ComplianceResult(integrity, ("<b>7</b>",), (hostile,)), "<i>x</i>")
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>7</b>" not in page


def _resigned(data: bytes, leaves: list[bytes]) -> bytes:
    """A bundle over ``leaves`` with a fresh checkpoint signed by the real log key (an insider holding it)."""
    bundle = read_bundle_unverified(data)
    root = merkle.root([merkle.leaf_hash(leaf) for leaf in leaves])
    cp = note.sign_checkpoint(note.Checkpoint(bundle.origin, len(leaves), root), get_keystore().log_signer())
    return write_bundle(origin=bundle.origin, log_vkey=bundle.log_vkey, checkpoints=[cp], leaves=leaves,
                        system_keys=bundle.system_keys, evidence=bundle.evidence, process=bundle.process)


def test_rollback_and_fork_are_caught_against_the_trusted_checkpoint(
    world: World, tmp_path: Path, capsys  # type: ignore[no-untyped-def]
) -> None:
    appointed(world)
    data = export(world)
    bundle = read_bundle_unverified(data)
    trusted = _write(tmp_path, bundle.checkpoints[-1].encode(), "trusted.txt")
    vkey = get_keystore().log_vkey()
    assert main([str(_write(tmp_path, data)), "--trusted-checkpoint", str(trusted), "--vkey", vkey]) == 0
    capsys.readouterr()
    # Rollback: the appointment (last entry) is cut off and the shorter log re-signed.
    rolled = _write(tmp_path, _resigned(data, list(bundle.leaves[:-1])), "rolled.json")
    assert main([str(rolled), "--trusted-checkpoint", str(trusted), "--vkey", vkey, "--json"]) == 1
    kinds = {p["kind"] for p in json.loads(capsys.readouterr().out)["integrity"]["problems"]}
    assert "rollback" in kinds
    # Fork: same size, another last entry (here: the penultimate one again), re-signed.
    forked = _write(tmp_path, _resigned(data, [*bundle.leaves[:-1], bundle.leaves[-2]]), "forked.json")
    assert main([str(forked), "--trusted-checkpoint", str(trusted), "--vkey", vkey, "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert "split_view" in {p["kind"] for p in report["integrity"]["problems"]} and report["findings"] == []


def test_state_file_moves_only_with_an_intact_bundle(world: World, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    appointed(world)
    data = export(world)
    state = tmp_path / "state.txt"
    assert main([str(_write(tmp_path, data)), "--state", str(state)]) == 0
    assert state.read_text().startswith(read_bundle_unverified(data).origin)
    before = state.read_bytes()
    bundle = read_bundle_unverified(data)
    rolled = _write(tmp_path, _resigned(data, list(bundle.leaves[:-1])), "rolled.json")
    assert main([str(rolled), "--state", str(state)]) == 1
    assert state.read_bytes() == before
