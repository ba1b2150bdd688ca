"""The SQL audit log: appends in the caller's transaction, proofs equal to the reference, checkpoints, bundles."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import rfc8785
import sqlalchemy as sa
from flask import Flask

from audit import merkle
from audit.dsse import Envelope, sign_envelope
from audit.entry import Actor, make_statement, parse_leaf_unverified
from audit.keys import Signer
from audit.note import Ed25519Verifier, open_checkpoint
from audit.verify import verify_bundle
from workflow import keystore, ledger, ledger_cli
from workflow.extensions import db
from workflow.models import User
from workflow.models.ledger import LogHash, LogHead, LogLeaf

T0 = dt.datetime(2026, 3, 1, 8, 0, 0, tzinfo=dt.UTC)


# --- helpers, shared with test_ledger_concurrency ------------------------------------------------


def make_user(name: str) -> int:
    user = User(username=name, display_name=name.title(), password_hash="x", created_at=T0)
    db.session.add(user)
    db.session.flush()
    return user.id


def enrolled_user(name: str) -> tuple[int, Signer]:
    """Bootstrap the log if needed, create a user with an enrolled key, commit."""
    store = keystore.get_keystore()
    store.bootstrap(db.session, T0)
    user_id = make_user(name)
    store.enrol_user_key(db.session, user_id, T0)
    db.session.commit()
    return user_id, store.user_signer(db.session, user_id)


def statement(
    signer: Signer, user_id: int, process: int | str | None, i: int, *, basis: bytes | None = None
) -> Envelope:
    """A signed test statement about ``process``, on the current basis unless one is given."""
    if basis is None:
        basis = ledger.process_basis(db.session, process)
    payload = make_statement(
        action="process.note", process=process, from_state=None, to_state=None, time=T0,
        actor=Actor(str(user_id), "admin", signer.key_id), data={"i": i}, basis=basis,
    )
    return sign_envelope(payload, [signer])


def table_counts() -> tuple[int, int, tuple[int, bytes]]:
    leaves = db.session.scalar(sa.select(sa.func.count()).select_from(LogLeaf))
    hashes = db.session.scalar(sa.select(sa.func.count()).select_from(LogHash))
    head = db.session.execute(sa.select(LogHead.size, LogHead.last_leaf_hash)).one()
    return leaves, hashes, (head.size, bytes(head.last_leaf_hash))


# --- tests ---------------------------------------------------------------------------------------


def test_appends_chain_and_sql_proofs_equal_the_reference(db_app: Flask) -> None:
    user_id, signer = enrolled_user("ayu")
    for i in range(30):
        entry = ledger.append(db.session, statement(signer, user_id, 1 + i % 3, i), now=T0)
        db.session.commit()
        assert entry.seq == ledger.log_size(db.session) - 1
    size = ledger.log_size(db.session)
    leaves = ledger.read_leaves(db.session, 0, size)
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    prev = bytes(32)
    for seq, leaf in enumerate(leaves):
        entry = parse_leaf_unverified(leaf)
        assert (entry.seq, entry.prev) == (seq, prev)
        prev = entry.leaf_hash
    for n in (1, 2, 3, 7, 8, 9, 16, 17, size):
        assert ledger.tree_root(db.session, n) == merkle.root(hashes[:n])
        for i in range(n):
            assert ledger.inclusion_proof(db.session, i, n) == merkle.inclusion_proof_from_leaves(hashes[:n], i)
        assert ledger.consistency_proof(db.session, n, size) == merkle.consistency_proof_from_leaves(hashes, n)
    assert ledger.process_basis(db.session, 1) == hashes[-3]  # 3 + 27 → the last entry of process 1
    assert ledger.process_basis(db.session, 99) == bytes(32)


def test_an_append_rolled_back_with_its_transaction_leaves_no_trace(db_app: Flask) -> None:
    user_id, signer = enrolled_user("budi")
    ledger.append(db.session, statement(signer, user_id, 5, 0), now=T0)
    db.session.commit()
    before = table_counts()
    ledger.append(db.session, statement(signer, user_id, 5, 1), now=T0)
    assert table_counts() != before  # visible inside the transaction …
    db.session.rollback()
    assert table_counts() == before  # … and gone with it
    entry = ledger.append(db.session, statement(signer, user_id, 5, 2), now=T0)
    db.session.commit()
    assert entry.seq == before[2][0]


def test_a_duplicate_seq_is_refused_by_the_database(db_app: Flask) -> None:
    user_id, signer = enrolled_user("citra")
    ledger.append(db.session, statement(signer, user_id, 5, 0), now=T0)
    db.session.commit()
    # Simulate an appender that bypassed the lock and read a stale head: the seq is taken.
    db.session.execute(sa.update(LogHead).values(size=0, last_leaf_hash=bytes(32)))
    with pytest.raises(sa.exc.IntegrityError):
        ledger.append(db.session, statement(signer, user_id, 6, 1), now=T0)
    db.session.rollback()


def test_a_statement_on_a_stale_basis_is_refused(db_app: Flask) -> None:
    user_id, signer = enrolled_user("dewi")
    stale = statement(signer, user_id, 8, 0)
    ledger.append(db.session, statement(signer, user_id, 8, 1), now=T0)
    with pytest.raises(ledger.StaleBasisError):
        ledger.append(db.session, stale, now=T0)
    db.session.rollback()


def test_unenrolled_or_foreign_keys_are_refused(db_app: Flask) -> None:
    user_id, signer = enrolled_user("eka")
    stranger = Signer.generate()
    with pytest.raises(ledger.RejectedStatementError, match="signature check failed"):
        ledger.append(db.session, statement(stranger, user_id, 3, 0), now=T0)
    other_id = make_user("fajar")
    with pytest.raises(ledger.RejectedStatementError, match="does not belong"):
        ledger.append(db.session, statement(signer, other_id, 3, 0), now=T0)
    db.session.rollback()


def test_checkpoints_are_signed_when_the_log_grew_and_verify_with_the_vkey(db_app: Flask) -> None:
    user_id, signer = enrolled_user("gita")
    log_key = keystore.get_keystore().log_signer()
    first = ledger.checkpoint(db.session, log_key, T0)
    db.session.commit()
    assert ledger.checkpoint(db.session, log_key, T0).id == first.id  # nothing new: no new note
    for i in range(3):
        ledger.append(db.session, statement(signer, user_id, 4, i), now=T0)
        db.session.commit()
    assert ledger.maybe_checkpoint(db.session, log_key, T0 + dt.timedelta(milliseconds=10)) is None  # batched
    later = ledger.maybe_checkpoint(db.session, log_key, T0 + dt.timedelta(seconds=2))
    db.session.commit()
    assert later is not None and later.size == first.size + 3
    verified = open_checkpoint(later.note, Ed25519Verifier.from_vkey(keystore.get_keystore().log_vkey()))
    assert verified.checkpoint.root_hash == ledger.tree_root(db.session, later.size)
    assert ledger.latest_checkpoint(db.session).size == later.size
    leaf_hash = merkle.leaf_hash(ledger.read_leaves(db.session, 2, 3)[0])
    proof = ledger.inclusion_proof(db.session, 2, later.size)
    merkle.verify_inclusion(leaf_hash, 2, later.size, proof, later.root_hash)


def test_append_export_verify_round_trip(db_app: Flask, tmp_path: Path) -> None:
    user_id, signer = enrolled_user("kartika")
    for i in range(12):
        ledger.append(db.session, statement(signer, user_id, 1 + i % 2, i), now=T0)
        db.session.commit()
    with pytest.raises(ledger.NotFoundError, match="no checkpoint"):
        ledger.export_bundle(db.session)
    store = keystore.get_keystore()
    ledger.checkpoint(db.session, store.log_signer(), T0)
    db.session.commit()
    report = verify_bundle(ledger.export_bundle(db.session), vkey=store.log_vkey())
    assert report.ok, report.problems
    assert report.size == report.checkpoint_size == ledger.log_size(db.session)
    report = verify_bundle(ledger.export_bundle(db.session, 2), vkey=store.log_vkey())
    assert report.ok, report.problems
    with pytest.raises(ledger.NotFoundError):
        ledger.export_bundle(db.session, 404)

    # The CLI signs a checkpoint covering the new entry and writes the same kind of bundle.
    ledger.append(db.session, statement(signer, user_id, 1, 99), now=T0)
    db.session.commit()
    ledger_cli.register(db_app)
    out = tmp_path / "bundle.json"
    result = db_app.test_cli_runner().invoke(args=["audit", "export", str(out), "--process", "1"])
    assert result.exit_code == 0, result.output
    assert "15 entries" in result.output  # system + user enrolment, 12, 1
    assert verify_bundle(out.read_bytes(), vkey=store.log_vkey()).ok
    assert "-----" not in result.output and "PRIVATE" not in result.output
    result = db_app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0 and result.output.splitlines()[1] == "15"


def test_a_tampered_export_names_the_first_bad_entry(db_app: Flask) -> None:
    user_id, signer = enrolled_user("lina")
    for i in range(5):
        ledger.append(db.session, statement(signer, user_id, 1, i), now=T0)
        db.session.commit()
    store = keystore.get_keystore()
    ledger.checkpoint(db.session, store.log_signer(), T0)
    db.session.commit()
    # Rewrite entry 4 to carry entry 3's statement under its own signatures (a forged edit in SQL).
    third, fourth = (json.loads(leaf) for leaf in ledger.read_leaves(db.session, 3, 5))
    fourth["statement"]["payload"] = third["statement"]["payload"]
    db.session.execute(sa.update(LogLeaf).where(LogLeaf.seq == 4).values(leaf=rfc8785.dumps(fourth)))
    report = verify_bundle(ledger.export_bundle(db.session), vkey=store.log_vkey())
    assert not report.ok and report.first_bad_index == 4
    db.session.rollback()
