"""Request and response schemas of the JSON API (marshmallow 4, STYLE.md C6).

Request bodies are strict (``unknown = RAISE``: an unknown field is a 422); query strings ignore
unknown parameters (flask-smorest's default for the ``query`` location, so ``page`` and filters can
share it). Schemas never touch the database: existence and permission checks are the services'.
Hashes the client compares (``basis``, ``leaf_hash``) are lowercase hex, as in the web forms.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from workflow.lifecycle import ExclusionReason, Seat, Stage
from workflow.models import Role
from workflow.models.process import Route
from workflow.reference import PositionType

HEX64 = re.compile(r"[0-9a-f]{64}")
TEXT_MAX = 5000


class UtcDateTime(fields.DateTime):
    """Times in UTC with an offset (SQLite hands back naive values, which are UTC)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class StrictSchema(Schema):
    """Request bodies: unknown fields refused."""

    class Meta:
        unknown = RAISE


def _hex64(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.Regexp(HEX64, error="Give 64 lowercase hex digits (a SHA-256)."),
        metadata={"pattern": "^[0-9a-f]{64}$", **kwargs.pop("metadata", {})},
        **kwargs,
    )


def _text(required: bool = True, max_length: int = TEXT_MAX, **kwargs: Any) -> fields.String:
    return fields.String(
        required=required,
        validate=validate.Length(min=1 if required else 0, max=max_length),
        error_messages={"required": "This field is required."},
        **kwargs,
    )


class BasisSchema(StrictSchema):
    """Every action may name the process state the caller saw; a stale one is refused (409)."""

    expected_basis = _hex64(
        load_default=None,
        allow_none=True,
        metadata={"description": "The process's `basis` as you last read it; 409 StaleBasisError if it moved."},
    )


# --- shared output pieces ------------------------------------------------------------------------


class UnitSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)


class StandardSchema(Schema):
    competency = fields.String(required=True)
    level = fields.Integer(required=True)


class PositionSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    title = fields.String(required=True)
    type = fields.String(required=True)
    unit = fields.Nested(UnitSchema, required=True)
    min_golongan = fields.String(allow_none=True, required=True)
    min_education = fields.String(allow_none=True, required=True)
    min_experience_years = fields.Integer(required=True)
    is_vacant = fields.Boolean(required=True)
    vacant_since = fields.Date(allow_none=True, required=True)
    standards = fields.List(fields.Nested(StandardSchema), required=True)
    open_process_id = fields.Integer(allow_none=True, required=True)


class PositionSummarySchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    title = fields.String(required=True)
    type = fields.String(required=True)
    is_vacant = fields.Boolean(required=True)


class PositionQuerySchema(Schema):
    vacant = fields.Boolean(metadata={"description": "Only vacant (true) or only filled (false) positions."})
    type = fields.Enum(PositionType, by_value=True)
    unit = fields.String(validate=validate.Length(max=32), metadata={"description": "Unit code."})
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "Text in the title or code."})


class RulesetPinSchema(Schema):
    id = fields.String(required=True)
    digest = fields.String(required=True)


class SeatSchema(Schema):
    user_id = fields.Integer(required=True)
    display_name = fields.String(required=True)
    seat = fields.String(required=True)
    internal = fields.Boolean(required=True)
    pledged = fields.Boolean(required=True, metadata={"description": "Integrity pact and declaration signed."})
    recused = fields.Boolean(required=True)


