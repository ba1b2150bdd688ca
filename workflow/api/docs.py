"""The interactive API page (``/api/v1/docs``) and the OpenAPI entries of the public log endpoints.

The page is Swagger UI from ``static/api-docs/`` (vendored, see its README): no CDN, and no inline
script or style, so the site's CSP applies unchanged; ``static/api-docs/init.js`` starts it. For a
signed-in browser the page carries the CSRF token in a ``<meta>`` tag, which ``init.js`` sends as
``X-CSRFToken`` on unsafe "Try it out" requests that carry no bearer token.

The log endpoints themselves are served by ``workflow/views/log.py``; here they are only described.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, url_for
from flask_login import current_user
from flask_smorest import Api
from flask_wtf.csrf import generate_csrf
from markupsafe import escape
from marshmallow import Schema, fields

ui = Blueprint("api_ui", __name__)

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Jejak API</title>
<meta name="jejak-openapi" content="{spec}">
<meta name="jejak-csrf" content="{csrf}">
<link rel="stylesheet" href="{css}">
<link rel="stylesheet" href="{local_css}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{bundle}"></script>
<script src="{init}"></script>
</body>
</html>
"""


@ui.get("/api/v1/docs")
def docs_page() -> Response:
    """Swagger UI over ``/api/v1/openapi.json``, from local assets only."""
    csrf = generate_csrf() if current_user.is_authenticated else ""

    def asset(name: str) -> str:
        return str(escape(url_for("static", filename=f"api-docs/{name}")))

    html = PAGE.format(
        spec=escape(url_for("api-docs.openapi_json")), csrf=escape(csrf), css=asset("swagger-ui.css"),
        local_css=asset("jejak-api-docs.css"), bundle=asset("swagger-ui-bundle.js"),
        init=asset("init.js"),
    )
    return Response(html, content_type="text/html; charset=utf-8")


# --- the public log endpoints in the OpenAPI document ------------------------------------------


class InclusionProofSchema(Schema):
    index = fields.Integer(required=True)
    size = fields.Integer(required=True)
    proof = fields.List(fields.String(), required=True, metadata={"description": "Standard base64 hashes."})


class ConsistencyProofSchema(Schema):
    from_ = fields.Integer(data_key="from", required=True)
    to = fields.Integer(required=True)
    proof = fields.List(fields.String(), required=True, metadata={"description": "Standard base64 hashes."})


def _number(name: str, minimum: int, description: str) -> dict[str, Any]:
    return {
        "name": name, "in": "query", "required": True, "description": description,
        "schema": {"type": "integer", "minimum": minimum, "maximum": 2**63 - 1},
    }


def _text(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/plain": {"schema": {"type": "string"}}}}


def document_log_endpoints(api: Api, app: Flask) -> None:
    """Describe the log's public read endpoints (DESIGN.md §4, docs/log-http.md)."""
    spec = api.spec
    rules = {r.endpoint: r for r in app.url_map.iter_rules()}
    spec.components.schema("InclusionProof", schema=InclusionProofSchema)
    spec.components.schema("ConsistencyProof", schema=ConsistencyProofSchema)
    error = "BAD_REQUEST"  # a lazily registered response: apispec resolves (and registers) it by name
    public: list[dict[str, list[str]]] = []
    spec.tag({"name": "log", "description": "The public transparency log (C2SP tlog-tiles + JSON proofs). No sign-in."})
    spec.path(
        rule=rules["log.inclusion_proof"],
        operations={"get": {
            "tags": ["log"], "summary": "RFC 9162 inclusion proof of entry `index` in the tree of `size` entries.",
            "operationId": "log_inclusion_proof", "security": public,
            "parameters": [_number("index", 0, "Entry index (0 is the first)."),
                           _number("size", 1, "Tree size of a checkpoint you hold.")],
            "responses": {"200": {"description": "The proof.", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/InclusionProof"}}}}, "400": error},
        }},
    )
    spec.path(
        rule=rules["log.consistency_proof"],
        operations={"get": {
            "tags": ["log"], "summary": "RFC 9162 consistency proof from tree size `from` to `to`.",
            "operationId": "log_consistency_proof", "security": public,
            "parameters": [_number("from", 1, "Older tree size."), _number("to", 1, "Newer tree size.")],
            "responses": {"200": {"description": "The proof.", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ConsistencyProof"}}}}, "400": error},
        }},
    )
    spec.path(
        rule=rules["log.checkpoint"],
        operations={"get": {
            "tags": ["log"], "summary": "The latest signed checkpoint (C2SP signed note).",
            "operationId": "log_checkpoint", "security": public,
            "responses": {"200": _text("The checkpoint note."), "404": _text("No checkpoint yet.")},
        }},
    )
    spec.path(
        rule=rules["log.key"],
        operations={"get": {
            "tags": ["log"], "summary": "The log's verifier key (note vkey), one line.",
            "operationId": "log_key", "security": public,
            "responses": {"200": _text("`name+keyid+base64`.")},
        }},
    )
