"""Position-filling processes: the process row, its committee, candidates, votes and objections.

The ``status`` column is the source of truth (STYLE.md §5); every change to these rows is made by
one service action that also appends the signed statement (``workflow/services``). Rows of a
finished round stay (votes, objections carry their ``round``); the log holds the history.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from workflow.extensions import db
from workflow.lifecycle import ExclusionReason, Seat, Stage
from workflow.models._types import enum_column

# Stages after which a position is free for a new process (one open process per position).
_CLOSED = "status IN ('appointed', 'cancelled')"


class Route(StrEnum):
    """How candidates are found: the talent pool (9-box) or an open selection."""

    TALENT = "talent"
    OPEN = "open"


class Decision(StrEnum):
    """The verifier's decision on one candidate's competency assessment."""

    CONFIRMED = "confirmed"
    EXCLUDED = "excluded"


class Process(db.Model):
    """One position-filling process (pengisian jabatan)."""

    __tablename__ = "process"
    __table_args__ = (
        # One open process per position, enforced by the database as well as by the service.
        sa.Index(
            "ix_process_one_open_per_position",
            "position_id",
            unique=True,
            sqlite_where=sa.text(f"NOT ({_CLOSED})"),
            postgresql_where=sa.text(f"NOT ({_CLOSED})"),
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    position_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("position.id"), index=True)
    route: so.Mapped[Route] = so.mapped_column(enum_column(Route, 16))
    ruleset_id: so.Mapped[str] = so.mapped_column(sa.String(32))
    ruleset_digest: so.Mapped[str] = so.mapped_column(sa.String(64))
    status: so.Mapped[Stage] = so.mapped_column(enum_column(Stage), index=True)
    # HMAC key of the candidates' pseudonyms; its SHA-256 is in the creation statement, the
    # secret itself never leaves the database (merit/evidence.py).
    pseudonym_secret: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary(32))
    preparer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"))
    ppk_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    # The current vote/objection round: 1, plus one per reopen_shortlist.
    round: so.Mapped[int] = so.mapped_column(default=1)
    planned_appointment_on: so.Mapped[dt.date]
    created_at: so.Mapped[dt.datetime] = so.mapped_column(sa.DateTime(timezone=True))
    snapshot_at: so.Mapped[dt.datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    snapshot_digest: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    committee_decided_at: so.Mapped[dt.datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    objection_window_ends_at: so.Mapped[dt.datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    decree_number: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    decree_date: so.Mapped[dt.date | None]
    appointee_pseudonym: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    justification: so.Mapped[str | None] = so.mapped_column(sa.Text)
    approval_letter_digest: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    cancel_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    updated_at: so.Mapped[dt.datetime] = so.mapped_column(sa.DateTime(timezone=True))


class CommitteeSeat(db.Model):
    """A member's seat on one process's committee, with their pledge and any recusal."""

    __tablename__ = "committee_seat"
    __table_args__ = (sa.UniqueConstraint("process_id", "user_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    process_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("process.id"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True)
    seat: so.Mapped[Seat] = so.mapped_column(enum_column(Seat, 16))
    internal: so.Mapped[bool]
    seated_at: so.Mapped[dt.datetime] = so.mapped_column(sa.DateTime(timezone=True))
    pact_signed_at: so.Mapped[dt.datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    declared_at: so.Mapped[dt.datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    # Employee ids the member declared a tie to (kinship, party, ormas, reporting line; R14).
    declared_ties: so.Mapped[list[int]] = so.mapped_column(sa.JSON, default=list)
    recused: so.Mapped[bool] = so.mapped_column(default=False)
    recusal_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)


class Candidate(db.Model):
    """One employee evaluated by the nomination: sealed evidence, merit results, verification, ranks.

    ``in_pool`` marks the merit-eligible, rankable candidates (the pool the verifier checks); the
    others are kept so the ASN explanation page can show their failed rules.
    """

    __tablename__ = "candidate"
    __table_args__ = (
        sa.UniqueConstraint("process_id", "employee_id", name="uq_candidate_process_employee"),
        sa.UniqueConstraint("process_id", "pseudonym", name="uq_candidate_process_pseudonym"),
        sa.Index("ix_candidate_process_pool", "process_id", "in_pool", "merit_rank"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    process_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("process.id"))
    employee_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("employee.id"), index=True)
    pseudonym: so.Mapped[str] = so.mapped_column(sa.String(40))
    # The evidence record's RFC 8785 bytes (salt included) and their SHA-256: what the log references.
    evidence: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    evidence_digest: so.Mapped[str] = so.mapped_column(sa.String(64))
    # CandidateResult.to_dict() as RFC 8785 bytes, plus the columns the queries and pages need.
    result: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    eligible: so.Mapped[bool]
    outcome: so.Mapped[str] = so.mapped_column(sa.String(32))
    merit_rank: so.Mapped[int | None]
    box: so.Mapped[int | None]
    jpm: so.Mapped[str | None] = so.mapped_column(sa.String(16))  # decimal text, never a float
    composite: so.Mapped[str] = so.mapped_column(sa.String(16))
    in_pool: so.Mapped[bool]
    decision: so.Mapped[Decision | None] = so.mapped_column(enum_column(Decision, 16))
    exclusion_reason: so.Mapped[ExclusionReason | None] = so.mapped_column(enum_column(ExclusionReason))
    verification_note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    verified_at: so.Mapped[dt.datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    shortlist_rank: so.Mapped[int | None]
    recommended_rank: so.Mapped[int | None]
    # The round of the current shortlist_rank / recommended_rank.
    round: so.Mapped[int | None]


class VoteCommit(db.Model):
    """A member's commitment (hex SHA-256 of the ballot) in one round."""

    __tablename__ = "vote_commit"
    __table_args__ = (
        sa.UniqueConstraint("seat_id", "round"),
        sa.Index("ix_vote_commit_process_round", "process_id", "round"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    process_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("process.id"))
    seat_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("committee_seat.id"))
    round: so.Mapped[int]
    digest: so.Mapped[str] = so.mapped_column(sa.String(64))
    committed_at: so.Mapped[dt.datetime] = so.mapped_column(sa.DateTime(timezone=True))


