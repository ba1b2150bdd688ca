"""Shared fixtures (flaskr style): ``app`` on in-memory SQLite; ``db_app`` on SQLite *and* PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.dbs import DB_KINDS, database_url
from workflow import create_app
from workflow.extensions import db


def make_app(url: str, **overrides: object) -> Flask:
    from sqlalchemy.pool import StaticPool

    options: dict[str, object] = {}
    if url == "sqlite://":  # one shared in-memory connection, so it survives across requests
        options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    return create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=options, **overrides)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """An app on an in-memory SQLite database with every table created."""
    application = make_app("sqlite://", KEY_DIR=str(tmp_path / "keys"))
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()
        db.drop_all()


@pytest.fixture(params=DB_KINDS)
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(db_kind: str, tmp_path: Path) -> str:
    """An empty database URL, once for SQLite and once for PostgreSQL."""
    return database_url(db_kind, tmp_path)


@pytest.fixture
def db_app(db_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on each database kind, tables created with ``create_all``."""
    application = make_app(db_url, KEY_DIR=str(tmp_path / "keys"))
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()
