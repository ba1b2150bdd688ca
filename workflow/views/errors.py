"""Map domain and HTTP errors to responses in one place: JSON for API clients, text otherwise."""

from __future__ import annotations

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from workflow.errors import InvalidInputError, WorkflowError


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/healthz")) or request.accept_mimetypes.best == "application/json"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(WorkflowError)
    def workflow_error(exc: WorkflowError) -> ResponseReturnValue:
        errors = exc.errors if isinstance(exc, InvalidInputError) else {}
        body = {"code": type(exc).__name__, "status": exc.status, "message": str(exc), "errors": errors}
        return jsonify(body), exc.status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        status = exc.code or 500
        if _wants_json():
            body = {"code": exc.name, "status": status, "message": exc.description, "errors": {}}
            return jsonify(body), status
        return exc
