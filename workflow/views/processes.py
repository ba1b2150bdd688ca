"""The process pages (``/proses``): the list, the detail, and the admin's, verifier's and PPK's actions.

Every view is thin (STYLE.md C14): parse the form, call ONE service with the signed-in account
(``current_user.account``) and the ``expected_basis`` the page was rendered with, then redirect
or render. A stale page gets 409 "the process changed, reload"; a refusal lists the service's
reasons in the reader's language, next to the field they concern where there is one.

Who may open what: staff (admin, PPK, verifier, inspector) see every process, committee members
and chairs only the processes where they hold a seat (404 otherwise; their own pages live under
``/komite``). The verifier's and the PPK's pages show candidate names, because checking identity
and appointing a person are their jobs; the detail page never does.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ParamSpec, TypeVar

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema
from werkzeug.routing import BuildError

from workflow import clock, ledger, services
from workflow.errors import InvalidInputError, NotFoundError
from workflow.extensions import db
from workflow.i18n import current_locale
from workflow.keystore import get_keystore
from workflow.lifecycle import (
    EVENT_LABELS,
    STAGE_LABELS,
    TERMINAL_STAGES,
    Event,
    ExclusionReason,
    Reason,
    Stage,
)
from workflow.models import Role
from workflow.models import process as m
from workflow.security import POLICIES, role_required
from workflow.services import NotPermittedError, RefusedError
from workflow.services._reasons import reason as make_reason
from workflow.views import process_queries as q
from workflow.views.errors import form_errors

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

bp = Blueprint("processes", __name__, url_prefix="/proses")

VIEW_ROLES = (Role.ADMIN, Role.PPK, Role.VERIFIER, Role.INSPECTOR, Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR)
# Ids beyond a 32-bit (process) or 63-bit (log entry) integer cannot exist; refusing them in the
# route keeps the database driver from ever seeing an out-of-range number.
PID = "<int(max=2147483647):pid>"
SEQ = "<int(max=9223372036854775807):seq>"
TEXT_MAX = 5000
_NO_CONTROL = re.compile(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")  # newlines and tabs are fine
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_UPLOAD_CHUNK = 1 << 16

# What each statement of a process is called on the timeline. ``process.<event>`` uses the
# lifecycle's event labels; the other actions are named here.
ACTION_LABELS: Mapping[str, Any] = {
    "process.create": lazy_gettext("Proses dibuat"),
    "committee.seat": lazy_gettext("Anggota panitia ditetapkan"),
    "committee.pledge": lazy_gettext("Pakta integritas dan pernyataan konflik kepentingan ditandatangani"),
    "committee.recuse": lazy_gettext("Anggota panitia mengundurkan diri dari penilaian"),
    "vote.commit": lazy_gettext("Suara tersegel dikirim"),
    "vote.reveal": lazy_gettext("Suara dibuka"),
    "objection.file": lazy_gettext("Sanggahan diajukan"),
    "objection.answer": lazy_gettext("Sanggahan dijawab"),
}
SERVICE_ACTION_LABELS: Mapping[str, Any] = {
    "create_process": lazy_gettext("Buat proses"),
    "seat_member": lazy_gettext("Tetapkan anggota panitia"),
    "sign_pledge": lazy_gettext("Tandatangani pakta integritas"),
    "recuse": lazy_gettext("Mengundurkan diri"),
}
ROUTE_LABELS: Mapping[str, Any] = {
    "talent": lazy_gettext("Jalur manajemen talenta"),
    "open": lazy_gettext("Seleksi terbuka"),
}
SEAT_LABELS: Mapping[str, Any] = {"chair": lazy_gettext("Ketua"), "member": lazy_gettext("Anggota")}
EXCLUSION_LABELS: Mapping[str, Any] = {
    ExclusionReason.ASSESSMENT_EXPIRED: lazy_gettext("Hasil asesmen sudah kedaluwarsa"),
    ExclusionReason.PROVIDER_NOT_ACCREDITED: lazy_gettext("Lembaga asesmen tidak terakreditasi"),
    ExclusionReason.JPM_BELOW_THRESHOLD: lazy_gettext("JPM di bawah ambang batas"),
    ExclusionReason.ASSESSMENT_MISSING: lazy_gettext("Tidak ada hasil asesmen"),
    ExclusionReason.DATA_MISMATCH: lazy_gettext("Data tidak cocok dengan dokumen"),
    ExclusionReason.OTHER_DOCUMENTED: lazy_gettext("Alasan lain (wajib dijelaskan)"),
}
# The admin's transition buttons on the detail page: event -> endpoint.
ADMIN_EVENTS: Mapping[Event, str] = {
    Event.FORM_COMMITTEE: "processes.form_committee",
    Event.NOMINATE_POOL: "processes.nominate",
    Event.SHORTLIST: "processes.shortlist",
    Event.ANNOUNCE: "processes.announce",
}


def utcnow() -> dt.datetime:
    """The time of an action, from ``workflow.clock`` (STYLE.md C9)."""
    return clock.now()


def _lang() -> str:
    return current_locale()


# --- template helpers ----------------------------------------------------------------------------


@bp.app_template_filter("process_stage_label")
def stage_label(value: object) -> str:
    """The reader-language label of a stage value (unknown values as they are)."""
    try:
        return STAGE_LABELS[Stage(str(value))].text(_lang())  # type: ignore[arg-type]
    except ValueError:
        return str(value or "")


@bp.app_template_filter("process_event_label")
def event_label(value: object) -> str:
    """An event's label; also names the services' other actions (seating, creating a process)."""
    try:
        return EVENT_LABELS[Event(str(value))].text(_lang())  # type: ignore[arg-type]
    except ValueError:
        label = SERVICE_ACTION_LABELS.get(str(value))
        return str(label) if label is not None else str(value)


@bp.app_template_filter("process_action_label")
def action_label(action: str | None) -> str:
    """A statement's action as the timeline names it."""
    if action is None:
        return gettext("Entri tidak terbaca")
    if action.startswith("process.") and action[len("process."):] in tuple(Event):
        return event_label(action[len("process."):])
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


