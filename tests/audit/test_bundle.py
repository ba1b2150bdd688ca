"""Bundle files: write/read round trip, strict shape, evidence digests, and the CLI on files."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import rfc8785

from audit.__main__ import main
from audit.bundle import (
    BUNDLE_FORMAT,
    EvidenceRecord,
    evidence_digest,
    make_evidence,
    read_bundle_unverified,
    write_bundle,
)
from audit.errors import BundleFormatError, BundleLeafError, CanonicalError
from tests.audit.helpers import EVIDENCE_SALT, bundle_bytes, bundle_of, checkpoint, log_vkey, standard_log

ROOT = Path(__file__).resolve().parents[2]
LOG = standard_log()


def _bundle_json() -> dict[str, Any]:
    return json.loads(bundle_bytes(bundle_of(LOG)))


def test_round_trip() -> None:
    bundle = bundle_of(LOG)
    data = write_bundle(
        origin=bundle.origin,
        log_vkey=bundle.log_vkey,
        checkpoints=bundle.checkpoints,
        leaves=bundle.leaves,
        system_keys=bundle.system_keys,
        evidence=bundle.evidence,
        process={"id": "P1"},
    )
    assert data.endswith(b"\n")
    obj = json.loads(data)
    assert obj["format"] == BUNDLE_FORMAT
    assert sorted(obj) == ["checkpoints", "evidence", "format", "keys", "leaves", "log_vkey", "origin", "process"]
    assert [base64.b64decode(x) for x in obj["leaves"]] == LOG.leaves
    back = read_bundle_unverified(data)
    assert back.leaves == bundle.leaves and back.checkpoints == bundle.checkpoints
    assert back.evidence == bundle.evidence and back.system_keys == bundle.system_keys
    assert back.process == {"id": "P1"} and back.origin == bundle.origin and back.log_vkey == bundle.log_vkey


def test_evidence_digest_definition() -> None:
    data = {"nip": "198001012005011001", "score": "87.50"}
    digest, record = make_evidence(EVIDENCE_SALT, data)
    expected = hashlib.sha256(rfc8785.dumps({"data": data, "salt": base64.b64encode(EVIDENCE_SALT).decode()}))
    assert digest == expected.hexdigest() == evidence_digest(EVIDENCE_SALT, data)
    assert record == EvidenceRecord(EVIDENCE_SALT, data)
    with pytest.raises(ValueError, match="16 bytes"):
        evidence_digest(b"short", data)
    with pytest.raises(CanonicalError):
        evidence_digest(EVIDENCE_SALT, {"score": 87.5})


def test_write_rejects_unrepresentable_evidence() -> None:
    with pytest.raises(BundleFormatError):
        write_bundle(
            origin="o", log_vkey="k", checkpoints=[], leaves=[], evidence={"x": EvidenceRecord(EVIDENCE_SALT, 1)}
        )
    digest = "0" * 64
    with pytest.raises(BundleFormatError, match="float"):
        write_bundle(
            origin="o", log_vkey="k", checkpoints=[], leaves=[], evidence={digest: EvidenceRecord(EVIDENCE_SALT, 0.5)}
        )


@pytest.mark.parametrize(
    "mutate",
    [
        lambda o: o.update(format="jejak-bundle/v2"),
        lambda o: o.pop("process"),
        lambda o: o.update(extra=1),
        lambda o: o.update(origin=""),
        lambda o: o.update(checkpoints="x"),
        lambda o: o.update(leaves=[1]),
        lambda o: o.update(keys={"system": [], "log": []}),
        lambda o: o.update(keys={"system": ["AAAA"]}),
        lambda o: o.update(evidence={"ABC": {"salt": "", "data": 1}}),
        lambda o: o.update(evidence={"0" * 64: {"salt": "AAAA", "data": 1}}),
        lambda o: o.update(evidence={"0" * 64: {"data": 1}}),
        lambda o: o.update(process=[]),
    ],
)
def test_read_is_strict(mutate: Any) -> None:
    obj = _bundle_json()
    mutate(obj)
    with pytest.raises(BundleFormatError):
        read_bundle_unverified(json.dumps(obj).encode())


def test_read_rejects_floats_and_names_bad_leaves() -> None:
    with pytest.raises(BundleFormatError):
        read_bundle_unverified(b'{"format": 1.5}')
    with pytest.raises(BundleFormatError):
        read_bundle_unverified(b"\xff")
    obj = _bundle_json()
    obj["leaves"][4] = obj["leaves"][4].rstrip("=")
    with pytest.raises(BundleLeafError) as caught:
        read_bundle_unverified(json.dumps(obj).encode())
    assert caught.value.index == 4


# --- the command line --------------------------------------------------------------------------


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "bundle.json"
    path.write_bytes(bundle_bytes(bundle_of(LOG)))
    return path


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    leaves = list(LOG.leaves)
    leaves[5] = leaves[5].replace(b'"time":"2026-03-02T08:05:00Z"', b'"time":"2026-03-02T08:05:01Z"')
    assert leaves[5] != LOG.leaves[5]
    path = tmp_path / "tampered.json"
    path.write_bytes(bundle_bytes(bundle_of(LOG, leaves=leaves)))
    return path


def test_cli_ok(good_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(good_file), "--vkey", log_vkey()]) == 0
    out = capsys.readouterr().out
    assert "OK" in out and f"{LOG.size} entries" in out and "--vkey" not in out
    assert main(["verify", str(good_file)]) == 0
    assert "pass --vkey" in capsys.readouterr().out


def test_cli_json(good_file: Path, bad_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(good_file), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "ok": True,
        "size": LOG.size,
        "first_bad_index": None,
        "problems": [],
    }
    assert main(["verify", str(bad_file), "--json", "--vkey", log_vkey()]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["ok"], report["first_bad_index"]) == (False, 5)
    assert report["problems"][0] == {"index": 5, "kind": "leaf_modified", "detail": report["problems"][0]["detail"]}
    assert set(report) == {"ok", "size", "first_bad_index", "problems"}


def test_cli_human_names_first_bad_entry(bad_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(bad_file)]) == 1
    out = capsys.readouterr().out
    assert "NOT INTACT" in out and "first bad entry: entry 5" in out and "leaf_modified" in out


def test_cli_trusted_checkpoint(good_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trusted = tmp_path / "seen.txt"
    trusted.write_text(checkpoint(LOG.leaves, 6))
    assert main(["verify", str(good_file), "--trusted-checkpoint", str(trusted)]) == 0
    capsys.readouterr()
    bigger = [*LOG.leaves, LOG.leaves[-1]]
    trusted.write_text(checkpoint(bigger))
    assert main(["verify", str(good_file), "--trusted-checkpoint", str(trusted), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["problems"][0]["kind"] == "rollback"


def test_cli_usage_errors(good_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(tmp_path / "missing.json")]) == 2
    assert main(["verify", str(good_file), "--vkey", "not-a-vkey"]) == 2
    assert main(["verify", str(good_file), "--jobs", "0"]) == 2
    assert main(["verify", str(good_file), "--trusted-checkpoint", str(tmp_path / "nope")]) == 2
    with pytest.raises(SystemExit) as caught:
        main(["frobnicate"])
    assert caught.value.code == 2
    capsys.readouterr()


def test_cli_malformed_bundle_is_not_intact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "junk.json"
    path.write_text('{"format": "something else"}')
    assert main(["verify", str(path), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["problems"][0]["kind"] == "malformed_bundle"


@pytest.mark.slow
def test_cli_as_module_with_jobs(good_file: Path, bad_file: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "audit", "verify", str(good_file), "--jobs", "2"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "audit", "verify", str(bad_file), "--jobs", "2", "--json"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["first_bad_index"] == 5
