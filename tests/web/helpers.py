"""Plain helpers for web tests (CTFd ``gen_*`` style): accounts, CSRF tokens, signing in."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter, Rule, UUIDConverter

from workflow.extensions import db
from workflow.models import Role, User, UserRole
from workflow.security import SessionUser, hash_password

PASSWORD = "kata sandi yang panjang"  # 23 characters, above the 12 minimum
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in a fresh app context, as in production.

    tests/conftest.py's ``app`` fixture keeps one app context pushed for the whole test, and a
    request reuses an active context of its app, so ``g`` would leak between requests: Flask-Login
    caches the signed-in user in ``g`` and Flask-WTF the CSRF token, and one client's values would
    show up in the next client's request.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_user(
    username: str, *roles: Role, password: str = PASSWORD, display_name: str | None = None, active: bool = True
) -> User:
    """An account in the test database, hashed with the application's own helper."""
    user = User(
        username=username,
        display_name=display_name or username.title(),
        password_hash=hash_password(password),
        is_active=active,
        affiliation="internal",
        created_at=dt.datetime(2026, 1, 5, 8, 0),
        roles=[UserRole(role=role) for role in roles],
    )
    db.session.add(user)
    db.session.commit()
    return user


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """A valid token for the client's session, read from a page that carries a form."""
    match = CSRF_RE.search(client.get(path).get_data(as_text=True))
    assert match, f"no csrf_token field on {path}"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    """Sign in through the real form (CSRF, rate limit and all); returns the response."""
    data = {"csrf_token": csrf_token(client), "username": username, "password": password, **extra}
    return client.post("/masuk", data=data)


def sign_in_directly(client: FlaskClient, user: User) -> None:
    """Put ``user`` in the client's session without the form: fast, and spends no rate limit."""
    session_id = SessionUser(user).get_id()
    with client.session_transaction() as sess:
        sess["_user_id"] = session_id
        sess["_fresh"] = True


def post_with_csrf(client: FlaskClient, path: str, data: dict[str, str] | None = None, page: str = "/"):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_token(client, page), **(data or {})})


def placeholder_url(app: Flask, rule: Rule) -> str:
    """A URL for ``rule`` with made-up argument values (1 for ints, a fixed UUID, "x" otherwise)."""
    values: dict[str, object] = {}
    # werkzeug keeps a rule's converters in the private _converters; fine for a test helper.
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, UUIDConverter):
            values[name] = "00000000-0000-0000-0000-000000000001"
        elif rule.endpoint == "static" and name == "filename":
            values[name] = "css/jejak.css"
        else:
            values[name] = "x"
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        return adapter.build(rule.endpoint, values, method=next(iter(rule.methods or {"GET"})))


def rules_for(app: Flask, method: str) -> Iterator[Rule]:
    """Every rule of the app that answers ``method``, in a stable order."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if method in (rule.methods or ()):
            yield rule