class VoteReveal(db.Model):
    """A member's revealed ballot in one round: integer score per pseudonym, reason, nonce."""

    __tablename__ = "vote_reveal"
    __table_args__ = (
        sa.UniqueConstraint("seat_id", "round"),
        sa.Index("ix_vote_reveal_process_round", "process_id", "round"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    process_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("process.id"))
    seat_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("committee_seat.id"))
    round: so.Mapped[int]
    scores: so.Mapped[dict[str, int]] = so.mapped_column(sa.JSON)
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    nonce: so.Mapped[str] = so.mapped_column(sa.String(128))
    revealed_at: so.Mapped[dt.datetime] = so.mapped_column(sa.DateTime(timezone=True))


class RevealOpening(db.Model):
    """The chair opened the reveal phase of one round before every member had committed.

    Without a row the phase opens once every seated, unrecused member has committed (derived,
    ``workflow.lifecycle.votes.reveal_opened_at``). Statement ``vote.open_reveal``.
    """

    __tablename__ = "reveal_opening"
    __table_args__ = (sa.UniqueConstraint("process_id", "round"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    process_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("process.id"))
    round: so.Mapped[int]
    seat_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("committee_seat.id"))  # the chair's seat
    opened_at: so.Mapped[dt.datetime] = so.mapped_column(sa.DateTime(timezone=True))


class Objection(db.Model):
    """An objection (sanggahan) by an ASN about their own candidacy, and the chair's answer."""

    __tablename__ = "objection"
    __table_args__ = (sa.Index("ix_objection_process_round", "process_id", "round"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    process_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("process.id"))
    candidate_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("candidate.id"), index=True)
    filed_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"))
    round: so.Mapped[int]
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    filed_at: so.Mapped[dt.datetime] = so.mapped_column(sa.DateTime(timezone=True))
    upheld: so.Mapped[bool | None]
    answer: so.Mapped[str | None] = so.mapped_column(sa.Text)
    answered_at: so.Mapped[dt.datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    answered_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))


class ProcessParticipant(db.Model):
    """A role a user has exercised in a process: the duties segregation of duties counts (R3)."""

    __tablename__ = "process_participant"
    __table_args__ = (sa.UniqueConstraint("process_id", "user_id", "role"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    process_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("process.id"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"))
    role: so.Mapped[str] = so.mapped_column(sa.String(32))
