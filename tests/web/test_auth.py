"""Sign-in, session rotation, sign-out, password storage, and what reaches the logs."""

from __future__ import annotations

import datetime as dt
import logging
import time

import itsdangerous.timed
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.helpers import PASSWORD, IsolatedClient, csrf_token, login, make_user, post_with_csrf
from workflow.extensions import db
from workflow.models import Role, User
from workflow.security import safe_local_url, verify_password


def test_login_with_right_password_goes_to_beranda(client: FlaskClient, user: User) -> None:
    response = login(client, "siti")
    assert response.status_code == 303
    assert response.headers["Location"] == "/beranda"
    page = client.get("/beranda").get_data(as_text=True)
    assert "Siti Rahma" in page
    assert "Admin (sekretariat BKD)" in page


@pytest.mark.parametrize(
    ("username", "password"),
    [("siti", "salah sama sekali"), ("tidak-ada", PASSWORD), ("SITI", PASSWORD)],
    ids=["wrong-password", "unknown-user", "other-case"],
)
def test_login_failure_says_the_same_thing_and_signs_nobody_in(
    client: FlaskClient, user: User, username: str, password: str
) -> None:
    response = login(client, username, password)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nama pengguna atau kata sandi salah." in page
    assert password not in page  # never echoed back
    assert client.get("/beranda").status_code == 302


def test_inactive_account_cannot_sign_in(client: FlaskClient, app: Flask) -> None:
    make_user("nonaktif", Role.ASN, active=False)
    assert login(client, "nonaktif").status_code == 422


@pytest.mark.parametrize(
    "data",
    [{}, {"username": "", "password": ""}, {"username": "a\x00b", "password": PASSWORD}, {"username": "x" * 65}],
    ids=["missing", "empty", "nul", "too-long"],
)
def test_bad_sign_in_form_is_422_not_500(client: FlaskClient, data: dict[str, str]) -> None:
    response = client.post("/masuk", data={"csrf_token": csrf_token(client), **data})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_field_errors_sit_next_to_their_field(client: FlaskClient) -> None:
    page = client.post("/masuk", data={"csrf_token": csrf_token(client)}).get_data(as_text=True)
    assert 'id="f-username-error"' in page
    assert 'aria-describedby="f-username-error"' in page
    assert "Isi nama pengguna." in page


def test_login_rotates_the_session(client: FlaskClient, user: User) -> None:
    token_before = csrf_token(client)
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker before sign-in"
        raw_before = sess["csrf_token"]
    cookie_before = client.get_cookie("session")
    assert cookie_before is not None

    form = {"csrf_token": token_before, "username": "siti", "password": PASSWORD}
    assert client.post("/masuk", data=form).status_code == 303

    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess.get("csrf_token") != raw_before
        first_sid = sess["sid"]
    cookie_after = client.get_cookie("session")
    assert cookie_after is not None and cookie_after.value != cookie_before.value

    post_with_csrf(client, "/keluar")
    login(client, "siti")
    with client.session_transaction() as sess:
        assert sess["sid"] != first_sid


def test_login_follows_a_local_next_only(client: FlaskClient, user: User) -> None:
    assert login(client, "siti", next="/akun/kata-sandi").headers["Location"] == "/akun/kata-sandi"
    post_with_csrf(client, "/keluar")
    assert login(client, "siti", next="https://evil.example/").headers["Location"] == "/beranda"


def test_anonymous_visitor_is_sent_to_sign_in_with_next(client: FlaskClient) -> None:
    response = client.get("/akun/kata-sandi?x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/masuk?next=/akun/kata-sandi?x%3D1"


def test_logout_is_post_only(client: FlaskClient, user: User) -> None:
    login(client, "siti")
    assert client.get("/keluar").status_code == 405
    assert client.get("/beranda").status_code == 200  # the GET signed nobody out

    response = post_with_csrf(client, "/keluar", page="/beranda")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    with client.session_transaction() as sess:
        assert "_user_id" not in sess
    assert client.get("/beranda").status_code == 302


def test_passwords_are_stored_as_scrypt_hashes(user: User) -> None:
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash
    assert verify_password(user.password_hash, PASSWORD)
    assert not verify_password(user.password_hash, PASSWORD + "x")
    assert not verify_password(None, PASSWORD)  # unknown account: decoy hash, always False
    assert not verify_password("not-a-hash", PASSWORD)


def test_no_password_reaches_the_logs(client: FlaskClient, user: User, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    login(client, "siti", "ini-salah-sekali-123")
    login(client, PASSWORD, PASSWORD)  # a password typed into the username field
    login(client, "siti")
    post_with_csrf(
        client,
        "/akun/kata-sandi",
        page="/akun/kata-sandi",
        data={
            "current_password": PASSWORD,
            "new_password": "kata sandi baru sekali",
            "confirm_password": "kata sandi baru sekali",
        },
    )
    assert caplog.records, "sign-in should log something"
    for secret in ("ini-salah-sekali-123", PASSWORD, "kata sandi baru sekali", "test-secret"):
        assert secret not in caplog.text


def test_session_cookies_expire_after_a_working_day(
    app: Flask, client: FlaskClient, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert app.permanent_session_lifetime == dt.timedelta(hours=8)
    login(client, "siti")
    assert client.get("/beranda").status_code == 200

    class NineHoursLater:  # the clock itsdangerous checks cookie signatures against
        @staticmethod
        def time() -> float:
            return time.time() + 9 * 3600

    monkeypatch.setattr(itsdangerous.timed, "time", NineHoursLater)
    assert client.get("/beranda").status_code == 302


def test_a_disabled_account_loses_its_session(client: FlaskClient, user: User) -> None:
    login(client, "siti")
    user.is_active = False
    db.session.commit()
    assert client.get("/beranda").status_code == 302


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/beranda", True),
        ("/akun/kata-sandi?x=1#y", True),
        ("https://evil.example/", False),
        ("//evil.example/", False),
        ("/\\evil.example", False),
        ("\\\\evil.example", False),
        ("javascript:alert(1)", False),
        ("/ok\r\nSet-Cookie: x=1", False),
        ("", False),
        (None, False),
    ],
)
def test_safe_local_url(target: str | None, safe: bool) -> None:
    assert safe_local_url(target) == (target if safe else None)


def test_sign_in_and_password_change_on_each_database(db_app: Flask) -> None:
    """The same flow on SQLite and PostgreSQL (NUL in a name must stop before the database)."""
    db_app.test_client_class = IsolatedClient
    make_user("dewi", Role.VERIFIER)
    client = db_app.test_client()
    assert client.post("/masuk", data={"csrf_token": csrf_token(client), "username": "de\x00wi"}).status_code == 422
    assert login(client, "dewi").status_code == 303
    form = {
        "current_password": PASSWORD,
        "new_password": "kata sandi baru dewi",
        "confirm_password": "kata sandi baru dewi",
    }
    assert post_with_csrf(client, "/akun/kata-sandi", data=form).status_code == 303
    assert client.get("/beranda").status_code == 200
