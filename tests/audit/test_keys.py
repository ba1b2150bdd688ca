"""Signer, key ids, and the key history replayed from key statements in the log."""

from __future__ import annotations

import hashlib

import pytest

from audit.dsse import sign_envelope
from audit.entry import Actor, parse_leaf_unverified
from audit.errors import (
    ForeignSignatureError,
    KeyOwnerError,
    KeyStatementError,
    MissingSignatureError,
    RevokedKeyError,
    UnknownKeyError,
)
from audit.keys import ACTION_ENROL, ACTION_REVOKE, SYSTEM_ID, KeyHistory, Signer, enrol_data, key_id, revoke_data
from tests.audit.helpers import LogBuilder, seeded


def test_signer_key_id_and_repr() -> None:
    signer = Signer.from_seed(bytes(32))
    assert len(signer.public_bytes) == 32
    assert signer.key_id == hashlib.sha256(signer.public_bytes).hexdigest()
    assert key_id(signer.public_bytes) == signer.key_id
    assert "private" not in repr(signer).lower().replace("private_key", "")  # no key material shown
    signer.public_key().verify(signer.sign(b"m"), b"m")
    with pytest.raises(ValueError):
        key_id(b"\x00" * 31)
    with pytest.raises(ValueError):
        Signer.from_seed(b"short")
    assert Signer.generate().key_id != Signer.generate().key_id


def _replay(log: LogBuilder) -> KeyHistory:
    return KeyHistory.replay(parse_leaf_unverified(leaf) for leaf in log.leaves)


def test_history_enrol_rotate_revoke() -> None:
    log = LogBuilder()
    old = log.enrol("u1")
    enrolled_at = log.size - 1
    new = seeded("u1-new")
    rotated_at = log.rotate("u1", new)
    other = log.enrol("u2")
    revoked_at = log.revoke("u2")
    history = _replay(log)

    assert history.valid_keys(SYSTEM_ID, 0) == (log.system.key_id,)
    assert not history.is_valid("u1", old.key_id, enrolled_at - 1)
    assert history.is_valid("u1", old.key_id, enrolled_at)
    assert history.is_valid("u1", old.key_id, rotated_at)  # the rotation itself is signed by the old key
    with pytest.raises(RevokedKeyError, match=r"key\.rotate"):
        history.check("u1", old.key_id, rotated_at + 1)
    assert history.is_valid("u1", new.key_id, rotated_at + 1)
    with pytest.raises(KeyOwnerError):
        history.check("u2", new.key_id, rotated_at + 1)
    assert history.is_valid("u2", other.key_id, revoked_at)
    with pytest.raises(RevokedKeyError, match=r"key\.revoke"):
        history.check("u2", other.key_id, revoked_at + 1)
    with pytest.raises(UnknownKeyError):
        history.check("u3", seeded("nobody").key_id, 0)
    record = history.record(other.key_id)
    assert record is not None and (record.enrolled_at, record.retired_at) == (revoked_at - 1, revoked_at)
    assert history.public_key(new.key_id) is history.public_key(new.key_id)  # cached object


def _enrol_payload(log: LogBuilder, user: str, new: Signer, actor: Actor | None = None) -> bytes:
    return log.statement(
        ACTION_ENROL, actor=actor or log.system_actor(), data=enrol_data(user, new.public_bytes, "new")
    )


def test_enrol_needs_proof_of_possession_and_the_system_key() -> None:
    log = LogBuilder()
    u1 = log.enrol("u1")
    history = _replay(log)
    new = seeded("fresh")
    payload = _enrol_payload(log, "u9", new)
    statement = sign_envelope(payload, [log.system]).payload
    st = parse_leaf_unverified(log.leaf_for(sign_envelope(statement, [log.system]))).statement_unverified()
    with pytest.raises(MissingSignatureError):
        history.check_statement(log.size, st, [log.system.key_id])
    history.check_statement(log.size, st, [log.system.key_id, new.key_id])
    # A user cannot enrol keys, even with proof of possession.
    by_user = parse_leaf_unverified(
        log.leaf_for(sign_envelope(_enrol_payload(log, "u9", new, Actor("u1", "admin", u1.key_id)), [u1, new]))
    ).statement_unverified()
    with pytest.raises(KeyStatementError, match="system"):
        history.check_statement(log.size, by_user, [u1.key_id, new.key_id])
    # A key is never enrolled twice.
    again = parse_leaf_unverified(
        log.leaf_for(sign_envelope(_enrol_payload(log, "u9", u1), [log.system, u1]))
    ).statement_unverified()
    with pytest.raises(KeyStatementError, match="never reused"):
        history.check_statement(log.size, again, [log.system.key_id, u1.key_id])


