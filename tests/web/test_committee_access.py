"""Access matrix of the committee routes: every route × every role, no role and anonymous.

The matrix's committee accounts (``access-committee_member``, ``access-committee_chair``) hold
seats in process A and none in process B, so the same role gets the page on A and 404 on B:
a seat, not the account role alone, opens a process. POSTs carry a CSRF token but no other field,
so a seated visitor reaches the form check (422) and nothing is ever signed.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask

from tests.services.helpers import at, make_world
from tests.web.access import Case, check_access
from tests.web.helpers import make_user
from workflow import services
from workflow.extensions import db
from workflow.lifecycle import Seat
from workflow.models import Role

COMMITTEE = frozenset({Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR})

GET_PATHS = ("", "/pakta", "/kandidat", "/kandidat/p-000000000000000000000000", "/suara")
POST_PATHS = ("/pakta", "/mundur", "/suara", "/suara/ungkap", "/buka-pengungkapan", "/tutup-penilaian",
              "/selesaikan-sanggahan", "/buka-kembali", "/sanggahan/1")


def _processes() -> tuple[int, int]:
    """Process A (draft) with the matrix's committee accounts seated; process B without them."""
    world = make_world(db.session)
    world.create()
    world.seat_all()
    member = make_user("access-committee_member", Role.COMMITTEE_MEMBER)
    chair = make_user("access-committee_chair", Role.COMMITTEE_CHAIR)
    services.seat_member(db.session, world.process_id, actor=world.admin, user_id=member.id, now=at(2))
    services.seat_member(db.session, world.process_id, actor=world.admin, user_id=chair.id, now=at(2), seat=Seat.CHAIR)
    other = services.create_process(db.session, actor=world.admin2, position_id=world.other_position_id,
                                    route="open", now=at(3), ppk_id=world.ppk2.id,
                                    planned_appointment_on=dt.date(2026, 6, 1))
    return world.process_id, other.id


def cases(process_a: int, process_b: int) -> list[Case]:
    out = [Case("GET", "/komite", allowed=COMMITTEE)]
    for path in GET_PATHS:
        out.append(Case("GET", f"/komite/{process_a}{path}", allowed=COMMITTEE))
        out.append(Case("GET", f"/komite/{process_b}{path}", allowed=COMMITTEE, ok=404))
    for path in POST_PATHS:
        out.append(Case("POST", f"/komite/{process_a}{path}", allowed=COMMITTEE, ok=422))
        out.append(Case("POST", f"/komite/{process_b}{path}", allowed=COMMITTEE, ok=404))
    return out


def test_committee_routes_match_the_matrix(app: Flask) -> None:
    process_a, process_b = _processes()
    assert check_access(app, cases(process_a, process_b)) == []


def test_every_committee_route_is_in_the_matrix(app: Flask) -> None:
    rules = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("committee.")
             for method in rule.methods or () if method in {"GET", "POST"}}
    listed = {("GET", "/komite")}
    listed |= {("GET", "/komite/<int:pid>" + p) for p in GET_PATHS if "/kandidat/" not in p}
    listed |= {("GET", "/komite/<int:pid>/kandidat/<pseudonym>")}
    listed |= {("POST", "/komite/<int:pid>" + p) for p in POST_PATHS if "/sanggahan/" not in p}
    listed |= {("POST", "/komite/<int:pid>/sanggahan/<int:oid>")}
    assert rules == listed
