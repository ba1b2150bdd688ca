"""The access matrix of the process pages: every route × every role, an account without roles, anonymous.

The process is a fresh draft with no PPK designated, so each allowed role reaches its action and
gets the answer the action gives to a draft (a form error, 422, or a refusal, 409) instead of the
role check's 403. Every visitor's account has a signing key, so no status comes from a missing key.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from tests.services.helpers import T0, make_world
from tests.web.access import Case, check_access
from tests.web.helpers import make_user
from workflow import ledger, services
from workflow.extensions import db
from workflow.models import Role
from workflow.models.ledger import LogLeaf

STAFF = frozenset({Role.ADMIN, Role.PPK, Role.VERIFIER, Role.INSPECTOR})
COMMITTEE = frozenset({Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR})
ADMIN = frozenset({Role.ADMIN})


def _accounts_with_keys() -> None:
    for role in Role:
        user = make_user(f"access-{role}", role)
        services.ensure_user_key(db.session, user.id, now=T0)
    services.ensure_user_key(db.session, make_user("access-no_role").id, now=T0)


def test_process_routes_match_the_matrix(app: Flask) -> None:
    world = make_world(db.session)
    _accounts_with_keys()
    pid = services.create_process(db.session, actor=world.admin, position_id=world.position_id, route="open",
                                  now=T0).id
    seq = db.session.scalar(sa.select(LogLeaf.seq).where(LogLeaf.process_key == ledger.process_key(pid)))
    basis = {"expected_basis": ledger.process_basis(db.session, pid).hex()}
    base = f"/proses/{pid}"
    seated_only = {role: 404 for role in COMMITTEE}  # a committee role without a seat here
    cases = [
        Case("GET", "/proses", allowed=STAFF | COMMITTEE),
        Case("GET", base, allowed=STAFF | COMMITTEE, overrides=seated_only),
        Case("GET", f"{base}/pernyataan/{seq}", allowed=STAFF | COMMITTEE, overrides=seated_only),
        Case("GET", "/proses/baru", allowed=ADMIN),
        Case("POST", "/proses/baru", allowed=ADMIN, ok=422, data={"route": "open"}),
        # Seating an account that holds no committee role: refused by the service.
        Case("POST", f"{base}/panitia", allowed=ADMIN, ok=409, data={**basis, "user_id": str(world.asn.id)}),
        Case("POST", f"{base}/bentuk-panitia", allowed=ADMIN, ok=409, data=basis),
        Case("POST", f"{base}/nominasi", allowed=ADMIN, ok=409, data=basis),
        Case("POST", f"{base}/daftar-pendek", allowed=ADMIN, ok=409, data=basis),
        Case("POST", f"{base}/umumkan", allowed=ADMIN, ok=409, data=basis),
        Case("POST", f"{base}/batal", allowed=frozenset({Role.ADMIN, Role.PPK}), ok=422, data=basis),
        Case("GET", f"{base}/verifikasi", allowed=frozenset({Role.VERIFIER})),
        Case("POST", f"{base}/verifikasi", allowed=frozenset({Role.VERIFIER}), ok=409, data=basis),
        Case("GET", f"{base}/penetapan", allowed=frozenset({Role.PPK})),
        Case("POST", f"{base}/penetapan", allowed=frozenset({Role.PPK}), ok=422, data=basis),
    ]
    assert check_access(app, cases) == []
    # Nothing above changed the process: every allowed call was refused or sent back.
    assert ledger.process_basis(db.session, pid).hex() == basis["expected_basis"]


def test_every_route_of_the_blueprint_is_in_the_matrix(app: Flask) -> None:
    rules = sorted((r.rule, m) for r in app.url_map.iter_rules() if r.endpoint.startswith("processes.")
                   for m in sorted((r.methods or set()) - {"HEAD", "OPTIONS"}))
    assert rules == sorted([
        ("/proses", "GET"),
        ("/proses/<int(max=2147483647):pid>", "GET"),
        ("/proses/<int(max=2147483647):pid>/pernyataan/<int(max=9223372036854775807):seq>", "GET"),
        ("/proses/baru", "GET"),
        ("/proses/baru", "POST"),
        ("/proses/<int(max=2147483647):pid>/panitia", "POST"),
        ("/proses/<int(max=2147483647):pid>/bentuk-panitia", "POST"),
        ("/proses/<int(max=2147483647):pid>/nominasi", "POST"),
        ("/proses/<int(max=2147483647):pid>/daftar-pendek", "POST"),
        ("/proses/<int(max=2147483647):pid>/umumkan", "POST"),
        ("/proses/<int(max=2147483647):pid>/batal", "POST"),
        ("/proses/<int(max=2147483647):pid>/verifikasi", "GET"),
        ("/proses/<int(max=2147483647):pid>/verifikasi", "POST"),
        ("/proses/<int(max=2147483647):pid>/penetapan", "GET"),
        ("/proses/<int(max=2147483647):pid>/penetapan", "POST"),
    ])


def test_unknown_process_is_404_for_every_allowed_role(app: Flask) -> None:
    _accounts_with_keys()
    cases = [
        Case("GET", "/proses/4242", allowed=STAFF, ok=404, overrides={r: 404 for r in COMMITTEE}),
        Case("GET", "/proses/4242/verifikasi", allowed=frozenset({Role.VERIFIER}), ok=404),
        Case("GET", "/proses/4242/penetapan", allowed=frozenset({Role.PPK}), ok=404),
        Case("POST", "/proses/4242/bentuk-panitia", allowed=ADMIN, ok=404, data={"expected_basis": "0" * 64}),
    ]
    assert check_access(app, cases) == []
