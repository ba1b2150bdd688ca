"""Keys at rest: sealed with the KEK, files 0600 in a 0700 directory, user keys enrolled through the log."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from audit.entry import parse_leaf_unverified
from audit.keys import KeyHistory
from workflow import keystore, ledger
from workflow.extensions import db
from workflow.models.ledger import KeyOwner, KeyStatus, SigningKey

from .test_ledger import T0, enrolled_user, make_user


def _raw_forms(raw: bytes) -> list[bytes]:
    return [raw, raw.hex().encode(), base64.b64encode(raw), base64.urlsafe_b64encode(raw).rstrip(b"=")]


def test_server_keys_are_created_0600_in_a_0700_dir_and_sealed(tmp_path: Path) -> None:
    store = keystore.KeyStore(tmp_path / "keys", "correct horse", "example.go.id/log")
    log_key, system_key = store.log_signer(), store.system_signer()
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    for path, raw in ((store.log_key_path, log_key._key), (store.system_key_path, system_key.private_key)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        content = path.read_bytes()
        for form in _raw_forms(raw.private_bytes_raw()):
            assert form not in content
    again = keystore.KeyStore(tmp_path / "keys", "correct horse", "example.go.id/log")
    assert again.system_signer().key_id == system_key.key_id  # loaded, not regenerated
    assert again.log_vkey() == store.log_vkey()
    assert "correct horse" not in repr(store)


def test_a_wrong_kek_fails_clearly(tmp_path: Path) -> None:
    keystore.KeyStore(tmp_path, "right kek", "example.go.id/log").system_signer()
    with pytest.raises(keystore.KeyStoreError, match="JEJAK_KEY_ENCRYPTION_KEY is not the key it was sealed with"):
        keystore.KeyStore(tmp_path, "wrong kek", "example.go.id/log").system_signer()


def test_a_missing_kek_is_refused(tmp_path: Path) -> None:
    with pytest.raises(keystore.KeyStoreError, match="JEJAK_KEY_ENCRYPTION_KEY"):
        keystore.KeyStore(tmp_path, None, "example.go.id/log")


def test_a_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    store = keystore.KeyStore(tmp_path, "kek", "example.go.id/log")
    store.log_signer()
    store.log_key_path.chmod(0o644)
    with pytest.raises(keystore.KeyStoreError, match="chmod 600"):
        keystore.KeyStore(tmp_path, "kek", "example.go.id/log").log_signer()


def test_a_sealed_key_does_not_open_in_another_slot(tmp_path: Path) -> None:
    store = keystore.KeyStore(tmp_path, "kek", "example.go.id/log")
    store.system_signer()
    store.log_key_path.write_bytes(store.system_key_path.read_bytes())
    store.log_key_path.chmod(0o600)
    with pytest.raises(keystore.KeyStoreError):
        store.log_signer()
    with pytest.raises(keystore.KeyStoreError, match="not a Jejak sealed key"):
        keystore.open_private_key(b"garbage", "kek", "log")


def test_user_keys_are_sealed_in_the_table_and_enrolled_rotated_revoked_in_the_log(db_app: Flask) -> None:
    user_id, signer = enrolled_user("hana")
    store = keystore.get_keystore()
    row = db.session.scalars(sa.select(SigningKey).where(SigningKey.user_id == user_id)).one()
    assert row.encrypted_private_key is not None and row.key_path is None
    for form in _raw_forms(signer.private_key.private_bytes_raw()):
        assert form not in row.encrypted_private_key
    rotated = store.rotate_user_key(db.session, user_id, T0, reason="yearly")
    db.session.commit()
    assert store.user_signer(db.session, user_id).key_id == rotated.key_id != signer.key_id
    store.revoke_user_key(db.session, user_id, T0, reason="left the agency; asked by admin 1")
    db.session.commit()
    statuses = dict(db.session.execute(sa.select(SigningKey.key_id, SigningKey.status)).all())
    assert statuses[signer.key_id] == KeyStatus.ROTATED and statuses[rotated.key_id] == KeyStatus.REVOKED
    kinds = set(db.session.scalars(sa.select(SigningKey.owner_kind)))
    assert kinds == {KeyOwner.LOG, KeyOwner.SYSTEM, KeyOwner.USER}
    # The log's own key history agrees: system bootstrap, enrol, rotate, revoke all accepted.
    entries = [parse_leaf_unverified(leaf) for leaf in ledger.read_leaves(db.session, 0, ledger.log_size(db.session))]
    assert [e.statement_unverified().action for e in entries] == ["key.enrol", "key.enrol", "key.rotate", "key.revoke"]
    history = KeyHistory.replay(entries)
    assert history.record(signer.key_id).retired_by == "key.rotate"
    assert history.record(rotated.key_id).retired_by == "key.revoke"
    with pytest.raises(Exception, match="no active signing key"):
        store.user_signer(db.session, user_id)


def test_a_second_enrolment_is_a_conflict_and_user_keys_need_the_kek(db_app: Flask) -> None:
    user_id, _ = enrolled_user("indra")
    store = keystore.get_keystore()
    with pytest.raises(keystore.ConflictError):
        store.enrol_user_key(db.session, user_id, T0)
    db.session.rollback()
    other = keystore.KeyStore(store.key_dir, "another kek", store.origin)
    with pytest.raises(keystore.KeyStoreError, match="cannot open the user:"):
        other.user_signer(db.session, user_id)
    assert make_user("joko") > user_id
