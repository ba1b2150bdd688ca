"""Database targets for tests: a SQLite file, or PostgreSQL when JEJAK_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

PG_URL_VAR = "JEJAK_TEST_DATABASE_URL"
PG_SKIP_REASON = f"PostgreSQL tests need {PG_URL_VAR} (CI sets it; e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"

# Parametrise a fixture with these to run a test on both databases.
DB_KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


def postgres_url() -> str:
    """The PostgreSQL URL, or skip the calling test with a visible reason."""
    url = os.environ.get(PG_URL_VAR)
    if not url:
        pytest.skip(PG_SKIP_REASON)
    return url


def reset_postgres(url: str) -> None:
    """Empty the database: drop and recreate the public schema (tables, sequences, alembic_version)."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def database_url(kind: str, tmp_path: Path) -> str:
    """A fresh, empty database of the given kind."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'jejak-test.sqlite3'}"
    url = postgres_url()
    reset_postgres(url)
    return url
