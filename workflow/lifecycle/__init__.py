"""The position-filling process as a pure state machine (DESIGN.md §2, STYLE.md §5).

Stages and events (``stages``), the rulebook of transitions and named blockers (``rules``),
committee composition (``committee``), commit–reveal votes (``votes``), roles and segregation of
duties (``roles``), and ``ProcessFlow``, a fresh ``transitions`` machine per action (``flow``).
Guards judge a read-only ``ProcessView`` with an injected actor, clock and rule numbers.

Import rule: standard library and ``transitions`` only — never Flask, SQLAlchemy, marshmallow,
``audit`` or ``workflow.models`` — so the machine runs in tests and offline replays without an
app or a database (``tests/lifecycle/test_isolation.py`` enforces this).
"""

from __future__ import annotations

from workflow.lifecycle.errors import IllegalTransitionError, LifecycleError, TransitionRefusedError
from workflow.lifecycle.flow import ProcessFlow, Step, replay
from workflow.lifecycle.reasons import Reason
from workflow.lifecycle.roles import Actor, Duty, PersonId, Role, Seat
from workflow.lifecycle.rules import TRANSITIONS, TransitionSpec, blockers, flags, next_stage
from workflow.lifecycle.snapshot import (
    Context,
    ExclusionReason,
    Member,
    Objection,
    ObjectionOutcome,
    PilkadaWindow,
    ProcessRules,
    ProcessSnapshot,
    ProcessView,
    Verification,
    VoteCommit,
    VoteReveal,
)
from workflow.lifecycle.stages import EVENT_LABELS, STAGE_LABELS, TERMINAL_STAGES, Event, Label, Stage

__all__ = [
    "EVENT_LABELS",
    "STAGE_LABELS",
    "TERMINAL_STAGES",
    "TRANSITIONS",
    "Actor",
    "Context",
    "Duty",
    "Event",
    "ExclusionReason",
    "IllegalTransitionError",
    "Label",
    "LifecycleError",
    "Member",
    "Objection",
    "ObjectionOutcome",
    "PersonId",
    "PilkadaWindow",
    "ProcessFlow",
    "ProcessRules",
    "ProcessSnapshot",
    "ProcessView",
    "Reason",
    "Role",
    "Seat",
    "Stage",
    "Step",
    "TransitionRefusedError",
    "TransitionSpec",
    "Verification",
    "VoteCommit",
    "VoteReveal",
    "blockers",
    "flags",
    "next_stage",
    "replay",
]
