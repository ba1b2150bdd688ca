"""The access matrix: which role gets which status on which route.

Page authors add ``Case`` rows for their routes to ``CASES`` (or build their own list) and call
``check_access``; tests/web/test_access.py runs the shared list. Each role is tried with an
account holding *only* that role, plus an anonymous visitor and an account with no role, so a
route that forgets its ``role_required`` shows up as a mismatch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import sqlalchemy as sa
from flask import Flask

from tests.web.helpers import csrf_token, make_user, sign_in_directly
from workflow.extensions import db
from workflow.models import Role, User

Who = Role | Literal["anonymous", "no_role"]
EVERYONE: tuple[Who, ...] = ("anonymous", "no_role", *Role)
ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Case:
    """One route and the status each kind of visitor should get.

    ``allowed`` roles get ``ok``; other signed-in accounts (including one without roles) get
    ``denied``; anonymous visitors get ``anonymous`` (302 to the sign-in page for HTML, 401 under
    ``/api/``). ``overrides`` pins a status for one visitor when the rule above does not fit.
    POSTs carry a valid CSRF token and ``data``.
    """

    method: str
    path: str
    allowed: frozenset[Role] = ALL_ROLES
    ok: int = 200
    denied: int = 403
    anonymous: int = 302
    data: Mapping[str, str] = field(default_factory=dict)
    overrides: Mapping[Who, int] = field(default_factory=dict)
    no_role_allowed: bool = False

    def expected(self, who: Who) -> int:
        if who in self.overrides:
            return self.overrides[who]
        if who == "anonymous":
            return self.anonymous
        if who == "no_role":
            return self.ok if self.no_role_allowed else self.denied
        return self.ok if who in self.allowed else self.denied


# The foundation's own routes. Signed-in pages are open to every account, role or not.
CASES: list[Case] = [
    Case("GET", "/", anonymous=200, no_role_allowed=True),
    Case("GET", "/masuk", ok=302, anonymous=200, no_role_allowed=True),
    Case("GET", "/beranda", no_role_allowed=True),
    Case("GET", "/akun/kata-sandi", no_role_allowed=True),
    Case("POST", "/keluar", ok=303, anonymous=303, no_role_allowed=True),
    Case("POST", "/bahasa", ok=303, anonymous=303, no_role_allowed=True, data={"lang": "en", "next": "/"}),
]


def check_access(app: Flask, cases: Iterable[Case], who: Iterable[Who] = EVERYONE) -> list[str]:
    """Run every case for every visitor; return one line per mismatch (empty means all as expected).

    Uses one account per kind of visitor (``access-<role>``), created on first use.
    """
    accounts = {}
    mismatches = []
    for visitor in who:
        if visitor != "anonymous":
            accounts[visitor] = _account_for(visitor)
        for case in cases:
            client = app.test_client()
            if visitor != "anonymous":
                sign_in_directly(client, accounts[visitor])
            if case.method == "GET":
                response = client.get(case.path)
            else:
                data = {"csrf_token": csrf_token(client, "/"), **case.data}
                response = client.open(case.path, method=case.method, data=data)
            want = case.expected(visitor)
            if response.status_code != want:
                mismatches.append(f"{case.method} {case.path} as {visitor}: got {response.status_code}, want {want}")
    return mismatches


def _account_for(visitor: Role | Literal["no_role"]) -> User:
    username = f"access-{visitor}"
    existing = db.session.scalar(sa.select(User).where(User.username == username))
    if existing is not None:
        return existing
    return make_user(username, *(() if visitor == "no_role" else (visitor,)))
