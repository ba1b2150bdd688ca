"""The read-only view of a process that the guards judge, and the rule numbers they apply.

Blockers never see ORM rows: the service builds a :class:`ProcessView` (any object with these
attributes; :class:`ProcessSnapshot` is a ready-made one) from the locked rows, and passes the
pinned rule numbers as a :class:`ProcessRules`. Times are timezone-aware UTC (STYLE.md C9).

Import rule: standard library and ``workflow.lifecycle`` only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Protocol

from workflow.lifecycle.roles import Actor, PersonId, Role, Seat
from workflow.lifecycle.stages import Stage

# Lampung and most of Sumatra/Java are on WIB; a decree's date is a local calendar date.
WIB: Final = dt.timezone(dt.timedelta(hours=7), "WIB")


class ExclusionReason(StrEnum):
    """Why a verifier excludes a candidate; any other code is refused."""

    ASSESSMENT_EXPIRED = "assessment_expired"
    PROVIDER_NOT_ACCREDITED = "provider_not_accredited"
    JPM_BELOW_THRESHOLD = "jpm_below_threshold"
    ASSESSMENT_MISSING = "assessment_missing"
    DATA_MISMATCH = "data_mismatch"
    OTHER_DOCUMENTED = "other_documented"


class ObjectionOutcome(StrEnum):
    """The committee's answer to an objection."""

    UPHELD = "upheld"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Member:
    """A seated committee member and what they have declared.

    ``declared_conflicts`` are the persons they declared a tie to (kinship, party, ormas,
    reporting line; domain.md R14). A tie to a candidate forces ``recused``.
    """

    person: PersonId
    seat: Seat
    internal: bool
    pact_signed: bool
    coi_declared: bool
    declared_conflicts: frozenset[PersonId] = frozenset()
    recused: bool = False


@dataclass(frozen=True, slots=True)
class Verification:
    """The verifier's decision on one candidate; ``reason`` is a raw code, checked by the guard."""

    candidate: PersonId
    eligible: bool
    reason: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class VoteCommit:
    """A member's commitment: lowercase hex SHA-256 of the ballot (see ``votes.commitment``)."""

    member: PersonId
    digest: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class VoteReveal:
    """A member's revealed ballot: integer scores per ranked candidate, a reason and the nonce."""

    member: PersonId
    scores: Mapping[PersonId, int]
    reason: str
    nonce: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Objection:
    """An objection filed in the window; ``outcome`` is ``None`` until the committee answers."""

    objection_id: str
    filed_at: dt.datetime
    outcome: ObjectionOutcome | None = None


class ProcessView(Protocol):
    """What the guards read. Collections hold the *current round* only (see the service notes)."""

    @property
    def status(self) -> Stage: ...
    @property
    def members(self) -> Sequence[Member]: ...
    @property
    def candidates(self) -> Collection[PersonId]: ...
    @property
    def pool_snapshot_digest(self) -> str | None: ...
    @property
    def verifications(self) -> Sequence[Verification]: ...
    @property
    def ranking(self) -> Sequence[PersonId]: ...
    @property
    def commits(self) -> Sequence[VoteCommit]: ...
    @property
    def reveals(self) -> Sequence[VoteReveal]: ...
    @property
    def reveal_opened_at(self) -> dt.datetime | None: ...
    @property
    def recommendation(self) -> Sequence[PersonId]: ...
    @property
    def committee_decided_at(self) -> dt.datetime | None: ...
    @property
    def objection_window_ends_at(self) -> dt.datetime | None: ...
    @property
    def objections(self) -> Sequence[Objection]: ...
    @property
    def approval_letter_digest(self) -> str | None: ...
    @property
    def participants(self) -> Mapping[PersonId, frozenset[Role]]: ...
    @property
    def ppk(self) -> PersonId | None: ...


_NO_PARTICIPANTS: Final[Mapping[PersonId, frozenset[Role]]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ProcessSnapshot:
    """A plain, immutable :class:`ProcessView` (tests, replays, or a service that copies rows)."""

    status: Stage = Stage.DRAFT
    members: Sequence[Member] = ()
    candidates: Collection[PersonId] = frozenset()
    pool_snapshot_digest: str | None = None
    verifications: Sequence[Verification] = ()
    ranking: Sequence[PersonId] = ()
    commits: Sequence[VoteCommit] = ()
    reveals: Sequence[VoteReveal] = ()
    # When the chair explicitly opened the reveal phase of the current round (``vote.open_reveal``);
    # ``None`` if not. The phase also opens by itself once every voter has committed
    # (``votes.reveal_opened_at`` derives that).
    reveal_opened_at: dt.datetime | None = None
    recommendation: Sequence[PersonId] = ()
    committee_decided_at: dt.datetime | None = None
    objection_window_ends_at: dt.datetime | None = None
    objections: Sequence[Objection] = ()
    approval_letter_digest: str | None = None
    participants: Mapping[PersonId, frozenset[Role]] = field(default_factory=lambda: _NO_PARTICIPANTS)
    ppk: PersonId | None = None


@dataclass(frozen=True, slots=True)
class PilkadaWindow:
    """An election-period window, inclusive local dates, in which appointments need approval (R6)."""

    start: dt.date
    end: dt.date


@dataclass(frozen=True, slots=True)
class ProcessRules:
    """The rule numbers a process pinned; defaults are the documented [U] defaults of domain.md.

    The merit rule-set loader owns the values; this class only fixes their meaning here.
    """

    committee_min: int = 5
    committee_max: int = 9
    internal_max_share: Decimal = Decimal("0.45")
    # A vote round is quorate when valid revealed votes are strictly more than this share of the
    # seated members (recused members stay in the denominator: a conflicted panel cannot decide).
    quorum_share: Decimal = Decimal("0.5")
    objection_window: dt.timedelta = dt.timedelta(days=3)
    min_candidates: int = 1
    thin_field_candidates: int = 3
    pilkada_windows: tuple[PilkadaWindow, ...] = ()
    local_tz: dt.tzinfo = WIB

    def __post_init__(self) -> None:
        for name in ("internal_max_share", "quorum_share"):
            if not isinstance(getattr(self, name), Decimal):  # a float share would make checks inexact
                raise TypeError(f"{name} must be a Decimal")
        if not 1 <= self.committee_min <= self.committee_max:
            raise ValueError("committee bounds must satisfy 1 <= committee_min <= committee_max")
        if not Decimal(0) <= self.internal_max_share <= Decimal(1):
            raise ValueError("internal_max_share must be within [0, 1]")
        if not Decimal(0) <= self.quorum_share < Decimal(1):
            raise ValueError("quorum_share must be within [0, 1)")
        if self.objection_window < dt.timedelta(0):
            raise ValueError("objection_window must not be negative")
        if self.min_candidates < 1:
            raise ValueError("min_candidates must be at least 1")
        for window in self.pilkada_windows:
            if window.end < window.start:
                raise ValueError(f"Pilkada window ends before it starts: {window}")


@dataclass(frozen=True, slots=True)
class Context:
    """Who acts, when, and under which rule numbers: everything a guard needs besides the view."""

    actor: Actor
    now: dt.datetime
    rules: ProcessRules = field(default_factory=ProcessRules)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None or self.now.utcoffset() is None:
            raise ValueError("now must be timezone-aware (UTC)")
