"""A process view that satisfies every guard, the actor for each event, and their inputs.

Tests break one field at a time with ``dataclasses.replace`` and expect exactly one blocker code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Final

from workflow.lifecycle import (
    Actor,
    Event,
    ExclusionReason,
    Member,
    Objection,
    ObjectionOutcome,
    ProcessSnapshot,
    Role,
    Seat,
    Stage,
    Verification,
    VoteCommit,
    VoteReveal,
)
from workflow.lifecycle.votes import commitment

T0: Final = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
NOW: Final = T0 + dt.timedelta(days=10)  # after every recorded time, after the objection window

CHAIR: Final = "m1"
MEMBERS: Final = ("m1", "m2", "m3", "m4", "m5")
CANDIDATES: Final = ("k1", "k2", "k3", "k4")
RANKING: Final = ("k1", "k2", "k3")

ADMIN: Final = Actor("adm", Role.ADMIN)
VERIFIER: Final = Actor("ver", Role.VERIFIER)
CHAIR_ACTOR: Final = Actor(CHAIR, Role.COMMITTEE_CHAIR)
PPK: Final = Actor("ppk", Role.PPK)

EVENT_ACTOR: Final[Mapping[Event, Actor]] = MappingProxyType(
    {
        Event.FORM_COMMITTEE: ADMIN,
        Event.NOMINATE_POOL: ADMIN,
        Event.VERIFY_COMPETENCY: VERIFIER,
        Event.SHORTLIST: ADMIN,
        Event.REVIEW: CHAIR_ACTOR,
        Event.ANNOUNCE: ADMIN,
        Event.RESOLVE_OBJECTIONS: CHAIR_ACTOR,
        Event.REOPEN_SHORTLIST: CHAIR_ACTOR,
        Event.APPOINT: PPK,
        Event.CANCEL: ADMIN,
    }
)

DECREE_DATE: Final = dt.date(2026, 3, 9)
APPOINT_INPUTS: Final[Mapping[str, object]] = MappingProxyType(
    {"appointee": "k1", "justification": "", "decree_number": "821.2/117/2026", "decree_date": DECREE_DATE}
)
EVENT_INPUTS: Final[Mapping[Event, Mapping[str, object]]] = MappingProxyType(
    {Event.APPOINT: APPOINT_INPUTS, Event.CANCEL: MappingProxyType({"reason": "The position was abolished."})}
)


def nonce(person: str) -> str:
    """A fixed 32-hex-digit nonce per person (tests only; real nonces are random)."""
    return person.encode().hex().ljust(32, "0")


def scores() -> dict[str, int]:
    return {"k1": 90, "k2": 80, "k3": 70}


def members() -> tuple[Member, ...]:
    # Two internal of five is 40 %, within the 45 % limit.
    return tuple(
        Member(
            person=p,
            seat=Seat.CHAIR if p == CHAIR else Seat.MEMBER,
            internal=p in {"m1", "m2"},
            pact_signed=True,
            coi_declared=True,
        )
        for p in MEMBERS
    )


def commit_of(person: str, at: dt.datetime = T0 + dt.timedelta(hours=1)) -> VoteCommit:
    return VoteCommit(person, commitment(person, scores(), f"reason of {person}", nonce(person)), at)


def reveal_of(person: str, at: dt.datetime = T0 + dt.timedelta(hours=2)) -> VoteReveal:
    return VoteReveal(person, scores(), f"reason of {person}", nonce(person), at)


def good_view(status: Stage = Stage.DRAFT) -> ProcessSnapshot:
    """Every guard of every event passes on this view (reopen_shortlist aside: nothing upheld)."""
    return ProcessSnapshot(
        status=status,
        members=members(),
        candidates=frozenset(CANDIDATES),
        pool_snapshot_digest="sha256:" + "ab" * 32,
        verifications=(
            Verification("k1", eligible=True),
            Verification("k2", eligible=True),
            Verification("k3", eligible=True),
            Verification("k4", eligible=False, reason=ExclusionReason.JPM_BELOW_THRESHOLD),
        ),
        ranking=RANKING,
        commits=tuple(commit_of(p) for p in MEMBERS),
        reveals=tuple(reveal_of(p) for p in MEMBERS),
        recommendation=RANKING,
        committee_decided_at=T0 + dt.timedelta(hours=3),
        objection_window_ends_at=T0 + dt.timedelta(days=4),
        objections=(Objection("obj-1", T0 + dt.timedelta(days=1), ObjectionOutcome.REJECTED),),
        participants=MappingProxyType(
            {"adm": frozenset({Role.ADMIN}), "ver": frozenset({Role.VERIFIER}), "ppk": frozenset({Role.PPK})}
        ),
        ppk="ppk",
    )


def upheld_view(status: Stage = Stage.ANNOUNCED) -> ProcessSnapshot:
    """The good view with one objection upheld: ``reopen_shortlist`` passes, ``appoint`` does not."""
    return replace(
        good_view(status), objections=(Objection("obj-2", T0 + dt.timedelta(days=1), ObjectionOutcome.UPHELD),)
    )
