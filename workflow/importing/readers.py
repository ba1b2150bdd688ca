"""Read a merit file (CSV or JSON) into raw nested records, each tagged with where it came from.

No validation of values happens here (that is the schema's job); only the file's shape is checked:
JSON syntax and the top-level object, CSV header names and cell counts. The CSV reader builds the
same nested shape as the JSON format and remembers which column each nested field came from, so
an error is reported in the file's own terms (``line 7, komp_integritas``). Layout: docs/merit-import.md.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from workflow.importing.records import RowProblem
from workflow.reference import COMPETENCIES, POTENTIAL_COMPONENTS


@dataclass(frozen=True, slots=True)
class RawRecord:
    """A record as read, before validation; ``columns`` maps nested paths to CSV column names."""

    location: str
    data: dict[str, Any]
    columns: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ParsedFile:
    records: list[RawRecord]
    problems: list[RowProblem]


class UnsupportedFormatError(ValueError):
    """The file is neither ``.csv`` nor ``.json``."""


# Scalar fields of a record, in the order of the documented CSV header.
CORE_COLUMNS: Final = (
    "nipBaru",
    "nama",
    "jenisKelamin",
    "tglLahir",
    "tmtCpns",
    "golRuangAkhir",
    "tmtGolAkhir",
    "jabatanNama",
    "jenisJabatan",
    "tmtJabatan",
    "unorId",
    "unorNama",
    "tkPendidikanTerakhir",
    "lhkpnStatus",
    "lhkpnTahun",
)
REQUIRED_COLUMNS: Final = tuple(c for c in CORE_COLUMNS if c != "lhkpnTahun")
HUKDIS_PARTS: Final = {"tingkat": "tingkat", "tmt": "tmtHukuman", "akhir": "akhirHukuman", "keterangan": "keterangan"}
ASESMEN_PARTS: Final = ("tanggal", "berlakuSampai", "penyelenggara", "terakreditasi")

_SKP = re.compile(r"skp_(\d{4})")
_HUKDIS = re.compile(r"hukdis_([1-9]\d?)_(" + "|".join(HUKDIS_PARTS) + ")")
_ASESMEN = re.compile(r"asesmen_(" + "|".join(ASESMEN_PARTS) + ")")
_KOMP = re.compile(r"komp_(" + "|".join(COMPETENCIES) + ")")
_POTENSI = re.compile(r"potensi_(" + "|".join(POTENTIAL_COMPONENTS) + ")")


def read_merit_file(name: str, content: bytes) -> ParsedFile:
    """Dispatch on the file name's extension.

    Raises:
        UnsupportedFormatError: neither ``.csv`` nor ``.json``.
    """
    lowered = name.lower()
    if lowered.endswith(".json"):
        return read_json(content)
    if lowered.endswith(".csv"):
        return read_csv(content)
    raise UnsupportedFormatError(f"{name}: the file name must end in .csv or .json")


def _decode(content: bytes) -> str | RowProblem:
    try:
        return content.decode("utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError as err:
        return RowProblem("file", "", f"Not UTF-8 text (byte {err.start}); save the file as UTF-8.")


def read_json(content: bytes) -> ParsedFile:
    """``{"records": [ {...}, ... ]}``; each record's location is ``records[i]``."""
    text = _decode(content)
    if isinstance(text, RowProblem):
        return ParsedFile([], [text])
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        return ParsedFile(
            [], [RowProblem(f"line {err.lineno}", "", f"Not valid JSON: {err.msg} (column {err.colno}).")]
        )
    if not isinstance(document, dict) or not isinstance(document.get("records"), list):
        return ParsedFile([], [RowProblem("file", "", 'The file must be a JSON object {"records": [...]}.')])
    extra = sorted(set(document) - {"records", "source"})
    if extra:
        return ParsedFile([], [RowProblem("file", key, "Unknown field.") for key in extra])
    records, problems = [], []
    for index, item in enumerate(document["records"]):
        location = f"records[{index}]"
        if isinstance(item, dict):
            records.append(RawRecord(location, item))
        else:
            problems.append(RowProblem(location, "", "A record must be a JSON object."))
    return ParsedFile(records, problems)


