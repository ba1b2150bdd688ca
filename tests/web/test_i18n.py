"""Language switch (POST /bahasa), <html lang>, and locale-aware formatting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.helpers import csrf_token
from workflow import i18n


def _switch(client: FlaskClient, lang: str, next_url: str | None = "/masuk"):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client), "lang": lang}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/bahasa", data=data)


def test_default_is_bahasa_indonesia(client: FlaskClient) -> None:
    page = client.get("/masuk", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="id">' in page
    assert "Masuk ke Jejak" in page


def test_switch_to_english_and_back(client: FlaskClient) -> None:
    response = _switch(client, "en")
    assert response.status_code == 303
    assert response.headers["Location"] == "/masuk"
    cookie = client.get_cookie(i18n.LOCALE_COOKIE)
    assert cookie is not None and cookie.value == "en" and cookie.http_only

    page = client.get("/masuk").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Sign in to Jejak" in page
    assert "Masuk ke Jejak" not in page

    _switch(client, "id")
    assert '<html lang="id">' in client.get("/masuk").get_data(as_text=True)


def test_language_survives_sign_in_which_clears_the_session(client: FlaskClient, user) -> None:  # type: ignore[no-untyped-def]
    from tests.web.helpers import login

    _switch(client, "en")
    login(client, "siti")
    assert "Home" in client.get("/beranda").get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/evil.example", "javascript:alert(1)"],
)
def test_switch_refuses_to_redirect_off_site(client: FlaskClient, target: str) -> None:
    response = _switch(client, "en", target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_switch_without_next_goes_home(client: FlaskClient) -> None:
    assert _switch(client, "en", None).headers["Location"] == "/"


def test_unknown_language_is_400_and_sets_nothing(client: FlaskClient) -> None:
    assert _switch(client, "fr").status_code == 400
    assert client.get_cookie(i18n.LOCALE_COOKIE) is None


def test_a_tampered_cookie_falls_back_to_indonesian(client: FlaskClient) -> None:
    client.set_cookie(i18n.LOCALE_COOKIE, "xx")
    assert '<html lang="id">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("locale", "number", "date"),
    [("id", "1.234.567", "12 Mei 2026"), ("en", "1,234,567", "May 12, 2026")],
)
def test_numbers_and_dates_follow_the_locale(app: Flask, locale: str, number: str, date: str) -> None:
    with app.test_request_context(headers={"Cookie": f"{i18n.LOCALE_COOKIE}={locale}"}):
        assert i18n.format_number(1234567) == number
        assert i18n.format_number(Decimal("2.5")) in {"2,5", "2.5"}
        assert i18n.format_date(dt.date(2026, 5, 12)) == date
        assert i18n.format_date(None) == ""
        # Naive datetimes are UTC; shown in WIB (UTC+7) by default.
        assert "07.00" in i18n.format_datetime(dt.datetime(2026, 5, 12, 0, 0)) or "7:00" in i18n.format_datetime(
            dt.datetime(2026, 5, 12, 0, 0)
        )


def test_templates_get_the_format_filters(app: Flask) -> None:
    with app.test_request_context():
        template = app.jinja_env.from_string("{{ 1234|format_number }} {{ d|format_date }}")
        rendered = template.render(d=dt.date(2026, 1, 2))
    assert rendered == "1.234 2 Jan 2026"
