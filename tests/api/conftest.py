"""Fixtures for the API tests: the services' world, a token per role, a client per request context."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.helpers import TokenSet, make_tokens
from tests.services.helpers import World, make_world
from tests.web.helpers import IsolatedClient
from workflow.extensions import db


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A client whose every request gets its own app context (and ``g``), as in production."""
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def world(app: Flask) -> World:
    return make_world(db.session)


@pytest.fixture
def tokens(world: World) -> TokenSet:
    return make_tokens(world)


@pytest.fixture
def call(client: FlaskClient) -> Callable[..., object]:
    """``call(method, path, token, json=...)``: a request with ``Authorization: Bearer``."""

    def do(method: str, path: str, token: str | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
        headers = dict(kwargs.pop("headers", {}) or {})  # type: ignore[call-overload]
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return client.open(path, method=method, headers=headers, **kwargs)

    return do

