"""Marshmallow schemas of one merit record, with SIASN field names (docs/merit-import.md).

The JSON format is this schema as it stands; the CSV reader turns each row into the same nested
shape first, so both formats obey one set of rules. Unknown fields are refused (marshmallow 4's
default ``RAISE``, made explicit). Schemas never touch the database (STYLE.md C6).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from workflow.importing.records import (
    COMPETENCY,
    POTENTIAL,
    AssessmentData,
    DisciplineData,
    MeritRecord,
    RatingData,
)
from workflow.nip import nip_problems
from workflow.reference import (
    COMPETENCIES,
    COMPETENCY_LEVEL_MAX,
    COMPETENCY_LEVEL_MIN,
    POTENTIAL_COMPONENTS,
    DisciplineLevel,
    Education,
    Golongan,
    LhkpnStatus,
    PositionType,
    Predikat,
    Sex,
)

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_SIASN = re.compile(r"(\d{2})-(\d{2})-(\d{4})")  # SIASN's web service writes dates as DD-MM-YYYY


class SiasnDate(fields.Field):
    """A date written ``YYYY-MM-DD`` (ISO) or ``DD-MM-YYYY`` (as SIASN exports it)."""

    default_error_messages = {"invalid": "Not a date; write YYYY-MM-DD or DD-MM-YYYY."}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        text = value.strip() if isinstance(value, str) else ""
        try:
            if match := _ISO.fullmatch(text):
                year, month, day = match.groups()
            elif match := _SIASN.fullmatch(text):
                day, month, year = match.groups()
            else:
                raise self.make_error("invalid")
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise self.make_error("invalid") from None


class PredikatField(fields.Field):
    """A predikat as e-Kinerja labels it ("Sangat Baik", "Butuh Perbaikan") or as its code (``sangat_baik``)."""

    default_error_messages = {  # noqa: RUF012
        "invalid": "Not a predikat; use one of " + ", ".join(p.value for p in Predikat) + ".",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Predikat:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return Predikat("_".join(value.lower().split()))
        except ValueError:
            raise self.make_error("invalid") from None


def _enum(enum: type, **kwargs: Any) -> fields.Enum:
    return fields.Enum(
        enum,
        by_value=True,
        error_messages={"unknown": "Not one of: " + ", ".join(m.value for m in enum) + "."},
        **kwargs,
    )


def _text(max_length: int, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


_LEVEL = validate.Range(min=COMPETENCY_LEVEL_MIN, max=COMPETENCY_LEVEL_MAX, error="A level is from 1 to 5.")
_YES = {"ya", "y", "true", "1", "yes", True}
_NO = {"tidak", "t", "false", "0", "no", False}


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class SkpSchema(StrictSchema):
    """One yearly SKP predikat (riwayat kinerja)."""

    tahun = fields.Integer(required=True, strict=False, validate=validate.Range(min=2000, max=2100))
    predikat = PredikatField(required=True)


class HukdisSchema(StrictSchema):
    """One discipline penalty (riwayat hukuman disiplin, PP 94/2021)."""

    tingkat = _enum(DisciplineLevel, required=True)
    tmtHukuman = SiasnDate(required=True)
    akhirHukuman = SiasnDate(load_default=None, allow_none=True)
    keterangan = fields.String(load_default="", validate=validate.Length(max=500))

    @validates_schema
    def _ends_after_start(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["akhirHukuman"] is not None and data["akhirHukuman"] < data["tmtHukuman"]:
            raise ValidationError({"akhirHukuman": ["The penalty cannot end before tmtHukuman."]})


class AsesmenSchema(StrictSchema):
    """One competency and potential assessment, with its provider and validity."""

    tanggal = SiasnDate(required=True)
    berlakuSampai = SiasnDate(required=True)
    penyelenggara = _text(200, required=True)
    terakreditasi = fields.Boolean(required=True, truthy=_YES, falsy=_NO)
    kompetensi = fields.Dict(
        keys=fields.String(validate=validate.OneOf(COMPETENCIES, error="Not a competency; use one of {choices}.")),
        values=fields.Integer(strict=False, validate=_LEVEL),
        load_default=dict,
    )
    potensi = fields.Dict(
        keys=fields.String(
            validate=validate.OneOf(POTENTIAL_COMPONENTS, error="Not a potential component; use one of {choices}.")
        ),
        values=fields.Integer(strict=False, validate=_LEVEL),
        load_default=dict,
    )

    @validates_schema
    def _coherent(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["berlakuSampai"] <= data["tanggal"]:
            raise ValidationError({"berlakuSampai": ["The validity must end after the assessment date."]})
        if not data["kompetensi"] and not data["potensi"]:
            raise ValidationError({"kompetensi": ["An assessment needs at least one competency or potential level."]})


class MeritRecordSchema(StrictSchema):
    """One employee: SIASN data utama plus SKP, discipline and assessment histories.

    ``today`` is the reference date for the NIP rules and for "not in the future" checks.
    """

    nipBaru = fields.String(required=True)
    nama = _text(200, required=True)
    jenisKelamin = _enum(Sex, required=True)
    tglLahir = SiasnDate(required=True)
    tmtCpns = SiasnDate(required=True)
    golRuangAkhir = _enum(Golongan, required=True)
    tmtGolAkhir = SiasnDate(required=True)
    jabatanNama = _text(200, required=True)
    jenisJabatan = _enum(PositionType, required=True)
    tmtJabatan = SiasnDate(required=True)
    unorId = _text(32, required=True)
    unorNama = _text(200, required=True)
    tkPendidikanTerakhir = _enum(Education, required=True)
    lhkpnStatus = _enum(LhkpnStatus, required=True)
    lhkpnTahun = fields.Integer(
        strict=False, load_default=None, allow_none=True, validate=validate.Range(min=2000, max=2100)
    )
    skp = fields.List(fields.Nested(SkpSchema), load_default=list)
    hukdis = fields.List(fields.Nested(HukdisSchema), load_default=list)
    asesmen = fields.List(fields.Nested(AsesmenSchema), load_default=list)

    def __init__(self, *, today: dt.date, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.today = today

    @validates_schema
    def _nip_and_dates(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        problems = nip_problems(
            data["nipBaru"],
            today=self.today,
            birth_date=data["tglLahir"],
            tmt_cpns=data["tmtCpns"],
            sex=data["jenisKelamin"],
        )
        if problems:
            errors["nipBaru"] = [f"{p.message} [{p.reason.value}]" for p in problems]
        for name in ("tmtGolAkhir", "tmtJabatan"):
            if data[name] < data["tmtCpns"]:
                errors[name] = ["This date cannot be before tmtCpns."]
            elif data[name] > self.today:
                errors[name] = [f"This date is after the reference date {self.today}."]
        if data["lhkpnStatus"] == LhkpnStatus.FILED and data["lhkpnTahun"] is None:
            errors["lhkpnTahun"] = ["Give the year of the filed LHKPN/LHKASN."]
        errors.update(_duplicates(data["skp"], "skp", lambda r: r["tahun"], "tahun"))
        errors.update(_duplicates(data["hukdis"], "hukdis", lambda r: (r["tmtHukuman"], r["tingkat"]), "tmtHukuman"))
        errors.update(
            _duplicates(data["asesmen"], "asesmen", lambda r: (r["tanggal"], r["penyelenggara"]), "penyelenggara")
        )
        if errors:
            raise ValidationError(errors)

    @post_load
    def _to_record(self, data: dict[str, Any], **kwargs: Any) -> MeritRecord:
        return MeritRecord(
            nip=data["nipBaru"],
            unit_code=data["unorId"],
            unit_name=data["unorNama"],
            employee={
                "nip": data["nipBaru"],
                "name": data["nama"],
                "sex": data["jenisKelamin"],
                "birth_date": data["tglLahir"],
                "tmt_cpns": data["tmtCpns"],
                "golongan": data["golRuangAkhir"],
                "tmt_golongan": data["tmtGolAkhir"],
                "position_title": data["jabatanNama"],
                "position_type": data["jenisJabatan"],
                "tmt_position": data["tmtJabatan"],
                "education": data["tkPendidikanTerakhir"],
                "lhkpn_status": data["lhkpnStatus"],
                "lhkpn_year": data["lhkpnTahun"],
            },
            ratings=tuple(sorted((RatingData(r["tahun"], r["predikat"]) for r in data["skp"]), key=lambda r: r.year)),
            discipline=tuple(
                sorted(
                    (
                        DisciplineData(h["tmtHukuman"], h["tingkat"], h["akhirHukuman"], h["keterangan"])
                        for h in data["hukdis"]
                    ),
                    key=lambda d: (d.imposed_on, d.level),
                )
            ),
            assessments=tuple(
                sorted(
                    (_assessment(a) for a in data["asesmen"]),
                    key=lambda a: (a.assessed_on, a.provider),
                )
            ),
        )


def _assessment(data: dict[str, Any]) -> AssessmentData:
    scores = [(COMPETENCY, name, level) for name, level in data["kompetensi"].items()]
    scores += [(POTENTIAL, name, level) for name, level in data["potensi"].items()]
    return AssessmentData(
        assessed_on=data["tanggal"],
        provider=data["penyelenggara"],
        valid_until=data["berlakuSampai"],
        provider_accredited=data["terakreditasi"],
        scores=tuple(sorted(scores)),
    )


def _duplicates(rows: list[dict[str, Any]], name: str, key: Any, field: str) -> dict[str, Any]:
    """Errors for rows of one history that repeat an earlier row's natural key."""
    seen: dict[object, int] = {}
    errors: dict[int, dict[str, list[str]]] = {}
    for index, row in enumerate(rows):
        first = seen.setdefault(key(row), index)
        if first != index:
            errors[index] = {field: [f"Repeats {name}[{first}]; each entry may appear once."]}
    return {name: errors} if errors else {}
