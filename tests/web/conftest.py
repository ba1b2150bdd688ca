"""Fixtures for the web tests, on top of tests/conftest.py's ``app`` and ``client``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.helpers import IsolatedClient, make_user
from workflow.models import Role, User


@pytest.fixture(autouse=True)
def _isolated_requests(app: Flask) -> None:
    """Make ``client`` and ``app.test_client()`` give each request its own ``g`` (see IsolatedClient)."""
    app.test_client_class = IsolatedClient


@pytest.fixture
def user(app: Flask) -> User:
    """An admin account with the default test password."""
    return make_user("siti", Role.ADMIN, display_name="Siti Rahma")


@pytest.fixture
def new_client(app: Flask) -> Callable[[], FlaskClient]:
    """Another browser: a client with its own cookie jar."""
    return app.test_client
