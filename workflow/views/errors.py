"""Map domain and HTTP errors to responses in one place (STYLE.md C5).

API paths and JSON clients get ``{"code", "status", "message", "errors"}``; browsers get a page
from ``templates/errors/`` that says what happened and what to do next.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, InternalServerError

from workflow.errors import InvalidInputError, WorkflowError
from workflow.security import wants_json

# Statuses with a page of their own; any other status uses errors/generic.html.
PAGES = frozenset({400, 403, 404, 409, 422, 429, 500})


def form_errors(messages: object) -> dict[str, list[str]]:
    """marshmallow's ``err.messages`` as ``{field: [text, ...]}`` for templates and JSON.

    Lazy (translatable) messages become plain text in the current language, a lone message
    becomes a one-item list, and nested schemas flatten to ``outer.inner`` keys.
    """
    if not isinstance(messages, Mapping):
        return {"_schema": _texts(messages)}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        if isinstance(value, Mapping):
            for inner, texts in form_errors(value).items():
                flat[f"{key}.{inner}"] = texts
        else:
            flat[str(key)] = _texts(value)
    return flat


def _texts(value: object) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return [str(value)]


def error_response(
    status: int,
    code: str,
    message: str,
    errors: Mapping[str, Any] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    **page: Any,
) -> ResponseReturnValue:
    """One error, as JSON or as a page; ``page`` holds extra template values (e.g. ``csrf=True``)."""
    errors = dict(errors or {})
    if wants_json():
        body = {"code": code, "status": status, "message": message, "errors": errors}
        return jsonify(body), status, dict(headers or {})
    template = f"errors/{status}.html" if status in PAGES else "errors/generic.html"
    html = render_template(template, status=status, message=message, errors=errors, **page)
    return html, status, dict(headers or {})


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(WorkflowError)
    def workflow_error(exc: WorkflowError) -> ResponseReturnValue:
        errors = exc.errors if isinstance(exc, InvalidInputError) else {}
        return error_response(exc.status, type(exc).__name__, str(exc), errors, detail=str(exc))

    @app.errorhandler(ValidationError)
    def validation_error(exc: ValidationError) -> ResponseReturnValue:
        return error_response(422, "ValidationError", "The input is not valid.", form_errors(exc.messages))

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> ResponseReturnValue:
        # The reason ("The CSRF token is missing.") helps an API client; the page explains it.
        return error_response(400, "CSRFError", str(exc.description), csrf=True)

    @app.errorhandler(InternalServerError)
    def internal_error(exc: InternalServerError) -> ResponseReturnValue:
        # Flask has already logged the traceback; never show it, nor the exception text.
        # minimal: the page skips the account menu, which needs the database that may be the problem.
        return error_response(500, "Internal Server Error", "Something went wrong on the server.", minimal=True)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        if exc.response is not None:  # abort(response) or a prepared response: pass it through
            return exc.response
        status = exc.code or 500
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return error_response(status, exc.name, str(exc.description), headers=headers)
