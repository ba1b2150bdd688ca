"""The API's one error shape, ``{"code", "status", "message", "errors"}``, for every failure.

``code`` is a stable machine name (``NotFoundError``, ``RefusedError``, ``ValidationError``,
``CSRFError``, ``Unauthorized`` …), ``status`` the HTTP status, ``message`` one English sentence and
``errors`` maps a location to fields and their messages: ``{"json": {"decree_date": ["…"]}}``,
``{"query": {…}}``, ``{"reasons": {"<refusal code>": ["…"]}}`` for refused actions (403/409), or
``{}``. The same shape as ``workflow/views/errors.py`` gives ``/api/`` paths, so a client sees one
shape whether the request failed in routing, CSRF, validation or a service.

flask-smorest's own handler (``{"code": 422, "status": "Unprocessable Entity"}``) is not
registered (``JejakApi._register_error_handlers``); these handlers sit on each API blueprint, so
the HTML error pages of the rest of the site are untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, jsonify
from flask_wtf.csrf import CSRFError
from marshmallow import Schema, ValidationError, fields
from werkzeug.exceptions import HTTPException, InternalServerError

from workflow.errors import InvalidInputError, WorkflowError
from workflow.views.errors import form_errors

# Where a message points: webargs' request locations, plus refusal reasons and uploaded files.
LOCATIONS = frozenset({"json", "query", "path", "view_args", "headers", "files", "form", "reasons", "request"})


class ErrorSchema(Schema):
    """Every error response of the API."""

    code = fields.String(required=True, metadata={"description": "Stable machine name of the error."})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    message = fields.String(required=True, metadata={"description": "What went wrong, in English."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.List(fields.String())),
        required=True,
        metadata={
            "description": "Location (json, query, path, files, reasons) → field or refusal code → messages."
        },
    )


class ApiUnauthorizedError(Exception):
    """No usable credentials: no session and no token, or a refused token (401)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def error_body(status: int, code: str, message: str, errors: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "status": status, "message": message, "errors": dict(errors or {})}


def error_response(
    status: int, code: str, message: str, errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    response = jsonify(error_body(status, code, message, errors))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def located(messages: object, default_location: str) -> dict[str, dict[str, list[str]]]:
    """Messages as ``{location: {field: [text]}}``; a flat ``{field: [...]}`` goes under ``default_location``.

    webargs reports ``{"json": {...}}``; marshmallow and services report ``{field: [...]}``;
    nested fields flatten to ``outer.inner`` (``decisions.0.reason``).
    """
    if isinstance(messages, Mapping) and messages and set(map(str, messages)) <= LOCATIONS:
        return {str(loc): form_errors(inner) for loc, inner in messages.items()}
    return {default_location: form_errors(messages)}


def reasons_errors(exc: WorkflowError) -> dict[str, dict[str, list[str]]]:
    """A refusal's reasons as ``{"reasons": {code: [English message, …]}}``."""
    reasons = getattr(exc, "reasons", ())
    if not reasons:
        return {}
    out: dict[str, list[str]] = {}
    for r in reasons:
        out.setdefault(r.code, []).append(r.message_en)
    return {"reasons": out}


def handle_workflow_error(exc: WorkflowError) -> Response:
    if isinstance(exc, InvalidInputError):
        errors: dict[str, Any] = located(exc.errors, getattr(exc, "location", "json")) if exc.errors else {}
    else:
        errors = reasons_errors(exc)
    return error_response(exc.status, type(exc).__name__, str(exc), errors)


def handle_validation_error(exc: ValidationError) -> Response:
    return error_response(422, "ValidationError", "The input is not valid.", located(exc.messages, "json"))


def handle_unauthorized(exc: ApiUnauthorizedError) -> Response:
    return error_response(
        401, "Unauthorized", exc.message, headers={"WWW-Authenticate": 'Bearer realm="jejak"'}
    )


def handle_csrf(exc: CSRFError) -> Response:
    return error_response(400, "CSRFError", str(exc.description))


def handle_http(exc: HTTPException) -> Response:
    if isinstance(exc, InternalServerError):
        return error_response(500, "Internal Server Error", "Something went wrong on the server.")
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    message = data.get("message") or str(exc.description)
    errors: dict[str, Any] = {}
    raw = data.get("errors", data.get("messages"))
    if raw:
        default = "json" if status in (400, 422) else "request"
        errors = located(raw, default)
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    code = "ValidationError" if status == 422 and raw else exc.name
    if code == "ValidationError":
        message = "The input is not valid; see errors."
    return error_response(status, code, message, errors, headers)


def install(bp: Blueprint) -> None:
    """Register the API's error handlers on ``bp`` (they win over the app's HTML handlers)."""
    bp.register_error_handler(WorkflowError, handle_workflow_error)
    bp.register_error_handler(ValidationError, handle_validation_error)
    bp.register_error_handler(ApiUnauthorizedError, handle_unauthorized)
    bp.register_error_handler(CSRFError, handle_csrf)
    bp.register_error_handler(HTTPException, handle_http)
