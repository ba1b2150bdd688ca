"""The admin's data pages: units, positions (requirements, standards, vacancy), merit import, accounts.

Every route is for admins only. Views parse the form (``admin_schemas``), call one service
(``workflow.services.admin_data``, ``workflow.services.accounts`` through it, the merit import)
and redirect or render. A form with bad input is shown again with each problem next to its
field (422, nothing changed); a refusal (409) or a missing signing key (403) gets a page that
says why, in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Mapping
from typing import Any, Final

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from workflow import clock
from workflow.extensions import db
from workflow.i18n import current_locale
from workflow.importing import MeritImportError, UnsupportedFormatError
from workflow.models import Role
from workflow.reference import COMPETENCIES, MANAGERIAL_COMPETENCIES, PANGKAT, Education, Golongan, PositionType
from workflow.security import POLICIES, hash_password, role_required, wants_json
from workflow.services import NotPermittedError, RefusedError
from workflow.services import admin_data as services
from workflow.views import admin_queries as queries
from workflow.views.admin_schemas import (
    AccountSchema,
    PositionSchema,
    RevokeKeySchema,
    RolesSchema,
    StandardsSchema,
    UnitSchema,
    VersionSchema,
    form_data,
    uploaded_file,
)
from workflow.views.errors import error_response, form_errors

bp = Blueprint("admin", __name__, url_prefix="/admin")

IMPORT_MAX_BYTES: Final = 20 * 1024 * 1024  # config ADMIN_IMPORT_MAX_BYTES overrides
PROBLEMS_SHOWN: Final = 1000
PROBLEMS_PER_GROUP: Final = 100
# A generated first password: no look-alike characters (0/O, 1/l/I), 16 of 54 symbols ≈ 92 bits.
PASSWORD_ALPHABET: Final = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"  # noqa: S105

TYPE_LABELS: Final[Mapping[str, Any]] = {
    PositionType.JPT_MADYA: lazy_gettext("JPT Madya"),
    PositionType.JPT_PRATAMA: lazy_gettext("JPT Pratama"),
    PositionType.ADMINISTRATOR: lazy_gettext("Administrator"),
    PositionType.PENGAWAS: lazy_gettext("Pengawas"),
    PositionType.FUNGSIONAL: lazy_gettext("Fungsional"),
    PositionType.PELAKSANA: lazy_gettext("Pelaksana"),
}
COMPETENCY_LABELS: Final[Mapping[str, Any]] = {
    "integritas": lazy_gettext("Integritas"),
    "kerjasama": lazy_gettext("Kerja sama"),
    "komunikasi": lazy_gettext("Komunikasi"),
    "orientasi_hasil": lazy_gettext("Orientasi pada hasil"),
    "pelayanan_publik": lazy_gettext("Pelayanan publik"),
    "pengembangan_diri": lazy_gettext("Pengembangan diri dan orang lain"),
    "mengelola_perubahan": lazy_gettext("Mengelola perubahan"),
    "pengambilan_keputusan": lazy_gettext("Pengambilan keputusan"),
    "sosial_kultural": lazy_gettext("Sosial kultural"),
    "teknis": lazy_gettext("Teknis"),
}
REVOKE_LABELS: Final[Mapping[str, Any]] = {
    "compromised": lazy_gettext("Kunci bocor atau diduga bocor"),
    "device_lost": lazy_gettext("Perangkat atau akses hilang"),
    "left_agency": lazy_gettext("Pemilik akun pindah atau berhenti"),
    "role_ended": lazy_gettext("Tugas pemilik akun sudah selesai"),
    "other": lazy_gettext("Alasan lain (catat di arsip BKD, bukan di sini)"),
}


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "TYPE_LABELS": TYPE_LABELS,
        "COMPETENCY_LABELS": COMPETENCY_LABELS,
        "MANAGERIAL_COMPETENCIES": MANAGERIAL_COMPETENCIES,
        "COMPETENCIES": COMPETENCIES,
        "REVOKE_LABELS": REVOKE_LABELS,
        "GOLONGAN_OPTIONS": [(g.value, f"{g.value} — {PANGKAT[g]}") for g in Golongan],
        "EDUCATION_OPTIONS": [(e.value, e.value) for e in Education],
        "ROLE_OPTIONS": [(r.value, POLICIES[r].label) for r in Role],
    }


def _now() -> dt.datetime:
    return clock.now().replace(microsecond=0)


def _actor() -> Any:
    return current_user.account


def _page_number() -> int:
    return max(1, request.args.get("hal", default=1, type=int) or 1)


def _errors(err: ValidationError | services.DataInputError) -> dict[str, list[str]]:
    """Problems keyed by form field, in the reader's language."""
    if isinstance(err, services.DataInputError):
        lang = current_locale()
        return {name: [r.message(lang) for r in reasons] for name, reasons in err.reasons.items()}
    errors: dict[str, list[str]] = {}
    for key, messages in form_errors(err.messages).items():
        name, _, index = key.partition(".")
        # A problem with one item of a list (a checkbox) belongs to the list's field.
        errors.setdefault(name if index.isdigit() else key, []).extend(messages)
    if "version" in errors:  # a hidden field: the page itself is what is wrong
        errors["_form"] = [gettext("Halaman ini tidak utuh. Muat ulang halaman, lalu coba lagi.")]
        del errors["version"]
    return errors


