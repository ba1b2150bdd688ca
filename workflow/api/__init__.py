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
from flask_smorest.pagination import PaginationMetadataSchema
from flask_smorest.spec.plugins import integerconverter2paramschema
from werkzeug.routing import IntegerConverter, Map

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


class IdConverter(IntegerConverter):
    """``<id:name>``: a row id in a URL, 1 to 2³¹−1 (documented as such in the OpenAPI document)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, min=1, max=2**31 - 1)


class JejakApi(Api):
    """flask-smorest's ``Api`` with our error shape and without its app-wide error handler.

    flask-smorest registers one ``HTTPException`` handler on the whole app; that would turn the
    site's HTML error pages into JSON. Our handlers sit on each API blueprint instead
    (``workflow/api/errors.py``), and ``ERROR_SCHEMA`` documents their shape.
    """

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        return None

    def _register_pagination_header(self) -> None:
        # The header's value is JSON text, so OpenAPI describes it with ``content`` (a JSON media
        # type), not ``schema``: a string header is never "an object" (schemathesis ST108).
        self.spec.components.header(
            "PAGINATION",
            {
                "description": "Pagination metadata, as JSON.",
                "content": {"application/json": {"schema": PaginationMetadataSchema}},
            },
            lazy=True,
        )


def init_app(app: Flask) -> JejakApi:
    """Build the API on ``app``: blueprints, security schemes, log endpoints, docs page."""
    for key, value in API_DEFAULTS.items():
        app.config.setdefault(key, value)
    # Ids in API paths: positive 32-bit integers, so an absurd id is a 404, never a database overflow.
    app.url_map.converters.setdefault("id", IdConverter)
    api = JejakApi(spec_kwargs={"info": {"description": DESCRIPTION}})
    api.init_app(app)
    api.register_converter(IdConverter, integerconverter2paramschema)
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
