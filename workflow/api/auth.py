"""Who is calling the API: a bearer token, or the browser's session (then CSRF applies).

Rules (docs/api.md):

- ``Authorization: Bearer <token>`` → the token's account, acting only in the token's roles. No
  cookie is read and no CSRF token is needed: a browser never adds that header by itself.
- No ``Authorization`` header → CSRF is checked on every unsafe method *first*, exactly like the
  rest of the site (Flask-WTF's ``X-CSRFToken`` header), then the session's account is used, with
  all its roles. So a request that carries a session cookie but no token always needs CSRF.
- Neither → 401 on every endpoint except the OpenAPI document and the docs page.

Services receive ``principal.actor``: the ``User`` row for a session; for a token, the same row
seen through :class:`ScopedAccount`, whose roles are cut down to the token's scope, so a service
picks its acting role only among those (same services, same statements, narrower authority).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from flask import current_app, g, request
from flask_login import current_user

from workflow import clock
from workflow.api import tokens
from workflow.api.errors import ApiUnauthorizedError
from workflow.extensions import csrf, db
from workflow.models import Role, User, UserRole
from workflow.models.tokens import ApiToken
from workflow.services import NotPermittedError
from workflow.services._reasons import reason


def utcnow() -> dt.datetime:
    """The time of an API request, from ``workflow.clock``."""
    return clock.now()


class ScopedAccount:
    """A ``User`` row whose roles are cut down to a token's scope; everything else is the row's."""

    def __init__(self, account: User, roles: frozenset[Role]) -> None:
        self._account = account
        self._scope = roles

    def __getattr__(self, name: str) -> Any:
        return getattr(self._account, name)

    @property
    def roles(self) -> list[UserRole]:
        return [r for r in self._account.roles if Role(str(r.role)) in self._scope]

    def has_role(self, role: Role) -> bool:
        return role in self._scope


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request."""

    account: User
    roles: frozenset[Role]
    token: ApiToken | None = None

    @property
    def actor(self) -> User:
        """What to pass to services as ``actor``."""
        if self.token is None:
            return self.account
        return cast(User, ScopedAccount(self.account, self.roles))

    def has_any(self, roles: Iterable[Role]) -> bool:
        return not self.roles.isdisjoint(roles)


def _bearer() -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ApiUnauthorizedError("Use 'Authorization: Bearer <token>'.")
    return value.strip()


def authenticate_request() -> None:
    """``before_request`` of every API blueprint: find the caller, or check CSRF for a session."""
    g.api_principal = None  # the app context may outlive one request (tests); never reuse a caller
    token = _bearer()
    if token is not None:
        try:
            row, account = tokens.authenticate(db.session, token, now=utcnow())
        except tokens.TokenRefusedError:
            raise ApiUnauthorizedError("The token is not valid: unknown, revoked or expired.") from None
        g.api_principal = Principal(account, tokens.effective_roles(row, account), row)
        return
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()  # unsafe methods only; raises CSRFError (400)
    if current_user.is_authenticated:
        account = current_user.account
        g.api_principal = Principal(account, frozenset(current_user.roles))


def principal() -> Principal:
    """The caller, or 401."""
    found = g.get("api_principal")
    if found is None:
        raise ApiUnauthorizedError("Sign in, or send 'Authorization: Bearer <token>'.")
    return cast(Principal, found)


def require(*roles: Role, action: str = "api") -> Principal:
    """The caller, who must act in at least one of ``roles`` (403 otherwise)."""
    caller = principal()
    if not caller.has_any(roles):
        held = ",".join(sorted(str(r) for r in caller.roles)) or "none"
        raise NotPermittedError(action, [reason("role.not_permitted", role=held, action=action)])
    return caller
