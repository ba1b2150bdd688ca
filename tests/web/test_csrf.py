"""Every POST route refuses a request without a CSRF token: new routes are covered automatically."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask, jsonify
from flask.testing import FlaskClient

from tests.web.helpers import make_user, placeholder_url, rules_for, sign_in_directly
from workflow.models import Role


def _post_rules(app: Flask) -> list[str]:
    return [placeholder_url(app, rule) for rule in rules_for(app, "POST")]


def test_the_foundation_routes_are_among_those_checked(app: Flask) -> None:
    assert {"/masuk", "/keluar", "/bahasa", "/akun/kata-sandi"} <= set(_post_rules(app))


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_every_post_without_token_is_400(app: Flask, client: FlaskClient, signed_in: bool) -> None:
    if signed_in:
        sign_in_directly(client, make_user("csrf-admin", *Role))
    failures = []
    for url in _post_rules(app):
        response = client.post(url, data={"lang": "en", "username": "x", "password": "y"})
        if response.status_code != 400:
            failures.append(f"POST {url}: {response.status_code}")
        elif url.startswith("/api/"):
            body = response.get_json()
            if not body or body.get("code") != "CSRFError":
                failures.append(f"POST {url}: not a JSON CSRF error")
        elif "Formulir kedaluwarsa" not in response.get_data(as_text=True):
            failures.append(f"POST {url}: not the CSRF page")
    assert not failures, failures


def test_a_forged_token_is_also_400(client: FlaskClient) -> None:
    assert client.post("/bahasa", data={"csrf_token": "forged", "lang": "en"}).status_code == 400


def test_api_csrf_failure_is_json(app: Flask, client: FlaskClient) -> None:
    bp = Blueprint("csrf_probe", __name__)

    @bp.post("/api/v1/probe")
    def probe():  # type: ignore[no-untyped-def]
        return jsonify(ok=True)

    app.register_blueprint(bp)
    response = client.post("/api/v1/probe", json={})
    assert response.status_code == 400
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == "CSRFError" and body["status"] == 400
