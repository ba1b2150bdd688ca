"""Personal access tokens: issue (shown once), check, revoke. Each function owns its transaction.

Format: ``jejak_<prefix>_<secret>``: ``prefix`` is 12 random hex digits (a public lookup id),
``secret`` 32 random bytes in base64url. The row keeps ``prefix`` and the SHA-256 (hex) of the whole
string, so a leaked database reveals no usable token; the comparison is constant-time.

A token carries a subset of its account's roles; at each request the roles it acts in are that
subset *intersected with the account's current roles*, so removing a role from an account removes
it from every token at once. Revoked, expired or malformed tokens, and tokens of inactive
accounts, are all refused the same way (401).

Import rule: models, ``workflow.errors`` and the standard library; no Flask request objects.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa
import sqlalchemy.orm as so

from workflow import clock
from workflow.errors import ForbiddenError, InvalidInputError, NotFoundError
from workflow.models import Role, User
from workflow.models.tokens import ApiToken, ServiceAccount

TOKEN_PREFIX: Final = "jejak_"  # noqa: S105 - a public marker, not a secret
_TOKEN_RE: Final = re.compile(r"jejak_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
MAX_LIFETIME: Final = dt.timedelta(days=366)
# last_used_at is bookkeeping for people reviewing tokens; writing it on every request would turn
# every read into a write, so it moves at most this often.
LAST_USED_GRANULARITY: Final = dt.timedelta(minutes=5)


class TokenRefusedError(Exception):
    """The bearer token is malformed, unknown, revoked or expired, or its account is inactive (401)."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: the row and the one and only copy of the secret string."""

    row: ApiToken
    token: str


def token_digest(token: str) -> str:
    """Lowercase hex SHA-256 of the token string (what the row stores)."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


utc = clock.utc  # stored times as aware UTC (SQLite hands back naive values)


def is_service_account(session: so.Session, user_id: int) -> bool:
    return session.get(ServiceAccount, user_id) is not None


def account_roles(user: User) -> frozenset[Role]:
    return frozenset(Role(str(r.role)) for r in user.roles)


def effective_roles(token: ApiToken, user: User) -> frozenset[Role]:
    """The roles a request with ``token`` acts in: the token's scope, within the account's roles now."""
    scope = {Role(value) for value in token.roles if value in Role._value2member_map_}
    return frozenset(scope) & account_roles(user)


def issue_token(
    session: so.Session,
    *,
    owner: User,
    issuer: User,
    issuer_roles: Iterable[Role],
    name: str,
    roles: Iterable[Role] | None,
    expires_at: dt.datetime,
    now: dt.datetime,
    issuer_token_expires_at: dt.datetime | None = None,
) -> IssuedToken:
    """Create a token for ``owner`` and commit; the returned string is never stored.

    Args:
        owner: the account the token acts as.
        issuer: who asks: ``owner`` themself, or an admin for a service account.
        issuer_roles: the roles the issuer's own request acts in (a token can only hand on its scope).
        roles: the scope; ``None`` means every role the owner may hand on.
        issuer_token_expires_at: when the issuer authenticated with a token, a new token must not
            outlive it.

    Raises:
        ForbiddenError: someone else's token for an account that is not a service account, or an
            admin-only action without the admin role.
        InvalidInputError: a role the owner does not hold, an empty scope, or a bad expiry.
    """
    issuer_scope = frozenset(issuer_roles)
    if owner.id != issuer.id:
        if Role.ADMIN not in issuer_scope:
            raise ForbiddenError("Only an admin may issue tokens for another account.")
        if not is_service_account(session, owner.id):
            raise ForbiddenError("An admin may issue tokens only for service accounts, never for a person.")
        grantable = account_roles(owner)
    else:
        grantable = account_roles(owner) & issuer_scope
    if not owner.is_active:
        raise ForbiddenError("The account is not active.")
    wanted = grantable if roles is None else frozenset(roles)
    errors: dict[str, list[str]] = {}
    beyond = sorted(str(r) for r in wanted - grantable)
    if beyond:
        errors["roles"] = [f"These roles cannot be handed to this token: {', '.join(beyond)}."]
    elif not wanted:
        errors["roles"] = ["A token needs at least one role."]
    expires_at = utc(expires_at)
    if expires_at <= now:
        errors["expires_at"] = ["The expiry must be in the future."]
    elif expires_at > now + MAX_LIFETIME:
        errors["expires_at"] = [f"A token lives at most {MAX_LIFETIME.days} days."]
    elif issuer_token_expires_at is not None and expires_at > utc(issuer_token_expires_at):
        errors["expires_at"] = ["A token created with a token cannot outlive it."]
    if errors:
        raise InvalidInputError("The token was not created.", errors)
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken(
        user_id=owner.id, created_by_id=issuer.id, name=name, prefix=prefix, token_hash=token_digest(token),
        roles=sorted(str(r) for r in wanted), created_at=now, expires_at=expires_at,
    )
    try:
        session.add(row)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return IssuedToken(row, token)


def authenticate(session: so.Session, token: str, *, now: dt.datetime) -> tuple[ApiToken, User]:
    """The live token row and its account for a bearer string.

    Raises:
        TokenRefusedError: malformed, unknown, wrong secret, revoked, expired, or inactive account.
    """
    match = _TOKEN_RE.fullmatch(token)
    if match is None:
        raise TokenRefusedError("malformed token")
    row = session.scalar(sa.select(ApiToken).where(ApiToken.prefix == match.group(1)))
    if row is None or not hmac.compare_digest(row.token_hash, token_digest(token)):
        raise TokenRefusedError("unknown token")
    if row.revoked_at is not None:
        raise TokenRefusedError("revoked token")
    if utc(row.expires_at) <= now:
        raise TokenRefusedError("expired token")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise TokenRefusedError("inactive account")
    if row.last_used_at is None or now - utc(row.last_used_at) >= LAST_USED_GRANULARITY:
        row.last_used_at = now
        try:
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return row, user


def revoke_token(session: so.Session, token_id: int, *, owner_id: int, now: dt.datetime) -> ApiToken:
    """Revoke one of ``owner_id``'s tokens (idempotent) and commit.

    Raises:
        NotFoundError: no such token of that account.
    """
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != owner_id:
        raise NotFoundError(f"token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = now
        try:
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return row


def tokens_of(session: so.Session, user_id: int) -> list[ApiToken]:
    """The account's tokens, newest first (revoked and expired ones included)."""
    return list(
        session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc()))
    )


def mark_service_account(
    session: so.Session, user_id: int, *, created_by: User, description: str, now: dt.datetime
) -> ServiceAccount:
    """Record that ``user_id`` is a machine client's account, and commit."""
    row = ServiceAccount(user_id=user_id, created_by_id=created_by.id, description=description, created_at=now)
    try:
        session.add(row)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return row
