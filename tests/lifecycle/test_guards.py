"""Each guard refuses with its own blocker code and passes once the requirement is met."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.lifecycle.builders import (
    APPOINT_INPUTS,
    EVENT_ACTOR,
    EVENT_INPUTS,
    MEMBERS,
    NOW,
    T0,
    commit_of,
    good_view,
    members,
    reveal_of,
    upheld_view,
)
from workflow.lifecycle import (
    Event,
    ExclusionReason,
    Member,
    Objection,
    PilkadaWindow,
    ProcessFlow,
    ProcessRules,
    ProcessSnapshot,
    Seat,
    Stage,
    Verification,
    VoteCommit,
    VoteReveal,
)
from workflow.lifecycle.reasons import codes
from workflow.lifecycle.rules import SPECS
from workflow.lifecycle.votes import commitment

Change = Callable[[ProcessSnapshot], ProcessSnapshot]
HOUR = dt.timedelta(hours=1)


def blocker_codes(
    event: Event,
    view: ProcessSnapshot,
    *,
    inputs: Mapping[str, object] | None = None,
    rules: ProcessRules | None = None,
    now: dt.datetime = NOW,
) -> list[str]:
    stage = SPECS[event].sources[0]
    flow = ProcessFlow(replace(view, status=stage), actor=EVENT_ACTOR[event], now=now, rules=rules)
    payload = dict(EVENT_INPUTS.get(event, {}) if inputs is None else inputs)
    found = codes(flow.blockers(event, **payload))
    assert (not found) == flow.may_trigger(str(event), **payload)  # one answer to "may I?" and "why not?"
    return found


def with_member(index: int, **changes: object) -> Change:
    def change(view: ProcessSnapshot) -> ProcessSnapshot:
        seated = list(view.members)
        seated[index] = replace(seated[index], **changes)  # type: ignore[arg-type]
        return replace(view, members=tuple(seated))

    return change


def external(person: str) -> Member:
    return Member(person, Seat.MEMBER, internal=False, pact_signed=True, coi_declared=True)


@pytest.mark.parametrize("event", [e for e in Event if e != Event.REOPEN_SHORTLIST])
def test_good_view_passes_every_guard(event: Event) -> None:
    assert blocker_codes(event, good_view()) == []


# --- form_committee (R16, R14) ------------------------------------------------------------------

COMMITTEE_CASES: list[tuple[str, Change, list[str]]] = [
    ("three members", lambda v: replace(v, members=members()[:1] + members()[2:4]), ["committee.size_out_of_bounds"]),
    ("six members", lambda v: replace(v, members=(*members(), external("m6"))), ["committee.size_even"]),
    (
        "eleven members",
        lambda v: replace(v, members=(*members(), *(external(f"x{i}") for i in range(6)))),
        ["committee.size_out_of_bounds"],
    ),
    ("three of five internal", with_member(2, internal=True), ["committee.internal_share_exceeded"]),
    ("no chair", with_member(0, seat=Seat.MEMBER), ["committee.chair_missing"]),
    ("two chairs", with_member(1, seat=Seat.CHAIR), ["committee.chair_multiple"]),
    ("chair recused", with_member(0, recused=True), ["committee.chair_recused"]),
    ("pact unsigned", with_member(3, pact_signed=False), ["committee.pact_unsigned"]),
    ("no COI declaration", with_member(3, coi_declared=False), ["committee.coi_undeclared"]),
    ("seated twice", with_member(4, person="m4"), ["committee.duplicate_member"]),
    (
        "declared tie to a candidate, not recused",
        with_member(3, declared_conflicts=frozenset({"k2"})),
        ["committee.conflict_not_recused"],
    ),
    (
        "a candidate on the panel",
        lambda v: replace(v, candidates=frozenset({*v.candidates, "m4"})),
        ["sod.conflict", "committee.member_is_candidate"],
    ),
]


@pytest.mark.parametrize(("label", "change", "expected"), COMMITTEE_CASES, ids=[c[0] for c in COMMITTEE_CASES])
def test_form_committee_refusals(label: str, change: Change, expected: list[str]) -> None:
    assert blocker_codes(Event.FORM_COMMITTEE, change(good_view())) == expected


def test_declared_tie_passes_once_recused() -> None:
    view = with_member(3, declared_conflicts=frozenset({"k2"}), recused=True)(good_view())
    assert blocker_codes(Event.FORM_COMMITTEE, view) == []


def test_tie_to_a_non_candidate_does_not_force_recusal() -> None:
    view = with_member(3, declared_conflicts=frozenset({"someone-else"}))(good_view())
    assert blocker_codes(Event.FORM_COMMITTEE, view) == []


def test_committee_bounds_and_internal_limit_are_rule_numbers() -> None:
    small = replace(good_view(), members=members()[:1] + members()[2:4])  # 3 seats, 1 internal
    rules = ProcessRules(committee_min=3, committee_max=5, internal_max_share=Decimal("0.34"))
    assert blocker_codes(Event.FORM_COMMITTEE, small, rules=rules) == []
    strict = ProcessRules(internal_max_share=Decimal("0.39"))  # 2 of 5 = 40 % > 39 %
    assert blocker_codes(Event.FORM_COMMITTEE, good_view(), rules=strict) == ["committee.internal_share_exceeded"]


def test_internal_share_at_exactly_the_limit_passes() -> None:
    rules = ProcessRules(internal_max_share=Decimal("0.4"))  # 2 of 5 is exactly 40 %
    assert blocker_codes(Event.FORM_COMMITTEE, good_view(), rules=rules) == []


def test_rule_numbers_reject_floats_and_nonsense() -> None:
    with pytest.raises(TypeError):
        ProcessRules(internal_max_share=0.45)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="committee bounds"):
        ProcessRules(committee_min=7, committee_max=5)
    with pytest.raises(ValueError, match="quorum_share"):
        ProcessRules(quorum_share=Decimal(1))


# --- nominate_pool (R15) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "rules", "expected"),
    [
        (lambda v: replace(v, pool_snapshot_digest=None), None, ["pool.snapshot_missing"]),
        (lambda v: replace(v, candidates=frozenset()), None, ["pool.too_few_candidates"]),
        (lambda v: v, ProcessRules(min_candidates=5), ["pool.too_few_candidates"]),
        (with_member(2, declared_conflicts=frozenset({"k4"})), None, ["committee.conflict_not_recused"]),
    ],
    ids=["no snapshot", "empty pool", "below configured minimum", "conflict surfaces with the pool"],
)
def test_nominate_pool_refusals(change: Change, rules: ProcessRules | None, expected: list[str]) -> None:
    assert blocker_codes(Event.NOMINATE_POOL, change(good_view()), rules=rules) == expected


def test_thin_field_is_a_flag_not_a_blocker() -> None:
    view = replace(good_view(Stage.COMMITTEE_FORMED), candidates=frozenset({"k1", "k2"}))
    flow = ProcessFlow(view, actor=EVENT_ACTOR[Event.NOMINATE_POOL], now=NOW)
    assert flow.blockers(Event.NOMINATE_POOL) == []
    assert codes(flow.flags(Event.NOMINATE_POOL)) == ["pool.thin_field"]
    wide = ProcessFlow(good_view(Stage.COMMITTEE_FORMED), actor=EVENT_ACTOR[Event.NOMINATE_POOL], now=NOW)
    assert wide.flags(Event.NOMINATE_POOL) == []


# --- verify_competency ----------------------------------------------------------------------------


def with_verifications(*decisions: Verification) -> Change:
    return lambda v: replace(v, verifications=decisions)


OK_123 = (Verification("k1", True), Verification("k2", True), Verification("k3", True))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (with_verifications(*OK_123), ["verification.missing"]),
        (with_verifications(*OK_123, Verification("k4", False)), ["verification.reason_missing"]),
        (with_verifications(*OK_123, Verification("k4", False, "bribe")), ["verification.reason_unknown"]),
        (
            with_verifications(*OK_123, Verification("k4", False, "other_documented", note="  ")),
            ["verification.note_missing"],
        ),
        (
            with_verifications(*OK_123, Verification("k4", True), Verification("zz", True)),
            ["verification.unknown_candidate"],
        ),
        (with_verifications(*OK_123, Verification("k4", True), Verification("k1", True)), ["verification.duplicate"]),
    ],
    ids=["missing", "no reason", "unknown reason", "other without note", "not a candidate", "twice"],
)
def test_verify_competency_refusals(change: Change, expected: list[str]) -> None:
    assert blocker_codes(Event.VERIFY_COMPETENCY, change(good_view())) == expected


@pytest.mark.parametrize("code", list(ExclusionReason))
def test_every_listed_exclusion_reason_is_accepted(code: ExclusionReason) -> None:
    view = with_verifications(*OK_123, Verification("k4", False, str(code), note="BA-17/2026 attached"))(good_view())
    assert blocker_codes(Event.VERIFY_COMPETENCY, view) == []


# --- shortlist (R10) -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ranking", "expected"),
    [
        ((), ["shortlist.ranking_missing"]),
        (("k1", "k4"), ["shortlist.not_eligible"]),
        (("k1", "k1"), ["shortlist.duplicate"]),
    ],
    ids=["none", "excluded candidate ranked", "duplicate"],
)
def test_shortlist_refusals(ranking: tuple[str, ...], expected: list[str]) -> None:
    view = replace(good_view(), ranking=ranking, recommendation=ranking)
    assert blocker_codes(Event.SHORTLIST, view) == expected


# --- review: commit–reveal and quorum -------------------------------------------------------------


def votes(
    commits: tuple[VoteCommit, ...], reveals: tuple[VoteReveal, ...], opened: dt.datetime | None = None
) -> Change:
    """Replace the round's votes; ``opened`` is the chair's explicit opening of the reveal phase."""
    return lambda v: replace(v, commits=commits, reveals=reveals, reveal_opened_at=opened)


ALL_COMMITS = tuple(commit_of(p) for p in MEMBERS)
ALL_REVEALS = tuple(reveal_of(p) for p in MEMBERS)


def tampered(person: str) -> VoteReveal:
    return replace(reveal_of(person), scores={"k1": 10, "k2": 80, "k3": 70})


def short_nonce_vote(person: str) -> tuple[VoteCommit, VoteReveal]:
    nonce = "ab" * 4
    reveal = replace(reveal_of(person), nonce=nonce)
    return VoteCommit(person, commitment(person, reveal.scores, reveal.reason, nonce), T0 + HOUR), reveal


def partial_ballot(person: str) -> tuple[VoteCommit, VoteReveal]:
    reveal = replace(reveal_of(person), scores={"k1": 90, "k2": 80})
    return VoteCommit(person, commitment(person, reveal.scores, reveal.reason, reveal.nonce), T0 + HOUR), reveal


REVIEW_CASES: list[tuple[str, Change, list[str]]] = [
    ("two votes of five", votes(ALL_COMMITS, ALL_REVEALS[:2]), ["review.quorum_not_met"]),
    ("reveal does not match", votes(ALL_COMMITS, (*ALL_REVEALS[:4], tampered("m5"))), ["votes.reveal_mismatch"]),
    (
        "reveal before own commit",
        votes(
            (*ALL_COMMITS[:4], commit_of("m5", T0 + 3 * HOUR)),
            (*ALL_REVEALS[:4], reveal_of("m5", T0 + 2 * HOUR)),
            opened=T0 + HOUR * 3 / 2,
        ),
        ["votes.reveal_before_commit"],
    ),
    (
        # m5's reveal came before the phase opened (at the last commit); the four commits after it
        # could have copied it, so nothing counts.
        "an early reveal taints every later commit",
        votes((*ALL_COMMITS[:4], commit_of("m5", T0)), (*ALL_REVEALS[:4], reveal_of("m5", T0 + HOUR / 2))),
        [*(["votes.commit_after_reveal"] * 4), "votes.reveal_before_open", "review.quorum_not_met"],
    ),
    (
        "reveal without commit",
        votes(ALL_COMMITS[:4], ALL_REVEALS, opened=T0 + HOUR * 3 / 2),
        ["votes.reveal_without_commit"],
    ),
    (
        "commit after the chair opened the reveals",
        votes(
            (*ALL_COMMITS[:4], commit_of("m5", T0 + 3 * HOUR)),
            (*ALL_REVEALS[:4], reveal_of("m5", T0 + 4 * HOUR)),
            opened=T0 + HOUR * 3 / 2,
        ),
        ["votes.commit_after_open"],
    ),
    (
        # No opening recorded: the phase opened only with m5's commit, so the four earlier reveals
        # are invalid, and m5's commit came after them.
        "reveals before the phase opened",
        votes((*ALL_COMMITS[:4], commit_of("m5", T0 + 3 * HOUR)), (*ALL_REVEALS[:4], reveal_of("m5", T0 + 4 * HOUR))),
        ["votes.commit_after_reveal", *(["votes.reveal_before_open"] * 4), "review.quorum_not_met"],
    ),
    (
        "reveals before the chair opened",
        votes(ALL_COMMITS[:4], ALL_REVEALS[:4], opened=T0 + 3 * HOUR),
        [*(["votes.reveal_before_open"] * 4), "review.quorum_not_met"],
    ),
    ("chair opened with four commitments", votes(ALL_COMMITS[:4], ALL_REVEALS[:4], opened=T0 + HOUR * 3 / 2), []),
    ("committed twice", votes((*ALL_COMMITS, commit_of("m5")), ALL_REVEALS), ["votes.duplicate"]),
    (
        "weak nonce",
        votes(ALL_COMMITS[:4] + short_nonce_vote("m5")[:1], ALL_REVEALS[:4] + short_nonce_vote("m5")[1:]),
        ["votes.malformed"],
    ),
    (
        "ballot skips a ranked candidate",
        votes(ALL_COMMITS[:4] + partial_ballot("m5")[:1], ALL_REVEALS[:4] + partial_ballot("m5")[1:]),
        ["votes.ballot_incomplete"],
    ),
    (
        "recused member votes",
        with_member(4, declared_conflicts=frozenset({"k2"}), recused=True),
        ["votes.not_eligible_voter"],
    ),
    (
        "conflicted member not recused",
        with_member(4, declared_conflicts=frozenset({"k2"})),
        ["committee.conflict_not_recused"],
    ),
    ("no recommendation", lambda v: replace(v, recommendation=()), ["review.recommendation_missing"]),
    (
        "recommends outside the shortlist",
        lambda v: replace(v, recommendation=("k1", "k4")),
        ["review.recommendation_not_ranked"],
    ),
]


@pytest.mark.parametrize(("label", "change", "expected"), REVIEW_CASES, ids=[c[0] for c in REVIEW_CASES])
def test_review_refusals(label: str, change: Change, expected: list[str]) -> None:
    assert blocker_codes(Event.REVIEW, change(good_view())) == expected


def test_recusals_can_break_the_quorum() -> None:
    view = good_view()
    for index in (2, 3, 4):
        view = with_member(index, recused=True)(view)
    view = votes(ALL_COMMITS[:2], ALL_REVEALS[:2])(view)
    assert blocker_codes(Event.REVIEW, view) == ["review.quorum_not_met"]


def test_three_of_five_is_a_quorum_and_the_share_is_configurable() -> None:
    view = votes(ALL_COMMITS[:3], ALL_REVEALS[:3], opened=T0 + HOUR * 3 / 2)(good_view())
    assert blocker_codes(Event.REVIEW, view) == []
    assert blocker_codes(Event.REVIEW, view, rules=ProcessRules(quorum_share=Decimal("0.6"))) == [
        "review.quorum_not_met"
    ]


# --- resolve_objections and reopen_shortlist -------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "now", "expected"),
    [
        (lambda v: v, T0 + dt.timedelta(days=3), ["objections.window_open"]),
        (lambda v: replace(v, objection_window_ends_at=None), NOW, ["objections.window_unknown"]),
        (lambda v: replace(v, objections=(Objection("o9", T0, None),)), NOW, ["objections.unanswered"]),
    ],
    ids=["window open", "window unknown", "unanswered"],
)
def test_resolve_objections_refusals(change: Change, now: dt.datetime, expected: list[str]) -> None:
    assert blocker_codes(Event.RESOLVE_OBJECTIONS, change(good_view()), now=now) == expected


def test_window_closes_exactly_at_its_end() -> None:
    view = good_view()
    assert view.objection_window_ends_at is not None
    assert blocker_codes(Event.RESOLVE_OBJECTIONS, view, now=view.objection_window_ends_at) == []


def test_upheld_objection_allows_closing_and_reopening_but_not_appointing() -> None:
    assert blocker_codes(Event.RESOLVE_OBJECTIONS, upheld_view()) == []
    assert blocker_codes(Event.REOPEN_SHORTLIST, upheld_view()) == []
    assert blocker_codes(Event.APPOINT, upheld_view()) == ["objections.upheld"]
    assert blocker_codes(Event.REOPEN_SHORTLIST, good_view()) == ["objections.none_upheld"]


# --- appoint (R6, R7, R11, R17) --------------------------------------------------------------------


def inputs(**changes: object) -> dict[str, object]:
    return {**APPOINT_INPUTS, **changes}


APPOINT_CASES: list[tuple[str, Change, dict[str, object], list[str]]] = [
    ("no appointee", lambda v: v, inputs(appointee=""), ["appoint.appointee_missing"]),
    ("not recommended", lambda v: v, inputs(appointee="k4"), ["appoint.not_recommended"]),
    ("rank 2 unjustified", lambda v: v, inputs(appointee="k2", justification="  "), ["appoint.justification_required"]),
    ("no decree number", lambda v: v, inputs(decree_number=""), ["appoint.decree_missing"]),
    ("decree date is a datetime", lambda v: v, inputs(decree_date=NOW), ["appoint.decree_missing"]),
    ("backdated decree", lambda v: v, inputs(decree_date=dt.date(2026, 3, 1)), ["appoint.decree_backdated"]),
    ("no decision time", lambda v: replace(v, committee_decided_at=None), inputs(), ["appoint.decision_missing"]),
    ("open objection", lambda v: replace(v, objections=(Objection("o9", T0),)), inputs(), ["appoint.open_objection"]),
    ("unexpected input", lambda v: v, inputs(rank_override=1), ["payload.unexpected_field"]),
]


@pytest.mark.parametrize(("label", "change", "payload", "expected"), APPOINT_CASES, ids=[c[0] for c in APPOINT_CASES])
def test_appoint_refusals(label: str, change: Change, payload: dict[str, object], expected: list[str]) -> None:
    assert blocker_codes(Event.APPOINT, change(good_view()), inputs=payload) == expected


def test_justified_deviation_from_rank_one_passes_and_is_flagged() -> None:
    payload = inputs(appointee="k2", justification="Rank 1 withdrew (letter 12/2026).")
    assert blocker_codes(Event.APPOINT, good_view(), inputs=payload) == []
    flow = ProcessFlow(good_view(Stage.OBJECTIONS_RESOLVED), actor=EVENT_ACTOR[Event.APPOINT], now=NOW)
    assert codes(flow.flags(Event.APPOINT, **payload)) == ["appoint.deviation_from_rank1"]
    assert flow.flags(Event.APPOINT, **APPOINT_INPUTS) == []


def test_backdating_is_judged_on_the_local_calendar() -> None:
    # 20:00 UTC on 1 March is 03:00 WIB on 2 March: a decree dated 1 March is backdated.
    view = replace(good_view(), committee_decided_at=dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC))
    assert blocker_codes(Event.APPOINT, view, inputs=inputs(decree_date=dt.date(2026, 3, 1))) == [
        "appoint.decree_backdated"
    ]
    assert blocker_codes(Event.APPOINT, view, inputs=inputs(decree_date=dt.date(2026, 3, 2))) == []


@pytest.mark.parametrize(
    ("window", "blocked"),
    [
        (PilkadaWindow(dt.date(2026, 3, 5), dt.date(2026, 3, 9)), True),  # covers the decree date (inclusive)
        (PilkadaWindow(dt.date(2026, 3, 12), dt.date(2026, 9, 1)), True),  # covers today (NOW is 12 March)
        (PilkadaWindow(dt.date(2026, 3, 10), dt.date(2026, 3, 11)), False),
    ],
    ids=["decree date inside", "today inside", "outside"],
)
def test_pilkada_window_needs_an_approval_letter(window: PilkadaWindow, blocked: bool) -> None:
    rules = ProcessRules(pilkada_windows=(window,))
    expected = ["appoint.pilkada_approval_missing"] if blocked else []
    assert blocker_codes(Event.APPOINT, good_view(), rules=rules) == expected
    letter = replace(good_view(), approval_letter_digest="sha256:" + "cd" * 32)
    assert blocker_codes(Event.APPOINT, letter, rules=rules) == []


# --- cancel ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({}, ["cancel.reason_required"]),
        ({"reason": " \n"}, ["cancel.reason_required"]),
        ({"reason": "Vacancy filled by transfer."}, []),
    ],
)
def test_cancel_needs_a_reason(payload: dict[str, object], expected: list[str]) -> None:
    assert blocker_codes(Event.CANCEL, good_view(), inputs=payload) == expected