# --- upload limit, refusals ------------------------------------------------------------------------


@bp.url_value_preprocessor
def _upload_limit(endpoint: str | None, values: dict[str, Any] | None) -> None:
    # Runs before every before_request hook, so the CSRF check's form parsing is already bounded.
    if endpoint == "admin.import_upload":
        request.max_content_length = int(current_app.config.get("ADMIN_IMPORT_MAX_BYTES", IMPORT_MAX_BYTES))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge) -> ResponseReturnValue:
    limit = int(current_app.config.get("ADMIN_IMPORT_MAX_BYTES", IMPORT_MAX_BYTES))
    megabytes = max(1, limit // (1024 * 1024))
    if wants_json():
        return error_response(413, "RequestEntityTooLarge", f"The upload is larger than {megabytes} MB.")
    return render_template("admin/too_large.html", megabytes=megabytes), 413


def _back_url() -> str:
    args = request.view_args or {}
    if "position_id" in args:
        return url_for("admin.position", position_id=args["position_id"])
    if "user_id" in args:
        return url_for("admin.account", user_id=args["user_id"])
    if "unit_id" in args:
        return url_for("admin.edit_unit", unit_id=args["unit_id"])
    return url_for("admin.index")


@bp.errorhandler(RefusedError)
@bp.errorhandler(NotPermittedError)
def _refused(exc: RefusedError | NotPermittedError) -> ResponseReturnValue:
    status = 403 if isinstance(exc, NotPermittedError) else 409
    if wants_json():
        return error_response(status, type(exc).__name__, str(exc), {"reasons": [r.as_dict() for r in exc.reasons]})
    lang = current_locale()
    messages = [r.message(lang) for r in exc.reasons]
    return render_template("admin/refused.html", status=status, messages=messages, back=_back_url()), status


@bp.errorhandler(services.StaleViewError)
def _stale(exc: services.StaleViewError) -> ResponseReturnValue:
    if wants_json():
        return error_response(409, "StaleViewError", str(exc))
    messages = [gettext("Data ini diubah orang lain (atau di tab lain) setelah halaman Anda dibuka. Tidak ada yang "
                        "disimpan. Buka lagi halamannya, periksa keadaan terbaru, lalu ulangi bila masih perlu.")]
    return render_template("admin/refused.html", status=409, messages=messages, back=_back_url()), 409


# --- front page ------------------------------------------------------------------------------------


@bp.get("/")
@role_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    return render_template("admin/index.html", counts=queries.counts(db.session))


# --- units -----------------------------------------------------------------------------------------


@bp.get("/unit")
@role_required(Role.ADMIN)
def units() -> ResponseReturnValue:
    q = request.args.get("q", "").strip()[:100]
    page = queries.units(db.session, q=q, page=_page_number())
    return render_template("admin/units.html", page=page, q=q)


Errors = Mapping[str, list[str]]


def _unit_form(unit: Any, form: Mapping[str, Any], errors: Errors, status: int = 200) -> ResponseReturnValue:
    options = queries.unit_options(db.session, exclude=None if unit is None else unit.id)
    return render_template("admin/unit_form.html", unit=unit, form=form, errors=errors, options=options), status


@bp.get("/unit/baru")
@role_required(Role.ADMIN)
def new_unit() -> ResponseReturnValue:
    return _unit_form(None, {}, {})


@bp.post("/unit/baru")
@role_required(Role.ADMIN)
def create_unit() -> ResponseReturnValue:
    try:
        data = UnitSchema().load(form_data(request.form))
        unit = services.create_unit(db.session, actor=_actor(), now=_now(), **data)
    except (ValidationError, services.DataInputError) as err:
        return _unit_form(None, request.form, _errors(err), 422)
    flash(gettext("Unit %(code)s dibuat.", code=unit.code), "success")
    return redirect(url_for("admin.units", q=unit.code), code=303)


@bp.get("/unit/<int:unit_id>")
@role_required(Role.ADMIN)
def edit_unit(unit_id: int) -> ResponseReturnValue:
    unit = queries.unit(db.session, unit_id) or abort(404)
    form = {"code": unit.code, "name": unit.name, "parent_id": unit.parent_id or ""}
    return _unit_form(unit, form, {})


@bp.post("/unit/<int:unit_id>")
@role_required(Role.ADMIN)
def update_unit(unit_id: int) -> ResponseReturnValue:
    unit = queries.unit(db.session, unit_id) or abort(404)
    try:
        data = UnitSchema().load(form_data(request.form))
        services.update_unit(db.session, unit_id, actor=_actor(), now=_now(), **data)
    except (ValidationError, services.DataInputError) as err:
        return _unit_form(unit, request.form, _errors(err), 422)
    flash(gettext("Unit %(code)s disimpan.", code=data["code"]), "success")
    return redirect(url_for("admin.units", q=data["code"]), code=303)


# --- positions -------------------------------------------------------------------------------------


def _position_filters() -> dict[str, Any]:
    kind = request.args.get("jenis", "")
    vacant = {"ya": True, "tidak": False}.get(request.args.get("lowong", ""))
    return {
        "q": request.args.get("q", "").strip()[:100],
        "position_type": kind if kind in set(PositionType) else None,
        "unit_id": request.args.get("unit", type=int),
        "vacant": vacant,
    }


@bp.get("/jabatan")
@role_required(Role.ADMIN)
def positions() -> ResponseReturnValue:
    filters = _position_filters()
    page = queries.positions(db.session, page=_page_number(), **filters)
    args = {k: v for k, v in request.args.items() if k in {"q", "jenis", "unit", "lowong"} and v}
    return render_template(
        "admin/positions.html", page=page, filters=filters, args=args, units=queries.unit_options(db.session)
    )


def _split_standards(form: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The position form's own fields, and its competency levels (the standards schema's)."""
    own = {k: v for k, v in form.items() if k not in COMPETENCIES}
    levels = {k: v for k, v in form.items() if k in COMPETENCIES}
    return own, levels


def _standards(data: Mapping[str, Any]) -> dict[str, int]:
    return {name: level for name, level in data.items() if name in COMPETENCIES and level is not None}


def _new_position_form(form: Mapping[str, Any], errors: Errors, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "admin/position_new.html", form=form, errors=errors, units=queries.unit_options(db.session)
    ), status


@bp.get("/jabatan/baru")
@role_required(Role.ADMIN)
def new_position() -> ResponseReturnValue:
    return _new_position_form({"unit_id": request.args.get("unit", "")}, {})


@bp.post("/jabatan/baru")
@role_required(Role.ADMIN)
def create_position() -> ResponseReturnValue:
    own, levels = _split_standards(form_data(request.form))
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {}
    standards: dict[str, Any] = {}
    try:
        data = PositionSchema().load(own)
    except ValidationError as err:
        errors |= _errors(err)
    try:
        standards = StandardsSchema().load(levels)
    except ValidationError as err:
        errors |= _errors(err)
    if not errors:
        data.pop("version", None)
        try:
            position = services.create_position(
                db.session, actor=_actor(), now=_now(), standards=_standards(standards), **data
            )
        except services.DataInputError as err:
            errors = _errors(err)
    if errors:
        return _new_position_form(request.form, errors, 422)
    flash(gettext("Jabatan %(code)s dibuat.", code=position.code), "success")
    return redirect(url_for("admin.position", position_id=position.id), code=303)


def _position_page(
    position_id: int,
    *,
    form: Mapping[str, Any] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    standard_form: Mapping[str, Any] | None = None,
    standard_errors: Mapping[str, list[str]] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    view = queries.position(db.session, position_id) or abort(404)
    p = view.position
    if form is None:
        form = {
            "code": p.code, "title": p.title, "type": str(p.type), "unit_id": p.unit_id,
            "min_golongan": p.min_golongan or "", "min_education": p.min_education or "",
            "min_experience_years": p.min_experience_years,
        }
    if standard_form is None:
        standard_form = {name: view.standards.get(name, "") for name in COMPETENCIES}
    return render_template(
        "admin/position.html", view=view, form=form, errors=errors or {}, standard_form=standard_form,
        standard_errors=standard_errors or {}, units=queries.unit_options(db.session),
    ), status


@bp.get("/jabatan/<int:position_id>")
@role_required(Role.ADMIN)
def position(position_id: int) -> ResponseReturnValue:
    return _position_page(position_id)


@bp.post("/jabatan/<int:position_id>")
@role_required(Role.ADMIN)
def update_position(position_id: int) -> ResponseReturnValue:
    try:
        data = PositionSchema().load(form_data(request.form))
        version = data.pop("version")
        changed = services.update_position(
            db.session, position_id, actor=_actor(), now=_now(), expected_version=version, **data
        )
    except (ValidationError, services.DataInputError) as err:
        return _position_page(position_id, form=request.form, errors=_errors(err), status=422)
    if changed:
        flash(gettext("Perubahan jabatan disimpan."), "success")
    else:
        flash(gettext("Tidak ada yang berubah."), "info")
    return redirect(url_for("admin.position", position_id=position_id), code=303)


@bp.post("/jabatan/<int:position_id>/standar")
@role_required(Role.ADMIN)
def set_standards(position_id: int) -> ResponseReturnValue:
    try:
        data = StandardsSchema().load(form_data(request.form))
        version = data.pop("version")
        changed = services.set_standards(
            db.session, position_id, actor=_actor(), now=_now(), standards=_standards(data), expected_version=version
        )
    except (ValidationError, services.DataInputError) as err:
        return _position_page(position_id, standard_form=request.form, standard_errors=_errors(err), status=422)
    if changed:
        flash(gettext("Standar kompetensi disimpan dan dicatat di log publik."), "success")
    else:
        flash(gettext("Tidak ada yang berubah."), "info")
    return redirect(url_for("admin.position", position_id=position_id), code=303)


def _version_field() -> str | None:
    try:
        return VersionSchema().load(form_data(request.form))["version"]
    except ValidationError:
        abort(400)


@bp.post("/jabatan/<int:position_id>/lowongan/buka")
@role_required(Role.ADMIN)
def open_vacancy(position_id: int) -> ResponseReturnValue:
    services.open_vacancy(db.session, position_id, actor=_actor(), now=_now(), expected_version=_version_field())
    flash(gettext("Lowongan dibuka dan dicatat di log publik."), "success")
    return redirect(url_for("admin.position", position_id=position_id), code=303)


@bp.post("/jabatan/<int:position_id>/lowongan/tutup")
@role_required(Role.ADMIN)
def close_vacancy(position_id: int) -> ResponseReturnValue:
    services.close_vacancy(db.session, position_id, actor=_actor(), now=_now(), expected_version=_version_field())
    flash(gettext("Lowongan ditutup dan dicatat di log publik."), "success")
    return redirect(url_for("admin.position", position_id=position_id), code=303)


# --- merit import ----------------------------------------------------------------------------------


def _where(location: str) -> str:
    """The importer's ``line 7`` (CSV) in the reader's language; ``records[6]`` and ``file`` as they are."""
    match = re.fullmatch(r"line (\d+)", location)
    return gettext("baris %(n)s", n=match.group(1)) if match else location


def _import_page(**values: Any) -> str:
    limit = int(current_app.config.get("ADMIN_IMPORT_MAX_BYTES", IMPORT_MAX_BYTES))
    return render_template("admin/import.html", megabytes=max(1, limit // (1024 * 1024)), where=_where, **values)


@bp.get("/impor")
@role_required(Role.ADMIN)
def import_form() -> ResponseReturnValue:
    return _import_page(errors={})


@bp.post("/impor")
@role_required(Role.ADMIN)
def import_upload() -> ResponseReturnValue:
    try:
        name, content = uploaded_file(request.files)
        report = services.import_merit_file(db.session, actor=_actor(), name=name, content=content, now=_now())
    except ValidationError as err:
        return _import_page(errors=_errors(err)), 422
    except UnsupportedFormatError:
        return _import_page(errors={"file": [gettext("Nama berkas harus berakhiran .csv atau .json.")]}), 422
    except MeritImportError as err:
        problems = err.problems[:PROBLEMS_SHOWN]
        groups = [problems[i : i + PROBLEMS_PER_GROUP] for i in range(0, len(problems), PROBLEMS_PER_GROUP)]
        by_field: dict[str, int] = {}
        for problem in err.problems:
            by_field[problem.field or "-"] = by_field.get(problem.field or "-", 0) + 1
        return _import_page(
            errors={}, name=name, total=len(err.problems), shown=len(problems), groups=groups,
            group_size=PROBLEMS_PER_GROUP,
            by_field=sorted(by_field.items(), key=lambda item: (-item[1], item[0])),
        ), 422
    return _import_page(errors={}, name=name, report=report)


# --- accounts --------------------------------------------------------------------------------------


@bp.get("/akun")
@role_required(Role.ADMIN)
def accounts() -> ResponseReturnValue:
    role = request.args.get("peran", "")
    active = {"aktif": True, "nonaktif": False}.get(request.args.get("status", ""))
    q = request.args.get("q", "").strip()[:100]
    page = queries.accounts(
        db.session, q=q, role=role if role in set(Role) else None, active=active, page=_page_number()
    )
    args = {k: v for k, v in request.args.items() if k in {"q", "peran", "status"} and v}
    return render_template("admin/accounts.html", page=page, q=q, role=role, status=request.args.get("status", ""),
                           args=args)


def _new_account_form(form: Mapping[str, Any], errors: Errors, status: int = 200) -> ResponseReturnValue:
    selected = form.getlist("roles") if hasattr(form, "getlist") else list(form.get("roles", []))
    return render_template("admin/account_new.html", form=form, errors=errors, selected=selected), status


@bp.get("/akun/baru")
@role_required(Role.ADMIN)
def new_account() -> ResponseReturnValue:
    return _new_account_form({"affiliation": "internal"}, {})


def _generated_password() -> str:
    raw = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


@bp.post("/akun/baru")
@role_required(Role.ADMIN)
def create_account() -> ResponseReturnValue:
    try:
        data = AccountSchema().load(form_data(request.form, "roles"))
        password = data.pop("password") or _generated_password()
        user = services.create_account(
            db.session, actor=_actor(), now=_now(), password_hash=hash_password(password),
            **{**data, "affiliation": data.get("affiliation") or ""},
        )
    except (ValidationError, services.DataInputError) as err:
        return _new_account_form(request.form, _errors(err), 422)
    # Shown once, on this response only: never flashed (the session cookie is readable by its holder
    # and travels with every request) and never stored.
    shown = None if request.form.get("password", "").strip() else password
    return render_template("admin/account_created.html", user=user, password=shown)


def _account_page(user_id: int, *, errors: Mapping[str, list[str]] | None = None, status: int = 200,
                  selected: list[str] | None = None) -> ResponseReturnValue:
    view = queries.account(db.session, user_id) or abort(404)
    return render_template(
        "admin/account.html", view=view, errors=errors or {}, selected=selected or [r.value for r in view.roles],
        is_self=view.user.id == current_user.id,
    ), status


@bp.get("/akun/<int:user_id>")
@role_required(Role.ADMIN)
def account(user_id: int) -> ResponseReturnValue:
    return _account_page(user_id)


@bp.post("/akun/<int:user_id>/peran")
@role_required(Role.ADMIN)
def set_roles(user_id: int) -> ResponseReturnValue:
    try:
        data = RolesSchema().load(form_data(request.form, "roles"))
    except ValidationError as err:
        return _account_page(user_id, errors=_errors(err), status=422, selected=request.form.getlist("roles"))
    changed = services.set_roles(
        db.session, user_id, actor=_actor(), roles=data["roles"], now=_now(), expected_version=data["version"]
    )
    if changed:
        flash(gettext("Peran akun disimpan dan dicatat di log publik."), "success")
    else:
        flash(gettext("Tidak ada yang berubah."), "info")
    return redirect(url_for("admin.account", user_id=user_id), code=303)


@bp.post("/akun/<int:user_id>/nonaktifkan")
@role_required(Role.ADMIN)
def deactivate(user_id: int) -> ResponseReturnValue:
    services.set_active(db.session, user_id, actor=_actor(), active=False, now=_now(),
                        expected_version=_version_field())
    flash(gettext("Akun dinonaktifkan: sesi pemiliknya berakhir dan ia tidak bisa masuk."), "success")
    return redirect(url_for("admin.account", user_id=user_id), code=303)


@bp.post("/akun/<int:user_id>/aktifkan")
@role_required(Role.ADMIN)
def reactivate(user_id: int) -> ResponseReturnValue:
    services.set_active(db.session, user_id, actor=_actor(), active=True, now=_now(),
                        expected_version=_version_field())
    flash(gettext("Akun diaktifkan kembali."), "success")
    return redirect(url_for("admin.account", user_id=user_id), code=303)


@bp.post("/akun/<int:user_id>/kunci/cabut")
@role_required(Role.ADMIN)
def revoke_key(user_id: int) -> ResponseReturnValue:
    try:
        data = RevokeKeySchema().load(form_data(request.form))
    except ValidationError as err:
        return _account_page(user_id, errors=_errors(err), status=422)
    services.revoke_key(db.session, user_id, actor=_actor(), reason_code=data["reason"], now=_now())
    flash(gettext("Kunci tanda tangan dicabut; pencabutan dicatat di log publik."), "success")
    return redirect(url_for("admin.account", user_id=user_id), code=303)


@bp.post("/akun/<int:user_id>/kunci/baru")
@role_required(Role.ADMIN)
def enrol_key(user_id: int) -> ResponseReturnValue:
    services.enrol_key(db.session, user_id, actor=_actor(), now=_now())
    flash(gettext("Kunci tanda tangan baru didaftarkan di log publik."), "success")
    return redirect(url_for("admin.account", user_id=user_id), code=303)
