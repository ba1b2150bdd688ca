"""Personal access tokens: refused when revoked or expired, limited by their roles, never stored in clear."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.api.helpers import TokenSet, issue
from tests.services.helpers import T0, World
from tests.web.helpers import csrf_token, sign_in_directly
from workflow import services
from workflow.api import tokens as token_service
from workflow.extensions import db
from workflow.models import Role
from workflow.models.tokens import ApiToken

Call = Callable[..., Any]


def test_a_token_works_until_it_is_revoked(world: World, tokens: TokenSet, call: Call) -> None:
    me = call("GET", "/api/v1/me", tokens.admin)
    assert me.status_code == 200 and me.get_json()["auth"] == "token"
    token_id = me.get_json()["token_id"]
    revoked = call("DELETE", f"/api/v1/me/tokens/{token_id}", tokens.admin)
    assert revoked.status_code == 200 and revoked.get_json()["active"] is False
    for path in ("/api/v1/me", "/api/v1/processes", "/api/v1/users"):
        refused = call("GET", path, tokens.admin)
        assert refused.status_code == 401, path
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        assert set(refused.get_json()) == {"code", "status", "message", "errors"}
    assert call("POST", "/api/v1/processes", tokens.admin, json={"position_id": world.position_id,
                                                                  "route": "open"}).status_code == 401


def test_an_admin_revokes_a_service_accounts_token(world: World, tokens: TokenSet, call: Call) -> None:
    made = call("POST", "/api/v1/users", tokens.admin, json={
        "username": "sinkron-bkn", "display_name": "Sinkronisasi BKN", "roles": ["inspector"],
        "service_account": True, "description": "nightly bundle export"})
    assert made.status_code == 201, made.get_json()
    uid = made.get_json()["id"]
    new = call("POST", f"/api/v1/users/{uid}/tokens", tokens.admin, json={"name": "cron", "expires_in_days": 7})
    assert new.status_code == 201, new.get_json()
    secret = new.get_json()["token"]
    assert call("GET", "/api/v1/keys", secret).status_code == 200
    assert call("DELETE", f"/api/v1/users/{uid}/tokens/{new.get_json()['id']}", tokens.admin).status_code == 200
    assert call("GET", "/api/v1/keys", secret).status_code == 401


def test_expired_unknown_and_malformed_tokens_are_401(world: World, tokens: TokenSet, call: Call) -> None:
    row = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == world.verifier.id)).one()
    row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    db.session.commit()
    assert call("GET", "/api/v1/me", tokens.verifier).status_code == 401
    forged = tokens.ppk[:-4] + ("AAAA" if not tokens.ppk.endswith("AAAA") else "BBBB")
    for bad in (forged, "jejak_000000000000_" + "x" * 43, "nonsense", ""):
        response = call("GET", "/api/v1/me", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401, bad
    assert call("GET", "/api/v1/me", headers={"Authorization": "Basic dXNlcjpwYXNz"}).status_code == 401
    assert call("GET", "/api/v1/me", tokens.ppk).status_code == 200


def test_an_inactive_account_loses_its_tokens(world: World, tokens: TokenSet, call: Call) -> None:
    world.ppk.is_active = False
    db.session.commit()
    assert call("GET", "/api/v1/me", tokens.ppk).status_code == 401


@pytest.fixture
def both(world: World) -> Any:
    """An account holding admin and inspector: one token per role."""
    user = services.create_user(db.session, actor=None, username="ganda", display_name="Ganda", password_hash="x",
                                roles=[Role.ADMIN, Role.INSPECTOR], now=T0, affiliation="internal")
    return user, issue(user, Role.ADMIN), issue(user, Role.INSPECTOR)


def test_a_tokens_roles_limit_what_it_can_do(world: World, both: Any, call: Call) -> None:
    user, admin_token, inspector_token = both
    assert call("GET", "/api/v1/me", inspector_token).get_json()["roles"] == ["inspector"]
    assert call("GET", "/api/v1/keys", inspector_token).status_code == 200
    assert call("GET", "/api/v1/users", inspector_token).status_code == 403
    body = {"position_id": world.position_id, "route": "open"}
    refused = call("POST", "/api/v1/processes", inspector_token, json=body)
    assert refused.status_code == 403
    assert list(refused.get_json()["errors"]["reasons"]) == ["role.not_permitted"]
    assert call("GET", "/api/v1/users", admin_token).status_code == 200
    created = call("POST", "/api/v1/processes", admin_token, json=body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["preparer_id"] == user.id


def test_a_token_carries_only_roles_its_account_holds_now(world: World, both: Any, call: Call) -> None:
    user, admin_token, _ = both
    user.roles = [r for r in user.roles if r.role != Role.ADMIN]
    db.session.commit()
    assert call("GET", "/api/v1/me", admin_token).get_json()["roles"] == []
    assert call("GET", "/api/v1/users", admin_token).status_code == 403


def test_no_escalation_through_new_tokens(world: World, tokens: TokenSet, both: Any, call: Call) -> None:
    _, _, inspector_token = both
    wider = call("POST", "/api/v1/me/tokens", inspector_token, json={"name": "x", "roles": ["admin"]})
    assert wider.status_code == 422 and "roles" in wider.get_json()["errors"]["json"]
    same = call("POST", "/api/v1/me/tokens", inspector_token, json={"name": "x"})
    assert same.status_code == 201 and same.get_json()["roles"] == ["inspector"]
    assert call("POST", "/api/v1/me/tokens", tokens.ppk, json={"name": "x", "roles": ["admin"]}).status_code == 422
    # An admin may not mint a token for a person: that would be signing in their name.
    person = call("POST", f"/api/v1/users/{world.ppk.id}/tokens", tokens.admin, json={"name": "x"})
    assert person.status_code == 403
    assert call("POST", "/api/v1/me/tokens", tokens.ppk, json={"name": "x", "bogus": 1}).status_code == 422


def test_tokens_are_never_stored_in_plain_text(app: Flask, world: World, tokens: TokenSet, call: Call) -> None:
    made = call("POST", "/api/v1/me/tokens", tokens.asn, json={"name": "phone"})
    secrets = [*tokens.by_role().values(), made.get_json()["token"]]
    listed = call("GET", "/api/v1/me/tokens", tokens.asn).get_json()
    assert all("token" not in item for item in listed)
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                text = repr(tuple(row))
                for secret in secrets:
                    assert secret not in text, table.name
                    assert secret[len("jejak_") + 13 :] not in text, table.name  # the random part alone
    rows = db.session.scalars(sa.select(ApiToken)).all()
    assert {r.token_hash for r in rows} >= {token_service.token_digest(s) for s in secrets}


def test_session_requests_need_csrf_and_token_requests_do_not(
    app: Flask, world: World, tokens: TokenSet, client: FlaskClient
) -> None:
    sign_in_directly(client, world.admin)
    body = {"name": "from the browser"}
    without = client.post("/api/v1/me/tokens", json=body)
    assert without.status_code == 400 and without.get_json()["code"] == "CSRFError"
    token = csrf_token(client, "/akun/kata-sandi")
    with_csrf = client.post("/api/v1/me/tokens", json=body, headers={"X-CSRFToken": token})
    assert with_csrf.status_code == 201, with_csrf.get_json()
    assert client.get("/api/v1/me").get_json()["auth"] == "session"
    # The cookie is still in the jar; the bearer token alone decides, and needs no CSRF header.
    bearer = client.post("/api/v1/me/tokens", json=body, headers={"Authorization": f"Bearer {tokens.ppk}"})
    assert bearer.status_code == 201 and bearer.get_json()["user_id"] == world.ppk.id
    assert client.delete(f"/api/v1/me/tokens/{with_csrf.get_json()['id']}").status_code == 400


def test_anonymous_requests_are_401_and_the_document_is_public(client: FlaskClient) -> None:
    assert client.get("/api/v1/processes").status_code == 401
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200
