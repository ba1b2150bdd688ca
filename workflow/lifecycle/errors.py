"""Domain errors of the state machine; the service layer maps both to HTTP 409 (STYLE.md C5).

Import rule: standard library and ``workflow.lifecycle`` only.
"""

from __future__ import annotations

from collections.abc import Sequence

from workflow.lifecycle.reasons import Reason


class LifecycleError(Exception):
    """Base class of the errors this package raises on purpose."""


class IllegalTransitionError(LifecycleError):
    """The event does not exist, or the table has no transition for it from this stage."""

    def __init__(self, event: str, stage: str, *, index: int | None = None) -> None:
        where = "" if index is None else f" (event #{index})"
        super().__init__(f"{event!r} is not possible from stage {stage!r}{where}")
        self.event, self.stage, self.index = event, stage, index


class TransitionRefusedError(LifecycleError):
    """The event is legal from this stage but its requirements are not met; see ``blockers``."""

    def __init__(self, event: str, stage: str, blockers: Sequence[Reason]) -> None:
        super().__init__(f"{event} refused at {stage}: " + "; ".join(b.message_en for b in blockers))
        self.event, self.stage, self.blockers = event, stage, tuple(blockers)
