"""`flask demo` builds the province and runs processes to every stage through the services."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from audit.verify import verify_bundle
from workflow import ledger
from workflow.extensions import db
from workflow.lifecycle import Stage
from workflow.models import User
from workflow.models import process as m


def test_demo_command_makes_a_real_log_with_every_stage_and_asn_accounts_in_processes(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "--employees", "900", "--seed", "7"])
    assert result.exit_code == 0, result.output

    stages = {Stage(s) for s in db.session.scalars(sa.select(m.Process.status))}
    assert stages == set(Stage), f"missing stages: {set(Stage) - stages}"
    report = verify_bundle(ledger.export_bundle(db.session))
    assert report.ok, report.problems
    assert report.size == ledger.log_size(db.session) > 0

    # The internal committee members and the admin are candidates nowhere (R3/R14), so no vacancy
    # was cancelled for a duty conflict; only the deliberate cancellation exists.
    assert db.session.scalar(sa.select(sa.func.count()).where(m.Process.status == Stage.CANCELLED)) == 1
    # asn1 objected in a finished process; asn2 is a runner-up in the announced one, window open.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(m.Objection)) >= 1
    asn2 = db.session.scalar(sa.select(User).where(User.username == "asn2"))
    announced = db.session.scalar(sa.select(m.Process).where(m.Process.status == Stage.ANNOUNCED))
    candidacy = db.session.scalar(
        sa.select(m.Candidate).where(
            m.Candidate.process_id == announced.id, m.Candidate.employee_id == asn2.employee_id
        )
    )
    assert candidacy is not None and (candidacy.shortlist_rank or 0) >= 2
    # asn3 failed a rule there, so they can read which one and why.
    asn3 = db.session.scalar(sa.select(User).where(User.username == "asn3"))
    failed = db.session.scalar(
        sa.select(m.Candidate).where(
            m.Candidate.process_id == announced.id, m.Candidate.employee_id == asn3.employee_id
        )
    )
    assert failed is not None and not failed.eligible
    assert "announced" in result.output and "signed entries" in result.output
