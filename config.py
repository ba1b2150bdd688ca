"""Configuration classes, read from ``JEJAK_*`` environment variables.

Imports nothing from the project (STYLE.md §3). ``create_app`` picks one of these classes;
``wsgi.py`` chooses by ``JEJAK_ENV`` (development by default).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"JEJAK_{name}", default)


def _date_pairs(text: str | None) -> tuple[tuple[str, str], ...]:
    """``"2026-05-01/2026-12-31,2027-01-01/2027-03-31"`` → pairs of ISO dates (validated by the app)."""
    if not text:
        return ()
    pairs = []
    for item in text.split(","):
        start, sep, end = item.strip().partition("/")
        if not sep:
            raise RuntimeError(f"JEJAK_PILKADA_WINDOWS: {item!r} is not START/END (ISO dates)")
        pairs.append((start.strip(), end.strip()))
    return tuple(pairs)


class Config:
    """Settings shared by every environment."""

    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'jejak.sqlite3'}")
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {"pool_pre_ping": True}
    SECRET_KEY = _env("SECRET_KEY")
    # Origin line of the log's checkpoints (C2SP tlog-checkpoint); also the name of the log key.
    LOG_ORIGIN = _env("LOG_ORIGIN", "jejak.example.go.id/log")
    # Where the log, system and user signing keys live, encrypted at rest.
    KEY_DIR = _env("KEY_DIR", str(INSTANCE_DIR / "keys"))
    # Key-encryption key for private keys at rest; required outside development and tests.
    KEY_ENCRYPTION_KEY = _env("KEY_ENCRYPTION_KEY")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    DEMO_ALLOWED = False
    REQUIRED_SECRETS: tuple[str, ...] = ("SECRET_KEY",)
    # Election periods (UU 10/2016 Pasal 71): appointments inside one need the Mendagri's approval letter.
    PILKADA_WINDOWS = _date_pairs(_env("PILKADA_WINDOWS"))
    # Largest request body (merit-data uploads, approval letters); larger ones get 413.
    MAX_CONTENT_LENGTH = int(_env("MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)) or 0)
    # A shared store ("redis://127.0.0.1:6379") when several workers must count logins together.
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    # Trusted reverse proxies in front of the app (X-Forwarded-For); 0 trusts none.
    PROXY_FIX_HOPS = int(_env("PROXY_FIX_HOPS", "0") or 0)


class DevelopmentConfig(Config):
    """Local development: embedded SQLite, demo data allowed, plain-HTTP cookies on localhost."""

    DEBUG = False
    SECRET_KEY = _env("SECRET_KEY", "dev-only-not-secret")
    KEY_ENCRYPTION_KEY = _env("KEY_ENCRYPTION_KEY", "dev-only-key-encryption-key")
    SESSION_COOKIE_SECURE = False
    DEMO_ALLOWED = True


class TestConfig(Config):
    """The test suite: in-memory SQLite unless a test asks for PostgreSQL."""

    TESTING = True
    SECRET_KEY = "test-secret"  # noqa: S105 - tests only
    KEY_ENCRYPTION_KEY = "test-key-encryption-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SESSION_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = True
    DEMO_ALLOWED = True


class ProductionConfig(Config):
    """Production: every secret from the environment, never demo users."""

    REQUIRED_SECRETS = ("SECRET_KEY", "KEY_ENCRYPTION_KEY")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The config class named by ``JEJAK_ENV`` (default ``development``)."""
    name = _env("ENV", "development") or "development"
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"JEJAK_ENV={name!r} is not one of {', '.join(sorted(CONFIGS))}") from None