def read_csv(content: bytes) -> ParsedFile:
    """One row per employee, flattened histories; the location is ``line N`` (the header is line 1)."""
    text = _decode(content)
    if isinstance(text, RowProblem):
        return ParsedFile([], [text])
    first_line = text.split("\n", 1)[0]
    # Excel in Indonesian locales separates with ';' because ',' is the decimal mark.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return ParsedFile([], [RowProblem("line 1", "", "The file is empty; the first line must be the header.")])
    except csv.Error as err:
        return ParsedFile([], [RowProblem("line 1", "", f"Not valid CSV: {err}.")])
    header = [name.strip() for name in header]
    problems = _header_problems(header)
    if problems:
        return ParsedFile([], problems)
    plan = _plan(header)
    records: list[RawRecord] = []
    start = reader.line_num + 1
    try:
        for cells in reader:
            location = f"line {start}"
            start = reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, e.g. at the end of an Excel export
            if len(cells) != len(header):
                problems.append(RowProblem(location, "", f"{len(cells)} cells, but the header has {len(header)}."))
                continue
            data, columns = _nest(plan, cells)
            records.append(RawRecord(location, data, columns))
    except csv.Error as err:
        problems.append(RowProblem(f"line {reader.line_num}", "", f"Not valid CSV: {err}."))
    return ParsedFile(records, problems)


def _header_problems(header: list[str]) -> list[RowProblem]:
    problems = [
        RowProblem("line 1", name or f"column {i + 1}", "Unknown column; see docs/merit-import.md for the names.")
        for i, name in enumerate(header)
        if not _known_column(name)
    ]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(RowProblem("line 1", name, "This column appears twice."))
        seen.add(name)
    problems += [
        RowProblem("line 1", name, "Required column is missing.") for name in REQUIRED_COLUMNS if name not in seen
    ]
    return problems


def _known_column(name: str) -> bool:
    return name in CORE_COLUMNS or any(p.fullmatch(name) for p in (_SKP, _HUKDIS, _ASESMEN, _KOMP, _POTENSI))


def _plan(header: list[str]) -> list[tuple[str, tuple[str, str, str]]]:
    """Classify each (known) header column once, so rows are not matched against patterns again."""
    plan = []
    for column in header:
        if column in CORE_COLUMNS:
            plan.append((column, ("core", column, "")))
        elif m := _SKP.fullmatch(column):
            plan.append((column, ("skp", m[1], "")))
        elif m := _HUKDIS.fullmatch(column):
            plan.append((column, ("hukdis", m[1], HUKDIS_PARTS[m[2]])))
        elif m := _ASESMEN.fullmatch(column):
            plan.append((column, ("asesmen", m[1], "")))
        elif m := _KOMP.fullmatch(column):
            plan.append((column, ("komp", m[1], "")))
        elif m := _POTENSI.fullmatch(column):
            plan.append((column, ("potensi", m[1], "")))
    return plan


def _nest(plan: list[tuple[str, tuple[str, str, str]]], cells: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Turn one row's cells into the nested record shape; blank cells are left out."""
    data: dict[str, Any] = {}
    columns: dict[str, str] = {}
    skp: list[tuple[int, str, str]] = []
    hukdis: dict[int, dict[str, tuple[str, str]]] = {}
    asesmen: dict[str, tuple[str, str]] = {}
    kompetensi: dict[str, tuple[str, str]] = {}
    potensi: dict[str, tuple[str, str]] = {}
    for (column, (kind, key, part)), raw in zip(plan, cells, strict=True):
        value = raw.strip()
        if not value:
            continue
        if kind == "core":
            data[column] = value
            columns[column] = column
        elif kind == "skp":
            skp.append((int(key), value, column))
        elif kind == "hukdis":
            hukdis.setdefault(int(key), {})[part] = (value, column)
        elif kind == "asesmen":
            asesmen[key] = (value, column)
        elif kind == "komp":
            kompetensi[key] = (value, column)
        else:
            potensi[key] = (value, column)
    if skp:
        data["skp"] = []
        for i, (year, predikat, column) in enumerate(sorted(skp)):
            data["skp"].append({"tahun": year, "predikat": predikat})
            columns[f"skp[{i}]"] = columns[f"skp[{i}].tahun"] = columns[f"skp[{i}].predikat"] = column
    if hukdis:
        data["hukdis"] = []
        for i, number in enumerate(sorted(hukdis)):
            group = hukdis[number]
            data["hukdis"].append({part: value for part, (value, _column) in group.items()})
            columns[f"hukdis[{i}]"] = f"hukdis_{number}_*"
            # Every part, blank or not, so "missing" errors name the column to fill in.
            columns.update({f"hukdis[{i}].{part}": f"hukdis_{number}_{csv}" for csv, part in HUKDIS_PARTS.items()})
    if asesmen or kompetensi or potensi:
        record: dict[str, Any] = {part: value for part, (value, _column) in asesmen.items()}
        columns["asesmen[0]"] = "asesmen_*"
        columns.update({f"asesmen[0].{part}": f"asesmen_{part}" for part in ASESMEN_PARTS})
        for key, group in (("kompetensi", kompetensi), ("potensi", potensi)):
            record[key] = {name: value for name, (value, _column) in group.items()}
            columns.update({f"asesmen[0].{key}.{name}": column for name, (_value, column) in group.items()})
        data["asesmen"] = [record]
    return data, columns
