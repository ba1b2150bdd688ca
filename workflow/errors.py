"""Domain errors of the workflow application, mapped to HTTP in one place (STYLE.md C5)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class WorkflowError(Exception):
    """Base class of every error a service raises on purpose."""

    status = 400


class NotFoundError(WorkflowError):
    """The thing asked for does not exist (or the caller may not know it exists)."""

    status = 404


class ForbiddenError(WorkflowError):
    """The actor's roles do not allow this action."""

    status = 403


class ConflictError(WorkflowError):
    """The action collides with the current state (stale view, race, illegal transition)."""

    status = 409


class InvalidInputError(WorkflowError):
    """Input failed validation; ``errors`` maps a location (line, field) to messages."""

    status = 422

    def __init__(self, message: str, errors: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__(message)
        self.errors = dict(errors or {})
