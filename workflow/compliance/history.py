"""The log as the compliance checks read it: entries grouped into per-process histories.

A bundle's leaves (offline replay) and a process's stored leaves plus the statement about to be
appended (the live guard, ``workflow/services/guards.py``) both become the same
:class:`ProcessHistory`, so the red-flag rules in ``flags.py`` are one implementation for both.

Import rule: standard library and ``audit`` only (pure; no Flask, no database).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from audit.entry import parse_leaf_unverified, parse_statement_unverified, parse_time

PENDING: Final = -1
"""Entry index of a statement not yet in the log (the live guard judges it before appending)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One statement as the checks need it: where it sits in the log and what it says."""

    index: int
    action: str
    process: str | int | None
    from_state: str | None
    to_state: str | None
    time: dt.datetime
    actor_id: str
    actor_role: str
    data: Mapping[str, Any]


def entry_from_leaf(index: int, leaf: bytes) -> Entry:
    """Decode one leaf (already verified by ``audit.verify``; shape errors raise ``AuditError``)."""
    statement = parse_statement_unverified(parse_leaf_unverified(leaf).envelope.payload)
    return entry_from_statement(index, statement.payload)


def entry_from_statement(index: int, payload: bytes) -> Entry:
    """Decode a statement payload (the canonical JSON that was or will be signed)."""
    obj = json.loads(payload)
    actor = obj["actor"]
    return Entry(
        index=index,
        action=obj["action"],
        process=obj["process"],
        from_state=obj["from"],
        to_state=obj["to"],
        time=parse_time(obj["time"]),
        actor_id=str(actor["id"]),
        actor_role=str(actor["role"]),
        data=obj["data"],
    )


@dataclass(frozen=True, slots=True)
class ProcessHistory:
    """Every entry of one process, in log order."""

    process: str | int
    entries: tuple[Entry, ...]

    def all(self, *actions: str) -> list[Entry]:
        """The entries with one of ``actions``, in log order."""
        return [e for e in self.entries if e.action in actions]

    def first(self, action: str) -> Entry | None:
        return next((e for e in self.entries if e.action == action), None)

    def last(self, action: str) -> Entry | None:
        return next((e for e in reversed(self.entries) if e.action == action), None)

    def before(self, entry: Entry) -> Iterator[Entry]:
        """Entries recorded before ``entry`` (a pending entry comes after everything)."""
        for e in self.entries:
            if e is entry:
                return
            yield e


def group(entries: Iterable[Entry]) -> dict[str | int, ProcessHistory]:
    """Per-process histories (key statements, whose process is null, are left out), by first entry."""
    grouped: dict[str | int, list[Entry]] = {}
    for e in entries:
        if e.process is not None:
            grouped.setdefault(e.process, []).append(e)
    return {pid: ProcessHistory(pid, tuple(items)) for pid, items in grouped.items()}


def histories_from_leaves(leaves: Sequence[bytes]) -> dict[str | int, ProcessHistory]:
    """Histories of every process in a verified bundle's leaves."""
    return group(entry_from_leaf(i, leaf) for i, leaf in enumerate(leaves))
