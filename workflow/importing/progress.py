"""The progress-reporting hook of long operations, so services can report without importing click.

``click.progressbar`` fits the protocol as it is: ``progress(label, total)`` returns a context
manager whose value has ``update(n)``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Protocol


class Bar(Protocol):
    def update(self, n_steps: int) -> None: ...


Progress = Callable[[str, int], AbstractContextManager[Bar]]


class _NullBar:
    def update(self, n_steps: int) -> None:
        """Ignore progress."""


def no_progress(label: str, total: int) -> AbstractContextManager[Bar]:
    """A progress hook that reports nothing (the default for tests and library callers)."""
    return nullcontext(_NullBar())
