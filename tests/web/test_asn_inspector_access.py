"""The access matrix of the ASN, inspector and public routes: every route × every role + anonymous.

The matrix's ASN account (``access-asn``) is a candidate of the process, so its own pages answer
200; a process that did not consider it answers 404, like one that does not exist.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from tests.services.helpers import T0, at, make_world
from tests.web.access import Case, check_access
from workflow import keystore, ledger, services
from workflow.extensions import db
from workflow.lifecycle import Stage
from workflow.models import Role

ASN = frozenset({Role.ASN})
INSPECTOR = frozenset({Role.INSPECTOR})
MISSING = 987654


@pytest.fixture(autouse=True)
def _cheap_key_sealing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seal the many test accounts' keys with scrypt 2**10, not 2**15: the same code, worlds 30× faster."""
    monkeypatch.setattr(keystore, "_SCRYPT_LOG2_N", 10)


def test_every_route_for_every_role(app: Flask, tmp_path: Path) -> None:
    app.config["INSPECTOR_STATUS_FILE"] = str(tmp_path / "verification.json")
    app.config["CLOCK"] = lambda: at(11)
    world = make_world(db.session)
    # The matrix's ASN: a candidate (employee 1, rank 2) with a signing key, made before the pool.
    services.create_user(db.session, actor=None, username="access-asn", display_name="Access Asn", password_hash="x",
                         roles=[Role.ASN], now=T0, employee_id=world.employees[1].id, affiliation="internal")
    world.advance(Stage.ANNOUNCED)
    pid = world.process_id
    basis = ledger.process_basis(db.session, pid).hex()
    objection = {"text": "Mohon nilai kinerja saya diperiksa ulang.", "basis": basis}
    cases = [
        Case("GET", "/", anonymous=200, no_role_allowed=True),
        Case("GET", "/saya", allowed=ASN),
        Case("GET", f"/saya/proses/{pid}", allowed=ASN),
        Case("GET", f"/saya/proses/{pid}/tanda-terima", allowed=ASN),
        Case("GET", f"/saya/proses/{MISSING}", allowed=ASN, ok=404),
        Case("GET", f"/saya/proses/{MISSING}/tanda-terima", allowed=ASN, ok=404),
        Case("POST", f"/saya/proses/{MISSING}/keberatan", allowed=ASN, ok=404, data=objection),
        Case("POST", f"/saya/proses/{pid}/keberatan", allowed=ASN, ok=303, data=objection),
        Case("GET", "/saya/tanda-terima/cara-memeriksa", allowed=ASN),
        Case("GET", "/inspektur", allowed=INSPECTOR),
        Case("POST", "/inspektur/verifikasi", allowed=INSPECTOR, ok=303),
        Case("GET", "/inspektur/bundle", allowed=INSPECTOR),
        Case("GET", f"/inspektur/bundle?proses={pid}", allowed=INSPECTOR),
        Case("GET", f"/inspektur/bundle?proses={MISSING}", allowed=INSPECTOR, ok=404),
        Case("GET", "/inspektur/bundle?proses=x", allowed=INSPECTOR, ok=400),
        Case("GET", "/inspektur/proses", allowed=INSPECTOR),
        Case("GET", f"/inspektur/proses/{pid}", allowed=INSPECTOR),
        Case("GET", f"/inspektur/proses/{MISSING}", allowed=INSPECTOR, ok=404),
    ]
    assert check_access(app, cases) == []
    # Only the ASN's own POST went through: one objection, by that account.
    from workflow.models import process as m

    rows = db.session.query(m.Objection).all()
    assert len(rows) == 1 and rows[0].process_id == pid


def test_every_route_of_these_blueprints_is_in_the_matrix(app: Flask) -> None:
    listed = {"/saya", "/saya/proses/<int(max=2147483647):pid>", "/saya/proses/<int(max=2147483647):pid>/keberatan",
              "/saya/proses/<int(max=2147483647):pid>/tanda-terima", "/saya/tanda-terima/cara-memeriksa",
              "/inspektur", "/inspektur/verifikasi", "/inspektur/bundle", "/inspektur/proses",
              "/inspektur/proses/<int(max=2147483647):pid>"}
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith(("asn.", "inspector."))}
    assert routes == listed
