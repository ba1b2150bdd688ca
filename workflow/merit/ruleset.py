"""Versioned merit rule sets: load, validate (marshmallow 4), digest (SHA-256 of RFC 8785 bytes).

Pure module: stdlib, ``marshmallow`` and ``rfc8785`` only. A process pins a rule set by its id
*and* digest; the digest covers the whole file content, so any change to any number changes it.
Numbers in a rule file are JSON integers or decimal strings; a JSON float is refused, because
binary floating point would make a replay on another machine rank differently.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

import rfc8785
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from workflow.reference import (
    POTENTIAL_COMPONENTS,
    DisciplineLevel,
    Education,
    Golongan,
    PositionType,
    Predikat,
)

RULES_PACKAGE = "workflow.rules"
PERFORMANCE_LEVELS = ("di_bawah", "sesuai", "di_atas")
POTENTIAL_LEVELS = ("rendah", "menengah", "tinggi")
ROUTES = ("talent", "open")
COMPOSITE_PARTS = ("performance", "competency", "potential", "qualification", "integrity")
# Rule ids whose legal basis every rule file must state (the explanation page shows it).
RULE_IDS = (
    "education",
    "golongan",
    "feeder_post",
    "experience",
    "age_registration",
    "age_appointment",
    "skp",
    "discipline",
    "lhkpn",
    "assessment_present",
    "assessment_valid",
    "assessment_accredited",
    "jpm_pass",
    "ninebox",
    "ranking_talent",
    "ranking_open",
)
# fungsional and pelaksana posts are not filled by this process: the data model does not carry the
# target jenjang (ahli pertama … utama) on which JF age caps depend (domain.md §3, JF transfers).
RULED_POSITION_TYPES = (
    PositionType.JPT_MADYA.value,
    PositionType.JPT_PRATAMA.value,
    PositionType.ADMINISTRATOR.value,
    PositionType.PENGAWAS.value,
)


class RuleSetError(ValueError):
    """A rule file is not valid; the message names the offending field."""


# --- value objects -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgeCap:
    """Highest age allowed, in completed years and months (55y6m = not older than 55 years 6 months)."""

    years: int
    months: int

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months

    def label(self) -> str:
        return f"{self.years}y{self.months}m"


@dataclass(frozen=True, slots=True)
class TypeRules:
    """Eligibility defaults for one position type."""

    min_education: str
    min_golongan: str
    min_experience_years: int
    feeder_types: tuple[str, ...]
    feeder_years: int
    max_age_at_registration: AgeCap | None
    max_age_at_appointment: AgeCap | None
    lhkpn_required: bool


@dataclass(frozen=True, slots=True)
class Band:
    """A JPM band: scores ``>= lower`` (and below the next band up) get ``code``."""

    code: str
    lower: Decimal


@dataclass(frozen=True, slots=True)
class CommitteeRules:
    """Committee (pansel / talent team) composition and quorum."""

    min_size: int
    max_size: int
    odd_size: bool
    max_internal_percent: Decimal
    quorum: str


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A loaded, validated rule set. ``content`` is the parsed file; ``digest`` its pin."""

    id: str
    digest: str
    title: str
    effective_from: dt.date
    legal_basis: Mapping[str, str]
    predikat_levels: Mapping[str, str]
    performance_years: int
    potential_weights: Mapping[str, int]
    potential_menengah_from: Decimal
    potential_tinggi_from: Decimal
    talent_pool_boxes: frozenset[int]
    national_pool_boxes: frozenset[int]
    jpm_band_set: str
    jpm_bands: tuple[Band, ...]
    jpm_pass_from: Decimal
    jpm_cap_at_standard: bool
    skp_years: int
    skp_min_predikat: str
    discipline_lookback_years: int
    discipline_blocking_levels: frozenset[str]
    assessment_validity_years: int
    lhkpn_max_age_years: int
    position_types: Mapping[str, TypeRules]
    composite_weights: Mapping[str, Decimal]
    qualification_scores: Mapping[str, int]
    integrity_scores: Mapping[str, int]
    shortlist_size: Mapping[str, int]
    committee: CommitteeRules
    min_candidates_per_post: int
    objection_window_days: int
    content: Mapping[str, Any]

    def type_rules(self, position_type: str) -> TypeRules:
        """The eligibility defaults of ``position_type``; RuleSetError when the set has none."""
        try:
            return self.position_types[position_type]
        except KeyError:
            raise RuleSetError(
                f"rule set {self.id} has no eligibility rules for position type {position_type!r}"
            ) from None

    def pin(self) -> dict[str, str]:
        """What a process records to pin this rule set."""
        return {"id": self.id, "digest": self.digest}


# --- schema ----------------------------------------------------------------------------------

_DECIMAL_TEXT = r"^(0|[1-9][0-9]*)(\.[0-9]+)?$"


