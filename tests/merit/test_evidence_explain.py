"""Evidence records replay byte for byte; explanations show exactly the recorded data and pinned rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.merit.factories import DATES, RULESET, D, assessment, facts, position
from workflow.merit.evaluation import NOT_ELIGIBLE, SHORTLISTED, Candidate, evaluate_candidates
from workflow.merit.evidence import (
    EvidenceError,
    EvidenceRecord,
    build_records,
    evaluate,
    facts_from_dict,
    facts_to_dict,
    pseudonym,
)
from workflow.merit.explain import explain, explain_all
from workflow.merit.facts import DisciplineFact, EmployeeFacts, RatingFact
from workflow.reference import COMPETENCIES, POTENTIAL_COMPONENTS

SECRET = bytes(range(32))


def counter_salt() -> object:
    counter = itertools.count()
    return lambda n: next(counter).to_bytes(n, "big")


predikat = st.sampled_from(["sangat_baik", "baik", "butuh_perbaikan", "kurang"])
day = st.dates(min_value=D(2015, 1, 1), max_value=D(2026, 3, 1))
employee = st.builds(
    lambda i, gol, edu, ptype, tmt_pos, birth, r24, r25, disc, lvl, pot, accredited, assessed, lhkpn: facts(
        nip=f"19700101199901{i:04d}",
        golongan=gol, education=edu, position_type=ptype, tmt_position=tmt_pos, birth_date=birth,
        ratings=tuple(r for r in (RatingFact(2024, r24) if r24 else None, RatingFact(2025, r25)) if r),
        discipline=disc,
        assessments=(assessment(level=lvl, potential_level=pot, provider_accredited=accredited,
                                assessed_on=assessed, valid_until=assessed + dt.timedelta(days=1000)),),
        lhkpn_year=lhkpn,
    ),
    st.integers(0, 9999),
    st.sampled_from(["IV/a", "IV/b", "IV/c"]),
    st.sampled_from(["D3", "S1", "S2"]),
    st.sampled_from(["administrator", "fungsional", "pengawas"]),
    st.dates(min_value=D(2018, 1, 1), max_value=D(2025, 1, 1)),
    st.dates(min_value=D(1968, 1, 1), max_value=D(1980, 1, 1)),
    st.one_of(st.none(), predikat),
    predikat,
    st.lists(st.builds(DisciplineFact, st.sampled_from(["ringan", "sedang", "berat"]), day, st.none()), max_size=2)
    .map(tuple),
    st.integers(2, 5),
    st.integers(2, 5),
    st.booleans(),
    st.dates(min_value=D(2022, 1, 1), max_value=D(2026, 3, 1)),
    st.sampled_from([2024, 2025]),
)
employees = st.lists(employee, max_size=12, unique_by=lambda f: f.nip)


@settings(max_examples=60, deadline=None)
@given(employees, st.sampled_from(["talent", "open"]), st.randoms(use_true_random=False))
def test_evaluating_records_is_deterministic_and_order_free(
    people: list[EmployeeFacts], route: str, rnd: random.Random
) -> None:
    records = build_records(people, secret=SECRET, salt_source=counter_salt())  # type: ignore[arg-type]
    first = evaluate(records, position(), RULESET, DATES, route=route).canonical_bytes()
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert evaluate(shuffled, position(), RULESET, DATES, route=route).canonical_bytes() == first
    # The same people evaluated straight from facts give the same bytes: records lose nothing.
    direct = evaluate_candidates([Candidate(pseudonym(SECRET, p.nip), p) for p in people], position(), RULESET,
                                 DATES, route=route)
    assert direct.canonical_bytes() == first
    ev = evaluate(records, position(), RULESET, DATES, route=route)
    ranks = [c.rank for c in ev.candidates if c.rank is not None]
    assert ranks == list(range(1, len(ranks) + 1))
    assert ev.shortlist == tuple(c.pseudonym for c in ev.candidates if c.outcome == SHORTLISTED)


@settings(max_examples=60, deadline=None)
@given(employee)
def test_facts_round_trip_through_records(person: EmployeeFacts) -> None:
    back = facts_from_dict(facts_to_dict(person))
    assert facts_to_dict(back) == facts_to_dict(person)


def test_record_digest_detects_tampering_and_salt_hides_equal_data() -> None:
    a, b = build_records([facts()], secret=SECRET), build_records([facts()], secret=SECRET)
    assert a[0].digest != b[0].digest  # random salts: equal data, unlinkable digests
    tampered = {**a[0].record, "employee": {**a[0].record["employee"], "golongan": "IV/e"}}
    with pytest.raises(EvidenceError, match="does not match its digest"):
        evaluate([EvidenceRecord(tampered, a[0].digest)], position(), RULESET, DATES, route="open")


def test_pseudonyms_depend_on_the_process_secret() -> None:
    assert pseudonym(SECRET, "197505102000031001") == pseudonym(SECRET, "197505102000031001")
    assert pseudonym(SECRET, "197505102000031001") != pseudonym(bytes(32), "197505102000031001")
    assert len(pseudonym(SECRET, "1")) == 26


def _nip(i: int) -> str:
    return f"1975051020000310{i:02d}"


def _field(records: list[EvidenceRecord], p: str) -> dict:  # type: ignore[type-arg]
    return next(r.record["employee"] for r in records if r.pseudonym == p)


def test_explanations_show_recorded_values_and_pinned_rules() -> None:
    people = [
        facts(nip=_nip(1)),
        facts(nip=_nip(2), golongan="IV/a", ratings=(RatingFact(2025, "baik"),)),
        facts(nip=_nip(3), assessments=(assessment(level=3, potential_level=3),)),
        facts(nip=_nip(4), tmt_golongan=D(2021, 1, 1)),
        facts(nip=_nip(5), ratings=(RatingFact(2024, "baik"), RatingFact(2025, "baik"))),
        facts(nip=_nip(6), tmt_golongan=D(2023, 1, 1)),
    ]
    records = build_records(people, secret=SECRET, salt_source=counter_salt())  # type: ignore[arg-type]
    ev = evaluate(records, position(), RULESET, DATES, route="talent")
    outcomes = {c.outcome for c in ev.candidates}
    assert {"shortlisted", "eligible_not_shortlisted", "not_eligible"} <= outcomes
    type_rules = RULESET.type_rules("jpt_pratama")
    for lang in ("id", "en"):
        for ex in explain_all(ev, RULESET, lang=lang):
            data = _field(records, ex.pseudonym)
            lines = {r.rule: r for r in ex.rules}
            assert lines["golongan"].value == data["golongan"]
            assert lines["golongan"].requirement == f">= {type_rules.min_golongan}"
            assert lines["education"].value == data["education"]
            assert lines["age_registration"].requirement.startswith(f"<= {type_rules.max_age_at_registration.label()}")
            recorded = {r["year"]: r["predikat"] for r in data["ratings"]}
            for r in ex.rules:
                if r.rule == "skp":
                    year = int(r.field.split("[")[1].split("]")[0])
                    assert r.value == recorded.get(year, "")
            assert ex.performance_years[0] == (2025, recorded.get(2025))
            achieved = data["assessments"][-1]["competencies"]
            standards = dict(position().standards)
            for gap in ex.jpm["competencies"]:  # type: ignore[index]
                assert gap["achieved"] == achieved[gap["competency"]]
                assert gap["standard"] == standards[gap["competency"]]
            assert [n for n, _ in ex.potential_components] == sorted(POTENTIAL_COMPONENTS)
            assert dict(ex.potential_components) == data["assessments"][-1]["potential"]
            assert ex.ruleset_digest == RULESET.digest
            # Failed rules say how to pass; the not-eligible count matches the failed lines.
            failed = [r for r in ex.rules if not r.passed]
            assert (ex.outcome == NOT_ELIGIBLE) is bool(failed)
            assert all(r.hint for r in failed)
            assert ex.cutoff_text  # only the cut-off, never another candidate
    gol_fail = next(c for c in ev.candidates if c.outcome == NOT_ELIGIBLE and not c.rules[1].passed)
    en = explain(ev, gol_fail.pseudonym, RULESET, lang="en", announced_on=D(2026, 4, 1))
    assert "Rank IV/b required, yours IV/a since 2022-04-01." in [r.hint for r in en.rules]
    assert en.objection_until == D(2026, 4, 1) + dt.timedelta(days=RULESET.objection_window_days)


def test_talent_route_shortlist_box9_first_and_flags() -> None:
    box8 = facts(nip=_nip(1), ratings=(RatingFact(2024, "baik"), RatingFact(2025, "baik")))
    box9 = facts(nip=_nip(2), assessments=(assessment(level=3),))  # lower JPM, still box 9
    ev = evaluate_candidates([Candidate("p-1", box8), Candidate("p-2", box9)], position(), RULESET, DATES,
                             route="talent")
    assert ev.shortlist == ("p-2", "p-1")
    assert ev.flags == ("thin_field",)
    outside = facts(nip=_nip(3), ratings=(RatingFact(2024, "baik"), RatingFact(2025, "baik")),
                    assessments=(assessment(potential_level=3),))  # box 5
    ev = evaluate_candidates([Candidate("p-3", outside)], position(), RULESET, DATES, route="talent")
    assert ev.candidates[0].outcome == "not_in_talent_pool"
    assert set(ev.flags) == {"thin_field", "talent_rank1_not_box9"}
    assert explain(ev, "p-3", RULESET, lang="en").outcome_text == (
        "Eligible, but box 5 is not in the succession group (boxes 7, 8, 9)."
    )


def test_unique_identities_required() -> None:
    with pytest.raises(ValueError, match="unique"):
        evaluate_candidates([Candidate("p-1", facts()), Candidate("p-2", facts())], position(), RULESET, DATES,
                            route="open")


def test_composite_uses_documented_parts() -> None:
    ev = evaluate_candidates([Candidate("p-1", facts())], position(), RULESET, DATES, route="open")
    parts = ev.candidates[0].composite.to_dict()
    # (Baik 80 + Sangat Baik 100)/2 = 90; JPM 100; potential 80; S1 80; no discipline 100
    assert parts["parts"] == {"performance": "90.00", "competency": "100.00", "potential": "80.00",
                              "qualification": "80.00", "integrity": "100.00"}
    assert parts["total"] == "90.50"  # 45 + 20 + 10 + 8 + 7.5


def test_position_dataclass_and_names_are_stable() -> None:
    assert sorted(dict(position().standards)) == sorted(COMPETENCIES)
    assert dataclasses.is_dataclass(position())


def test_record_digest_is_the_bundles_evidence_digest_so_inspectors_can_match_them() -> None:
    from audit.bundle import evidence_digest
    from workflow.merit.evidence import from_bundle_evidence, to_bundle_evidence, verify_record

    [record] = build_records([facts()], secret=SECRET)
    exported = to_bundle_evidence(record)
    assert evidence_digest(exported.salt, exported.data) == record.digest
    assert "salt" not in exported.data and len(exported.salt) == 16
    back = from_bundle_evidence(record.digest, exported)
    assert back == record
    assert verify_record(back) == verify_record(record)
