"""The transition table as a graph, checked without building a machine (STYLE.md §5.2)."""

from __future__ import annotations

import re
from collections import Counter, deque
from pathlib import Path

import pytest

from workflow.lifecycle import EVENT_LABELS, STAGE_LABELS, TERMINAL_STAGES, TRANSITIONS, Event, Stage, next_stage
from workflow.lifecycle.reasons import MESSAGES, reason
from workflow.lifecycle.roles import EVENT_ROLES
from workflow.lifecycle.rules import NON_TERMINAL, events_from, machine_transitions, mermaid

DOC = Path(__file__).resolve().parents[2] / "docs" / "process.md"


def edges() -> list[tuple[Stage, Event, Stage]]:
    return [(source, spec.event, spec.dest) for spec in TRANSITIONS for source in spec.sources]


def test_stage_values_and_terminal_stages() -> None:
    assert [str(s) for s in Stage] == [
        "draft",
        "committee_formed",
        "pool_nominated",
        "competency_verified",
        "shortlisted",
        "committee_reviewed",
        "announced",
        "objections_resolved",
        "appointed",
        "cancelled",
    ]
    assert frozenset({Stage.APPOINTED, Stage.CANCELLED}) == TERMINAL_STAGES


def test_every_stage_is_reachable_from_draft() -> None:
    seen, todo = {Stage.DRAFT}, deque([Stage.DRAFT])
    while todo:
        stage = todo.popleft()
        for source, _, dest in edges():
            if source == stage and dest not in seen:
                seen.add(dest)
                todo.append(dest)
    assert seen == set(Stage)


def test_every_non_terminal_stage_can_reach_a_terminal_one() -> None:
    for start in NON_TERMINAL:
        seen, todo = {start}, deque([start])
        while todo:
            stage = todo.popleft()
            for source, _, dest in edges():
                if source == stage and dest not in seen:
                    seen.add(dest)
                    todo.append(dest)
        assert Stage.APPOINTED in seen, start


@pytest.mark.parametrize("stage", sorted(TERMINAL_STAGES))
def test_terminal_stages_have_no_exits(stage: Stage) -> None:
    assert events_from(stage) == ()
    assert all(next_stage(stage, e) is None for e in Event)


@pytest.mark.parametrize("stage", NON_TERMINAL)
def test_cancel_from_every_non_terminal_stage(stage: Stage) -> None:
    assert next_stage(stage, Event.CANCEL) == Stage.CANCELLED


def test_no_duplicate_trigger_per_source() -> None:
    pairs = Counter((source, event) for source, event, _ in edges())
    assert max(pairs.values()) == 1
    config_pairs = Counter(
        (str(s), t["trigger"])
        for t in machine_transitions("unblocked")
        for s in t["source"]  # type: ignore[union-attr]
    )
    assert max(config_pairs.values()) == 1


def test_every_event_has_exactly_one_spec_and_is_an_allowed_verb() -> None:
    assert [spec.event for spec in TRANSITIONS] == list(Event)
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", str(e)) for e in Event)


def test_reopen_shortlist_returns_to_shortlisted() -> None:
    assert next_stage(Stage.ANNOUNCED, Event.REOPEN_SHORTLIST) == Stage.SHORTLISTED
    assert next_stage(Stage.OBJECTIONS_RESOLVED, Event.REOPEN_SHORTLIST) == Stage.SHORTLISTED
    assert next_stage(Stage.COMMITTEE_REVIEWED, Event.REOPEN_SHORTLIST) is None


def test_unknown_event_is_illegal_everywhere() -> None:
    assert all(next_stage(s, "to_appointed") is None for s in Stage)


def test_machine_config_is_guarded_and_mirrors_the_table() -> None:
    config = machine_transitions("unblocked")
    assert [t["trigger"] for t in config] == [str(s.event) for s in TRANSITIONS]
    assert all(t["conditions"] == "unblocked" for t in config)
    assert all("conditions" not in t for t in machine_transitions(None))


def test_labels_exist_in_both_languages() -> None:
    assert set(STAGE_LABELS) == set(Stage)
    assert set(EVENT_LABELS) == set(Event)
    for label in [*STAGE_LABELS.values(), *EVENT_LABELS.values(), *MESSAGES.values()]:
        assert label.id.strip() and label.en.strip() and label.id != label.en


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_message_renders_with_its_placeholders(code: str) -> None:
    names = set(re.findall(r"{(\w+)}", MESSAGES[code].id)) | set(re.findall(r"{(\w+)}", MESSAGES[code].en))
    rendered = reason(code, **dict.fromkeys(names, "X"))
    assert "{" not in rendered.message_id + rendered.message_en
    assert rendered.as_dict()["code"] == code


def test_reason_rejects_unknown_codes_and_non_json_params() -> None:
    with pytest.raises(KeyError):
        reason("no.such_code")
    with pytest.raises(TypeError):
        reason("committee.size_even", size=True)


def test_docs_carry_the_generated_diagram() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert f"```mermaid\n{mermaid()}\n```" in text


def test_docs_event_table_matches_the_code() -> None:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0] in {str(e) for e in Event}:
            rows[Event(cells[0])] = cells
    assert set(rows) == set(Event)
    for spec in TRANSITIONS:
        _event, sources, dest, roles = rows[spec.event][:4]
        expected_sources = "any non-terminal stage" if spec.sources == NON_TERMINAL else ", ".join(spec.sources)
        assert sources.replace("`", "") == expected_sources, spec.event
        assert dest == str(spec.dest)
        assert {r.strip("` ") for r in roles.split(",")} == {str(r) for r in EVENT_ROLES[spec.event]}
