"""Merit-import benchmark: 100,000 deterministic records, imported into a fresh SQLite file (and PostgreSQL).

    .venv/bin/python -m bench.import_bench [--rows 100000] [--format csv|json|both] [--pg-url URL]

Prints rows/s for each phase (read, validate, write+commit, idempotent re-import) and two
baselines measured in the same run on the same rows: parse+validate without the database, and a
raw DBAPI executemany of the same rows (ids assigned up front, no upsert logic) as the floor of
what the database itself needs. Files go to bench/out/ (ignored by git).
WARNING: --pg-url drops and recreates the ``public`` schema of that database.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from tests.dbs import reset_postgres
from workflow import create_app
from workflow.demo import DEFAULT_REFERENCE, build_province
from workflow.extensions import db
from workflow.importing.readers import ASESMEN_PARTS, CORE_COLUMNS, HUKDIS_PARTS, read_merit_file
from workflow.importing.records import COMPETENCY, MeritRecord
from workflow.importing.validation import validate_records
from workflow.importing.writer import write_records
from workflow.reference import COMPETENCIES, POTENTIAL_COMPONENTS

OUT = Path(__file__).resolve().parent / "out"
STAMP = dt.datetime(2026, 11, 1, 8, 0)
T = TypeVar("T")


def siasn_record(r: MeritRecord) -> dict[str, Any]:
    """A validated record written back in the import's JSON shape (docs/merit-import.md)."""
    e = r.employee
    return {
        "nipBaru": r.nip,
        "nama": e["name"],
        "jenisKelamin": e["sex"].value,
        "tglLahir": e["birth_date"].isoformat(),
        "tmtCpns": e["tmt_cpns"].isoformat(),
        "golRuangAkhir": e["golongan"].value,
        "tmtGolAkhir": e["tmt_golongan"].isoformat(),
        "jabatanNama": e["position_title"],
        "jenisJabatan": e["position_type"].value,
        "tmtJabatan": e["tmt_position"].isoformat(),
        "unorId": r.unit_code,
        "unorNama": r.unit_name,
        "tkPendidikanTerakhir": e["education"].value,
        "lhkpnStatus": e["lhkpn_status"].value,
        "lhkpnTahun": e["lhkpn_year"],
        "skp": [{"tahun": x.year, "predikat": x.predikat.value} for x in r.ratings],
        "hukdis": [
            {
                "tingkat": d.level.value,
                "tmtHukuman": d.imposed_on.isoformat(),
                "akhirHukuman": d.ends_on.isoformat() if d.ends_on else None,
                "keterangan": d.description,
            }
            for d in r.discipline
        ],
        "asesmen": [
            {
                "tanggal": a.assessed_on.isoformat(),
                "berlakuSampai": a.valid_until.isoformat(),
                "penyelenggara": a.provider,
                "terakreditasi": a.provider_accredited,
                "kompetensi": {n: lvl for k, n, lvl in a.scores if k == COMPETENCY},
                "potensi": {n: lvl for k, n, lvl in a.scores if k != COMPETENCY},
            }
            for a in r.assessments
        ],
    }


def write_json(records: Sequence[MeritRecord]) -> bytes:
    return json.dumps({"records": [siasn_record(r) for r in records]}, ensure_ascii=False).encode()


def write_csv(records: Sequence[MeritRecord]) -> bytes:
    """The wide CSV keeps one assessment per row, so only the latest one is written."""
    header = [
        *CORE_COLUMNS,
        "skp_2024",
        "skp_2025",
        *(f"hukdis_1_{p}" for p in HUKDIS_PARTS),
        *(f"asesmen_{p}" for p in ASESMEN_PARTS),
        *(f"komp_{c}" for c in COMPETENCIES),
        *(f"potensi_{c}" for c in POTENTIAL_COMPONENTS),
    ]
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(header)
    for r in records:
        s = siasn_record(r)
        row: dict[str, Any] = {c: s[c] for c in CORE_COLUMNS}
        row.update({f"skp_{x['tahun']}": x["predikat"] for x in s["skp"]})
        for h in s["hukdis"][:1]:
            row.update(
                hukdis_1_tingkat=h["tingkat"],
                hukdis_1_tmt=h["tmtHukuman"],
                hukdis_1_akhir=h["akhirHukuman"],
                hukdis_1_keterangan=h["keterangan"],
            )
        for a in s["asesmen"][-1:]:
            row.update({f"asesmen_{p}": a[p] for p in ASESMEN_PARTS})
            row["asesmen_terakreditasi"] = "ya" if a["terakreditasi"] else "tidak"
            row.update({f"komp_{k}": v for k, v in a["kompetensi"].items()})
            row.update({f"potensi_{k}": v for k, v in a["potensi"].items()})
        out.writerow(["" if row.get(c) is None else row.get(c) for c in header])
    return buffer.getvalue().encode()


