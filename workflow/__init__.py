"""Jejak: ASN position filling as an audited state machine (the Flask application package)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from workflow.extensions import db, migrate

ROOT_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT_DIR / "templates"
STATIC_DIR = ROOT_DIR / "static"
MIGRATIONS_DIR = ROOT_DIR / "migrations"


def create_app(config_object: str | type = "config.DevelopmentConfig", **overrides: Any) -> Flask:
    """Build the application: config → checks → extensions → blueprints → error handlers → CLI."""
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES_DIR),
        static_folder=str(STATIC_DIR),
        instance_path=str(ROOT_DIR / "instance"),
    )
    app.config.from_object(config_object)
    app.config.update(overrides)
    _require_secrets(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from workflow import models  # noqa: F401  (registers every table on db.metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))

    from workflow.views import BLUEPRINTS

    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    from workflow.views.errors import register_error_handlers

    register_error_handlers(app)

    from workflow.cli import register_cli

    register_cli(app)
    logging.getLogger("transitions").setLevel(logging.WARNING)  # the signed log is the record
    return app


def _require_secrets(app: Flask) -> None:
    missing = [name for name in app.config.get("REQUIRED_SECRETS", ()) if not app.config.get(name)]
    if missing:
        names = ", ".join(f"JEJAK_{name}" for name in missing)
        raise RuntimeError(f"Jejak refuses to start: set the environment variable(s) {names}.")
