"""Which role may trigger which event, committee seats, and segregation of duties (DESIGN.md §6)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from types import MappingProxyType

import pytest

from tests.lifecycle.builders import EVENT_INPUTS, NOW, good_view
from workflow.lifecycle import Actor, Duty, Event, ProcessFlow, Role, Stage
from workflow.lifecycle.reasons import codes
from workflow.lifecycle.roles import (
    ACTION_ROLES,
    CONFLICTING_DUTIES,
    EVENT_ROLES,
    SYSTEM_SIGNED_EVENTS,
    acting_role,
    segregation_blockers,
)
from workflow.lifecycle.rules import SPECS

# The person who legitimately holds each role in builders.good_view().
PERSON = {
    Role.ADMIN: "adm",
    Role.VERIFIER: "ver",
    Role.PPK: "ppk",
    Role.COMMITTEE_CHAIR: "m1",
    Role.COMMITTEE_MEMBER: "m2",
    Role.INSPECTOR: "insp",
    Role.ASN: "asn-7",
    Role.SYSTEM: "system",
}


def flow_for(event: Event, actor: Actor, view=None) -> ProcessFlow:  # type: ignore[no-untyped-def]
    base = good_view() if view is None else view
    return ProcessFlow(replace(base, status=SPECS[event].sources[0]), actor=actor, now=NOW)


@pytest.mark.parametrize(("event", "role"), list(itertools.product(Event, Role)))
def test_role_matrix(event: Event, role: Role) -> None:
    flow = flow_for(event, Actor(PERSON[role], role))
    found = codes(flow.blockers(event, **EVENT_INPUTS.get(event, {})))
    if role in EVENT_ROLES[event]:
        assert not [c for c in found if c.startswith(("role.", "sod."))]
    else:
        assert found[0] == "role.not_permitted"


def test_the_matrix_is_the_documented_one() -> None:
    assert {e: sorted(EVENT_ROLES[e]) for e in Event} == {
        Event.FORM_COMMITTEE: [Role.ADMIN],
        Event.NOMINATE_POOL: [Role.ADMIN],
        Event.VERIFY_COMPETENCY: [Role.VERIFIER],
        Event.SHORTLIST: [Role.ADMIN],
        Event.REVIEW: [Role.COMMITTEE_CHAIR],
        Event.ANNOUNCE: [Role.ADMIN],
        Event.RESOLVE_OBJECTIONS: [Role.COMMITTEE_CHAIR],
        Event.REOPEN_SHORTLIST: [Role.COMMITTEE_CHAIR],
        Event.APPOINT: [Role.PPK],
        Event.CANCEL: [Role.ADMIN, Role.PPK],
    }
    assert {Event.NOMINATE_POOL, Event.SHORTLIST} == SYSTEM_SIGNED_EVENTS
    # Nobody triggers a transition as inspector, asn or system; members only vote.
    assert not any(r in roles for roles in EVENT_ROLES.values() for r in (Role.INSPECTOR, Role.ASN, Role.SYSTEM))
    assert ACTION_ROLES["commit_vote"] == ACTION_ROLES["reveal_vote"] == {Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR}


def test_claiming_the_chair_without_the_seat_is_refused() -> None:
    assert codes(flow_for(Event.REVIEW, Actor("m2", Role.COMMITTEE_CHAIR)).blockers(Event.REVIEW)) == [
        "role.not_seated"
    ]
    assert codes(flow_for(Event.REVIEW, Actor("stranger", Role.COMMITTEE_CHAIR)).blockers(Event.REVIEW)) == [
        "role.not_seated"
    ]


def test_a_recused_chair_cannot_close_the_review() -> None:
    view = good_view()
    seats = (replace(view.members[0], recused=True), *view.members[1:])
    found = codes(
        flow_for(Event.REVIEW, Actor("m1", Role.COMMITTEE_CHAIR), replace(view, members=seats)).blockers("review")
    )
    assert found[:2] == ["role.recused", "committee.chair_recused"]


def test_only_the_designated_ppk_appoints() -> None:
    flow = flow_for(Event.APPOINT, Actor("ppk-other-agency", Role.PPK))
    assert codes(flow.blockers(Event.APPOINT, **EVENT_INPUTS[Event.APPOINT])) == ["role.not_process_ppk"]
    open_ppk = replace(good_view(), ppk=None)
    flow = flow_for(Event.APPOINT, Actor("ppk-other-agency", Role.PPK), open_ppk)
    assert flow.blockers(Event.APPOINT, **EVENT_INPUTS[Event.APPOINT]) == []


def test_acting_role_takes_committee_roles_from_seats_only() -> None:
    view = good_view()
    assert acting_role("form_committee", [Role.ADMIN], "adm", view) == Role.ADMIN
    assert acting_role("review", [], "m1", view) == Role.COMMITTEE_CHAIR
    assert acting_role("review", [Role.COMMITTEE_CHAIR], "m2", view) is None  # account role alone is not a seat
    assert acting_role("commit_vote", [], "m2", view) == Role.COMMITTEE_MEMBER
    assert acting_role("appoint", [Role.ADMIN], "adm", view) is None
    assert acting_role("no_such_action", [Role.ADMIN], "adm", view) is None


def test_all_duty_pairs_conflict() -> None:
    assert {frozenset(p) for p in itertools.combinations(Duty, 2)} == CONFLICTING_DUTIES
    for pair in [
        (Duty.CANDIDATE, Duty.COMMITTEE),
        (Duty.CANDIDATE, Duty.PREPARER),
        (Duty.CANDIDATE, Duty.VERIFIER),
        (Duty.APPOINTER, Duty.COMMITTEE),
    ]:
        assert frozenset(pair) in CONFLICTING_DUTIES


@pytest.mark.parametrize(
    ("event", "actor", "participants", "candidates"),
    [
        (Event.NOMINATE_POOL, Actor("adm", Role.ADMIN), {}, {"adm"}),  # preparer nominates themself (R3)
        (Event.VERIFY_COMPETENCY, Actor("k2", Role.VERIFIER), {}, set()),  # verifier is a candidate
        (Event.SHORTLIST, Actor("ver", Role.ADMIN), {}, set()),  # verifier now prepares too
        (Event.APPOINT, Actor("m3", Role.PPK), {}, set()),  # appointer sat on the committee
        (Event.SHORTLIST, Actor("adm", Role.ADMIN), {"k3": frozenset({Role.ADMIN})}, set()),  # someone else's conflict
    ],
    ids=["preparer+candidate", "verifier+candidate", "verifier+preparer", "ppk+committee", "third party"],
)
def test_segregation_of_duties(
    event: Event, actor: Actor, participants: dict[str, frozenset[Role]], candidates: set[str]
) -> None:
    view = good_view()
    view = replace(
        view,
        participants=MappingProxyType({**view.participants, **participants}),
        candidates=frozenset({*view.candidates, *candidates}),
        ppk=None,
    )
    found = codes(flow_for(event, actor, view).blockers(event, **EVENT_INPUTS.get(event, {})))
    assert "sod.conflict" in found


def test_cancel_stays_possible_unless_the_canceller_is_conflicted() -> None:
    view = good_view()
    tainted = replace(view, participants=MappingProxyType({**view.participants, "k3": frozenset({Role.ADMIN})}))
    reason_ = EVENT_INPUTS[Event.CANCEL]
    assert flow_for(Event.CANCEL, Actor("adm", Role.ADMIN), tainted).blockers(Event.CANCEL, **reason_) == []
    self_tainted = replace(tainted, candidates=frozenset({*view.candidates, "adm"}))
    found = codes(flow_for(Event.CANCEL, Actor("adm", Role.ADMIN), self_tainted).blockers(Event.CANCEL, **reason_))
    assert found == ["sod.conflict"]


def test_segregation_report_is_deterministic() -> None:
    view = replace(good_view(Stage.SHORTLISTED), candidates=frozenset({"m2", "m3", "k1"}))
    first = segregation_blockers(view)
    assert [r.params["person"] for r in first] == ["m2", "m3"]
    assert first == segregation_blockers(view)
