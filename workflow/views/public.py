"""Pages for everyone, signed in or not: the landing page (log head, aggregates) and the language switch."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from workflow import i18n, security
from workflow.extensions import db
from workflow.i18n import current_locale
from workflow.lifecycle import STAGE_LABELS, Stage
from workflow.views import public_queries as q

bp = Blueprint("public", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """The front page: what Jejak is, the signed log head and its key, and per-unit aggregates.

    No per-user data beyond the header's sign-in state; the aggregates are computed once per log
    state (``public_queries``), so the page stays cheap for anonymous traffic.
    """
    units = q.unit_stats(db.session)
    return render_template(
        "public/index.html", log=q.log_summary(db.session), units=units, total=q.totals(units), stages=tuple(Stage)
    )


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"stage_name": lambda stage: STAGE_LABELS[Stage(stage)].text("en" if current_locale() == "en" else "id")}


@bp.post("/bahasa")
def set_language() -> ResponseReturnValue:
    """Remember the chosen language and go back to the page the switch was on (local URLs only)."""
    locale = request.form.get("lang", "")
    if locale not in i18n.SUPPORTED_LOCALES:
        abort(400)
    target = security.safe_local_url(request.form.get("next")) or url_for("public.index")
    return i18n.remember_locale(redirect(target, code=303), locale)
