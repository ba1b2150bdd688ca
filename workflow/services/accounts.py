"""Accounts and their signing keys: every account gets an Ed25519 key enrolled in the log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so

from workflow.errors import ConflictError
from workflow.keystore import get_keystore
from workflow.models import Role, User, UserRole
from workflow.models.ledger import KeyStatus, SigningKey
from workflow.services._reasons import NotPermittedError, reason
from workflow.services._tx import transaction


def _require_admin(actor: User | None, action: str) -> None:
    # None: the command line (bootstrap of the first admin, the demo), never a web request.
    if actor is not None and not (actor.is_active and actor.has_role(Role.ADMIN)):
        raise NotPermittedError(action, [reason("role.not_permitted", role="-", action=action)])


def create_user(
    session: so.Session,
    *,
    actor: User | None,
    username: str,
    display_name: str,
    password_hash: str,
    roles: Sequence[Role],
    now: dt.datetime,
    employee_id: int | None = None,
    affiliation: str = "",
) -> User:
    """Create an account and enrol its signing key in the log, in one transaction.

    The key statement (``key.enrol``, process ``null``) is signed by the system key and by the new
    key; the system key is enrolled first if the log is new.

    Raises:
        NotPermittedError: ``actor`` is not an active admin.
        ConflictError: the username is taken.
    """
    with transaction(session):
        _require_admin(actor, "create_user")
        if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
            raise ConflictError(f"the username {username!r} is taken")
        store = get_keystore()
        store.bootstrap(session, now)
        user = User(
            username=username, display_name=display_name, password_hash=password_hash, employee_id=employee_id,
            affiliation=affiliation, created_at=now, roles=[UserRole(role=Role(r)) for r in roles],
        )
        session.add(user)
        session.flush()
        by = "the command line" if actor is None else f"admin {actor.id}"
        store.enrol_user_key(session, user.id, now, reason=f"account created by {by}")
    return user


def ensure_user_key(session: so.Session, user_id: int, *, now: dt.datetime) -> SigningKey:
    """Enrol a key for an account created without one (e.g. the demo's accounts); commits."""
    with transaction(session):
        store = get_keystore()
        store.bootstrap(session, now)
        row = session.scalars(
            sa.select(SigningKey).where(SigningKey.user_id == user_id, SigningKey.status == KeyStatus.ACTIVE)
        ).first()
        if row is None:
            row = store.enrol_user_key(session, user_id, now, reason="key for an existing account")
    return row


def revoke_user_key(session: so.Session, *, actor: User | None, user_id: int, reason_text: str,
                    now: dt.datetime) -> SigningKey:
    """Revoke an account's key (``key.revoke``, system-signed); its later statements are refused."""
    with transaction(session):
        _require_admin(actor, "revoke_user_key")
        by = "the command line" if actor is None else f"admin {actor.id}"
        return get_keystore().revoke_user_key(session, user_id, now, reason=f"{reason_text} (by {by})")
