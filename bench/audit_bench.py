"""Audit-log benchmark: append rate, bundle verification rate, inclusion-proof time vs log size.

A script, not a test. Every figure is printed beside a baseline measured in the same run on the
same machine, so the ratios mean something on any hardware:

- append rate (one transaction per append, SQLite WAL file and PostgreSQL) vs a bare
  one-row INSERT + COMMIT on the same database — the floor any durable append pays;
- verification of a ``--verify-size`` entry bundle (default 100,000) vs raw Ed25519 verification of
  the same signatures (target: ≥ 0.8 of raw on one core; ``--jobs 2`` near-linear);
- inclusion-proof time at 1,000 vs ``--big`` entries (default 1,000,000; target ratio ≤ 3), on
  SQLite files under ``bench/out/`` filled by bulk insert (no signatures needed for the tree).

Usage::

    .venv/bin/python bench/audit_bench.py [--pg-url postgresql+psycopg://…] [--appends 1000]
        [--verify-size 100000] [--jobs 2] [--big 1000000] [--skip append,verify,proof]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from audit import merkle  # noqa: E402
from audit.bundle import write_bundle  # noqa: E402
from audit.dsse import pae, sign_envelope  # noqa: E402
from audit.entry import Actor, build_leaf, make_statement  # noqa: E402
from audit.keys import SYSTEM_ID, Signer, enrol_data  # noqa: E402
from audit.note import Checkpoint, Ed25519Signer, sign_checkpoint  # noqa: E402
from audit.verify import verify_bundle  # noqa: E402

OUT = ROOT / "bench" / "out"
T0 = dt.datetime(2026, 3, 1, 8, 0, 0, tzinfo=dt.UTC)
ORIGIN = "bench.jejak.example/log"


def _app(url: str, key_dir: str, **extra: object):
    from workflow import create_app

    return create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=url, KEY_DIR=key_dir, **extra)


# --- append rate ---------------------------------------------------------------------------------


def bench_append(url: str, label: str, n: int) -> None:
    from workflow import keystore, ledger
    from workflow.extensions import db
    from workflow.models import User

    with tempfile.TemporaryDirectory() as keys:
        app = _app(url, keys)
        with app.app_context():
            db.drop_all()
            db.create_all()
            # Baseline: a bare one-row INSERT + COMMIT, the cost floor of any durable append.
            with db.engine.connect() as conn:
                conn.execute(sa.text("CREATE TABLE bench_floor (x BIGINT)"))
                conn.commit()
                t = time.perf_counter()
                for i in range(n):
                    conn.execute(sa.text("INSERT INTO bench_floor VALUES (:x)"), {"x": i})
                    conn.commit()
                floor = n / (time.perf_counter() - t)
                conn.execute(sa.text("DROP TABLE bench_floor"))
                conn.commit()
            store = keystore.get_keystore()
            store.bootstrap(db.session, T0)
            user = User(username="bench", display_name="Bench", password_hash="x", created_at=T0.replace(tzinfo=None))
            db.session.add(user)
            db.session.flush()
            store.enrol_user_key(db.session, user.id, T0)
            db.session.commit()
            signer = store.user_signer(db.session, user.id)
            actor = Actor(str(user.id), "admin", signer.key_id)
            t = time.perf_counter()
            for i in range(n):
                payload = make_statement(
                    action="process.note", process=1 + i % 10, from_state=None, to_state=None, time=T0,
                    actor=actor, data={"i": i}, basis=ledger.process_basis(db.session, 1 + i % 10),
                )
                ledger.append(db.session, sign_envelope(payload, [signer]), now=T0)
                db.session.commit()
            rate = n / (time.perf_counter() - t)
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    print(f"append  {label:<11} {rate:8.0f} appends/s (sign + check + lock + store + commit); "
          f"bare INSERT+COMMIT {floor:8.0f}/s; ratio {rate / floor:.2f}")


# --- verification rate ---------------------------------------------------------------------------


def build_bundle(size: int) -> tuple[bytes, str]:
    """A valid ``size``-entry bundle: system bootstrap, one user enrolment, then user statements."""
    system, user, log_key = Signer.generate(), Signer.generate(), Ed25519Signer(ORIGIN, Signer.generate().private_key)
    leaves: list[bytes] = []
    prev, basis_by_process = bytes(32), {}

    def add(process: object, actor: Actor, action: str, data: dict, signers: list[Signer]) -> None:
        nonlocal prev
        payload = make_statement(
            action=action, process=process, from_state=None, to_state=None, time=T0, actor=actor, data=data,
            basis=basis_by_process.get(process, bytes(32)),
        )
        leaf = build_leaf(len(leaves), prev, T0, sign_envelope(payload, signers))
        prev = basis_by_process[process] = merkle.leaf_hash(leaf)
        leaves.append(leaf)

    sys_actor = Actor(SYSTEM_ID, "system", system.key_id)
    add(None, sys_actor, "key.enrol", enrol_data(SYSTEM_ID, system.public_bytes, "bootstrap"), [system])
    add(None, sys_actor, "key.enrol", enrol_data("1", user.public_bytes, "bench"), [system, user])
    actor = Actor("1", "admin", user.key_id)
    for i in range(size - 2):
        add(1 + i % 100, actor, "process.note", {"i": i}, [user])
    root = merkle.root([merkle.leaf_hash(leaf) for leaf in leaves])
    note = sign_checkpoint(Checkpoint(ORIGIN, size, root), log_key)
    bundle = write_bundle(origin=ORIGIN, log_vkey=log_key.verifier.vkey, checkpoints=[note], leaves=leaves,
                          system_keys=[system.public_bytes])
    return bundle, log_key.verifier.vkey


def bench_verify(size: int, jobs: int) -> None:
    from audit.bundle import read_bundle_unverified
    from audit.entry import parse_leaf_unverified

    t = time.perf_counter()
    bundle, vkey = build_bundle(size)
    print(f"verify  built a {size}-entry bundle ({len(bundle) / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s")
    # Baseline: raw Ed25519 verification of exactly the bundle's statement signatures (keys cached).
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    parsed = read_bundle_unverified(bundle)
    keys: dict[str, Ed25519PublicKey] = {}
    tasks = []
    for leaf in parsed.leaves:
        entry = parse_leaf_unverified(leaf)
        for sig in entry.envelope.signatures:
            tasks.append((sig.keyid, pae(entry.envelope.payload_type, entry.envelope.payload), sig.sig))
    from audit.keys import KeyHistory

    history = KeyHistory.replay(parse_leaf_unverified(leaf) for leaf in parsed.leaves[:2])
    for record in history.records():
        keys[record.key_id] = Ed25519PublicKey.from_public_bytes(record.public_key)
    t = time.perf_counter()
    for kid, message, sig in tasks:
        keys[kid].verify(sig, message)
    raw_rate = len(parsed.leaves) / (time.perf_counter() - t)
    print(f"verify  raw Ed25519 (same {len(tasks)} signatures, 1 core): {raw_rate:8.0f} entries/s")
    for j in sorted({1, jobs}):
        t = time.perf_counter()
        report = verify_bundle(bundle, vkey=vkey, jobs=j)
        elapsed = time.perf_counter() - t
        assert report.ok, report.problems[:3]
        rate = size / elapsed
        print(f"verify  verify_bundle jobs={j}: {rate:8.0f} entries/s ({elapsed:.2f} s); "
              f"{rate / raw_rate:.2f} × raw single-core")


# --- inclusion proofs vs size --------------------------------------------------------------------


def build_tree_db(path: Path, size: int) -> None:
    """A SQLite log of ``size`` synthetic leaves: log_hash and log_head only, bulk-inserted."""
    from workflow.extensions import db
    from workflow.models.ledger import LogHash, LogHead

    path.unlink(missing_ok=True)
    app = _app(f"sqlite:///{path}", str(OUT / "keys"))
    with app.app_context():
        db.create_all()
        level = [hashlib.sha256(b"\x00" + i.to_bytes(8, "big")).digest() for i in range(size)]
        rows, lv = [], 0
        while level:
            rows.extend({"level": lv, "idx": i, "hash": h} for i, h in enumerate(level))
            level = [merkle.node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            lv += 1
        with db.engine.begin() as conn:
            for start in range(0, len(rows), 100_000):
                conn.execute(LogHash.__table__.insert(), rows[start : start + 100_000])
            conn.execute(LogHead.__table__.insert(), {"id": 1, "size": size, "last_leaf_hash": bytes(32)})
        db.engine.dispose()


def time_proofs(path: Path, size: int, count: int) -> float:
    from workflow import ledger
    from workflow.extensions import db

    app = _app(f"sqlite:///{path}", str(OUT / "keys"))
    rng = random.Random(7)
    with app.app_context():
        ledger.inclusion_proof(db.session, 0, size)  # warm the connection and caches
        t = time.perf_counter()
        for _ in range(count):
            ledger.inclusion_proof(db.session, rng.randrange(size), size)
        per = (time.perf_counter() - t) / count
        db.session.remove()
        db.engine.dispose()
    return per


def bench_proofs(big: int, count: int) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    times = {}
    for size in (1000, big):
        path = OUT / f"tree-{size}.sqlite3"
        t = time.perf_counter()
        build_tree_db(path, size)
        print(f"proof   built a {size}-leaf tree store in {time.perf_counter() - t:.1f} s ({path.name})")
        times[size] = time_proofs(path, size, count)
        print(f"proof   inclusion proof at {size:>9} entries: {times[size] * 1e6:8.0f} µs")
    print(f"proof   ratio {big} / 1000 entries: {times[big] / times[1000]:.2f} (target ≤ 3)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", default=os.environ.get("JEJAK_BENCH_PG_URL"))
    parser.add_argument("--appends", type=int, default=1000)
    parser.add_argument("--verify-size", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=500)
    parser.add_argument("--skip", default="", help="comma list of: append, verify, proof")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    if "append" not in skip:
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "append.sqlite3").unlink(missing_ok=True)
        bench_append(f"sqlite:///{OUT / 'append.sqlite3'}", "SQLite WAL", args.appends)
        if args.pg_url:
            bench_append(args.pg_url, "PostgreSQL", args.appends)
        else:
            print("append  PostgreSQL: skipped (give --pg-url)")
    if "verify" not in skip:
        bench_verify(args.verify_size, args.jobs)
    if "proof" not in skip:
        bench_proofs(args.big, args.proofs)


if __name__ == "__main__":
    main()
