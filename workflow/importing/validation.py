"""Validate raw records: the schema per record, then the rules that span records (one NIP once, one name per unit).

Pure: no Flask, no database. Either every record is valid and a list of :class:`MeritRecord`
comes back, or :class:`MeritImportError` lists every problem with its location and field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from marshmallow import ValidationError

from workflow.errors import InvalidInputError
from workflow.importing.progress import Progress, no_progress
from workflow.importing.readers import RawRecord
from workflow.importing.records import MeritRecord, RowProblem
from workflow.importing.schemas import MeritRecordSchema

_DICT_PARTS = ("key", "value")  # marshmallow's Dict field nests key/value errors one level deeper


class MeritImportError(InvalidInputError):
    """The file was refused as a whole; ``problems`` names each bad line or record, field and reason."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        errors: dict[str, list[str]] = {}
        for p in problems:
            errors.setdefault(f"{p.location}: {p.field}" if p.field else p.location, []).append(p.message)
        super().__init__(f"{len(problems)} problem(s); nothing was imported.", errors)
        self.problems = tuple(problems)


def validate_records(
    raws: Sequence[RawRecord], *, today: dt.date, progress: Progress = no_progress
) -> list[MeritRecord]:
    """Load every record through :class:`MeritRecordSchema` and check the rules across records.

    Raises:
        MeritImportError: at least one record is invalid; lists all problems found.
    """
    schema = MeritRecordSchema(today=today)
    loaded: list[tuple[RawRecord, MeritRecord]] = []
    problems: list[RowProblem] = []
    with progress("Validating", len(raws)) as bar:
        for raw in raws:
            try:
                loaded.append((raw, schema.load(raw.data)))
            except ValidationError as err:
                problems.extend(_problems(raw, err.messages))
            bar.update(1)
    # Cross-record rules run on the records that loaded, so one pass reports both kinds.
    problems += cross_record_problems(loaded)
    if problems:
        raise MeritImportError(problems)
    return [record for _raw, record in loaded]


def cross_record_problems(loaded: Sequence[tuple[RawRecord, MeritRecord]]) -> list[RowProblem]:
    """A NIP appears once per file; a unor id carries one name throughout the file."""
    problems: list[RowProblem] = []
    nip_at: dict[str, str] = {}
    unit_at: dict[str, tuple[str, str]] = {}
    for raw, record in loaded:
        first = nip_at.setdefault(record.nip, raw.location)
        if first != raw.location:
            problems.append(RowProblem(raw.location, _column(raw, "nipBaru"), f"The same NIP is already at {first}."))
        name, where = unit_at.setdefault(record.unit_code, (record.unit_name, raw.location))
        if name != record.unit_name:
            problems.append(
                RowProblem(
                    raw.location,
                    _column(raw, "unorNama"),
                    f"{record.unit_name!r} differs from {name!r} given for unorId {record.unit_code!r} at {where}.",
                )
            )
    return problems


def _problems(raw: RawRecord, messages: Mapping[Any, Any] | list[Any]) -> list[RowProblem]:
    return [RowProblem(raw.location, _column(raw, path), message) for path, message in _flatten(messages, "")]


def _flatten(messages: Any, path: str) -> Iterable[tuple[str, str]]:
    """Yield ``(path, message)`` from marshmallow's nested error dict, e.g. ``asesmen[0].kompetensi.teknis``."""
    if isinstance(messages, dict):
        for key, inner in messages.items():
            if isinstance(key, int):
                sub = f"{path}[{key}]"
            elif key == "_schema" or (key in _DICT_PARTS and path):
                sub = path
            else:
                sub = f"{path}.{key}" if path else str(key)
            yield from _flatten(inner, sub)
    elif isinstance(messages, list):
        for message in messages:
            yield from _flatten(message, path)
    else:
        yield path, str(messages)


def _column(raw: RawRecord, path: str) -> str:
    """The CSV column a nested path came from (or the path itself, for JSON)."""
    if not raw.columns:
        return path
    probe = path
    while probe:
        if probe in raw.columns:
            return raw.columns[probe]
        probe = probe.rpartition(".")[0] if "." in probe else probe.rpartition("[")[0]
    return path
