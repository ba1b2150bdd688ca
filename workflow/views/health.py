"""``GET /healthz``: is the database reachable, and how much is in it."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from workflow.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    from workflow.models import COUNTED_TABLES

    try:
        counts = {
            name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for name, table in COUNTED_TABLES.items()
        }
    except sa.exc.SQLAlchemyError as exc:
        db.session.rollback()
        return jsonify({"status": "error", "database": "unavailable", "detail": type(exc).__name__}), 503
    return jsonify({"status": "ok", "database": db.engine.dialect.name, "counts": counts})
