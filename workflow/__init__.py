"""Jejak: ASN position filling as an audited state machine (the Flask application package).

Importing the package loads no Flask and no database driver: the pure parts (``workflow.merit``,
``workflow.lifecycle``, ``workflow.compliance``) must run offline with only the standard library
and their own few dependencies. The factory lives in ``workflow.app`` and is imported on call.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

ROOT_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT_DIR / "templates"
STATIC_DIR = ROOT_DIR / "static"
MIGRATIONS_DIR = ROOT_DIR / "migrations"
TRANSLATIONS_DIR = ROOT_DIR / "translations"


def create_app(config_object: str | type = "config.DevelopmentConfig", **overrides: Any) -> Flask:
    """Build the Flask application (see ``workflow.app.create_app``)."""
    from workflow.app import create_app as build

    return build(config_object, **overrides)