@bp.app_template_filter("process_role_label")
def role_label(value: object) -> str:
    if str(value) == "system":
        return gettext("Sistem (dihitung otomatis)")
    try:
        return str(POLICIES[Role(str(value))].label)
    except ValueError:
        return str(value)


@bp.app_template_filter("process_reason")
def reason_text(value: Reason) -> str:
    """A refusal reason in the reader's language."""
    return value.message(_lang())  # type: ignore[arg-type]


@bp.app_template_filter("process_route_label")
def route_label(value: object) -> str:
    label = ROUTE_LABELS.get(str(value))
    return str(label) if label is not None else str(value)


@bp.app_template_filter("process_seat_label")
def seat_label(value: object) -> str:
    label = SEAT_LABELS.get(str(value))
    return str(label) if label is not None else str(value)


def committee_url(pid: int | None = None) -> str | None:
    """A link into the committee's own pages (``/komite``), if they are installed.

    The committee blueprint is another page author's; its endpoints are found by path so this
    module need not know their names: a GET rule under ``/komite`` taking exactly the process id,
    else the ``/komite`` index.
    """
    rules = sorted(
        (r for r in current_app.url_map.iter_rules() if r.rule.startswith("/komite") and "GET" in (r.methods or ())),
        key=lambda r: (len(r.rule), r.rule),
    )
    for rule in rules:
        args = sorted(rule.arguments)
        try:
            if pid is not None and len(args) == 1:
                return url_for(rule.endpoint, **{args[0]: pid})
            if not args:
                fallback = url_for(rule.endpoint)
                if pid is None:
                    return fallback
        except BuildError:
            continue
    return url_for(rules[0].endpoint) if rules and not rules[0].arguments else None


# --- parsing -------------------------------------------------------------------------------------


def _form(*keys: str) -> dict[str, str]:
    """The named form fields, stripped, leaving out empty ones (so optional fields may stay blank)."""
    out = {}
    for key in keys:
        value = request.form.get(key, "")
        if value.strip():
            out[key] = value.strip()
    return out