class ProcessSchema(Schema):
    id = fields.Integer(required=True)
    position = fields.Nested(PositionSummarySchema, required=True)
    route = fields.String(required=True)
    status = fields.String(required=True)
    round = fields.Integer(required=True)
    ruleset = fields.Nested(RulesetPinSchema, required=True)
    preparer_id = fields.Integer(required=True)
    ppk_id = fields.Integer(allow_none=True, required=True)
    planned_appointment_on = fields.Date(required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    snapshot_at = UtcDateTime(allow_none=True, required=True)
    snapshot_digest = fields.String(allow_none=True, required=True)
    committee_decided_at = UtcDateTime(allow_none=True, required=True)
    objection_window_ends_at = UtcDateTime(allow_none=True, required=True)
    decree_number = fields.String(allow_none=True, required=True)
    decree_date = fields.Date(allow_none=True, required=True)
    appointee = fields.String(allow_none=True, required=True, metadata={"description": "Pseudonym."})
    committee = fields.List(fields.Nested(SeatSchema), required=True)
    basis = fields.String(
        required=True,
        metadata={"description": "Hex leaf hash of the process's latest log entry (64 zeros before the first)."},
    )
    entries = fields.Integer(required=True, metadata={"description": "Number of log entries about this process."})


class ProcessQuerySchema(Schema):
    status = fields.Enum(Stage, by_value=True)
    route = fields.Enum(Route, by_value=True)
    position_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class ActorSchema(Schema):
    id = fields.String(required=True)
    role = fields.String(required=True)
    key_id = fields.String(required=True)


class StatementSchema(Schema):
    action = fields.String(required=True)
    process = fields.Raw(required=True, allow_none=True, metadata={"description": "Process id (integer)."})
    from_ = fields.String(data_key="from", allow_none=True, required=True)
    to = fields.String(allow_none=True, required=True)
    time = fields.String(required=True)
    actor = fields.Nested(ActorSchema, required=True)
    data = fields.Dict(required=True, metadata={"description": "Decision data; per action in docs/services.md."})
    basis = fields.String(required=True, metadata={"description": "Hex leaf hash this statement was made on."})


class EntrySchema(Schema):
    seq = fields.Integer(required=True, metadata={"description": "Index in the global log."})
    leaf_hash = fields.String(required=True, metadata={"description": "Hex RFC 9162 leaf hash."})
    time = fields.String(required=True, metadata={"description": "When the log accepted it."})
    key_ids = fields.List(fields.String(), required=True, metadata={"description": "Signers' key ids."})
    statement = fields.Nested(StatementSchema, required=True)


class CandidateSchema(Schema):
    pseudonym = fields.String(required=True)
    eligible = fields.Boolean(required=True)
    outcome = fields.String(required=True)
    in_pool = fields.Boolean(required=True)
    merit_rank = fields.Integer(allow_none=True, required=True)
    box = fields.Integer(allow_none=True, required=True)
    jpm = fields.String(allow_none=True, required=True)
    composite = fields.String(required=True)
    evidence_digest = fields.String(required=True)
    decision = fields.String(allow_none=True, required=True)
    exclusion_reason = fields.String(allow_none=True, required=True)
    shortlist_rank = fields.Integer(allow_none=True, required=True)
    recommended_rank = fields.Integer(allow_none=True, required=True)
    round = fields.Integer(allow_none=True, required=True)
    nip = fields.String(allow_none=True, required=True, metadata={"description": "Null for the ASN's own view."})
    name = fields.String(allow_none=True, required=True)


class CandidateQuerySchema(Schema):
    in_pool = fields.Boolean()


class ObjectionSchema(Schema):
    id = fields.Integer(required=True)
    round = fields.Integer(required=True)
    candidate = fields.String(required=True, metadata={"description": "Pseudonym of the objector's candidacy."})
    text = fields.String(required=True)
    filed_at = UtcDateTime(required=True)
    upheld = fields.Boolean(allow_none=True, required=True)
    answer = fields.String(allow_none=True, required=True)
    answered_at = UtcDateTime(allow_none=True, required=True)


# --- action bodies -------------------------------------------------------------------------------


class CreateProcessSchema(StrictSchema):
    position_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    route = fields.Enum(Route, by_value=True, required=True)
    ppk_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    planned_appointment_on = fields.Date(load_default=None, allow_none=True)


class SeatMemberSchema(BasisSchema):
    user_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    seat = fields.Enum(Seat, by_value=True, load_default=Seat.MEMBER)
    internal = fields.Boolean(load_default=None, allow_none=True,
                              metadata={"description": "Default: from the account's affiliation."})


class PledgeSchema(BasisSchema):
    declared_ties = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)),
        load_default=list,
        validate=validate.Length(max=500),
        metadata={"description": "Employee ids you declare a tie to (kinship, party, reporting line)."},
    )


class ReasonTextSchema(BasisSchema):
    reason = _text()


class DecisionSchema(StrictSchema):
    candidate = fields.String(required=True, validate=validate.Length(min=1, max=40))
    confirmed = fields.Boolean(required=True)
    reason = fields.Enum(ExclusionReason, by_value=True, load_default=None, allow_none=True)
    note = fields.String(load_default="", validate=validate.Length(max=TEXT_MAX))


class VerifySchema(BasisSchema):
    decisions = fields.List(fields.Nested(DecisionSchema), required=True, validate=validate.Length(min=1, max=10000))

    @validates_schema
    def _unique(self, data: dict[str, Any], **kwargs: Any) -> None:
        names = [d["candidate"] for d in data["decisions"]]
        if len(set(names)) != len(names):
            raise ValidationError({"decisions": ["Each candidate may appear once."]})


class CommitVoteSchema(BasisSchema):
    commitment = _hex64(required=True, metadata={"description": "SHA-256 of the ballot (docs/api.md)."})


class RevealVoteSchema(BasisSchema):
    scores = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=40)),
        values=fields.Integer(validate=validate.Range(min=0, max=1_000_000)),
        required=True,
    )
    reason = _text()
    nonce = fields.String(
        required=True,
        validate=validate.Regexp(re.compile(r"[0-9a-fA-F]{32,128}"), error="Give 32 to 128 hex digits."),
    )


class ObjectionTextSchema(BasisSchema):
    text = _text()


class AnswerSchema(BasisSchema):
    upheld = fields.Boolean(required=True)
    answer = _text()


class AppointSchema(BasisSchema):
    appointee = fields.String(required=True, validate=validate.Length(min=1, max=40))
    decree_number = fields.String(required=True, validate=validate.Length(min=1, max=100))
    decree_date = fields.Date(required=True)
    justification = fields.String(load_default="", validate=validate.Length(max=TEXT_MAX))
    approval_letter_digest = fields.String(
        load_default=None, allow_none=True,
        validate=validate.Regexp(re.compile(r"[0-9a-fA-F]{64}"), error="Give 64 hex digits (a SHA-256)."),
    )