class DecimalString(fields.String):
    """A non-negative decimal written as a JSON string ("12.5"), loaded as ``Decimal``."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Decimal:
        text = super()._deserialize(value, attr, data, **kwargs)
        validate.Regexp(_DECIMAL_TEXT, error='Must be a decimal number written as a string, e.g. "12.5".')(text)
        return Decimal(text)


class StrictInteger(fields.Integer):
    """A JSON integer; refuses booleans and numeric strings (which ``fields.Integer`` would coerce)."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return int(value)


class StrictBoolean(fields.Boolean):
    """A JSON ``true``/``false``; refuses 0/1 and strings."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def _int(minimum: int = 0, maximum: int | None = None) -> StrictInteger:
    return StrictInteger(required=True, validate=validate.Range(min=minimum, max=maximum))


def _choice(choices: tuple[str, ...] | list[str]) -> fields.String:
    return fields.String(required=True, validate=validate.OneOf(list(choices)))


_EDUCATIONS = [e.value for e in Education]
_GOLONGAN = [g.value for g in Golongan]
_PREDIKAT = [p.value for p in Predikat]
_TYPES = [t.value for t in PositionType]


class AgeCapSchema(Schema):
    years = _int(18, 70)
    months = _int(0, 11)


class TypeRulesSchema(Schema):
    min_education = _choice(_EDUCATIONS)
    min_golongan = _choice(_GOLONGAN)
    min_experience_years = _int(0, 40)
    feeder_types = fields.List(_choice(_TYPES), required=True, validate=validate.Length(min=1))
    feeder_years = _int(0, 40)
    max_age_at_registration = fields.Nested(AgeCapSchema, required=True, allow_none=True)
    max_age_at_appointment = fields.Nested(AgeCapSchema, required=True, allow_none=True)
    lhkpn_required = StrictBoolean(required=True)

    @validates_schema
    def _caps_ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        reg, app = data["max_age_at_registration"], data["max_age_at_appointment"]
        if reg and app and reg["years"] * 12 + reg["months"] > app["years"] * 12 + app["months"]:
            raise ValidationError(
                {"max_age_at_registration": ["The cap at registration cannot exceed the cap at appointment."]}
            )


class PerformanceSchema(Schema):
    predikat_levels = fields.Dict(keys=_choice(_PREDIKAT), values=_choice(PERFORMANCE_LEVELS), required=True)
    years = _int(1, 5)

    @validates_schema
    def _all_predikat(self, data: dict[str, Any], **kwargs: Any) -> None:
        missing = sorted(set(_PREDIKAT) - set(data["predikat_levels"]))
        if missing:
            raise ValidationError({"predikat_levels": [f"Map every predikat; missing: {', '.join(missing)}."]})


class PotentialSchema(Schema):
    weights = fields.Dict(keys=_choice(POTENTIAL_COMPONENTS), values=_int(0, 100), required=True)
    menengah_from = DecimalString(required=True)
    tinggi_from = DecimalString(required=True)

    @validates_schema
    def _checks(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not any(data["weights"].values()):
            raise ValidationError({"weights": ["At least one potential component needs a positive weight."]})
        if not Decimal(0) < data["menengah_from"] < data["tinggi_from"] <= Decimal(100):
            raise ValidationError({"tinggi_from": ["Need 0 < menengah_from < tinggi_from <= 100."]})


class NineBoxSchema(Schema):
    talent_pool_boxes = fields.List(_int(1, 9), required=True, validate=validate.Length(min=1))
    national_pool_boxes = fields.List(_int(1, 9), required=True)

    @validates_schema
    def _national_in_pool(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not set(data["national_pool_boxes"]) <= set(data["talent_pool_boxes"]):
            raise ValidationError({"national_pool_boxes": ["The national pool must be part of the talent pool."]})


class BandSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=8))
    # "from" is a Python keyword, hence data_key.
    lower = DecimalString(required=True, data_key="from")


class JpmSchema(Schema):
    band_set = fields.String(required=True)
    band_sets = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(BandSchema), validate=validate.Length(min=2)),
        required=True,
    )
    pass_from = DecimalString(required=True)
    cap_at_standard = StrictBoolean(required=True)

    @validates_schema
    def _bands(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["band_set"] not in data["band_sets"]:
            raise ValidationError({"band_set": [f"Unknown band set {data['band_set']!r}."]})
        for name, bands in data["band_sets"].items():
            lowers = [b["lower"] for b in bands]
            if lowers != sorted(set(lowers), reverse=True) or lowers[-1] != 0 or lowers[0] > 100:
                raise ValidationError(
                    {"band_sets": [f"Band set {name!r}: lower bounds must fall strictly, from <= 100 down to 0."]}
                )
        if data["pass_from"] > 100:
            raise ValidationError({"pass_from": ["The JPM pass mark cannot exceed 100."]})


class EligibilitySchema(Schema):
    skp_years = _int(1, 5)
    skp_min_predikat = _choice(_PREDIKAT)
    discipline_lookback_years = _int(0, 40)
    discipline_blocking_levels = fields.List(
        _choice([d.value for d in DisciplineLevel]), required=True, validate=validate.Length(min=1)
    )
    assessment_validity_years = _int(1, 10)
    lhkpn_max_age_years = _int(0, 5)
    position_types = fields.Dict(
        keys=_choice(RULED_POSITION_TYPES), values=fields.Nested(TypeRulesSchema), required=True
    )


class RankingSchema(Schema):
    composite_weights = fields.Dict(keys=_choice(COMPOSITE_PARTS), values=DecimalString(), required=True)
    qualification_scores = fields.Dict(keys=_choice(_EDUCATIONS), values=_int(0, 100), required=True)
    integrity_scores = fields.Dict(
        keys=_choice(["none", *(d.value for d in DisciplineLevel)]), values=_int(0, 100), required=True
    )
    shortlist_size = fields.Dict(keys=_choice(ROUTES), values=_int(1, 50), required=True)

    @validates_schema
    def _complete(self, data: dict[str, Any], **kwargs: Any) -> None:
        if set(data["composite_weights"]) != set(COMPOSITE_PARTS):
            raise ValidationError({"composite_weights": [f"Give a weight for each of {', '.join(COMPOSITE_PARTS)}."]})
        if sum(data["composite_weights"].values()) != 100:
            raise ValidationError({"composite_weights": ["The composite weights must add up to 100."]})
        if set(data["qualification_scores"]) != set(_EDUCATIONS):
            raise ValidationError({"qualification_scores": ["Give a score for every education level."]})
        if set(data["integrity_scores"]) != {"none", *(d.value for d in DisciplineLevel)}:
            raise ValidationError({"integrity_scores": ["Give a score for none, ringan, sedang and berat."]})
        if set(data["shortlist_size"]) != set(ROUTES):
            raise ValidationError({"shortlist_size": ["Give a shortlist size for the talent and the open route."]})


class CommitteeSchema(Schema):
    min_size = _int(1, 99)
    max_size = _int(1, 99)
    odd_size = StrictBoolean(required=True)
    max_internal_percent = DecimalString(required=True)
    quorum = _choice(["majority", "two_thirds"])

    @validates_schema
    def _sizes(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["min_size"] > data["max_size"]:
            raise ValidationError({"max_size": ["max_size must be at least min_size."]})
        if data["max_internal_percent"] > 100:
            raise ValidationError({"max_internal_percent": ["A share cannot exceed 100 %."]})


class ProcessSchema(Schema):
    min_candidates_per_post = _int(1, 50)
    objection_window_days = _int(1, 90)


class RuleSetSchema(Schema):
    """The whole rule file. marshmallow 4 refuses unknown fields by default, at every level."""

    id = fields.String(required=True, validate=validate.Regexp(r"^\d{4}\.\d+$", error="Use YEAR.N, e.g. 2026.1."))
    title = fields.String(required=True)
    effective_from = fields.Date(required=True)
    legal_basis = fields.Dict(keys=_choice(RULE_IDS), values=fields.String(validate=validate.Length(min=1)),
                              required=True)
    performance = fields.Nested(PerformanceSchema, required=True)
    potential = fields.Nested(PotentialSchema, required=True)
    ninebox = fields.Nested(NineBoxSchema, required=True)
    jpm = fields.Nested(JpmSchema, required=True)
    eligibility = fields.Nested(EligibilitySchema, required=True)
    ranking = fields.Nested(RankingSchema, required=True)
    committee = fields.Nested(CommitteeSchema, required=True)
    process = fields.Nested(ProcessSchema, required=True)

    @validates_schema
    def _cross(self, data: dict[str, Any], **kwargs: Any) -> None:
        missing = sorted(set(RULE_IDS) - set(data["legal_basis"]))
        if missing:
            raise ValidationError({"legal_basis": [f"State the legal basis of: {', '.join(missing)}."]})
        bands = data["jpm"]["band_sets"][data["jpm"]["band_set"]]
        if data["jpm"]["pass_from"] not in {b["lower"] for b in bands if b["lower"] > 0}:
            raise ValidationError({"jpm": {"pass_from": ["The pass mark must be the lower bound of a band."]}})


# --- loading -----------------------------------------------------------------------------------


def _refuse_float(text: str) -> Any:
    raise RuleSetError(f"floats are not allowed in a rule file (found {text}); write an integer or a decimal string")


def parse_content(data: bytes) -> dict[str, Any]:
    """Parse rule-file bytes as JSON, refusing floats and duplicate keys."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                raise RuleSetError(f"duplicate key {key!r} in rule file")
            seen[key] = value
        return seen

    try:
        content = json.loads(data, parse_float=_refuse_float, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise RuleSetError(f"rule file is not valid JSON: {exc}") from None
    if not isinstance(content, dict):
        raise RuleSetError("a rule file must hold one JSON object")
    return content


def content_digest(content: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the RFC 8785 canonical bytes of ``content``: the pin a process records."""
    return hashlib.sha256(rfc8785.dumps(content)).hexdigest()


def _flatten(messages: Any, prefix: str = "") -> list[str]:
    if isinstance(messages, dict):
        out: list[str] = []
        for key, value in messages.items():
            name = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            out.extend(_flatten(value, name))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [f"{prefix or '(rule set)'}: {' '.join(messages)}"]
    if isinstance(messages, list):
        return [line for m in messages for line in _flatten(m, prefix)]
    return [f"{prefix}: {messages}"]


def _age_cap(raw: Mapping[str, int] | None) -> AgeCap | None:
    return AgeCap(raw["years"], raw["months"]) if raw else None


def ruleset_from_content(content: Mapping[str, Any]) -> RuleSet:
    """Validate parsed content and build a RuleSet. Raises RuleSetError naming each bad field."""
    try:
        data = RuleSetSchema().load(dict(content))
    except ValidationError as exc:
        raise RuleSetError("invalid rule set: " + "; ".join(_flatten(exc.messages))) from None
    elig, rank, jpm = data["eligibility"], data["ranking"], data["jpm"]
    return RuleSet(
        id=data["id"],
        digest=content_digest(content),
        title=data["title"],
        effective_from=data["effective_from"],
        legal_basis=dict(data["legal_basis"]),
        predikat_levels=dict(data["performance"]["predikat_levels"]),
        performance_years=data["performance"]["years"],
        potential_weights={k: data["potential"]["weights"].get(k, 0) for k in POTENTIAL_COMPONENTS},
        potential_menengah_from=data["potential"]["menengah_from"],
        potential_tinggi_from=data["potential"]["tinggi_from"],
        talent_pool_boxes=frozenset(data["ninebox"]["talent_pool_boxes"]),
        national_pool_boxes=frozenset(data["ninebox"]["national_pool_boxes"]),
        jpm_band_set=jpm["band_set"],
        jpm_bands=tuple(Band(b["code"], b["lower"]) for b in jpm["band_sets"][jpm["band_set"]]),
        jpm_pass_from=jpm["pass_from"],
        jpm_cap_at_standard=jpm["cap_at_standard"],
        skp_years=elig["skp_years"],
        skp_min_predikat=elig["skp_min_predikat"],
        discipline_lookback_years=elig["discipline_lookback_years"],
        discipline_blocking_levels=frozenset(elig["discipline_blocking_levels"]),
        assessment_validity_years=elig["assessment_validity_years"],
        lhkpn_max_age_years=elig["lhkpn_max_age_years"],
        position_types={
            name: TypeRules(
                min_education=r["min_education"],
                min_golongan=r["min_golongan"],
                min_experience_years=r["min_experience_years"],
                feeder_types=tuple(r["feeder_types"]),
                feeder_years=r["feeder_years"],
                max_age_at_registration=_age_cap(r["max_age_at_registration"]),
                max_age_at_appointment=_age_cap(r["max_age_at_appointment"]),
                lhkpn_required=r["lhkpn_required"],
            )
            for name, r in elig["position_types"].items()
        },
        composite_weights=dict(rank["composite_weights"]),
        qualification_scores=dict(rank["qualification_scores"]),
        integrity_scores=dict(rank["integrity_scores"]),
        shortlist_size=dict(rank["shortlist_size"]),
        committee=CommitteeRules(**data["committee"]),
        min_candidates_per_post=data["process"]["min_candidates_per_post"],
        objection_window_days=data["process"]["objection_window_days"],
        content=content,
    )


def load_ruleset(data: bytes) -> RuleSet:
    """Parse and validate rule-file bytes."""
    return ruleset_from_content(parse_content(data))


def load_published(ruleset_id: str, *, digest: str | None = None) -> RuleSet:
    """Load a rule set shipped in ``workflow/rules/``; with ``digest``, refuse a file that changed."""
    try:
        data = resources.files(RULES_PACKAGE).joinpath(f"{ruleset_id}.json").read_bytes()
    except FileNotFoundError:
        raise RuleSetError(f"no published rule set {ruleset_id!r}") from None
    ruleset = load_ruleset(data)
    if ruleset.id != ruleset_id:
        raise RuleSetError(f"rule file {ruleset_id}.json declares id {ruleset.id!r}")
    if digest is not None and digest != ruleset.digest:
        raise RuleSetError(f"rule set {ruleset_id} has digest {ruleset.digest}, but the process pinned {digest}")
    return ruleset

