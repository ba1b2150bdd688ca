"""The ASN's own pages (``/saya``): the processes that considered me, why, my objection, my receipt.

Thin views (STYLE.md C14): parse, call one query or the ``file_objection`` service with the
signed-in account (``current_user.account``), render or redirect. Only the account's own
candidacies are reachable: any other process id is a 404, whether it exists or not, and no page
shows another candidate's name, NIP or scores (``asn_queries`` module docstring).
"""

from __future__ import annotations

from typing import Any

import flask_babel
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from workflow import ledger, services
from workflow.extensions import db
from workflow.i18n import current_locale
from workflow.lifecycle import Reason
from workflow.models import Role
from workflow.security import role_required
from workflow.services import NotPermittedError, RefusedError
from workflow.views import asn_queries as q
from workflow.views.errors import form_errors

bp = Blueprint("asn", __name__, url_prefix="/saya")

# Process ids beyond a 32-bit integer cannot exist; the route refuses them before the database does.
PID = "<int(max=2147483647):pid>"


class ObjectionSchema(Schema):
    """The objection form: the text, and the log position the page was shown at."""

    class Meta:
        unknown = EXCLUDE  # the CSRF token

    text = fields.String(
        required=True,
        validate=validate.Length(
            min=q.OBJECTION_MIN_LENGTH,
            max=q.OBJECTION_MAX_LENGTH,
            error=lazy_gettext("Tulis keberatan Anda dalam %(min)d sampai %(max)d karakter.",
                               min=q.OBJECTION_MIN_LENGTH, max=q.OBJECTION_MAX_LENGTH),
        ),
        error_messages={"required": lazy_gettext("Tuliskan keberatan Anda.")},
    )
    basis = fields.String(
        required=True,
        validate=validate.Regexp(r"^[0-9a-f]{64}$", error=lazy_gettext("Muat ulang halaman, lalu kirim lagi.")),
        error_messages={"required": lazy_gettext("Muat ulang halaman, lalu kirim lagi.")},
    )


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "stage_name": lambda value: q.stage_label(str(value), current_locale()),
        # Scores as the rules computed them: always two decimals ("91,94", "67,50").
        "score": lambda value: "" if value is None else flask_babel.format_decimal(value, "#,##0.00"),
    }


def _reason_texts(reasons: tuple[Reason, ...]) -> list[str]:
    return [r.message_en if current_locale() == "en" else r.message_id for r in reasons]


def _page(
    pid: int, *, errors: dict[str, list[str]] | None = None, text: str = "", status: int = 200
) -> ResponseReturnValue:
    page = q.explanation_page(db.session, pid, current_user.employee_id, lang=current_locale(), moment=q.now())
    return render_template("asn/process.html", page=page, errors=errors or {}, text=text, q=q), status


@bp.get("")
@role_required(Role.ASN)
def index() -> ResponseReturnValue:
    """Pengisian jabatan yang mempertimbangkan saya: every process with my candidate row."""
    rows = q.candidacies(db.session, current_user.employee_id)
    return render_template("asn/index.html", rows=rows, linked=current_user.employee_id is not None)


@bp.get(f"/proses/{PID}")
@role_required(Role.ASN)
def process(pid: int) -> ResponseReturnValue:
    """Why I was (not) shortlisted, and how to object."""
    return _page(pid)


@bp.post(f"/proses/{PID}/keberatan")
@role_required(Role.ASN)
def file_objection(pid: int) -> ResponseReturnValue:
    """File an objection about my own result, inside the window (service ``file_objection``)."""
    q.own_candidacy(db.session, pid, current_user.employee_id)  # 404 before anything else
    text = request.form.get("text", "")
    try:
        form: dict[str, Any] = ObjectionSchema().load(request.form.to_dict())
        services.file_objection(
            db.session, pid, actor=current_user.account, text=form["text"], now=q.now(),
            expected_basis=bytes.fromhex(form["basis"]),
        )
    except ValidationError as err:
        return _page(pid, errors=form_errors(err.messages), text=text, status=422)
    except ledger.StaleBasisError:
        message = gettext("Proses ini berubah sejak halaman dibuka. Periksa keadaan terbaru di bawah, lalu kirim lagi.")
        return _page(pid, errors={"_form": [message]}, text=text, status=409)
    except (RefusedError, NotPermittedError) as err:
        field = "text" if err.codes == ["objection.text_required"] else "_form"
        return _page(pid, errors={field: _reason_texts(err.reasons)}, text=text, status=err.status)
    q.checkpoint_if_due(db.session, q.now())
    flash(gettext("Keberatan Anda sudah tercatat dan ditandatangani. Jawabannya akan muncul di halaman ini."),
          "success")
    return redirect(url_for("asn.process", pid=pid, _anchor="keberatan"), code=303)


@bp.get(f"/proses/{PID}/tanda-terima")
@role_required(Role.ASN)
def receipt(pid: int) -> ResponseReturnValue:
    """My evidence record, the log entry that committed to it and its inclusion proof (JSON download)."""
    _, candidate = q.own_candidacy(db.session, pid, current_user.employee_id)
    body = q.receipt(db.session, pid, current_user.employee_id, moment=q.now())
    response = Response(body, content_type="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{q.receipt_filename(pid, candidate.pseudonym)}"'
    return response


@bp.get("/tanda-terima/cara-memeriksa")
@role_required(Role.ASN)
def receipt_help() -> ResponseReturnValue:
    """How anyone can check a receipt with the ``audit`` package alone."""
    return render_template("asn/receipt_help.html")
