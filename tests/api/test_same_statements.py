"""The API and a direct service call write identical statements for the same action (one service layer).

Two processes on two identical vacant positions, with the same pseudonym secret and the same people;
each action is done once through ``/api/v1`` on process A and once through the service on process
B. The statement payloads must be equal except for the process id, the time and the basis.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from audit.entry import parse_leaf_unverified
from tests.api.helpers import TokenSet, issue
from tests.services.helpers import World, at
from workflow import ledger, services
from workflow.extensions import db
from workflow.lifecycle import Seat
from workflow.models import Position
from workflow.models.ledger import LogLeaf

Call = Callable[..., Any]
SECRET = bytes(range(32))


def statements(process_id: int) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        sa.select(LogLeaf.leaf).where(LogLeaf.process_key == ledger.process_key(process_id)).order_by(LogLeaf.seq)
    )
    return [json.loads(parse_leaf_unverified(bytes(leaf)).statement_unverified().payload) for leaf in rows]


def comparable(statement: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in statement.items() if k not in ("process", "time", "basis")}


@pytest.fixture
def twins(world: World, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """Two draft processes on positions that differ only in code, with the same pseudonym secret."""
    monkeypatch.setattr("workflow.services.processes.new_process_secret", lambda source: SECRET)
    second = db.session.get(Position, world.other_position_id)
    assert second is not None
    first = db.session.get(Position, world.position_id)
    assert first is not None
    second.title = first.title  # codes differ (unique); the statements name the code only at creation
    db.session.commit()
    a = services.create_process(db.session, actor=world.admin, position_id=world.position_id, route="open",
                                now=at(0), ppk_id=world.ppk.id, planned_appointment_on=at(0).date())
    b = services.create_process(db.session, actor=world.admin, position_id=world.other_position_id, route="open",
                                now=at(0), ppk_id=world.ppk.id, planned_appointment_on=at(0).date())
    return a.id, b.id


def test_api_and_service_sign_the_same_statements(world: World, tokens: TokenSet, twins: tuple[int, int],
                                                  call: Call) -> None:
    a, b = twins
    committee = world.committee
    member_tokens = {u.id: issue(u) for u in committee}
    for user in committee:
        seat = "chair" if user is world.chair else "member"
        response = call("POST", f"/api/v1/processes/{a}/committee/seats", tokens.admin,
                        json={"user_id": user.id, "seat": seat})
        assert response.status_code == 200, response.get_json()
        services.seat_member(db.session, b, actor=world.admin, user_id=user.id, now=at(1),
                             seat=Seat.CHAIR if user is world.chair else Seat.MEMBER)
    ties = [world.employees[5].id]
    for user in committee:
        body: dict[str, Any] = {"declared_ties": ties} if user is world.members[0] else {}
        body["expected_basis"] = call("GET", f"/api/v1/processes/{a}", tokens.admin).get_json()["basis"]
        response = call("POST", f"/api/v1/processes/{a}/committee/pledge", member_tokens[user.id], json=body)
        assert response.status_code == 200, response.get_json()
        services.sign_pledge(db.session, b, actor=user, now=at(2),
                             declared_ties=ties if user is world.members[0] else ())
    assert call("POST", f"/api/v1/processes/{a}/form-committee", tokens.admin, json={}).status_code == 200
    services.form_committee(db.session, b, actor=world.admin, now=at(3))
    response = call("POST", f"/api/v1/processes/{a}/cancel", tokens.ppk, json={"reason": "Jabatan dihapus."})
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    services.cancel_process(db.session, b, actor=world.ppk, reason_text="Jabatan dihapus.", now=at(4))

    via_api, via_service = statements(a), statements(b)
    assert [s["action"] for s in via_api] == [s["action"] for s in via_service] == [
        "process.create", *["committee.seat"] * 5, *["committee.pledge"] * 5, "process.form_committee",
        "process.cancel",
    ]
    # Creation names the position's code; everything after it must be byte-for-byte the same data.
    assert via_api[0]["data"]["position"] != via_service[0]["data"]["position"]
    for api_statement, service_statement in zip(via_api[1:], via_service[1:], strict=True):
        assert comparable(api_statement) == comparable(service_statement)
    assert via_api[7]["data"]["ties"]  # the declared tie is in both, by the same pseudonym


def test_a_stale_basis_is_refused_the_same_way(world: World, tokens: TokenSet, twins: tuple[int, int],
                                               call: Call) -> None:
    a, _ = twins
    basis = call("GET", f"/api/v1/processes/{a}", tokens.admin).get_json()["basis"]
    services.seat_member(db.session, a, actor=world.admin, user_id=world.chair.id, now=at(1), seat=Seat.CHAIR)
    response = call("POST", f"/api/v1/processes/{a}/committee/seats", tokens.admin,
                    json={"user_id": world.members[0].id, "expected_basis": basis})
    assert response.status_code == 409 and response.get_json()["code"] == "StaleBasisError"