def _expected_basis() -> bytes:
    """The ``expected_basis`` hidden field: hex of the process's latest leaf hash as the page saw it.

    Raises:
        InvalidInputError: missing or not 64 hex digits (422; the page must be reloaded).
    """
    value = request.form.get("expected_basis", "").strip()
    if not _HEX64.fullmatch(value):
        raise InvalidInputError(
            gettext("Formulir ini tidak membawa keadaan proses yang Anda lihat. Muat ulang halaman proses."),
            {"expected_basis": [gettext("Muat ulang halaman, lalu kirim lagi.")]},
        )
    return bytes.fromhex(value)


def _text_field(required_message: Any, *, max_length: int = TEXT_MAX, required: bool = True) -> fields.String:
    return fields.String(
        required=required,
        **({} if required else {"load_default": ""}),
        error_messages={"required": required_message, "invalid": lazy_gettext("Isian tidak sah.")},
        validate=[
            validate.Length(max=max_length, error=lazy_gettext("Terlalu panjang (maksimal {max} karakter).")),
            validate.Regexp(_NO_CONTROL, error=lazy_gettext("Isian berisi karakter yang tidak sah.")),
        ],
    )


class _FormSchema(Schema):
    class Meta:
        unknown = EXCLUDE


class NewProcessSchema(_FormSchema):
    """``/proses/baru``: a vacant position, the route, the PPK and the planned appointment date."""

    position_id = fields.Integer(
        required=True, strict=False,
        error_messages={"required": lazy_gettext("Pilih jabatan yang lowong."),
                        "invalid": lazy_gettext("Pilih jabatan yang lowong.")},
        validate=validate.Range(min=1, max=2147483647, error=lazy_gettext("Pilih jabatan yang lowong.")),
    )
    route = fields.String(
        required=True,
        error_messages={"required": lazy_gettext("Pilih jalur pengisian.")},
        validate=validate.OneOf([str(r) for r in m.Route], error=lazy_gettext("Pilih jalur pengisian.")),
    )
    ppk_id = fields.Integer(
        load_default=None,
        error_messages={"invalid": lazy_gettext("Pilih akun PPK.")},
        validate=validate.Range(min=1, max=2147483647, error=lazy_gettext("Pilih akun PPK.")),
    )
    planned_appointment_on = fields.Date(
        load_default=None,
        error_messages={"invalid": lazy_gettext("Tulis tanggal sebagai TTTT-BB-HH, misalnya 2026-06-01.")},
    )


class SeatSchema(_FormSchema):
    """Seating one committee member (admin, while the process is a draft)."""

    user_id = fields.Integer(
        required=True,
        error_messages={"required": lazy_gettext("Pilih akun anggota panitia."),
                        "invalid": lazy_gettext("Pilih akun anggota panitia.")},
        validate=validate.Range(min=1, max=2147483647, error=lazy_gettext("Pilih akun anggota panitia.")),
    )
    seat = fields.String(
        load_default="member",
        validate=validate.OneOf(["chair", "member"], error=lazy_gettext("Pilih ketua atau anggota.")),
    )
    internal = fields.String(
        load_default="auto",
        validate=validate.OneOf(["auto", "internal", "external"], error=lazy_gettext("Pilih asal anggota.")),
    )


class CancelSchema(_FormSchema):
    cancel_reason = _text_field(lazy_gettext("Tuliskan alasan pembatalan."))


