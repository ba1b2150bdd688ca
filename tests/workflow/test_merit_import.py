"""Merit import: all-or-nothing validation, error locations, idempotence, both formats, both databases."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from workflow.digest import database_digest
from workflow.extensions import db
from workflow.importing import MeritImportError, import_merit
from workflow.models import Assessment, AssessmentScore, DisciplineRecord, Employee, OrgUnit, PerformanceRating

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "merit"
TODAY = dt.date(2026, 11, 1)
NOW = dt.datetime(2026, 11, 1, 8, 0, 0)
VALID_CSV = (ASSETS / "valid.csv").read_bytes()
VALID_JSON = (ASSETS / "valid.json").read_bytes()


def run_import(name: str, content: bytes, now: dt.datetime = NOW):  # type: ignore[no-untyped-def]
    return import_merit(name, content, today=TODAY, now=now)


def count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def problems_of(name: str, content: bytes) -> list[tuple[str, str]]:
    with pytest.raises(MeritImportError) as caught:
        run_import(name, content)
    return [(p.location, p.field) for p in caught.value.problems]


def json_with(change) -> bytes:  # type: ignore[no-untyped-def]
    document = json.loads(VALID_JSON)
    change(document["records"])
    return json.dumps(document).encode()


# --- both databases -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content"), [("valid.csv", VALID_CSV), ("valid.json", VALID_JSON)])
def test_import_stores_everything_and_reimport_changes_nothing(db_app: Flask, name: str, content: bytes) -> None:
    report = run_import(name, content)
    assert (report.records, report.written.employees_created, report.written.units_created) == (3, 3, 2)
    assert (count(Employee), count(OrgUnit), count(PerformanceRating), count(DisciplineRecord)) == (3, 2, 6, 1)
    assert (count(Assessment), count(AssessmentScore)) == (2, 36)
    first = database_digest(db.session)

    again = run_import(name, content, now=NOW + dt.timedelta(days=1))
    assert again.written.employees_unchanged == 3
    assert database_digest(db.session) == first  # updated_at included: untouched rows keep theirs


def test_bad_row_imports_nothing_on_either_database(db_app: Flask) -> None:
    bad = VALID_CSV.replace(b"III/b", b"III/z")  # Siti, line 3
    assert problems_of("bad.csv", bad) == [("line 3", "golRuangAkhir")]
    assert (count(Employee), count(OrgUnit)) == (0, 0)


def test_csv_and_json_describe_the_same_database(db_app: Flask) -> None:
    run_import("valid.csv", VALID_CSV)
    from_csv = database_digest(db.session)
    for model in (AssessmentScore, Assessment, PerformanceRating, DisciplineRecord, Employee, OrgUnit):
        db.session.execute(sa.delete(model))
    db.session.commit()
    run_import("valid.json", VALID_JSON)
    assert database_digest(db.session) == from_csv


def test_changed_file_updates_rows_and_replaces_histories(db_app: Flask) -> None:
    run_import("valid.json", VALID_JSON)

    def change(records: list[dict]) -> None:
        records[0]["golRuangAkhir"] = "III/d"
        records[1]["hukdis"] = []
        records[2]["unorNama"] = "Dinas Kesehatan Provinsi"
        records[0]["unorNama"] = "Dinas Kesehatan Provinsi"

    report = run_import("valid.json", json_with(change), now=NOW + dt.timedelta(days=1))
    assert (report.written.employees_updated, report.written.employees_unchanged) == (2, 1)
    assert report.written.units_renamed == 1
    assert count(DisciplineRecord) == 0
    andi = db.session.scalar(sa.select(Employee).where(Employee.nip == "198609262015051001"))
    assert andi.golongan == "III/d"
    assert andi.updated_at == NOW + dt.timedelta(days=1)
    assert andi.unit.name == "Dinas Kesehatan Provinsi"


# --- validation (in-memory SQLite is enough: nothing reaches the database) -----------------------


def test_bad_json_record_names_index_and_nested_field(app: Flask) -> None:
    def change(records: list[dict]) -> None:
        records[2]["asesmen"][0]["kompetensi"]["teknis"] = 7
        records[2]["skp"][1]["predikat"] = "Luar Biasa"

    assert problems_of("bad.json", json_with(change)) == [
        ("records[2]", "skp[1].predikat"),
        ("records[2]", "asesmen[0].kompetensi.teknis"),
    ]
    assert count(Employee) == 0


def test_committed_bad_examples_are_refused(app: Flask) -> None:
    assert problems_of("bad_row.csv", (ASSETS / "bad_row.csv").read_bytes()) == [
        ("line 3", "nipBaru"),
        ("line 4", "komp_teknis"),
    ]
    assert problems_of("bad_record.json", (ASSETS / "bad_record.json").read_bytes()) == [
        ("records[1]", "tglLahir"),
        ("records[1]", "hukdis[0].tingkat"),
    ]


def test_nip_problems_carry_their_reason_code(app: Flask) -> None:
    bad = VALID_CSV.replace(b"199103152019032002,Siti Rahmawati,F", b"199103152019031002,Siti Rahmawati,F")
    with pytest.raises(MeritImportError) as caught:
        run_import("bad.csv", bad)
    (problem,) = caught.value.problems
    assert (problem.location, problem.field) == ("line 3", "nipBaru")
    assert "nip_sex_mismatch" in problem.message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: r[0].update(gelarDepan="dr."), [("records[0]", "gelarDepan")]),
        (lambda r: r[1]["skp"][0].update(nilai=90), [("records[1]", "skp[0].nilai")]),
        (lambda r: r[0]["asesmen"][0]["potensi"].update(karisma=4), [("records[0]", "asesmen[0].potensi.karisma")]),
    ],
)
def test_unknown_json_fields_are_refused(app: Flask, change, expected) -> None:  # type: ignore[no-untyped-def]
    assert problems_of("x.json", json_with(change)) == expected


def test_unknown_csv_column_is_refused_at_the_header(app: Flask) -> None:
    bad = VALID_CSV.replace(b"nama,", b"nama,gelarDepan,", 1)
    assert problems_of("x.csv", bad) == [("line 1", "gelarDepan")]


def test_missing_required_column_and_short_row(app: Flask) -> None:
    assert problems_of("x.csv", b"nipBaru,nama\n")[:1] == [("line 1", "jenisKelamin")]
    lines = VALID_CSV.split(b"\n")
    lines[2] = lines[2].rsplit(b",", 1)[0]
    assert problems_of("x.csv", b"\n".join(lines)) == [("line 3", "")]


def test_cross_record_rules(app: Flask) -> None:
    def change(records: list[dict]) -> None:
        records.append(dict(records[0]))
        records[1]["unorId"] = "D-KES"

    assert problems_of("x.json", json_with(change)) == [("records[1]", "unorNama"), ("records[3]", "nipBaru")]


def test_semicolon_csv_with_bom_and_blank_lines(app: Flask) -> None:
    text = VALID_CSV.decode()
    rows = [line.split(",") for line in text.splitlines()]
    assert all("," not in cell for row in rows for cell in row)  # the sample has no quoted commas
    semicolon = "\ufeff" + "\n".join(";".join(row) for row in rows) + "\n\n"
    assert run_import("x.csv", semicolon.encode()).records == 3


def test_invalid_json_and_wrong_shape(app: Flask) -> None:
    assert problems_of("x.json", b'{"records": [') == [("line 1", "")]
    assert problems_of("x.json", b"[]") == [("file", "")]
    assert problems_of("x.json", b'{"records": [], "rows": []}') == [("file", "rows")]


# --- command line --------------------------------------------------------------------------------


def test_cli_exit_codes(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    good = tmp_path / "valid.json"
    good.write_bytes(VALID_JSON)
    result = runner.invoke(args=["import-merit", str(good), "--today", "2026-11-01", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "3 employee(s) created" in result.output

    bad = tmp_path / "bad_row.csv"
    bad.write_bytes((ASSETS / "bad_row.csv").read_bytes())
    result = runner.invoke(args=["import-merit", str(bad), "--today", "2026-11-01"])
    assert result.exit_code == 1
    assert "line 3: nipBaru:" in result.output
    assert "nothing was imported" in result.output

    other = tmp_path / "data.xlsx"
    other.write_bytes(b"")
    assert runner.invoke(args=["import-merit", str(other)]).exit_code == 1


def test_record_and_cross_record_problems_are_reported_together(app: Flask) -> None:
    def change(records: list[dict]) -> None:
        records[0]["nama"] = ""
        records.append(dict(records[1]))

    assert problems_of("x.json", json_with(change)) == [("records[0]", "nama"), ("records[3]", "nipBaru")]
