"""Sign-in is rate-limited per address+account and per address; only failures spend the budget."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import make_app
from tests.web.helpers import PASSWORD, csrf_token, login, make_user, post_with_csrf
from workflow.extensions import db
from workflow.models import Role, User


def test_sixth_failure_for_one_account_is_429_even_with_the_right_password(client: FlaskClient, user: User) -> None:
    for _ in range(5):
        assert login(client, "siti", "salah-salah-salah").status_code == 422
    response = login(client, "siti")
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    assert client.get("/beranda").status_code == 302

    # The limit is per account name (in any letter case): a colleague behind the same NAT can still sign in.
    assert login(client, "SITI", "salah").status_code == 429
    make_user("budi", Role.ASN)
    assert login(client, "budi").status_code == 303


def test_successful_sign_ins_spend_no_budget(client: FlaskClient, user: User) -> None:
    for _ in range(7):
        assert login(client, "siti").status_code == 303
        post_with_csrf(client, "/keluar")


def test_429_is_json_for_json_clients(client: FlaskClient, user: User) -> None:
    for _ in range(5):
        login(client, "siti", "salah-salah-salah")
    data = {"csrf_token": csrf_token(client), "username": "siti", "password": "salah"}
    response = client.post("/masuk", data=data, headers={"Accept": "application/json"})
    assert response.status_code == 429
    body = response.get_json()
    assert body["status"] == 429 and body["code"] == "Too Many Requests"


def test_guessing_the_current_password_on_the_change_form_is_limited_too(client: FlaskClient, user: User) -> None:
    login(client, "siti")
    form = {"current_password": "tebakan-salah", "new_password": "x" * 12, "confirm_password": "x" * 12}
    for _ in range(5):
        assert post_with_csrf(client, "/akun/kata-sandi", data=form).status_code == 422
    form["current_password"] = PASSWORD
    assert post_with_csrf(client, "/akun/kata-sandi", data=form).status_code == 429


@pytest.fixture
def strict_app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app("sqlite://", KEY_DIR=str(tmp_path / "keys"), LOGIN_RATE_LIMIT_PER_IP="3 per hour")
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()


def test_per_address_limit_counts_across_account_names(strict_app: Flask) -> None:
    client = strict_app.test_client()
    for name in ("a1", "a2", "a3"):
        assert login(client, name, "salah").status_code == 422
    assert login(client, "a4", "salah").status_code == 429
