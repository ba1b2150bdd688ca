"""State and log entry land together or not at all (SQLite and PostgreSQL); keys and stale views."""

from __future__ import annotations

import pytest

from audit.keys import Signer
from tests.services.helpers import World, at, snapshot
from workflow import ledger, services
from workflow.keystore import KeyStore, get_keystore
from workflow.lifecycle import Stage
from workflow.services import NotPermittedError, _tx


class Injected(RuntimeError):
    pass


def test_a_failure_after_the_append_and_before_commit_leaves_nothing(db_world: World,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    world = db_world
    world.advance(Stage.DRAFT)
    before = snapshot(world.session)
    real = ledger.append

    def append_then_fail(*args: object, **kwargs: object) -> object:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise Injected

    monkeypatch.setattr(_tx.ledger, "append", append_then_fail)
    with pytest.raises(Injected):
        services.form_committee(world.session, world.process_id, actor=world.admin, now=at(3))
    with pytest.raises(Injected):  # a system-signed step too
        services.cancel_process(world.session, world.process_id, actor=world.admin, reason_text="x", now=at(3))
    monkeypatch.undo()
    assert snapshot(world.session) == before
    assert world.process().status == Stage.DRAFT
    services.form_committee(world.session, world.process_id, actor=world.admin, now=at(3))
    assert world.process().status == Stage.COMMITTEE_FORMED


def test_a_stale_basis_is_refused(world: World) -> None:
    world.advance(Stage.DRAFT)
    seen = ledger.process_basis(world.session, world.process_id)
    services.form_committee(world.session, world.process_id, actor=world.admin, now=at(3), expected_basis=seen)
    before = snapshot(world.session)
    with pytest.raises(ledger.StaleBasisError):  # the admin still looks at the draft
        services.cancel_process(world.session, world.process_id, actor=world.admin, reason_text="x", now=at(4),
                                expected_basis=seen)
    assert snapshot(world.session) == before


def test_a_statement_signed_with_another_users_key_is_refused(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.advance(Stage.DRAFT)
    other = get_keystore().user_signer(world.session, world.ppk.id)
    monkeypatch.setattr(KeyStore, "user_signer", lambda self, session, user_id: other)
    before = snapshot(world.session)
    with pytest.raises(ledger.RejectedStatementError, match="does not belong"):
        services.form_committee(world.session, world.process_id, actor=world.admin, now=at(3))
    monkeypatch.setattr(KeyStore, "user_signer", lambda self, session, user_id: Signer.generate())
    with pytest.raises(ledger.RejectedStatementError, match="unknown key"):
        services.form_committee(world.session, world.process_id, actor=world.admin, now=at(3))
    assert snapshot(world.session) == before


def test_a_revoked_key_signs_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.advance(Stage.DRAFT)
    store = get_keystore()
    old = store.user_signer(world.session, world.admin.id)
    services.revoke_user_key(world.session, actor=world.admin2, user_id=world.admin.id, reason_text="laptop lost",
                             now=at(3))
    before = snapshot(world.session)
    with pytest.raises(NotPermittedError) as caught:  # the server has no key to sign with
        services.form_committee(world.session, world.process_id, actor=world.admin, now=at(4))
    assert caught.value.codes == ["key.missing"]
    monkeypatch.setattr(KeyStore, "user_signer", lambda self, session, user_id: old)
    with pytest.raises(ledger.RejectedStatementError, match="not an active enrolled key"):
        services.form_committee(world.session, world.process_id, actor=world.admin, now=at(4))
    assert snapshot(world.session) == before
    monkeypatch.undo()
    services.ensure_user_key(world.session, world.admin.id, now=at(5))  # a new key: signs again
    services.form_committee(world.session, world.process_id, actor=world.admin, now=at(5))


def test_create_user_enrols_the_key_in_the_same_transaction(world: World) -> None:
    size = ledger.log_size(world.session)
    user = services.create_user(world.session, actor=world.admin, username="baru", display_name="Baru",
                                password_hash="x", roles=["asn"], now=at(1))
    assert ledger.log_size(world.session) == size + 1
    assert get_keystore().user_signer(world.session, user.id).key_id
    with pytest.raises(NotPermittedError):
        services.create_user(world.session, actor=world.chair, username="lain", display_name="Lain",
                             password_hash="x", roles=["asn"], now=at(1))
    assert ledger.log_size(world.session) == size + 1
