"""Language and formatting: Bahasa Indonesia by default, English on request (Flask-Babel).

The chosen language lives in its own cookie, not in the session, so it survives signing in
(which clears the session) and signing out. Source strings are Indonesian; ``en`` is the only
catalogue (``translations/``, see docs/i18n.md). A string without an English translation shows
in Indonesian rather than as a key.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import flask_babel
from flask import Flask, Response, current_app, has_request_context, request
from flask_babel import get_locale

from workflow.extensions import babel

DEFAULT_LOCALE = "id"
SUPPORTED_LOCALES = ("id", "en")
LOCALE_COOKIE = "jejak_lang"
LOCALE_COOKIE_MAX_AGE = 365 * 24 * 3600
# Names shown on the switch, each in its own language (never translated).
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def select_locale() -> str:
    """The locale of this request: the cookie when it names a supported locale, else ``id``.

    The browser's Accept-Language is ignored on purpose: many Indonesian phones are set to
    English, and DESIGN.md makes Bahasa Indonesia the working language.
    """
    if not has_request_context():  # CLI and background work: the working language
        return DEFAULT_LOCALE
    chosen = request.cookies.get(LOCALE_COOKIE, "")
    return chosen if chosen in SUPPORTED_LOCALES else DEFAULT_LOCALE


def current_locale() -> str:
    """``id`` or ``en``, for ``<html lang>`` and the switch."""
    locale = get_locale()
    return str(locale.language) if locale is not None else DEFAULT_LOCALE


def remember_locale(response: Response, locale: str) -> Response:
    """Store the chosen ``locale`` in its cookie, with the session cookie's security flags."""
    if locale not in SUPPORTED_LOCALES:
        raise ValueError(f"unsupported locale {locale!r}")
    response.set_cookie(
        LOCALE_COOKIE,
        locale,
        max_age=LOCALE_COOKIE_MAX_AGE,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE", True)),
        httponly=True,
        samesite="Lax",
    )
    return response


# Formatting in the reader's locale and the configured time zone (BABEL_DEFAULT_TIMEZONE, WIB by
# default). Templates use the filters of the same names; Python code calls these.


def format_date(value: dt.date | dt.datetime | None, style: str = "medium") -> str:
    """``12 Mei 2026`` / ``May 12, 2026``; empty for None."""
    return "" if value is None else flask_babel.format_date(value, style)


def format_datetime(value: dt.datetime | None, style: str = "medium") -> str:
    """Date and time in the configured zone; naive datetimes are taken as UTC."""
    return "" if value is None else flask_babel.format_datetime(value, style)


def format_number(value: int | Decimal | None) -> str:
    """``1.234.567`` / ``1,234,567``; empty for None."""
    return "" if value is None else flask_babel.format_decimal(value)


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the locale selector, and give templates the helpers above."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Jakarta")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(format_date=format_date, format_datetime=format_datetime, format_number=format_number)
    app.jinja_env.globals.update(
        current_locale=current_locale, LANGUAGE_NAMES=LANGUAGE_NAMES, SUPPORTED_LOCALES=SUPPORTED_LOCALES
    )
