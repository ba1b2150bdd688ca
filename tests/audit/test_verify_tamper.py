"""Every tampering of docs/bundle.md's list, each with its exact ``first_bad_index`` and ``kind``.

The log (``standard_log(rounds=4)``, 12 entries)::

    0 system bootstrap   1–3 enrol u1..u3   4,5 u1 votes P1,P2   6,7 u2 votes P1,P2
    8,9 system ranks P1,P2   10,11 u1 votes P1,P2
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit import merkle, note
from audit.bundle import EvidenceRecord
from audit.dsse import sign_envelope
from audit.entry import ZERO_HASH, Actor, build_leaf, make_statement
from audit.verify import KINDS, Report, verify_bundle
from tests.audit.helpers import (
    EVIDENCE_SALT,
    ORIGIN,
    LogBuilder,
    bundle_bytes,
    bundle_of,
    checkpoint,
    log_signer,
    log_vkey,
    seeded,
    standard_log,
)

LOG = standard_log(rounds=4)
LEAVES = tuple(LOG.leaves)
N = len(LEAVES)
VKEY = log_vkey()


def verify(leaves: list[bytes] | tuple[bytes, ...] | None = None, **kwargs: Any) -> Report:
    """Verify LOG's bundle with ``leaves`` swapped in, its checkpoint still over the genuine leaves."""
    options: dict[str, Any] = {"vkey": VKEY}
    bundle_options = {k: kwargs.pop(k) for k in ("checkpoints", "evidence", "vkey_in_bundle") if k in kwargs}
    options.update(kwargs)
    bundle = bundle_of(
        LOG,
        leaves=leaves,
        checkpoints=bundle_options.get("checkpoints"),
        evidence=bundle_options.get("evidence"),
        vkey=bundle_options.get("vkey_in_bundle"),
    )
    report = verify_bundle(bundle, **options)
    assert all(p.kind in KINDS for p in report.problems)
    return report


def first(report: Report) -> tuple[int | None, str]:
    assert not report.ok
    return report.first_bad_index, report.problems[0].kind


def edit(leaf: bytes, change: Callable[[dict[str, Any]], None]) -> bytes:
    obj = json.loads(leaf)
    change(obj)
    return rfc8785.dumps(obj)


def edit_payload(leaf: bytes, change: Callable[[dict[str, Any]], None]) -> bytes:
    def inner(obj: dict[str, Any]) -> None:
        payload = json.loads(base64.b64decode(obj["statement"]["payload"]))
        change(payload)
        obj["statement"]["payload"] = base64.b64encode(rfc8785.dumps(payload)).decode()

    return edit(leaf, inner)


def replaced(index: int, leaf: bytes) -> list[bytes]:
    leaves = list(LEAVES)
    leaves[index] = leaf
    return leaves


def u2_vote(signers: list[Any], *, key_id: str | None = None, basis: bytes | None = None) -> bytes:
    """A fresh entry 6 (u2 votes on P1), signed by ``signers``, chained after the genuine entry 5."""
    hashes = [merkle.leaf_hash(leaf) for leaf in LEAVES]
    payload = make_statement(
        action="process.vote",
        process="P1",
        from_state=None,
        to_state=None,
        time=LOG.time_at(6),
        actor=Actor("u2", "committee_member", key_id or LOG.users["u2"].key_id),
        data={"round": 1, "score": "99"},
        basis=hashes[4] if basis is None else basis,
    )
    return build_leaf(6, hashes[5], LOG.time_at(6), sign_envelope(payload, signers))


# --- the genuine log --------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 3])
def test_genuine_log_is_ok(jobs: int) -> None:
    report = verify(jobs=jobs)
    assert report.ok, report.problems
    assert (report.size, report.first_bad_index, report.checkpoint_size) == (N, None, N)
    assert report.to_json() == {"ok": True, "size": N, "first_bad_index": None, "problems": []}


def test_genuine_log_with_earlier_trusted_checkpoint_is_ok() -> None:
    assert verify(trusted_checkpoint=checkpoint(LEAVES, 7)).ok
    assert verify(trusted_checkpoint=checkpoint(LEAVES)).ok
    assert verify(checkpoints=[checkpoint(LEAVES, 4), checkpoint(LEAVES, 9), checkpoint(LEAVES)]).ok


def test_empty_log_is_ok() -> None:
    log = LogBuilder()
    bundle = bundle_of(log, leaves=[], checkpoints=[checkpoint([])], evidence={})
    report = verify_bundle(bundle, vkey=VKEY)
    assert first(report) == (None, "system_keys_mismatch")  # keys listed that the (empty) log never enrolled


# --- entries: modified, deleted, inserted, duplicated, reordered, truncated ---------------------


