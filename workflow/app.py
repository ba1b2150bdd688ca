"""The application factory: config → checks → extensions → blueprints → error handlers → CLI."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from workflow import MIGRATIONS_DIR, ROOT_DIR, STATIC_DIR, TEMPLATES_DIR, TRANSLATIONS_DIR
from workflow.extensions import csrf, db, limiter, migrate

# Web settings that config.py may override; each default is the safe choice (docs/security.md).
WEB_DEFAULTS: dict[str, Any] = {
    # In-process counters: right for one worker and for tests. Several gunicorn workers or hosts
    # need a shared store (e.g. "redis://…"), or each one counts on its own.
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    "LOGIN_RATE_LIMIT_PER_ACCOUNT": "5 per minute",
    "LOGIN_RATE_LIMIT_PER_IP": "50 per hour",
    # Number of trusted reverse proxies in front of the app; 0 trusts no X-Forwarded-* header, so
    # rate limits key on the real peer address unless the operator says otherwise.
    "PROXY_FIX_HOPS": 0,
    "BABEL_TRANSLATION_DIRECTORIES": str(TRANSLATIONS_DIR),
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session; sign-in rotates both
}
SESSION_LIFETIME = dt.timedelta(hours=8)


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
    for key, value in WEB_DEFAULTS.items():
        app.config.setdefault(key, value)
    if app.config["PERMANENT_SESSION_LIFETIME"] == Flask.default_config["PERMANENT_SESSION_LIFETIME"]:
        # Flask refuses a session cookie signed longer ago than this. Its 31-day default would let
        # a copied cookie work for a month; a working day is enough (docs/security.md).
        app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_LIFETIME
    _require_secrets(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["PROXY_FIX_HOPS"]:
        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    from workflow import models  # noqa: F401  (registers every table on db.metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    limiter.init_app(app)

    from workflow import headers, i18n, security

    security.init_app(app)
    i18n.init_app(app)
    headers.init_app(app)

    from workflow.views import BLUEPRINTS

    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    from workflow import api

    api.init_app(app)  # JSON API and its OpenAPI document under /api/v1 (docs/api.md)
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