class AppointSchema(_FormSchema):
    """The PPK's decision: one recommended candidate, the decree, and what the rules may require."""

    appointee = fields.String(
        required=True,
        error_messages={"required": lazy_gettext("Pilih kandidat yang diangkat.")},
        validate=validate.Regexp(r"^[A-Za-z0-9-]{1,40}$", error=lazy_gettext("Pilih kandidat yang diangkat.")),
    )
    decree_number = _text_field(lazy_gettext("Tulis nomor keputusan."), max_length=100)
    decree_date = fields.Date(
        required=True,
        error_messages={"required": lazy_gettext("Tulis tanggal keputusan."),
                        "invalid": lazy_gettext("Tulis tanggal sebagai TTTT-BB-HH, misalnya 2026-06-01.")},
    )
    justification = _text_field(lazy_gettext("Tulis alasan."), required=False)
    approval_letter_digest = fields.String(
        load_default=None,
        validate=validate.Regexp(
            _HEX64, error=lazy_gettext("Digest SHA-256 terdiri atas 64 digit heksadesimal (0-9, a-f).")
        ),
    )

    @validates_schema
    def _decree_year(self, data: dict[str, Any], **kwargs: Any) -> None:
        day = data.get("decree_date")
        if isinstance(day, dt.date) and not 2000 <= day.year <= 2100:
            message = str(lazy_gettext("Tanggal keputusan di luar rentang yang masuk akal."))
            raise ValidationError({"decree_date": [message]})