def test_modified_leaf_unsigned_field() -> None:
    report = verify(replaced(6, edit(LEAVES[6], lambda o: o.update(time="2026-03-02T09:59:00Z"))))
    assert first(report) == (6, "leaf_modified")
    assert {(p.index, p.kind) for p in report.problems} >= {(7, "prev_mismatch"), (8, "basis_mismatch")}


def test_modified_leaf_statement() -> None:
    report = verify(replaced(6, edit_payload(LEAVES[6], lambda p: p["data"].update(score="100"))))
    assert first(report) == (6, "bad_signature")


def test_modified_last_leaf() -> None:
    report = verify(replaced(N - 1, edit(LEAVES[N - 1], lambda o: o.update(time="2026-03-02T23:00:00Z"))))
    assert first(report) == (N - 1, "checkpoint_root_mismatch")


def test_deleted_entry() -> None:
    report = verify(LEAVES[:6] + LEAVES[7:])
    assert first(report) == (6, "seq_mismatch")
    # The shift is reported once, not for every later entry.
    assert [p.index for p in report.problems if p.kind == "seq_mismatch"] == [6]
    assert (N - 1, "checkpoint_size_mismatch") in {(p.index, p.kind) for p in report.problems}


def test_inserted_entry() -> None:
    intruder = u2_vote([LOG.users["u2"]])
    report = verify([*LEAVES[:6], intruder, *LEAVES[6:]])
    assert first(report) == (6, "conflicting_entry")
    assert (N, "uncovered_entries") in {(p.index, p.kind) for p in report.problems}


def test_duplicated_entry() -> None:
    report = verify([*LEAVES[:7], LEAVES[6], *LEAVES[7:]])
    assert first(report) == (7, "duplicate_entry")


def test_reordered_entries() -> None:
    report = verify([*LEAVES[:6], LEAVES[7], LEAVES[6], *LEAVES[8:]])
    assert first(report) == (6, "seq_mismatch")


def test_truncated_log() -> None:
    report = verify(LEAVES[:8])
    assert first(report) == (8, "checkpoint_size_mismatch")


def test_truncated_log_with_its_old_checkpoint_is_a_rollback_against_a_trusted_one() -> None:
    old = checkpoint(LEAVES, 8)
    assert verify(LEAVES[:8], checkpoints=[old]).ok  # alone it looks fine ...
    report = verify(LEAVES[:8], checkpoints=[old], trusted_checkpoint=checkpoint(LEAVES))
    assert first(report) == (8, "rollback")  # ... but the inspector had seen 12 entries


# --- links and numbering ---------------------------------------------------------------------


def test_broken_prev_link() -> None:
    report = verify(replaced(6, edit(LEAVES[6], lambda o: o.update(prev=base64.b64encode(b"\x01" * 32).decode()))))
    assert first(report) == (6, "prev_mismatch")
    assert "leaf_modified" not in {p.kind for p in report.problems}


def test_seq_field_changed() -> None:
    report = verify(replaced(6, edit(LEAVES[6], lambda o: o.update(seq=7))))
    assert first(report) == (6, "seq_mismatch")


def test_seq_gap_in_a_rechained_log() -> None:
    # An operator skipped seq 6 but re-chained prev and re-signed the checkpoint with the log key.
    leaves = list(LEAVES[:6])
    for original in LEAVES[7:]:
        obj = json.loads(original)
        obj["prev"] = base64.b64encode(merkle.leaf_hash(leaves[-1])).decode()
        leaves.append(rfc8785.dumps(obj))
    report = verify(leaves, checkpoints=[checkpoint(leaves)])
    assert first(report) == (6, "seq_mismatch")
    assert "prev_mismatch" not in {p.kind for p in report.problems}


def test_stale_basis() -> None:
    report = verify(replaced(6, u2_vote([LOG.users["u2"]], basis=ZERO_HASH)))
    assert first(report) == (6, "basis_mismatch")


def test_non_canonical_leaf() -> None:
    report = verify(replaced(6, json.dumps(json.loads(LEAVES[6]), indent=1).encode()))
    assert first(report) == (6, "non_canonical_entry")


def test_non_canonical_statement() -> None:
    def spaced(obj: dict[str, Any]) -> None:
        payload = json.loads(base64.b64decode(obj["statement"]["payload"]))
        obj["statement"]["payload"] = base64.b64encode(json.dumps(payload).encode()).decode()

    report = verify(replaced(6, edit(LEAVES[6], spaced)))
    assert first(report) == (6, "non_canonical_statement")


def test_malformed_leaf() -> None:
    report = verify(replaced(6, LEAVES[6][:-1]))
    assert first(report) == (6, "malformed_entry")


# --- signatures and keys -----------------------------------------------------------------------


