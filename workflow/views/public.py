"""Pages for everyone, signed in or not: the landing page and the language switch."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from workflow import i18n, security

bp = Blueprint("public", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    return render_template("public/index.html")


@bp.post("/bahasa")
def set_language() -> ResponseReturnValue:
    """Remember the chosen language and go back to the page the switch was on (local URLs only)."""
    locale = request.form.get("lang", "")
    if locale not in i18n.SUPPORTED_LOCALES:
        abort(400)
    target = security.safe_local_url(request.form.get("next")) or url_for("public.index")
    return i18n.remember_locale(redirect(target, code=303), locale)