def _load(schema: Schema, data: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """``(values, {})`` or ``({}, field errors)``."""
    try:
        return schema.load(data), {}
    except ValidationError as err:
        return {}, form_errors(err.messages)


def _reason_errors(reasons: Iterable[Reason], field_of: Callable[[Reason], str | None],
                   candidate_names: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """Refusal reasons as form errors: each next to its field, the rest above the form.

    ``candidate_names`` (pseudonym → name, on the pages that show names) renders the messages with
    names; the field is still found from the pseudonym.
    """
    out: dict[str, list[str]] = {}
    for r in reasons:
        shown = q.humanise([r], candidate_names, param="candidate")[0] if candidate_names else r
        out.setdefault(field_of(r) or "_form", []).append(shown.message(_lang()))  # type: ignore[arg-type]
    return out


# --- access and refusals -------------------------------------------------------------------------


def _visible_or_404(pid: int) -> m.Process:
    process = q.visible_process(db.session, current_user.account, pid)
    if process is None:
        abort(404)
    return process


def _process_or_404(pid: int) -> m.Process:
    process = db.session.get(m.Process, pid)
    if process is None:
        abort(404)
    return process


def _names(pid: int) -> dict[str, str]:
    process = db.session.get(m.Process, pid)
    return {} if process is None else q.person_names(services.process_view(db.session, process))


def refusals(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
    """Render a stale page (409), a refusal (409) or a denial (403) of a process action as a page.

    The global handlers would say the same in English; here the reasons come in the reader's
    language, with committee members' names, and a way back to the process.
    """

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
        pid = kwargs.get("pid")
        try:
            return view(*args, **kwargs)
        except ledger.StaleBasisError:
            return render_template("processes/stale.html", pid=pid, status=409), 409
        except (RefusedError, NotPermittedError) as exc:
            reasons = q.humanise(exc.reasons, _names(pid) if isinstance(pid, int) else {})
            return render_template(
                "processes/refused.html", pid=pid, reasons=reasons, action=exc.action, status=exc.status,
            ), exc.status

    return wrapped


def _done(pid: int, message: str, now: dt.datetime) -> ResponseReturnValue:
    """After a committed action: maybe sign a checkpoint, say what happened, go back to the process."""
    _checkpoint(now)
    flash(message, "success")
    return redirect(url_for("processes.detail", pid=pid), code=303)


def _checkpoint(now: dt.datetime) -> None:
    # The action is already committed; a checkpoint that fails now is signed by the next action
    # (or `flask audit checkpoint`), so it must never turn a done action into an error page.
    try:
        ledger.maybe_checkpoint(db.session, get_keystore().log_signer(), now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("checkpoint after a process action failed; the next action will sign one")


# --- the list and the detail ---------------------------------------------------------------------


@bp.get("")
@role_required(*VIEW_ROLES)
def index() -> ResponseReturnValue:
    """The processes the account may see: filter by stage, most recent activity first, 25 a page."""
    stage_arg = request.args.get("tahap", "")
    stage = None
    if stage_arg:
        try:
            stage = Stage(stage_arg)
        except ValueError:
            abort(400)
    page = request.args.get("halaman", 1, type=int) or 1
    account = current_user.account
    result = q.list_processes(db.session, account, stage=stage, page=page)
    return render_template(
        "processes/index.html", result=result, stage=stage, counts=q.stage_counts(db.session, account),
        stages=list(Stage), is_staff=q.is_staff(account), committee_link=committee_url(),
    )


def _detail_page(process: m.Process, *, errors: dict[str, list[str]] | None = None,
                 form: Mapping[str, str] | None = None, status: int = 200) -> ResponseReturnValue:
    account = current_user.account
    now = utcnow()
    detail = q.process_detail(db.session, process, account, now)
    entries = q.timeline(db.session, process.id)
    cancelled_from = next((e.from_state for e in reversed(entries) if e.to_state == Stage.CANCELLED), None)
    seated = {s.user_id for s in detail.seats}
    is_admin = account.has_role(Role.ADMIN)
    can_seat = is_admin and process.status == Stage.DRAFT
    html = render_template(
        "processes/detail.html",
        d=detail,
        p=process,
        entries=entries,
        cancelled_from=cancelled_from,
        errors=errors or {},
        form=form or {},
        is_admin=is_admin,
        admin_events=ADMIN_EVENTS,
        can_seat=can_seat,
        seat_choices=q.accounts_with(db.session, (Role.COMMITTEE_CHAIR, Role.COMMITTEE_MEMBER), exclude=seated)
        if can_seat else [],
        committee_link=committee_url(process.id) if account.id in seated else None,
        terminal=process.status in TERMINAL_STAGES,
    )
    return html, status


@bp.get(f"/{PID}")
@role_required(*VIEW_ROLES)
def detail(pid: int) -> ResponseReturnValue:
    """One process: where it stands, what blocks the next step, what the account may do, its log."""
    return _detail_page(_visible_or_404(pid))


@bp.get(f"/{PID}/pernyataan/{SEQ}")
@role_required(*VIEW_ROLES)
def statement(pid: int, seq: int) -> ResponseReturnValue:
    """One signed statement of the process, as it stands in the public log."""
    process = _visible_or_404(pid)
    found = q.statement(db.session, process.id, seq)
    if found is None:
        abort(404)
    return render_template("processes/statement.html", p=process, s=found)


# --- admin: create -------------------------------------------------------------------------------


def _new_page(errors: dict[str, list[str]], form: Mapping[str, str], status: int = 200) -> ResponseReturnValue:
    positions = q.vacant_positions(db.session)
    return render_template(
        "processes/new.html",
        positions=positions,
        position_options=[(pos.id, f"{pos.title} ({pos.code}) · {unit.name}") for pos, unit in positions],
        ppk_options=[(u.id, f"{u.display_name} ({u.affiliation})" if u.affiliation else u.display_name)
                     for u in q.accounts_with(db.session, (Role.PPK,))],
        route_options=[(str(r), route_label(r)) for r in m.Route],
        errors=errors,
        form=form,
        default_date=(utcnow().date() + dt.timedelta(days=90)).isoformat(),
    ), status


@bp.get("/baru")
@role_required(Role.ADMIN)
def new() -> ResponseReturnValue:
    return _new_page({}, {})


_CREATE_FIELDS = {
    "process.position_not_vacant": "position_id",
    "process.position_busy": "position_id",
    "process.route_unknown": "route",
    "process.ppk_not_ppk": "ppk_id",
}


@bp.post("/baru")
@role_required(Role.ADMIN)
@refusals
def create() -> ResponseReturnValue:
    raw = _form("position_id", "route", "ppk_id", "planned_appointment_on")
    data, errors = _load(NewProcessSchema(), raw)
    if errors:
        return _new_page(errors, raw, 422)
    now = utcnow()
    try:
        process = services.create_process(
            db.session, actor=current_user.account, position_id=data["position_id"], route=data["route"], now=now,
            planned_appointment_on=data["planned_appointment_on"], ppk_id=data["ppk_id"],
        )
    except NotFoundError:
        return _new_page({"position_id": [gettext("Jabatan itu tidak ada.")]}, raw, 422)
    except RefusedError as exc:
        return _new_page(_reason_errors(exc.reasons, lambda r: _CREATE_FIELDS.get(r.code)), raw, 409)
    return _done(process.id, gettext("Proses dibuat sebagai draf. Langkah berikutnya: tetapkan panitia seleksi."), now)


# --- admin: committee and the computed steps -----------------------------------------------------


_SEAT_FIELDS = {"committee.account_not_eligible": "user_id", "committee.already_seated": "user_id"}


@bp.post(f"/{PID}/panitia")
@role_required(Role.ADMIN)
@refusals
def seat(pid: int) -> ResponseReturnValue:
    """Seat one account on the committee (chair or member; internal, external or as its record says)."""
    process = _process_or_404(pid)
    raw = _form("user_id", "seat", "internal")
    data, errors = _load(SeatSchema(), raw)
    basis = _expected_basis()
    if errors:
        return _detail_page(process, errors=errors, form=raw, status=422)
    now = utcnow()
    internal = {"auto": None, "internal": True, "external": False}[data["internal"]]
    try:
        services.seat_member(
            db.session, pid, actor=current_user.account, user_id=data["user_id"], now=now, seat=data["seat"],
            internal=internal, expected_basis=basis,
        )
    except NotFoundError:
        return _detail_page(process, errors={"user_id": [gettext("Akun itu tidak ada.")]}, form=raw, status=422)
    except RefusedError as exc:
        errors = _reason_errors(exc.reasons, lambda r: _SEAT_FIELDS.get(r.code))
        return _detail_page(_process_or_404(pid), errors=errors, form=raw, status=409)
    return _done(pid, gettext("Anggota panitia ditetapkan. Ia perlu menandatangani pakta integritas."), now)


def _transition(pid: int, action: Callable[..., object], message: str) -> ResponseReturnValue:
    """A button that fires one admin transition: basis in, one service call, back to the process."""
    _process_or_404(pid)
    basis = _expected_basis()
    now = utcnow()
    action(db.session, pid, actor=current_user.account, now=now, expected_basis=basis)
    return _done(pid, message, now)


@bp.post(f"/{PID}/bentuk-panitia")
@role_required(Role.ADMIN)
@refusals
def form_committee(pid: int) -> ResponseReturnValue:
    return _transition(pid, services.form_committee, gettext("Panitia seleksi dibentuk."))


@bp.post(f"/{PID}/nominasi")
@role_required(Role.ADMIN)
@refusals
def nominate(pid: int) -> ResponseReturnValue:
    return _transition(
        pid, services.nominate_pool,
        gettext("Kandidat dinominasikan dari data merit yang dikunci. Langkah berikutnya: verifikasi kompetensi."),
    )


@bp.post(f"/{PID}/daftar-pendek")
@role_required(Role.ADMIN)
@refusals
def shortlist(pid: int) -> ResponseReturnValue:
    return _transition(pid, services.shortlist, gettext("Daftar pendek dihitung dan ditetapkan."))


@bp.post(f"/{PID}/umumkan")
@role_required(Role.ADMIN)
@refusals
def announce(pid: int) -> ResponseReturnValue:
    return _transition(pid, services.announce, gettext("Hasil diumumkan. Masa sanggah dimulai."))


@bp.post(f"/{PID}/batal")
@role_required(Role.ADMIN, Role.PPK)
@refusals
def cancel(pid: int) -> ResponseReturnValue:
    """Cancel the process (admin or PPK); the reason is required and goes into the log as a digest."""
    process = _visible_or_404(pid)
    raw = {"cancel_reason": request.form.get("cancel_reason", "")}
    data, errors = _load(CancelSchema(), _form("cancel_reason"))
    basis = _expected_basis()
    if errors:
        return _detail_page(process, errors=errors, form=raw, status=422)
    now = utcnow()
    services.cancel_process(
        db.session, pid, actor=current_user.account, reason_text=data["cancel_reason"], now=now, expected_basis=basis
    )
    return _done(pid, gettext("Proses dibatalkan."), now)


# --- verifier ------------------------------------------------------------------------------------


def _verify_field(r: Reason) -> str | None:
    candidate = r.params.get("candidate")
    kind = {
        "verification.missing": "decision",
        "verification.reason_missing": "reason",
        "verification.reason_unknown": "reason",
        "verification.note_missing": "note",
    }.get(r.code)
    return f"{kind}-{candidate}" if kind and candidate else None


def _verify_page(process: m.Process, *, errors: dict[str, list[str]] | None = None,
                 form: Mapping[str, str] | None = None, status: int = 200) -> ResponseReturnValue:
    state = services.process_view(db.session, process)
    blockers = q.own_blockers(state, current_user.account, Event.VERIFY_COMPETENCY)
    return render_template(
        "processes/verify.html",
        p=process,
        rows=q.verification_rows(db.session, process),
        basis=state.basis.hex(),
        open=process.status == Stage.POOL_NOMINATED,
        blockers=q.humanise(blockers, q.person_names(state)),
        reasons=[(str(code), EXCLUSION_LABELS[code]) for code in ExclusionReason],
        reason_labels={str(code): EXCLUSION_LABELS[code] for code in ExclusionReason},
        errors=errors or {},
        form=form or {},
    ), status


@bp.get(f"/{PID}/verifikasi")
@role_required(Role.VERIFIER)
def verify_form(pid: int) -> ResponseReturnValue:
    """Each pool candidate with name, NIP and assessment facts; confirm or exclude with a reason."""
    return _verify_page(_process_or_404(pid))


@bp.post(f"/{PID}/verifikasi")
@role_required(Role.VERIFIER)
@refusals
def verify(pid: int) -> ResponseReturnValue:
    """All decisions in one POST, one ``verify_competency`` call."""
    process = _process_or_404(pid)
    pool = [c.pseudonym for c in services.process_view(db.session, process).candidates]
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    errors: dict[str, list[str]] = {}
    decisions = {}
    codes = {str(c) for c in ExclusionReason}
    # Outside its stage the service refuses the whole action (409); only then are fields checked.
    for p in pool if process.status == Stage.POOL_NOMINATED else ():
        choice = request.form.get(f"decision-{p}", "")
        reason = request.form.get(f"reason-{p}", "").strip()
        note = request.form.get(f"note-{p}", "").strip()
        if choice not in ("confirmed", "excluded"):
            errors[f"decision-{p}"] = [gettext("Pilih: dikonfirmasi atau dikeluarkan.")]
        elif choice == "excluded" and reason not in codes:
            errors[f"reason-{p}"] = [gettext("Pilih alasan pengecualian.")]
        elif len(note) > TEXT_MAX or not _NO_CONTROL.fullmatch(note):
            errors[f"note-{p}"] = [gettext("Catatan terlalu panjang atau berisi karakter yang tidak sah.")]
        else:
            decisions[p] = services.CompetencyDecision(
                confirmed=choice == "confirmed", reason=reason if choice == "excluded" else None, note=note,
            )
    basis = _expected_basis()
    if errors:
        return _verify_page(process, errors=errors, form=form, status=422)
    now = utcnow()
    try:
        services.verify_competency(
            db.session, pid, actor=current_user.account, decisions=decisions, now=now, expected_basis=basis
        )
    except RefusedError as exc:
        if any(r.code == "stage.illegal_event" for r in exc.reasons):
            raise
        process = _process_or_404(pid)
        names = {row.pseudonym: row.name for row in q.verification_rows(db.session, process)}
        errors = _reason_errors(exc.reasons, _verify_field, names)
        return _verify_page(process, errors=errors, form=form, status=409)
    return _done(pid, gettext("Verifikasi kompetensi dicatat dan ditandatangani."), now)


# --- PPK -----------------------------------------------------------------------------------------


_APPOINT_FIELDS = {
    "appoint.appointee_missing": "appointee",
    "appoint.not_recommended": "appointee",
    "appoint.unknown_candidate": "appointee",
    "appoint.justification_required": "justification",
    "appoint.decree_missing": "decree_number",
    "appoint.decree_backdated": "decree_date",
    "appoint.pilkada_approval_missing": "approval_letter_digest",
    "appoint.approval_digest_invalid": "approval_letter_digest",
}


def _own_process_or_403(pid: int) -> m.Process:
    """The process, if no other PPK is designated for it (another PPK may not see the candidates)."""
    process = _process_or_404(pid)
    if process.ppk_id is not None and process.ppk_id != current_user.account.id:
        who = current_user.account.display_name
        raise NotPermittedError(str(Event.APPOINT), [make_reason("role.not_process_ppk", person=who)])
    return process


def _appoint_page(process: m.Process, *, errors: dict[str, list[str]] | None = None,
                  form: Mapping[str, str] | None = None, status: int = 200) -> ResponseReturnValue:
    state = services.process_view(db.session, process)
    now = utcnow()
    offer = q.offers(state, current_user.account, now).get(Event.APPOINT)
    windows = services.parse_pilkada_windows(current_app.config.get("PILKADA_WINDOWS"))
    today = now.astimezone(state.rules.local_tz).date()
    return render_template(
        "processes/appoint.html",
        p=process,
        rows=q.recommendation_rows(db.session, process),
        basis=state.basis.hex(),
        open=process.status == Stage.OBJECTIONS_RESOLVED,
        blockers=q.humanise(offer.blockers, q.person_names(state)) if offer else [],
        windows=windows,
        in_window=any(w.start <= today <= w.end for w in windows),
        errors=errors or {},
        form=form or {},
    ), status


@bp.get(f"/{PID}/penetapan")
@role_required(Role.PPK)
@refusals
def appoint_form(pid: int) -> ResponseReturnValue:
    """The committee's recommendation, ranked with scores, and the decree form."""
    return _appoint_page(_own_process_or_403(pid))


def _letter_digest() -> str | None:
    """SHA-256 (hex) of an uploaded approval letter, read in chunks and never stored."""
    upload = request.files.get("approval_letter")
    if upload is None or not upload.filename:
        return None
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.stream.read(_UPLOAD_CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


@bp.post(f"/{PID}/penetapan")
@role_required(Role.PPK)
@refusals
def appoint(pid: int) -> ResponseReturnValue:
    """Appoint one recommended candidate by decree; a non-rank-1 choice needs a written justification."""
    process = _own_process_or_403(pid)
    raw = _form("appointee", "decree_number", "decree_date", "justification", "approval_letter_digest")
    form = {**raw, "justification": request.form.get("justification", "")}
    data, errors = _load(AppointSchema(), raw)
    uploaded = _letter_digest()
    typed = data.get("approval_letter_digest")
    if uploaded and typed and uploaded != typed.lower():
        errors.setdefault("approval_letter_digest", []).append(
            gettext("Digest yang diketik tidak sama dengan digest berkas yang diunggah.")
        )
    basis = _expected_basis()
    if errors:
        return _appoint_page(process, errors=errors, form=form, status=422)
    digest = uploaded or (typed.lower() if typed else None)
    now = utcnow()
    try:
        services.appoint(
            db.session, pid, actor=current_user.account, appointee=data["appointee"],
            decree_number=data["decree_number"], decree_date=data["decree_date"], now=now,
            justification=data["justification"], approval_letter_digest=digest,
            pilkada_windows=services.parse_pilkada_windows(current_app.config.get("PILKADA_WINDOWS")),
            expected_basis=basis,
        )
    except RefusedError as exc:
        if any(r.code == "stage.illegal_event" for r in exc.reasons):
            raise
        if digest:
            form["approval_letter_digest"] = digest
        process = _process_or_404(pid)
        names = {row.pseudonym: row.name for row in q.recommendation_rows(db.session, process)}
        errors = _reason_errors(exc.reasons, lambda r: _APPOINT_FIELDS.get(r.code), names)
        return _appoint_page(process, errors=errors, form=form, status=409)
    return _done(pid, gettext("Pengangkatan dicatat dan ditandatangani. Jabatan kini terisi."), now)