class MemberViewSchema(Schema):
    process_id = fields.Integer(required=True)
    person = fields.String(required=True, metadata={"description": "Your `member` value in ballot commitments."})
    seat = fields.String(allow_none=True, required=True)
    pledged = fields.Boolean(required=True)
    recused = fields.Boolean(required=True)
    shortlist = fields.List(fields.String(), required=True, metadata={"description": "Pseudonyms to score."})
    reveal_open = fields.Boolean(required=True, metadata={
        "description": "The current round is in its reveal phase: reveals accepted, commits refused."})
    reveal_opened_at = fields.DateTime(allow_none=True, required=True, metadata={
        "description": "When the reveal phase opened (the chair's opening or the last commitment), or null."})


# --- accounts, keys, tokens ----------------------------------------------------------------------


class UserSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    employee_id = fields.Integer(allow_none=True, required=True)
    affiliation = fields.String(required=True)
    is_active = fields.Boolean(required=True)
    service_account = fields.Boolean(required=True)
    created_at = UtcDateTime(required=True)


class UserQuerySchema(Schema):
    role = fields.Enum(Role, by_value=True)
    q = fields.String(validate=validate.Length(max=100))


class CreateUserSchema(StrictSchema):
    username = fields.String(
        required=True,
        validate=validate.Regexp(re.compile(r"[a-z0-9][a-z0-9._-]{1,63}"), error="2–64 of a-z, 0-9, '.', '_', '-'."),
    )
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    roles = fields.List(fields.Enum(Role, by_value=True), required=True, validate=validate.Length(min=1, max=7))
    password = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=12, max=1024),
                             load_only=True)
    service_account = fields.Boolean(load_default=False)
    description = fields.String(load_default="", validate=validate.Length(max=500))
    employee_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    affiliation = fields.String(load_default="", validate=validate.Length(max=200))

    @validates_schema
    def _password(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["service_account"] and data["password"] is not None:
            raise ValidationError({"password": ["A service account has no password; it uses tokens."]})
        if not data["service_account"] and data["password"] is None:
            raise ValidationError({"password": ["A person's account needs a password (12 characters or more)."]})


class SigningKeySchema(Schema):
    id = fields.Integer(required=True)
    key_id = fields.String(required=True)
    owner_kind = fields.String(required=True)
    user_id = fields.Integer(allow_none=True, required=True)
    public_key = fields.String(required=True, metadata={"description": "Standard base64 of the Ed25519 key."})
    status = fields.String(required=True)
    enrolled_seq = fields.Integer(allow_none=True, required=True)
    created_at = UtcDateTime(required=True)
    revoked_at = UtcDateTime(allow_none=True, required=True)


class KeyQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(["active", "rotated", "revoked"]))
    user_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class RevokeKeySchema(StrictSchema):
    reason = _text(max_length=500)


class TokenSchema(Schema):
    id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    created_by_id = fields.Integer(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True, metadata={"description": "Public part of the token, for recognising it."})
    roles = fields.List(fields.String(), required=True)
    created_at = UtcDateTime(required=True)
    expires_at = UtcDateTime(required=True)
    last_used_at = UtcDateTime(allow_none=True, required=True)
    revoked_at = UtcDateTime(allow_none=True, required=True)
    active = fields.Boolean(required=True)


class NewTokenSchema(TokenSchema):
    token = fields.String(required=True, metadata={"description": "The token. Shown this once; store it now."})


class CreateTokenSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    roles = fields.List(
        fields.Enum(Role, by_value=True), load_default=None, allow_none=True, validate=validate.Length(max=7),
        metadata={"description": "Subset of the account's roles; default: all it may hand on."},
    )
    expires_in_days = fields.Integer(load_default=30, validate=validate.Range(min=1, max=366))


class MeSchema(Schema):
    user = fields.Nested(UserSchema, required=True)
    roles = fields.List(fields.String(), required=True, metadata={"description": "Roles this request acts in."})
    auth = fields.String(required=True, validate=validate.OneOf(["token", "session"]))
    token_id = fields.Integer(allow_none=True, required=True)


class ImportFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ImportReportSchema(Schema):
    records = fields.Integer(required=True)
    units_created = fields.Integer(required=True)
    units_renamed = fields.Integer(required=True)
    employees_created = fields.Integer(required=True)
    employees_updated = fields.Integer(required=True)
    employees_unchanged = fields.Integer(required=True)


class ExplanationSchema(Schema):
    process_id = fields.Integer(required=True)
    process_status = fields.String(required=True)
    position = fields.Nested(PositionSummarySchema, required=True)
    evidence_digest = fields.String(required=True)
    entry_seq = fields.Integer(
        allow_none=True, required=True,
        metadata={"description": "Log index of the nomination entry that commits to this evidence."},
    )
    explanation = fields.Dict(required=True, metadata={"description": "workflow.merit.explain.Explanation.to_dict()"})


class ExplanationQuerySchema(Schema):
    lang = fields.String(load_default="id", validate=validate.OneOf(["id", "en"]))
