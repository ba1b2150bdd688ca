"""The inspector's pages (``/inspektur``): log status, verification on demand, bundles, process timelines.

Read-only for processes (DESIGN.md §6): the one POST, ``Verifikasi sekarang``, exports the log and
runs ``audit.verify.verify_bundle`` on it, and only remembers the result. Thin views (STYLE.md
C14): parse, one call into ``inspector_queries``, render or respond.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from workflow.extensions import db
from workflow.i18n import current_locale
from workflow.models import Role
from workflow.security import role_required
from workflow.views import inspector_queries as q
from workflow.views.asn_queries import now, stage_label

bp = Blueprint("inspector", __name__, url_prefix="/inspektur")

PID = "<int(max=2147483647):pid>"
_PROCESS_ID = re.compile(r"[1-9][0-9]{0,9}")


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"stage_name": lambda value: stage_label(str(value), current_locale()) if value else "–"}


@bp.get("")
@role_required(Role.INSPECTOR)
def index() -> ResponseReturnValue:
    """Log status, the last verification and the bundle download."""
    return render_template("inspector/index.html", status=q.log_status(db.session), last=q.last_verification())


@bp.post("/verifikasi")
@role_required(Role.INSPECTOR)
def verify() -> ResponseReturnValue:
    """Export the whole log with its evidence and verify it now."""
    result = q.verify_now(db.session, now())
    if result.ok:
        flash(gettext("Log utuh: %(n)s entri terverifikasi.", n=result.size), "success")
    else:
        flash(gettext("Log TIDAK utuh: %(n)s masalah ditemukan.", n=result.problem_count), "error")
    return redirect(url_for("inspector.index", _anchor="verifikasi"), code=303)


@bp.get("/bundle")
@role_required(Role.INSPECTOR)
def bundle() -> ResponseReturnValue:
    """The bundle (jejak-bundle/v1) of the whole log, or ``?proses=<id>`` with that process's evidence."""
    raw = request.args.get("proses")
    if raw is not None and (len(raw) > 10 or not _PROCESS_ID.fullmatch(raw) or int(raw) > 2147483647):
        abort(400)
    process_id = None if raw is None else int(raw)
    data = q.export(db.session, process_id, now())
    name = "jejak-bundle.json" if process_id is None else f"jejak-bundle-proses-{process_id}.json"
    response = Response(data, content_type="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/proses")
@role_required(Role.INSPECTOR)
def processes() -> ResponseReturnValue:
    """Every process, with its stage and number of log entries."""
    return render_template("inspector/processes.html", rows=q.processes(db.session))


@bp.get(f"/proses/{PID}")
@role_required(Role.INSPECTOR)
def process(pid: int) -> ResponseReturnValue:
    """One process's log entries, decoded, each with its own checks."""
    return render_template("inspector/process.html", t=q.timeline(db.session, pid))