def test_second_self_signed_system_key_is_refused() -> None:
    log = LogBuilder()
    history = _replay(log)
    rogue = seeded("rogue")
    payload = _enrol_payload(log, SYSTEM_ID, rogue, Actor(SYSTEM_ID, "system", rogue.key_id))
    st = parse_leaf_unverified(log.leaf_for(sign_envelope(payload, [rogue]))).statement_unverified()
    with pytest.raises(UnknownKeyError):
        history.check_statement(log.size, st, [rogue.key_id])


def test_foreign_and_unknown_signers() -> None:
    log = LogBuilder()
    u1, u2 = log.enrol("u1"), log.enrol("u2")
    history = _replay(log)
    payload = log.statement("process.vote", actor=Actor("u1", "committee_member", u1.key_id), process="P1")
    st = parse_leaf_unverified(log.leaf_for(sign_envelope(payload, [u1]))).statement_unverified()
    history.check_statement(log.size, st, [u1.key_id])
    with pytest.raises(ForeignSignatureError):
        history.check_statement(log.size, st, [u1.key_id, u2.key_id])
    with pytest.raises(UnknownKeyError):
        history.check_statement(log.size, st, [u1.key_id, seeded("stranger").key_id])
    with pytest.raises(MissingSignatureError):
        history.check_statement(log.size, st, [])


def test_revoke_rules() -> None:
    log = LogBuilder()
    u1, u2 = log.enrol("u1"), log.enrol("u2")
    history = _replay(log)

    def revoke(actor: Actor, signer: Signer, subject: str, target: str) -> None:
        payload = log.statement(ACTION_REVOKE, actor=actor, data=revoke_data(subject, target, "lost laptop"))
        st = parse_leaf_unverified(log.leaf_for(sign_envelope(payload, [signer]))).statement_unverified()
        history.check_statement(log.size, st, [signer.key_id])

    revoke(Actor("u1", "asn", u1.key_id), u1, "u1", u1.key_id)  # self-revocation is allowed
    revoke(log.system_actor(), log.system, "u1", u1.key_id)
    with pytest.raises(KeyStatementError, match="system key or by the subject"):
        revoke(Actor("u2", "admin", u2.key_id), u2, "u1", u1.key_id)
    with pytest.raises(KeyStatementError, match="cannot revoke"):
        revoke(log.system_actor(), log.system, "u1", u2.key_id)


def test_key_statement_data_is_strict() -> None:
    log = LogBuilder()
    history = _replay(log)
    new = seeded("n")
    data = enrol_data("u5", new.public_bytes, "x") | {"extra": 1}
    payload = log.statement(ACTION_ENROL, actor=log.system_actor(), data=data)
    st = parse_leaf_unverified(log.leaf_for(sign_envelope(payload, [log.system, new]))).statement_unverified()
    with pytest.raises(KeyStatementError, match="exactly"):
        history.check_statement(log.size, st, [log.system.key_id, new.key_id])
    payload = log.statement(
        ACTION_ENROL, actor=log.system_actor(), process="P1", data=enrol_data("u5", new.public_bytes, "x")
    )
    st = parse_leaf_unverified(log.leaf_for(sign_envelope(payload, [log.system, new]))).statement_unverified()
    with pytest.raises(KeyStatementError, match="null process"):
        history.check_statement(log.size, st, [log.system.key_id, new.key_id])
