"""The JSON API under ``/api/v1``: flask-smorest on its own blueprints, OpenAPI at ``/api/v1/openapi.json``.

``init_app(app)`` (called by the app factory) builds the :class:`JejakApi`, registers the area
blueprints (positions, processes + actions, me, users, keys, merit), documents the public log
endpoints that ``workflow/views/log.py`` serves, and adds the interactive page ``/api/v1/docs``
(Swagger UI from ``static/api-docs/``, no inline script). docs/api.md is the client documentation.

Import rule: views of the API call services (``workflow.services``, ``workflow.importing``) and
read models; they never commit themselves, except token bookkeeping in ``tokens.py``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api

from workflow.api.errors import ErrorSchema

API_DEFAULTS: dict[str, Any] = {
    "API_TITLE": "Jejak API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}

DESCRIPTION = """\
Position filling (pengisian jabatan) as an audited state machine. Every action is one POST that
calls the same service as the web page, so it writes the same signed statement to the public log.

**Authentication.** `Authorization: Bearer <token>` (personal access token, `POST /api/v1/me/tokens`),
or the browser session cookie plus the `X-CSRFToken` header on unsafe methods.

**Errors.** Always `{"code", "status", "message", "errors"}`; `errors` maps a location (`json`,
`query`, `files`, `reasons`) to fields (or refusal codes) and their messages.

**Lists.** `page` (from 1) and `page_size` (1–100, default 20); totals in the `X-Pagination` header.
"""


class JejakApi(Api):
    """flask-smorest's ``Api`` with our error shape and without its app-wide error handler.

    flask-smorest registers one ``HTTPException`` handler on the whole app; that would turn the
    site's HTML error pages into JSON. Our handlers sit on each API blueprint instead
    (``workflow/api/errors.py``), and ``ERROR_SCHEMA`` documents their shape.
    """

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        return None


def init_app(app: Flask) -> JejakApi:
    """Build the API on ``app``: blueprints, security schemes, log endpoints, docs page."""
    for key, value in API_DEFAULTS.items():
        app.config.setdefault(key, value)
    api = JejakApi(spec_kwargs={"info": {"description": DESCRIPTION}})
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "Personal access token (jejak_…)."}
    )
    api.spec.components.security_scheme(
        "sessionCookie", {"type": "apiKey", "in": "cookie", "name": app.config.get("SESSION_COOKIE_NAME", "session")}
    )
    api.spec.components.security_scheme(
        "csrfToken", {"type": "apiKey", "in": "header", "name": "X-CSRFToken",
                      "description": "Needed with the session cookie on POST and DELETE."}
    )
    api.spec.options["security"] = [{"bearerAuth": []}, {"sessionCookie": [], "csrfToken": []}]

    from workflow.api import actions, admin, me, positions, processes  # noqa: F401  (actions adds routes)
    from workflow.api.docs import document_log_endpoints, ui

    for bp in (positions.bp, processes.bp, me.bp, admin.users_bp, admin.keys_bp, admin.merit_bp):
        api.register_blueprint(bp)
    document_log_endpoints(api, app)
    app.register_blueprint(ui)
    app.extensions["jejak_api"] = api
    return api
