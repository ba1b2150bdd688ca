"""The demo processes: every stage, made through the services, deterministic, and a log that verifies."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from flask import Flask

from audit.verify import verify_bundle
from workflow import ledger
from workflow.demo import seed_demo
from workflow.demo_processes import create_demo_processes
from workflow.extensions import db
from workflow.keystore import get_keystore
from workflow.lifecycle import Stage
from workflow.models import process as m

NOW = dt.datetime(2026, 11, 1, 3, 0, tzinfo=dt.UTC)


def test_demo_has_a_process_in_every_stage_and_the_log_verifies(app: Flask) -> None:
    seed_demo(db.session, allowed=True, seed=7, employees=600, hash_method="pbkdf2:sha256:1")
    made = create_demo_processes(db.session, now=NOW, seed=7)
    stages = Counter(p.stage for p in made)
    assert set(stages) == set(Stage), stages
    for p in made:
        assert db.session.get(m.Process, p.process_id).status == p.stage
    ledger.checkpoint(db.session, get_keystore().log_signer(), NOW)
    db.session.commit()
    assert verify_bundle(ledger.export_bundle(db.session)).ok
