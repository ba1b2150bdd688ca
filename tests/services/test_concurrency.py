"""PostgreSQL: concurrent actions on one process serialise on its row lock and log linearly."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from audit.entry import parse_leaf_unverified, parse_statement_unverified
from tests.conftest import make_app
from tests.dbs import postgres_url, reset_postgres
from tests.services.helpers import World, at, make_world
from workflow import ledger, services
from workflow.errors import ConflictError
from workflow.extensions import db
from workflow.lifecycle import Stage
from workflow.models import User
from workflow.models import process as m

pytestmark = [pytest.mark.postgresql, pytest.mark.slow]


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[tuple[Flask, World]]:
    url = postgres_url()
    reset_postgres(url)
    app = make_app(url, KEY_DIR=str(tmp_path / "keys"))
    with app.app_context():
        db.create_all()
        yield app, make_world(db.session)
        db.session.remove()
        db.engine.dispose()


def race(app: Flask, calls: list[Callable[[], object]]) -> list[object]:
    """Run each call in its own thread and app context (own session), all released at once."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results[i] = calls[i]()
            except Exception as exc:
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_five_members_commit_at_once_without_a_lost_update(pg: tuple[Flask, World]) -> None:
    app, world = pg
    world.advance(Stage.SHORTLISTED)
    start = ledger.log_size(world.session)
    ids, pid = [u.id for u in world.committee], world.process_id
    world.session.commit()

    def commit(user_id: int, digest: str) -> object:
        return services.commit_vote(db.session, pid, actor=db.session.get(User, user_id), commitment=digest, now=at(8))

    results = race(app, [lambda u=u, i=i: commit(u, f"{i:064x}") for i, u in enumerate(ids)])
    assert not [r for r in results if isinstance(r, Exception)], results
    world.session.expire_all()
    rows = world.session.scalars(sa.select(m.VoteCommit).where(m.VoteCommit.process_id == pid)).all()
    assert len(rows) == 5
    leaves = ledger.read_leaves(world.session, 0, ledger.log_size(world.session))
    prev = bytes(32)
    for seq, leaf in enumerate(leaves):  # one linear log
        entry = parse_leaf_unverified(leaf)
        assert (entry.seq, entry.prev) == (seq, prev)
        prev = entry.leaf_hash
    new = [parse_statement_unverified(parse_leaf_unverified(x).envelope.payload) for x in leaves[start:]]
    assert [s.action for s in new] == ["vote.commit"] * 5
    basis = ledger.process_basis(world.session, pid)
    chain = [parse_leaf_unverified(x).leaf_hash for x in leaves[start:]]
    assert [s.basis for s in new[1:]] == chain[:-1] and chain[-1] == basis  # one process chain, no fork


def test_two_racing_transitions_exactly_one_wins(pg: tuple[Flask, World]) -> None:
    app, world = pg
    world.advance(Stage.DRAFT)
    pid, admins = world.process_id, [world.admin.id, world.admin2.id]
    world.session.commit()

    def form(user_id: int) -> object:
        return services.form_committee(db.session, pid, actor=db.session.get(User, user_id), now=at(3))

    results = race(app, [lambda u=u: form(u) for u in admins])
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ConflictError), results
    assert world.process().status == Stage.COMMITTEE_FORMED
    leaves = ledger.read_leaves(world.session, 0, ledger.log_size(world.session))
    actions = [parse_statement_unverified(parse_leaf_unverified(x).envelope.payload).action for x in leaves]
    assert actions.count("process.form_committee") == 1