def test_bad_signature() -> None:
    def flip(obj: dict[str, Any]) -> None:
        sig = bytearray(base64.b64decode(obj["statement"]["signatures"][0]["sig"]))
        sig[10] ^= 0x01
        obj["statement"]["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()

    report = verify(replaced(6, edit(LEAVES[6], flip)))
    assert first(report) == (6, "bad_signature")


@pytest.mark.parametrize("jobs", [1, 2])
def test_bad_signatures_reported_identically_for_any_jobs(jobs: int) -> None:
    leaves = list(LEAVES)
    for index in (3, 9):
        leaves[index] = edit_payload(leaves[index], lambda p: p.update(time="2026-03-02T08:00:01Z"))
    report = verify(leaves, jobs=jobs)
    assert [(p.index, p.kind) for p in report.problems if p.kind == "bad_signature"] == [
        (3, "bad_signature"),
        (9, "bad_signature"),
    ]
    assert report == verify(leaves, jobs=1)


def test_missing_signature() -> None:
    report = verify(replaced(6, edit(LEAVES[6], lambda o: o["statement"].update(signatures=[]))))
    assert first(report) == (6, "missing_signature")


def test_missing_proof_of_possession_on_enrolment() -> None:
    log = LogBuilder()
    new = seeded("pop")
    data = {"subject": "u1", "public_key": base64.b64encode(new.public_bytes).decode(), "reason": "x"}
    payload = log.statement("key.enrol", actor=log.system_actor(), data=data)
    log.push(log.leaf_for(sign_envelope(payload, [log.system])))
    report = verify_bundle(bundle_of(log, evidence={}), vkey=VKEY)
    assert first(report) == (1, "missing_signature")


def test_foreign_signature() -> None:
    report = verify(replaced(6, u2_vote([LOG.users["u1"]])))
    assert first(report) == (6, "foreign_signature")


def test_signature_by_unknown_key() -> None:
    stranger = seeded("stranger")
    report = verify(replaced(6, u2_vote([stranger], key_id=stranger.key_id)))
    assert first(report) == (6, "unknown_key")


def test_key_of_another_user() -> None:
    u1 = LOG.users["u1"]
    report = verify(replaced(6, u2_vote([u1], key_id=u1.key_id)))
    assert first(report) == (6, "key_owner_mismatch")


def test_signature_by_revoked_key() -> None:
    log = standard_log()
    revoked_at = log.revoke("u2")
    late = log.step("u2", "process.vote", process="P1", data={"round": 9})
    assert late == revoked_at + 1
    report = verify_bundle(bundle_of(log), vkey=VKEY)
    assert first(report) == (late, "revoked_key")


def test_signature_by_rotated_away_key() -> None:
    log = standard_log()
    old = log.users["u1"]
    rotated_at = log.rotate("u1", seeded("u1-second"))
    assert verify_bundle(bundle_of(log), vkey=VKEY).ok
    late = log.step("u1", "process.vote", process="P2", signer=old)
    report = verify_bundle(bundle_of(log), vkey=VKEY)
    assert late == rotated_at + 1
    assert first(report) == (late, "revoked_key")


def test_bad_key_statement() -> None:
    log = standard_log()
    # A user may not enrol keys, even with a valid key and proof of possession.
    new = seeded("smuggled")
    u1 = log.users["u1"]
    log.append(
        "key.enrol",
        actor=Actor("u1", "admin", u1.key_id),
        signers=[u1, new],
        data={"subject": "u9", "public_key": base64.b64encode(new.public_bytes).decode(), "reason": "x"},
    )
    report = verify_bundle(bundle_of(log), vkey=VKEY)
    assert first(report) == (log.size - 1, "bad_key_statement")


# --- checkpoints -----------------------------------------------------------------------------


def test_checkpoint_signed_by_wrong_key() -> None:
    forged = checkpoint(LEAVES, signer=log_signer("evil"))
    report = verify(checkpoints=[forged])
    assert first(report) == (0, "checkpoint_bad_signature")
    # The bundle naming the forger's key does not help once the inspector pins the real one.
    report = verify(checkpoints=[forged], vkey_in_bundle=log_vkey("evil"))
    assert first(report) == (0, "checkpoint_bad_signature")
    assert (None, "log_key_mismatch") in {(p.index, p.kind) for p in report.problems}
    # Unpinned, the bundle is consistent with its own key: that is what --vkey is for.
    assert verify(checkpoints=[forged], vkey_in_bundle=log_vkey("evil"), vkey=None).ok


def test_checkpoint_text_edited_after_signing() -> None:
    good = checkpoint(LEAVES)
    edited = good.replace(f"\n{N}\n", f"\n{N + 1}\n", 1)
    report = verify(checkpoints=[edited])
    assert first(report) == (0, "checkpoint_bad_signature")


def test_checkpoint_with_wrong_root() -> None:
    report = verify(checkpoints=[checkpoint(LEAVES, root=b"\x07" * 32)])
    assert first(report) == (N - 1, "checkpoint_root_mismatch")


def test_checkpoint_with_wrong_size() -> None:
    too_big = checkpoint(LEAVES, N + 1, root=merkle.root([merkle.leaf_hash(x) for x in LEAVES]))
    assert first(verify(checkpoints=[too_big])) == (N, "checkpoint_size_mismatch")
    too_small = checkpoint(LEAVES, N - 2)
    assert first(verify(checkpoints=[too_small])) == (N - 2, "uncovered_entries")


def test_checkpoint_of_another_log() -> None:
    other = checkpoint(LEAVES, signer=log_signer(origin="other.example/log"), origin="other.example/log")
    assert first(verify(checkpoints=[other])) == (0, "checkpoint_bad_signature")  # no signature by our log key
    # Signed by our log key, but for another origin line: not a checkpoint of this log.
    root = merkle.root([merkle.leaf_hash(x) for x in LEAVES])
    relabelled = note.sign_note(note.Checkpoint("other.example/log", N, root).text, [log_signer()])
    assert first(verify(checkpoints=[relabelled])) == (0, "malformed_checkpoint")


def test_no_checkpoint() -> None:
    assert first(verify(checkpoints=[])) == (0, "no_checkpoint")


def test_checkpoints_out_of_order() -> None:
    assert first(verify(checkpoints=[checkpoint(LEAVES), checkpoint(LEAVES, 5)])) == (5, "checkpoint_order")


def _other_history(size: int) -> list[bytes]:
    """Another log from the same keys, diverging at entry 4: what a split view shows someone else."""
    other = LogBuilder(system=LOG.system)
    for user in ("u1", "u2", "u3"):
        other.enrol(user, LOG.users[user] if user != "u1" else None)
    while other.size < size:
        other.step("u2", "process.vote", process="P1", data={"round": other.size, "score": "1"})
    return other.leaves[:size]


def test_split_view_same_size() -> None:
    trusted = checkpoint(_other_history(N))
    report = verify(trusted_checkpoint=trusted)
    assert first(report) == (0, "split_view")


def test_split_view_earlier_size() -> None:
    trusted = checkpoint(_other_history(8))
    report = verify(trusted_checkpoint=trusted)
    assert first(report) == (0, "split_view")


def test_trusted_checkpoint_from_another_key() -> None:
    trusted = checkpoint(LEAVES, 8, signer=log_signer("evil"))
    assert first(verify(trusted_checkpoint=trusted)) == (0, "trusted_checkpoint_invalid")


def test_trusted_checkpoint_charges_modified_entries_not_split_view() -> None:
    leaves = replaced(6, edit(LEAVES[6], lambda o: o.update(time="2026-03-02T09:59:00Z")))
    report = verify(leaves, trusted_checkpoint=checkpoint(LEAVES, 10))
    assert first(report) == (6, "leaf_modified")
    assert "split_view" not in {p.kind for p in report.problems}


# --- bundle-level facts ----------------------------------------------------------------------


def test_evidence_digest_mismatch() -> None:
    [(digest, record)] = bundle_of(LOG).evidence.items()
    forged = {digest: EvidenceRecord(EVIDENCE_SALT, {**record.data, "score": "99.00"})}
    report = verify(evidence=forged)
    assert (report.ok, report.first_bad_index) == (False, None)
    assert [p.kind for p in report.problems] == ["evidence_digest_mismatch"]


def test_system_keys_list_must_match_the_log() -> None:
    bundle = bundle_of(LOG)
    bundle = type(bundle)(
        bundle.origin, bundle.log_vkey, bundle.checkpoints, bundle.leaves, (seeded("x").public_bytes,)
    )
    assert [p.kind for p in verify_bundle(bundle, vkey=VKEY).problems] == ["system_keys_mismatch"]


def test_malformed_bundle_bytes() -> None:
    assert first(verify_bundle(b"{}")) == (None, "malformed_bundle")
    data = json.loads(bundle_bytes(bundle_of(LOG)))
    data["leaves"][3] = "not base64!"
    report = verify_bundle(json.dumps(data).encode())
    assert first(report) == (3, "malformed_bundle")


def test_origin_line_is_checked() -> None:
    assert ORIGIN in checkpoint(LEAVES)


# --- any single-byte change of any leaf is caught, and charged to that leaf ------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_single_byte_change_is_detected_at_its_entry(data: st.DataObject) -> None:
    index = data.draw(st.integers(0, N - 1), label="index")
    leaf = LEAVES[index]
    position = data.draw(st.integers(0, len(leaf) - 1), label="position")
    value = data.draw(st.integers(0, 255).filter(lambda b: b != leaf[position]), label="byte")
    changed = leaf[:position] + bytes([value]) + leaf[position + 1 :]
    report = verify(replaced(index, changed))
    assert not report.ok
    assert report.first_bad_index == index, report.problems
