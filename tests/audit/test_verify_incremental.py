"""Incremental verification: a trusted checkpoint from an earlier complete run spares re-checking old entries.

What must hold (docs/bundle.md, "Incremental verification"): new entries get exactly the problems a
full run gives them; old entries that are not the ones the trusted checkpoint signs are never
silently accepted (split view, root mismatch or rollback, and then a full check); the ``--state``
file only moves forward after an intact bundle.
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest
import rfc8785

from audit.__main__ import main
from audit.verify import Report, verify_bundle
from tests.audit.helpers import LogBuilder, bundle_bytes, bundle_of, checkpoint, log_vkey, standard_log

VKEY = log_vkey()
OLD = 16  # entries an inspector verified last time


def _log() -> LogBuilder:
    log = standard_log(processes=2, rounds=6)  # 16 entries: keys, then votes and ranks on P1, P2
    assert log.size == OLD
    for r in range(4):
        log.step("u1", "process.vote", process="P1", data={"round": 10 + r})
        log.step("u3", "process.vote", process="P3", data={"round": r})
    log.revoke("u2")
    log.step("u1", "process.vote", process="P2", data={"round": 99})
    return log


LOG = _log()
LEAVES = tuple(LOG.leaves)
TRUSTED = checkpoint(LEAVES, OLD)


def _edit_payload(leaf: bytes, **fields: Any) -> bytes:
    obj = json.loads(leaf)
    payload = json.loads(base64.b64decode(obj["statement"]["payload"]))
    payload.update(fields)
    obj["statement"]["payload"] = base64.b64encode(rfc8785.dumps(payload)).decode()
    return rfc8785.dumps(obj)


def _verify(leaves: list[bytes] | tuple[bytes, ...], *, incremental: bool, trusted: str = TRUSTED) -> Report:
    bundle = bundle_of(LOG, leaves=leaves, checkpoints=[checkpoint(LEAVES)])
    return verify_bundle(bundle, vkey=VKEY, trusted_checkpoint=trusted, incremental=incremental)


def test_intact_bundle_checks_only_new_entries() -> None:
    report = _verify(LEAVES, incremental=True)
    assert report.ok and report.incremental_from == OLD
    assert report.to_json() == _verify(LEAVES, incremental=False).to_json()


def test_new_entries_get_the_problems_of_a_full_run() -> None:
    extended = copy.deepcopy(LOG)
    # A statement by u2 after its revocation (an old entry): the key history is replayed from 0.
    extended.step("u2", "process.vote", process="P2", data={"late": True}, signer=LOG.users["u2"])
    leaves = list(extended.leaves)
    leaves[OLD + 1] = _edit_payload(leaves[OLD + 1], time="2026-03-02T11:11:11Z")  # bad_signature
    leaves[OLD + 3] = _edit_payload(leaves[OLD + 3], basis=base64.b64encode(bytes(32)).decode())
    full = verify_bundle(
        bundle_of(LOG, leaves=leaves, checkpoints=[checkpoint(leaves)]), vkey=VKEY, trusted_checkpoint=TRUSTED
    )
    incremental = verify_bundle(
        bundle_of(LOG, leaves=leaves, checkpoints=[checkpoint(leaves)]),
        vkey=VKEY,
        trusted_checkpoint=TRUSTED,
        incremental=True,
    )
    kinds = {(p.index, p.kind) for p in full.problems}
    assert (OLD + 1, "bad_signature") in kinds and (OLD + 3, "basis_mismatch") in kinds
    assert (len(leaves) - 1, "revoked_key") in kinds
    assert incremental.incremental_from == OLD
    assert incremental.to_json() == full.to_json()


@pytest.mark.parametrize("index", [0, 3, 9, OLD - 1])
def test_tampered_old_entry_is_not_accepted(index: int) -> None:
    leaves = list(LEAVES)
    leaves[index] = _edit_payload(leaves[index], time="2026-03-02T07:00:00Z")
    report = _verify(leaves, incremental=True)
    assert not report.ok and report.incremental_from == 0  # fell back to checking everything
    kinds = {p.kind for p in report.problems}
    assert kinds & {"split_view", "checkpoint_root_mismatch"}
    assert report.to_json() == _verify(leaves, incremental=False).to_json()


def test_split_view_and_rollback() -> None:
    other_root = checkpoint(LEAVES, OLD, root=bytes(32))
    split = _verify(LEAVES, incremental=True, trusted=other_root)
    assert not split.ok and split.incremental_from == 0 and "split_view" in {p.kind for p in split.problems}
    ahead = [*LEAVES, LEAVES[-1]]
    rollback = _verify(LEAVES, incremental=True, trusted=checkpoint(ahead))
    assert not rollback.ok and rollback.incremental_from == 0 and "rollback" in {p.kind for p in rollback.problems}


def test_trusted_entries_are_not_rechecked() -> None:
    """The trust model, shown: what the trusted checkpoint covers is taken as verified before.

    A log that signed a checkpoint over a bad signature fails a full run, but an inspector who
    (wrongly) says they verified that checkpoint before is not told again. That is why only a
    checkpoint from this verifier's own intact run may be trusted this way (``--state``).
    """
    leaves = list(LEAVES)
    leaves[5] = _edit_payload(leaves[5], time="2026-03-02T07:00:00Z")
    signed_over_bad = checkpoint(leaves, OLD)
    bundle = bundle_of(LOG, leaves=leaves, checkpoints=[checkpoint(leaves)])
    full = verify_bundle(bundle, vkey=VKEY, trusted_checkpoint=signed_over_bad)
    assert (5, "bad_signature") in {(p.index, p.kind) for p in full.problems}
    incremental = verify_bundle(bundle, vkey=VKEY, trusted_checkpoint=signed_over_bad, incremental=True)
    assert incremental.ok and incremental.incremental_from == OLD


# --- the CLI's state file ------------------------------------------------------------------------


def _write(path: Path, leaves: list[bytes] | tuple[bytes, ...], *, checkpoint_leaves: Any = None) -> Path:
    signed = list(leaves if checkpoint_leaves is None else checkpoint_leaves)
    path.write_bytes(bundle_bytes(bundle_of(LOG, leaves=leaves, checkpoints=[checkpoint(signed)])))
    return path


def test_state_file_moves_forward_only_when_intact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state.checkpoint"
    first = _write(tmp_path / "first.json", LEAVES[:OLD])
    assert main(["verify", str(first), "--vkey", VKEY, "--state", str(state)]) == 0
    assert state.read_text() == checkpoint(LEAVES[:OLD])
    capsys.readouterr()

    bigger = _write(tmp_path / "bigger.json", LEAVES)
    assert main(["verify", str(bigger), "--vkey", VKEY, "--state", str(state)]) == 0
    assert "entries 0..15 were verified before" in capsys.readouterr().out
    assert state.read_text() == checkpoint(LEAVES)

    tampered = [*LEAVES, LEAVES[-1]]  # a duplicate appended: not intact
    bad = _write(tmp_path / "bad.json", tampered)
    assert main(["verify", str(bad), "--vkey", VKEY, "--state", str(state), "--json"]) == 1
    assert state.read_text() == checkpoint(LEAVES)  # unchanged
    capsys.readouterr()

    older = _write(tmp_path / "older.json", LEAVES[:OLD])  # a rollback against the stored state
    assert main(["verify", str(older), "--vkey", VKEY, "--state", str(state), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["problems"][0]["kind"] == "rollback"
    assert state.read_text() == checkpoint(LEAVES)


def test_incremental_json_report_has_the_usual_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trusted = tmp_path / "seen.checkpoint"
    trusted.write_text(TRUSTED)
    path = _write(tmp_path / "b.json", LEAVES)
    assert main(["verify", str(path), "--trusted-checkpoint", str(trusted), "--incremental", "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"ok", "size", "first_bad_index", "problems"}


def test_cli_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "b.json", LEAVES)
    trusted = tmp_path / "seen.checkpoint"
    trusted.write_text(TRUSTED)
    assert main(["verify", str(path), "--incremental"]) == 2
    assert main(["verify", str(path), "--state", str(tmp_path / "s"), "--trusted-checkpoint", str(trusted)]) == 2
    assert not (tmp_path / "s").exists()
    capsys.readouterr()
