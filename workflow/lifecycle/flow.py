"""``ProcessFlow``: a fresh ``transitions`` machine over a read-only process view (STYLE.md §5).

The flow owns the stage while an action runs: it starts at ``view.status``, the machine moves
``flow.status``, and every accepted transition is recorded as a :class:`Step`. The service then
writes ``flow.status`` to the locked row and one signed statement per step to the log, in one
transaction. Nothing here commits, logs decisions or reads a clock (``now`` comes in).

Import rule: standard library, ``transitions`` and ``workflow.lifecycle`` only.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from transitions import EventData, Machine, MachineError

from workflow.lifecycle import rules as rulebook
from workflow.lifecycle.errors import IllegalTransitionError, TransitionRefusedError
from workflow.lifecycle.reasons import Reason, reason
from workflow.lifecycle.roles import Actor
from workflow.lifecycle.snapshot import Context, ProcessRules, ProcessView
from workflow.lifecycle.stages import Event, Stage


class _SkipBindingFilter(logging.Filter):
    """Drop transitions' per-name "Skip binding" warnings.

    With ``model_override=True`` the machine logs one warning for every helper it deliberately
    does not bind (``is_status_DRAFT``, ``may_shortlist``, ...): about thirty per flow, i.e. per
    request, all expected. Only that message is dropped; every other record passes.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "Skip binding of" not in str(record.msg)


_TRANSITIONS_LOGGER: Final = logging.getLogger("transitions.core")
if not any(isinstance(f, _SkipBindingFilter) for f in _TRANSITIONS_LOGGER.filters):
    _TRANSITIONS_LOGGER.addFilter(_SkipBindingFilter())


@dataclass(frozen=True, slots=True)
class Step:
    """One accepted transition: what the service signs and appends to the log."""

    event: Event
    source: Stage
    dest: Stage
    actor: Actor
    payload: Mapping[str, object]