def timed(label: str, rows: int, fn: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    print(f"  {label:<44} {elapsed:8.2f} s  {rows / elapsed:>10,.0f} rows/s")
    return result


def fresh_app(url: str):  # type: ignore[no-untyped-def]
    if url.startswith("postgresql"):
        reset_postgres(url)
    elif url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={})
    with app.app_context():
        db.create_all()
    return app


def raw_executemany(url: str, records: Sequence[MeritRecord]) -> None:
    """Floor: the same rows through the driver's executemany, ids precomputed, no reads, no checks."""
    units = {r.unit_code: r.unit_name for r in records}
    unit_ids = {code: i for i, code in enumerate(sorted(units), start=1)}
    employees, ratings, discipline, assessments, scores = [], [], [], [], []
    assessment_id = 0
    for emp_id, r in enumerate(records, start=1):
        e = r.employee
        employees.append(
            (emp_id, e["nip"], e["name"], e["sex"].value, e["birth_date"], e["tmt_cpns"], e["golongan"].value,
             e["tmt_golongan"], e["position_title"], e["position_type"].value, e["tmt_position"], False,
             unit_ids[r.unit_code], e["education"].value, e["lhkpn_status"].value, e["lhkpn_year"], STAMP)
        )  # fmt: skip
        ratings += [(emp_id, x.year, x.predikat.value) for x in r.ratings]
        discipline += [(emp_id, d.level.value, d.imposed_on, d.ends_on, d.description) for d in r.discipline]
        for a in r.assessments:
            assessment_id += 1
            assessments.append((assessment_id, emp_id, a.assessed_on, a.valid_until, a.provider, a.provider_accredited))
            scores += [(assessment_id, k, n, lvl) for k, n, lvl in a.scores]
    pg = url.startswith("postgresql")
    p = "%s" if pg else "?"

    def sql(table: str, columns: str) -> str:
        return f"INSERT INTO {table} ({columns}) VALUES ({', '.join([p] * len(columns.split(',')))})"

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(sql("org_unit", "id, code, name"), [(i, c, units[c]) for c, i in unit_ids.items()])
        conn.exec_driver_sql(
            sql(
                "employee",
                "id, nip, name, sex, birth_date, tmt_cpns, golongan, tmt_golongan, position_title, position_type,"
                " tmt_position, is_acting, unit_id, education, lhkpn_status, lhkpn_year, updated_at",
            ),
            employees,
        )
        conn.exec_driver_sql(sql("performance_rating", "employee_id, year, predikat"), ratings)
        if discipline:
            conn.exec_driver_sql(
                sql("discipline_record", "employee_id, level, imposed_on, ends_on, description"), discipline
            )
        conn.exec_driver_sql(
            sql("assessment", "id, employee_id, assessed_on, valid_until, provider, provider_accredited"), assessments
        )
        conn.exec_driver_sql(sql("assessment_score", "assessment_id, kind, name, level"), scores)
    engine.dispose()


def run(url: str, name: str, content: bytes, rows: int) -> None:
    print(f"{name} -> {url.split('@')[-1]}")
    parsed = timed("read (parse file)", rows, lambda: read_merit_file(name, content))
    records = timed(
        "validate (marshmallow + NIP + cross-record)",
        rows,
        lambda: validate_records(parsed.records, today=DEFAULT_REFERENCE),
    )
    app = fresh_app(url)
    with app.app_context():

        def write() -> None:
            write_records(db.session, records, now=STAMP)
            db.session.commit()

        timed("write + commit (fresh database)", rows, write)
        timed("re-import write (idempotent: nothing changes)", rows, write)
        employees = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("employee")))
        db.session.remove()
        db.engine.dispose()
    assert employees == rows
    fresh_app(url)
    timed("baseline: raw DBAPI executemany, same rows", rows, lambda: raw_executemany(url, records))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--format", choices=("csv", "json", "both"), default="both")
    parser.add_argument("--pg-url", help="also run against this PostgreSQL database (its schema is dropped!)")
    args = parser.parse_args()

    OUT.mkdir(exist_ok=True)
    province = timed(
        "generate records (demo generator)", args.rows, lambda: build_province(args.seed, args.rows, DEFAULT_REFERENCE)
    )
    files = []
    if args.format in ("csv", "both"):
        files.append(("merit.csv", timed("serialise CSV", args.rows, lambda: write_csv(province.records))))
    if args.format in ("json", "both"):
        files.append(("merit.json", timed("serialise JSON", args.rows, lambda: write_json(province.records))))
    for name, content in files:
        (OUT / name).write_bytes(content)
        print(f"  wrote {OUT / name} ({len(content) / 1e6:.1f} MB)")
    for name, content in files:
        run(f"sqlite:///{OUT / 'bench.sqlite3'}", name, content, args.rows)
        if args.pg_url:
            run(args.pg_url, name, content, args.rows)


if __name__ == "__main__":
    main()
