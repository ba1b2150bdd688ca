"""The inspector's findings pages (``/inspektur/temuan``): the compliance replay over the live log.

Read-only: the bundle is exported up to the latest signed checkpoint (with the candidates'
evidence, ``services/export.py``) and goes through exactly what an inspector runs offline,
``workflow.compliance.run`` — integrity first, then every process against its pinned rules.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue

from workflow.compliance import ComplianceResult, run
from workflow.errors import NotFoundError
from workflow.extensions import db
from workflow.i18n import current_locale
from workflow.keystore import get_keystore
from workflow.models import Role
from workflow.security import role_required
from workflow.services.export import export_bundle_with_evidence

bp = Blueprint("findings", __name__, url_prefix="/inspektur/temuan")


def _replay() -> ComplianceResult | None:
    """The replay of the log as of its latest checkpoint; ``None`` before the first checkpoint."""
    try:
        data = export_bundle_with_evidence(db.session)
    except NotFoundError:
        return None
    return run(data, vkey=get_keystore().log_vkey())


@bp.get("")
@role_required(Role.INSPECTOR)
def index() -> ResponseReturnValue:
    """Every process's findings."""
    return render_template("findings/index.html", result=_replay(), lang=current_locale())


@bp.get("/<int(max=2147483647):pid>")
@role_required(Role.INSPECTOR)
def process(pid: int) -> ResponseReturnValue:
    """One process's findings (cross-process flags included)."""
    result = _replay()
    if result is not None and result.integrity.ok and pid not in result.processes:
        abort(404)
    return render_template("findings/process.html", result=result, pid=pid, lang=current_locale(),
                           findings=[] if result is None else result.for_process(pid))
