"""Fixtures: the services' world on in-memory SQLite (``world``)."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.services.helpers import World, make_world
from workflow.extensions import db


@pytest.fixture
def world(app: Flask) -> World:
    return make_world(db.session)