class ProcessFlow:
    """The ``transitions`` model for one action on one process.

    Build one per action (about a quarter of a millisecond); never share or pickle it.

    Args:
        view: the process as the guards should judge it (read-only).
        actor: who acts, and in which role.
        now: the action's time, timezone-aware (UTC).
        rules: the pinned rule numbers (defaults: :class:`ProcessRules`).

    Raises:
        ValueError: ``now`` is naive.
    """

    status: Stage

    def __init__(self, view: ProcessView, *, actor: Actor, now: dt.datetime, rules: ProcessRules | None = None) -> None:
        self.view = view
        self.context = Context(actor=actor, now=now, rules=rules if rules is not None else ProcessRules())
        self.steps: list[Step] = []
        self.machine = Machine(
            model=self,
            states=Stage,
            transitions=rulebook.machine_transitions("unblocked"),
            initial=view.status,
            model_attribute="status",
            auto_transitions=False,  # to_<stage>() would skip every guard (C7)
            send_event=True,
            model_override=True,  # bind only the two methods declared below
            after_state_change="_note_step",
        )

    # Bound by the machine (model_override=True binds exactly these two).
    def trigger(self, event: str, **payload: object) -> bool:
        """Fire ``event`` (transitions semantics: ``False`` when a guard refuses)."""
        raise NotImplementedError  # pragma: no cover - replaced on the instance by Machine

    def may_trigger(self, event: str, **payload: object) -> bool:
        """Return whether ``event`` with these inputs would be accepted now (runs the guards)."""
        raise NotImplementedError  # pragma: no cover - replaced on the instance by Machine

    # Called by the machine.
    def unblocked(self, event: EventData) -> bool:
        """Guard of every transition: no blockers for this event with the trigger's inputs."""
        if tuple(event.args):
            raise TypeError("event inputs are keyword-only")
        return not rulebook.blockers(event.event.name, self.view, self.context, event.kwargs)

    def _note_step(self, event: EventData) -> None:
        transition = event.transition
        assert transition is not None and transition.dest is not None  # after_state_change: a move happened
        # transitions reports Enum states by member *name* (STYLE.md §1.4), hence Stage[...].
        self.steps.append(
            Step(
                event=Event(event.event.name),
                source=Stage[transition.source],
                dest=Stage[transition.dest],
                actor=self.context.actor,
                payload=MappingProxyType(dict(event.kwargs)),
            )
        )

    # The domain API.
    def apply(self, event: Event | str, **payload: object) -> Step:
        """Fire ``event`` with its inputs and return the recorded step.

        Raises:
            IllegalTransitionError: unknown event, or none from the current stage.
            TransitionRefusedError: legal here, but blockers remain (listed on the error).
        """
        stage = self.status
        if rulebook.next_stage(stage, event) is None:
            raise IllegalTransitionError(str(event), str(stage))
        try:
            moved = self.trigger(str(event), **payload)
        except MachineError as exc:  # defensive: the table check above should make this unreachable
            raise IllegalTransitionError(str(event), str(stage)) from exc
        if not moved:
            raise TransitionRefusedError(str(event), str(stage), self.blockers(event, **payload))
        return self.steps[-1]

    def blockers(self, event: Event | str, **payload: object) -> list[Reason]:
        """Return why ``event`` with these inputs is refused now; empty iff ``may_trigger`` is true."""
        return self._blockers(event, payload)

    def _blockers(self, event: Event | str, payload: Mapping[str, object] | None) -> list[Reason]:
        if rulebook.next_stage(self.status, event) is None:
            return [reason("stage.illegal_event", action=str(event), stage=str(self.status))]
        return rulebook.blockers(event, self.view, self.context, payload)

    def pending_blockers(self, event: Event | str) -> list[Reason]:
        """Return the blockers that do not depend on the event's inputs (for offering an action)."""
        return self._blockers(event, None)

    def allowed_events(self) -> list[Event]:
        """Return the events this actor could fire now once their inputs are filled in.

        These are the triggers from the current stage whose role, duty and state checks pass;
        input checks (e.g. a cancellation reason) are left to ``apply`` (see ``workflow.lifecycle.rules``).
        """
        return [Event(name) for name in self.machine.get_triggers(self.status.name) if not self.pending_blockers(name)]

    def flags(self, event: Event | str, **payload: object) -> list[Reason]:
        """Return the soft red flags of ``event`` (recorded, never blocking)."""
        return rulebook.flags(event, self.view, self.context, payload)


class _Cursor:
    """The model of the unguarded replay machine."""

    status: Stage

    def trigger(self, event: str, **payload: object) -> bool:
        raise NotImplementedError  # pragma: no cover - replaced on the instance by Machine


def replay(events: Iterable[Event | str | Step], start: Stage = Stage.DRAFT) -> Stage:
    """Replay recorded events from ``start`` and return the stage they lead to.

    Only the path is checked (each event legal from where the previous one left the process,
    and, for :class:`Step` values, recorded from that very stage); guards were judged when the
    steps were accepted. Use it to check that a process's log leads to its stored ``status``.

    Raises:
        IllegalTransitionError: an event is unknown, illegal from the replayed stage, or a step's
            recorded source differs from it; ``index`` names the first bad one.
    """
    cursor = _Cursor()
    Machine(
        model=cursor,
        states=Stage,
        transitions=rulebook.machine_transitions(None),
        initial=start,
        model_attribute="status",
        auto_transitions=False,
        model_override=True,
    )
    for index, item in enumerate(events):
        name = str(item.event) if isinstance(item, Step) else str(item)
        stage = cursor.status
        if rulebook.next_stage(stage, name) is None or (isinstance(item, Step) and item.source != stage):
            raise IllegalTransitionError(name, str(stage), index=index)
        try:
            cursor.trigger(name)
        except MachineError as exc:  # defensive, as in ProcessFlow.apply
            raise IllegalTransitionError(name, str(stage), index=index) from exc
    return cursor.status
