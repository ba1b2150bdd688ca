"""Acceptance: many OS processes appending at once build one linear log that verifies.

Each worker is a separate interpreter (multiprocessing, spawn) with its own app and engine on the
same database, like gunicorn workers on several hosts. Each appends to its own process chain, so
a lost lock would show as a duplicate seq (IntegrityError), a gap, or a fork of the prev chain.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from flask import Flask

from audit.dsse import sign_envelope
from audit.entry import Actor, make_statement, parse_leaf_unverified
from audit.verify import verify_bundle
from tests.conftest import make_app
from tests.dbs import postgres_url, reset_postgres
from workflow import create_app, keystore, ledger
from workflow.extensions import db

from .test_ledger import T0, make_user

APPENDS_PER_WORKER = 500


def _worker(url: str, key_dir: str, user_id: int, process: int, count: int) -> int:
    """Append ``count`` statements about ``process``, one transaction each (runs in a child process)."""
    if url.startswith("postgresql"):
        # The head lock is held across COMMIT, so the rate is bounded by the WAL flush (~5 ms on
        # this disk). This test is about ordering, not durability: skip the flush to stay < 60 s.
        options = {"connect_args": {"options": "-c synchronous_commit=off"}}
        app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=options,
                         KEY_DIR=key_dir)
    else:
        app = make_app(url, KEY_DIR=key_dir)
    with app.app_context():
        signer = keystore.get_keystore().user_signer(db.session, user_id)
        db.session.rollback()  # end the read transaction before the loop
        for i in range(count):
            payload = make_statement(
                action="process.note", process=process, from_state=None, to_state=None, time=T0,
                actor=Actor(str(user_id), "admin", signer.key_id), data={"i": i},
                basis=ledger.process_basis(db.session, process),
            )
            ledger.append(db.session, sign_envelope(payload, [signer]), now=T0)
            db.session.commit()
        db.engine.dispose()
    return count


def _run(app: Flask, url: str, workers: int) -> None:
    store = keystore.get_keystore()
    store.bootstrap(db.session, T0)
    users = []
    for w in range(workers):
        users.append(make_user(f"worker{w}"))
        store.enrol_user_key(db.session, users[-1], T0)
    db.session.commit()
    start = ledger.log_size(db.session)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers) as pool:
        jobs = [
            pool.apply_async(_worker, (url, app.config["KEY_DIR"], users[w], 1000 + w, APPENDS_PER_WORKER))
            for w in range(workers)
        ]
        assert [job.get(timeout=300) for job in jobs] == [APPENDS_PER_WORKER] * workers

    db.session.rollback()
    size = ledger.log_size(db.session)
    assert size == start + workers * APPENDS_PER_WORKER
    leaves = ledger.read_leaves(db.session, 0, size)
    prev = bytes(32)
    for seq, leaf in enumerate(leaves):  # seqs 0..size-1, no gaps, one prev chain (no fork)
        entry = parse_leaf_unverified(leaf)
        assert (entry.seq, entry.prev) == (seq, prev)
        prev = entry.leaf_hash
    ledger.checkpoint(db.session, store.log_signer(), T0)
    db.session.commit()
    report = verify_bundle(ledger.export_bundle(db.session), vkey=store.log_vkey())
    assert report.ok, report.problems[:5]
    assert report.size == size


@pytest.mark.slow
def test_sqlite_wal_4_processes_x_500_appends_make_one_log(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'concurrent.sqlite3'}"
    app = make_app(url, KEY_DIR=str(tmp_path / "keys"))
    with app.app_context():
        db.create_all()
        _run(app, url, 4)
        db.session.remove()
        db.engine.dispose()


@pytest.mark.slow
@pytest.mark.postgresql
def test_postgresql_8_processes_x_500_appends_make_one_log(tmp_path: Path) -> None:
    url = postgres_url()
    reset_postgres(url)
    app = make_app(url, KEY_DIR=str(tmp_path / "keys"))
    with app.app_context():
        db.create_all()
        _run(app, url, 8)
        db.session.remove()
        db.engine.dispose()
