"""ProcessFlow: steps, domain errors, offered actions, replay (STYLE.md §5)."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from dataclasses import replace

import pytest

from tests.lifecycle.builders import ADMIN, EVENT_ACTOR, EVENT_INPUTS, NOW, VERIFIER, good_view, upheld_view
from workflow.lifecycle import (
    Event,
    IllegalTransitionError,
    ProcessFlow,
    ProcessRules,
    ProcessSnapshot,
    Stage,
    Step,
    TransitionRefusedError,
    replay,
)
from workflow.lifecycle.flow import _SkipBindingFilter
from workflow.lifecycle.reasons import codes
from workflow.lifecycle.rules import objection_window_end

HAPPY = [
    Event.FORM_COMMITTEE,
    Event.NOMINATE_POOL,
    Event.VERIFY_COMPETENCY,
    Event.SHORTLIST,
    Event.REVIEW,
    Event.ANNOUNCE,
    Event.RESOLVE_OBJECTIONS,
    Event.APPOINT,
]


def step(view: ProcessSnapshot, event: Event) -> tuple[ProcessSnapshot, Step]:
    """Run one action the way the service will: a fresh flow, then store the new stage."""
    flow = ProcessFlow(view, actor=EVENT_ACTOR[event], now=NOW)
    done = flow.apply(event, **EVENT_INPUTS.get(event, {}))
    assert flow.steps == [done]
    return replace(view, status=flow.status), done


def test_happy_path_records_one_step_per_action_and_replays() -> None:
    view, steps = good_view(), []
    for event in HAPPY:
        view, done = step(view, event)
        steps.append(done)
    assert view.status == Stage.APPOINTED
    assert [s.event for s in steps] == HAPPY
    assert all(a.dest == b.source for a, b in itertools.pairwise(steps))
    assert steps[-1].actor == EVENT_ACTOR[Event.APPOINT]
    assert dict(steps[-1].payload) == dict(EVENT_INPUTS[Event.APPOINT])
    assert replay(steps) == replay([s.event for s in steps]) == Stage.APPOINTED


def test_upheld_objection_loops_back_to_shortlisted() -> None:
    view, _ = step(upheld_view(Stage.ANNOUNCED), Event.REOPEN_SHORTLIST)
    assert view.status == Stage.SHORTLISTED
    view, _ = step(upheld_view(Stage.OBJECTIONS_RESOLVED), Event.REOPEN_SHORTLIST)
    assert view.status == Stage.SHORTLISTED
    events = [*HAPPY[:6], Event.REOPEN_SHORTLIST, Event.REVIEW, Event.ANNOUNCE, Event.RESOLVE_OBJECTIONS]
    assert replay(events) == Stage.OBJECTIONS_RESOLVED


def test_step_payload_is_read_only() -> None:
    _, done = step(good_view(Stage.OBJECTIONS_RESOLVED), Event.APPOINT)
    with pytest.raises(TypeError):
        done.payload["appointee"] = "k2"  # type: ignore[index]


def test_one_flow_can_chain_actions_of_one_actor() -> None:
    flow = ProcessFlow(good_view(), actor=ADMIN, now=NOW)
    flow.apply(Event.FORM_COMMITTEE)
    flow.apply(Event.NOMINATE_POOL)
    assert flow.status == Stage.POOL_NOMINATED
    assert [(s.source, s.dest) for s in flow.steps] == [
        (Stage.DRAFT, Stage.COMMITTEE_FORMED),
        (Stage.COMMITTEE_FORMED, Stage.POOL_NOMINATED),
    ]


@pytest.mark.parametrize("event", ["appoint", "shortlist", "to_appointed", "APPOINT", ""])
def test_illegal_events_raise_the_domain_error(event: str) -> None:
    flow = ProcessFlow(good_view(), actor=ADMIN, now=NOW)
    with pytest.raises(IllegalTransitionError) as info:
        flow.apply(event)
    assert (info.value.event, info.value.stage) == (event, "draft")
    assert flow.status == Stage.DRAFT and flow.steps == []
    assert not flow.may_trigger(event)
    assert codes(flow.blockers(event)) == ["stage.illegal_event"]


@pytest.mark.parametrize("stage", [Stage.APPOINTED, Stage.CANCELLED])
def test_nothing_leaves_a_terminal_stage(stage: Stage) -> None:
    flow = ProcessFlow(good_view(stage), actor=ADMIN, now=NOW)
    assert flow.allowed_events() == []
    with pytest.raises(IllegalTransitionError):
        flow.apply(Event.CANCEL, reason="again")


def test_refusal_lists_blockers_and_changes_nothing() -> None:
    view = replace(good_view(), members=(*good_view().members[:1], *good_view().members[2:]))
    flow = ProcessFlow(view, actor=ADMIN, now=NOW)
    with pytest.raises(TransitionRefusedError) as info:
        flow.apply(Event.FORM_COMMITTEE)
    assert codes(list(info.value.blockers)) == ["committee.size_out_of_bounds", "committee.size_even"]
    assert "form_committee refused at draft" in str(info.value)
    assert flow.status == Stage.DRAFT and flow.steps == []
    assert flow.trigger("form_committee") is False  # the raw transitions API answers False, as documented


def test_no_helpers_are_bound_besides_trigger_and_may_trigger() -> None:
    flow = ProcessFlow(good_view(), actor=ADMIN, now=NOW)
    for name in ["form_committee", "may_form_committee", "to_appointed", "to_status_APPOINTED", "is_status_DRAFT"]:
        assert not hasattr(flow, name), name
    assert "trigger" in vars(flow) and "may_trigger" in vars(flow)


def test_inputs_are_keyword_only() -> None:
    flow = ProcessFlow(good_view(), actor=ADMIN, now=NOW)
    with pytest.raises(TypeError):
        flow.trigger("cancel", "positional reason")  # type: ignore[call-arg]


def test_naive_clock_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ProcessFlow(good_view(), actor=ADMIN, now=dt.datetime(2026, 3, 1, 12, 0))


def test_allowed_events_offer_actions_before_their_inputs() -> None:
    admin = ProcessFlow(good_view(), actor=ADMIN, now=NOW)
    assert admin.allowed_events() == [Event.FORM_COMMITTEE, Event.CANCEL]
    assert codes(admin.blockers(Event.CANCEL)) == ["cancel.reason_required"]  # but apply still needs the reason
    assert admin.pending_blockers(Event.CANCEL) == []
    assert ProcessFlow(good_view(), actor=VERIFIER, now=NOW).allowed_events() == []
    ppk = ProcessFlow(good_view(Stage.OBJECTIONS_RESOLVED), actor=EVENT_ACTOR[Event.APPOINT], now=NOW)
    assert ppk.allowed_events() == [Event.APPOINT, Event.CANCEL]


def test_pinned_rules_reach_the_guards() -> None:
    strict = ProcessRules(committee_min=7)
    flow = ProcessFlow(good_view(), actor=ADMIN, now=NOW, rules=strict)
    assert codes(flow.blockers(Event.FORM_COMMITTEE)) == ["committee.size_out_of_bounds"]


def test_replay_names_the_first_bad_event() -> None:
    with pytest.raises(IllegalTransitionError) as info:
        replay([Event.FORM_COMMITTEE, Event.SHORTLIST])
    assert (info.value.index, info.value.stage) == (1, "committee_formed")
    with pytest.raises(IllegalTransitionError):
        replay(["form_committee", "no_such_event"])
    assert replay([]) == Stage.DRAFT
    assert replay([Event.CANCEL], start=Stage.ANNOUNCED) == Stage.CANCELLED


def test_replay_checks_the_recorded_source_of_steps() -> None:
    _, done = step(good_view(Stage.COMMITTEE_FORMED), Event.NOMINATE_POOL)
    with pytest.raises(IllegalTransitionError) as info:
        replay([done])  # recorded from committee_formed, but a replay from draft is not there
    assert info.value.index == 0


def test_no_skip_binding_noise_but_other_records_pass(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="transitions"):
        ProcessFlow(good_view(), actor=ADMIN, now=NOW)
        replay([Event.FORM_COMMITTEE])
    assert not [r for r in caplog.records if "Skip binding" in r.getMessage()]
    keep = logging.LogRecord("transitions.core", logging.WARNING, __file__, 1, "something else", None, None)
    drop = logging.LogRecord("transitions.core", logging.WARNING, __file__, 1, "%sSkip binding of '%s'", None, None)
    assert _SkipBindingFilter().filter(keep) and not _SkipBindingFilter().filter(drop)


def test_objection_window_end_uses_the_pinned_length() -> None:
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    assert objection_window_end(start, ProcessRules(objection_window=dt.timedelta(days=5))) == start + dt.timedelta(
        days=5
    )
