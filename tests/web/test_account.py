"""Beranda and changing the password."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.web.helpers import PASSWORD, csrf_token, login, make_user
from workflow.extensions import db
from workflow.models import Role, User
from workflow.security import POLICIES

NEW = "kalimat baru yang panjang"


def _change(client: FlaskClient, current: str, new: str, confirm: str | None = None):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": csrf_token(client, "/akun/kata-sandi"),
        "current_password": current,
        "new_password": new,
        "confirm_password": new if confirm is None else confirm,
    }
    return client.post("/akun/kata-sandi", data=data)


def test_beranda_lists_each_role_with_what_it_will_do(client: FlaskClient) -> None:
    make_user("budi", Role.ASN, Role.COMMITTEE_MEMBER, display_name="Budi Santoso")
    login(client, "budi")
    page = client.get("/beranda").get_data(as_text=True)
    for role in (Role.ASN, Role.COMMITTEE_MEMBER):
        assert f'id="peran-{role.value}"' in page
        assert str(POLICIES[role].summary) in page
    assert 'id="peran-admin"' not in page


def test_beranda_for_an_account_without_roles_says_whom_to_ask(client: FlaskClient) -> None:
    make_user("kosong")
    login(client, "kosong")
    assert "Belum ada peran" in client.get("/beranda").get_data(as_text=True)


def test_wrong_current_password_is_refused_next_to_the_field(client: FlaskClient, user: User) -> None:
    login(client, "siti")
    response = _change(client, "bukan yang lama", NEW)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="f-current_password-error"' in page
    assert "Kata sandi saat ini salah." in page
    db.session.refresh(user)
    assert user.password_hash.startswith("scrypt:")
    assert login(client, "siti").status_code == 303  # the old password still works


def test_too_short_and_mismatched_passwords_are_refused(client: FlaskClient, user: User) -> None:
    login(client, "siti")
    page = _change(client, PASSWORD, "pendek").get_data(as_text=True)
    assert 'id="f-new_password-error"' in page
    assert "minimal 12 karakter" in page

    page = _change(client, PASSWORD, NEW, confirm=NEW + "!").get_data(as_text=True)
    assert 'id="f-confirm_password-error"' in page

    page = _change(client, PASSWORD, PASSWORD).get_data(as_text=True)
    assert "harus berbeda" in page


def test_changing_the_password_ends_other_sessions(client: FlaskClient, new_client, user: User) -> None:  # type: ignore[no-untyped-def]
    phone = new_client()
    login(phone, "siti")
    login(client, "siti")
    old_hash = user.password_hash

    response = _change(client, PASSWORD, NEW)
    assert response.status_code == 303
    assert response.headers["Location"] == "/beranda"

    db.session.refresh(user)
    assert user.password_hash != old_hash and user.password_hash.startswith("scrypt:")
    assert client.get("/beranda").status_code == 200  # this session was renewed
    assert phone.get("/beranda").status_code == 302  # the other one has ended

    fresh = new_client()
    assert login(fresh, "siti", PASSWORD).status_code == 422
    assert login(fresh, "siti", NEW).status_code == 303
