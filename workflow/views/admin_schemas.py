"""Request schemas of the admin's data pages, one per form (STYLE.md C6).

Strict: a field the form does not have is refused. Texts are trimmed and an empty optional field
is "no value". Messages say which field and why, in Indonesian through ``lazy_gettext`` (rendered
with ``views.errors.form_errors``). Existence and uniqueness are the services' checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext
from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates
from werkzeug.datastructures import FileStorage, MultiDict

from workflow.models import Role
from workflow.reference import (
    COMPETENCIES,
    COMPETENCY_LEVEL_MAX,
    COMPETENCY_LEVEL_MIN,
    Education,
    Golongan,
    PositionType,
)
from workflow.security import USERNAME_MAX_LENGTH, password_problem
from workflow.services.admin_data import REVOKE_REASONS

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"
MAX_EXPERIENCE_YEARS = 40


def _required() -> dict[str, Any]:
    return {
        "required": lazy_gettext("Wajib diisi."),
        "null": lazy_gettext("Wajib diisi."),
        "invalid": lazy_gettext("Isian tidak valid."),
    }


def _code(max_length: int = 32) -> fields.String:
    return fields.String(
        required=True,
        error_messages=_required(),
        validate=[
            validate.Length(max=max_length, error=lazy_gettext("Kode paling panjang {max} karakter.")),
            validate.Regexp(
                CODE_PATTERN,
                error=lazy_gettext(
                    "Kode hanya berisi huruf, angka, titik, garis miring, garis bawah, dan tanda hubung."
                ),
            ),
        ],
    )


def _text(max_length: int = 200) -> fields.String:
    return fields.String(
        required=True,
        error_messages=_required(),
        validate=validate.Length(min=1, max=max_length, error=lazy_gettext("Isi 1 sampai {max} karakter.")),
    )


def _choice(enum: type[Any], *, required: bool) -> fields.Enum:
    messages = {**_required(), "unknown": lazy_gettext("Pilih salah satu pilihan yang tersedia.")}
    if required:
        return fields.Enum(enum, by_value=True, required=True, error_messages=messages)
    return fields.Enum(enum, by_value=True, load_default=None, allow_none=True, error_messages=messages)


def _version() -> fields.String:
    # The digest of what the page showed (services.admin_data.position_version / account_version).
    return fields.String(load_default=None, validate=validate.Length(max=64))


class FormSchema(Schema):
    """Base: trim texts, an empty field is None, the CSRF token is the framework's, not ours."""

    class Meta:
        unknown = RAISE

    @pre_load
    def _clean(self, data: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
        # An empty field is an absent one: required fields say so, optional ones take their default.
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key == "csrf_token":
                continue
            if isinstance(value, str):
                value = value.strip() or None
            elif isinstance(value, list):
                value = [v.strip() if isinstance(v, str) else v for v in value]
                value = [v for v in value if v not in ("", None)] or None
            if value is not None:
                out[key] = value
        return out

    def handle_error(self, error: ValidationError, data: Any, **kwargs: Any) -> None:
        # A field the form does not have is a tampered request, not a typo to explain in place.
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        for key, texts in list(messages.items()):
            if texts == ["Unknown field."]:
                messages[key] = [lazy_gettext("Kolom ini tidak dikenal.")]
        raise ValidationError(messages)


class UnitSchema(FormSchema):
    code = _code()
    name = _text()
    parent_id = fields.Integer(
        load_default=None, allow_none=True, strict=False,
        error_messages={"invalid": lazy_gettext("Pilih unit induk dari daftar.")},
    )


class PositionSchema(FormSchema):
    code = _code()
    title = _text()
    type = _choice(PositionType, required=True)
    unit_id = fields.Integer(
        required=True, error_messages={**_required(), "invalid": lazy_gettext("Pilih unit dari daftar.")}
    )
    min_golongan = _choice(Golongan, required=False)
    min_education = _choice(Education, required=False)
    min_experience_years = fields.Integer(
        load_default=0,
        error_messages={"invalid": lazy_gettext("Isi angka tahun, misalnya 2."), "null": lazy_gettext("Wajib diisi.")},
        validate=validate.Range(
            min=0, max=MAX_EXPERIENCE_YEARS, error=lazy_gettext("Isi antara {min} dan {max} tahun.")
        ),
    )
    version = _version()


def _level() -> fields.Integer:
    return fields.Integer(
        load_default=None,
        allow_none=True,
        error_messages={"invalid": lazy_gettext("Isi level 1 sampai 5, atau kosongkan.")},
        validate=validate.Range(
            min=COMPETENCY_LEVEL_MIN, max=COMPETENCY_LEVEL_MAX, error=lazy_gettext("Level harus {min} sampai {max}.")
        ),
    )


StandardsSchema = FormSchema.from_dict(
    {**{name: _level() for name in COMPETENCIES}, "version": _version()}, name="StandardsSchema"
)


class VersionSchema(FormSchema):
    """A POST whose only input is the version of the page it came from (vacancy, activation)."""

    version = _version()


class AccountSchema(FormSchema):
    username = fields.String(
        required=True,
        error_messages=_required(),
        validate=[
            validate.Length(min=3, max=USERNAME_MAX_LENGTH, error=lazy_gettext("Isi 3 sampai {max} karakter.")),
            validate.Regexp(
                r"^[a-z0-9][a-z0-9._-]*$",
                error=lazy_gettext("Gunakan huruf kecil, angka, titik, garis bawah, atau tanda hubung, tanpa spasi."),
            ),
        ],
    )
    display_name = _text()
    roles = fields.List(
        fields.Enum(Role, by_value=True, error_messages={"unknown": lazy_gettext("Peran tidak dikenal.")}),
        required=True,
        error_messages={**_required(), "required": lazy_gettext("Pilih minimal satu peran.")},
        validate=validate.Length(min=1, error=lazy_gettext("Pilih minimal satu peran.")),
    )
    nip = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^\d{18}$", error=lazy_gettext("NIP terdiri dari 18 angka, tanpa spasi.")),
    )
    affiliation = fields.String(
        load_default="",
        allow_none=True,
        validate=validate.Length(max=200, error=lazy_gettext("Paling panjang {max} karakter.")),
    )
    password = fields.String(load_default=None, allow_none=True)

    @validates("password")
    def _password(self, value: str | None, **kwargs: Any) -> None:
        problem = None if value is None else password_problem(value)
        if problem:
            raise ValidationError(problem)


