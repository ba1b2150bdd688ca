"""Property tests: the machine never leaves the table, replay agrees, and "may I?" = "why not?"."""

from __future__ import annotations

import string
from dataclasses import replace
from decimal import Decimal

import hypothesis
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.lifecycle.builders import EVENT_ACTOR, EVENT_INPUTS, NOW, good_view, upheld_view
from workflow.lifecycle import (
    Actor,
    Event,
    IllegalTransitionError,
    Member,
    Objection,
    ProcessFlow,
    ProcessRules,
    ProcessSnapshot,
    Role,
    Seat,
    Stage,
    Step,
    TransitionRefusedError,
    VoteCommit,
    VoteReveal,
    next_stage,
    replay,
)
from workflow.lifecycle.committee import composition_blockers, quorum_required
from workflow.lifecycle.reasons import codes
from workflow.lifecycle.rules import events_from
from workflow.lifecycle.votes import canonical_bytes, commitment, reveal_matches

VARIANTS: list[ProcessSnapshot] = [
    good_view(),
    upheld_view(),
    replace(good_view(), members=good_view().members[:3]),
    replace(good_view(), pool_snapshot_digest=None),
    replace(good_view(), ranking=()),
    replace(good_view(), objections=(Objection("late", NOW),)),
    replace(good_view(), reveals=good_view().reveals[:2]),
]
OTHER_ACTORS = [Actor("insp", Role.INSPECTOR), Actor("m2", Role.COMMITTEE_MEMBER), Actor("k1", Role.ADMIN)]
ANY_EVENT = st.sampled_from([*Event, "to_appointed"])


LIKELY = st.integers(0, 5).map(bool)  # True five times in six: long runs reach the late stages


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_random_sequences_never_leave_the_table(data: st.DataObject) -> None:
    stage, steps = Stage.DRAFT, list[Step]()
    for _ in range(data.draw(st.integers(0, 30), label="length")):
        forward = [e for e in events_from(stage) if e != Event.CANCEL]
        pick_forward = bool(forward) and data.draw(LIKELY, label="forward?")
        event = data.draw(st.sampled_from(forward) if pick_forward else ANY_EVENT, label="event")
        good = data.draw(LIKELY, label="good view?")
        base = (upheld_view() if event == Event.REOPEN_SHORTLIST else good_view()) if good else None
        view = replace(base or data.draw(st.sampled_from(VARIANTS), label="view"), status=stage)
        right = data.draw(LIKELY, label="right actor?")
        actor = EVENT_ACTOR.get(event, OTHER_ACTORS[0]) if right else data.draw(st.sampled_from(OTHER_ACTORS))
        payload = dict(EVENT_INPUTS.get(event, {})) if data.draw(LIKELY, label="inputs?") else {}
        flow = ProcessFlow(view, actor=actor, now=NOW)

        found = flow.blockers(event, **payload)
        assert (not found) == flow.may_trigger(str(event), **payload)
        expected = next_stage(stage, event)
        if expected is None:
            assert codes(found) == ["stage.illegal_event"]
            with pytest.raises(IllegalTransitionError):
                flow.apply(event, **payload)
        elif found:
            with pytest.raises(TransitionRefusedError) as info:
                flow.apply(event, **payload)
            assert list(info.value.blockers) == found
        else:
            done = flow.apply(event, **payload)
            assert done.source == stage and done.dest == expected
            steps.append(done)
            stage = expected
        assert flow.status == stage  # refused or illegal actions leave the stage alone
    assert replay(steps) == stage
    assert replay([s.event for s in steps]) == stage
    hypothesis.event(f"ended at {stage}")


MEMBER = st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans())
SHARE = st.integers(0, 100).map(lambda n: Decimal(n) / 100)


@settings(max_examples=300, deadline=None)
@given(st.lists(MEMBER, max_size=12), st.integers(1, 6), st.integers(0, 6), SHARE)
def test_composition_blockers_agree_with_a_direct_reading_of_the_rules(
    raw: list[tuple[bool, bool, bool, bool, bool]], low: int, extra: int, share: Decimal
) -> None:
    rules = ProcessRules(committee_min=low, committee_max=low + extra, internal_max_share=share)
    members = [
        Member(f"p{i}", Seat.CHAIR if chair else Seat.MEMBER, internal, pact, coi, recused=recused)
        for i, (internal, chair, pact, coi, recused) in enumerate(raw)
    ]
    n = len(members)
    chairs = [m for m in members if m.seat == Seat.CHAIR]
    fit = (
        low <= n <= low + extra
        and n % 2 == 1
        and sum(m.internal for m in members) * 100 <= share * 100 * n
        and len(chairs) == 1
        and not chairs[0].recused
        and all(m.pact_signed and m.coi_declared for m in members)
    )
    assert (composition_blockers(members, rules) == []) == fit


@given(st.integers(0, 25), st.integers(0, 99).map(lambda n: Decimal(n) / 100))
def test_quorum_is_the_smallest_count_strictly_above_the_share(seated: int, share: Decimal) -> None:
    need = quorum_required(seated, ProcessRules(quorum_share=share))
    assert need > seated * share >= need - 1


KEY = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=10)
BALLOT = st.tuples(
    KEY,
    st.dictionaries(KEY, st.integers(0, 2**53 - 1), max_size=6),
    st.text(min_size=1, max_size=60).filter(str.strip),
    st.text(alphabet="0123456789abcdef", min_size=32, max_size=64),
)


@given(BALLOT)
def test_canonical_bytes_equal_rfc8785(ballot: tuple[str, dict[str, int], str, str]) -> None:
    member, scores, reason, nonce = ballot
    body: dict[str, str | dict[str, int]] = {"member": member, "nonce": nonce, "reason": reason, "scores": scores}
    assert canonical_bytes(body) == rfc8785.dumps(body)


@given(BALLOT, st.integers(1, 1000))
def test_a_reveal_matches_its_commit_and_any_score_change_breaks_it(
    ballot: tuple[str, dict[str, int], str, str], bump: int
) -> None:
    member, scores, reason, nonce = ballot
    commit = VoteCommit(member, commitment(member, scores, reason, nonce), NOW)
    reveal = VoteReveal(member, scores, reason, nonce, NOW)
    assert reveal_matches(commit, reveal)
    for candidate in scores:
        changed = {**scores, candidate: scores[candidate] + bump}
        assert not reveal_matches(commit, replace(reveal, scores=changed))
    assert not reveal_matches(commit, replace(reveal, reason=reason + "."))