class RolesSchema(FormSchema):
    roles = fields.List(
        fields.Enum(Role, by_value=True, error_messages={"unknown": lazy_gettext("Peran tidak dikenal.")}),
        required=True,
        error_messages={"required": lazy_gettext("Pilih minimal satu peran. Untuk menghentikan akun, nonaktifkan.")},
        validate=validate.Length(
            min=1, error=lazy_gettext("Pilih minimal satu peran. Untuk menghentikan akun, nonaktifkan.")
        ),
    )
    version = _version()


class RevokeKeySchema(FormSchema):
    reason = fields.String(
        required=True,
        error_messages=_required(),
        validate=validate.OneOf(REVOKE_REASONS, error=lazy_gettext("Pilih salah satu alasan yang tersedia.")),
    )


def form_data(form: MultiDict[str, str], *lists: str) -> dict[str, Any]:
    """A submitted form as a dict for a schema; the names in ``lists`` keep every value (checkboxes)."""
    data: dict[str, Any] = form.to_dict()
    for name in lists:
        data[name] = form.getlist(name)
    return data


def uploaded_file(files: MultiDict[str, FileStorage]) -> tuple[str, bytes]:
    """The merit file of the import form: its name and bytes.

    Raises:
        ValidationError: ``{"file": [...]}`` when no file was chosen or its name is not .csv/.json.
    """
    storage = files.get("file")
    if storage is None or not storage.filename:
        raise ValidationError({"file": [lazy_gettext("Pilih berkas CSV atau JSON.")]})
    name = storage.filename.replace("\\", "/").rsplit("/", 1)[-1]
    if not name.lower().endswith((".csv", ".json")):
        raise ValidationError({"file": [lazy_gettext("Nama berkas harus berakhiran .csv atau .json.")]})
    return name, storage.read()
