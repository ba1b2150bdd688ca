"""Eligibility rules, table-driven: pass, fail and boundary for each rule (rule set 2026.1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.merit.factories import DATES, RULESET, D, assessment, facts, position
from workflow.merit.eligibility import check_eligibility, pick_assessment
from workflow.merit.facts import DisciplineFact, EmployeeFacts, PositionFacts, ProcessDates, RatingFact
from workflow.merit.jpm import compute_jpm
from workflow.merit.messages import render
from workflow.merit.results import RuleResult


def results(f: EmployeeFacts, pos: PositionFacts | None = None, dates: ProcessDates = DATES) -> list[RuleResult]:
    pos = pos or position()
    chosen = pick_assessment(f, dates.registration, RULESET)
    jpm = compute_jpm(chosen, pos, RULESET) if chosen else None
    return list(check_eligibility(f, pos, RULESET, dates, assessment=chosen, jpm=jpm))


def only(f: EmployeeFacts, rule: str, pos: PositionFacts | None = None) -> RuleResult:
    found = [r for r in results(f, pos) if r.rule == rule]
    assert len(found) == 1, found
    return found[0]


def test_default_candidate_passes_every_rule() -> None:
    assert all(r.passed for r in results(facts())), [r for r in results(facts()) if not r.passed]


CASES: list[tuple[str, str, dict[str, Any], dict[str, Any], bool]] = [
    # (case id, rule, fact overrides, position overrides, passes)
    ("edu S1", "education", {"education": "S1"}, {}, True),
    ("edu D4 equals S1", "education", {"education": "D4"}, {}, True),
    ("edu D3 below S1", "education", {"education": "D3"}, {}, False),
    ("edu S1 under stricter post S2", "education", {"education": "S1"}, {"min_education": "S2"}, False),
    ("edu S2 under post S2", "education", {"education": "S2"}, {"min_education": "S2"}, True),
    ("edu looser post does not relax", "education", {"education": "D3"}, {"min_education": "D3"}, False),
    ("gol at minimum IV/b", "golongan", {"golongan": "IV/b"}, {}, True),
    ("gol one below IV/a", "golongan", {"golongan": "IV/a"}, {}, False),
    ("gol under stricter post IV/c", "golongan", {"golongan": "IV/b"}, {"min_golongan": "IV/c"}, False),
    ("gol looser post does not relax", "golongan", {"golongan": "IV/a"}, {"min_golongan": "III/d"}, False),
    ("feeder exactly 2 years", "feeder_post", {"tmt_position": D(2024, 3, 2)}, {}, True),
    ("feeder one day short", "feeder_post", {"tmt_position": D(2024, 3, 3)}, {}, False),
    ("feeder wrong type", "feeder_post", {"position_type": "pengawas"}, {}, False),
    ("feeder fungsional", "feeder_post", {"position_type": "fungsional"}, {}, True),
    ("experience exactly 5 years", "experience", {"tmt_cpns": D(2021, 3, 2)}, {}, True),
    ("experience one day short", "experience", {"tmt_cpns": D(2021, 3, 3)}, {}, False),
    ("experience post asks 30 years", "experience", {}, {"min_experience_years": 30}, False),
    ("age reg exactly 55y6m", "age_registration", {"birth_date": D(1970, 9, 2)}, {}, True),
    ("age reg 55y6m and 29 days", "age_registration", {"birth_date": D(1970, 8, 3)}, {}, True),
    ("age reg 55y7m", "age_registration", {"birth_date": D(1970, 8, 2)}, {}, False),
    ("age appt 55y11m", "age_appointment", {"birth_date": D(1970, 6, 2)}, {}, True),
    ("age appt 56y0m", "age_appointment", {"birth_date": D(1970, 6, 1)}, {}, False),
    ("age reg: no cap for administrator", "age_registration", {"birth_date": D(1968, 1, 1), "golongan": "III/d"},
     {"type": "administrator"}, True),
    ("lhkpn filed last year", "lhkpn", {"lhkpn_year": 2025}, {}, True),
    ("lhkpn filed two years ago", "lhkpn", {"lhkpn_year": 2024}, {}, False),
    ("lhkpn not filed", "lhkpn", {"lhkpn_status": "not_filed", "lhkpn_year": None}, {}, False),
    ("lhkpn not required for pengawas", "lhkpn", {"lhkpn_status": "not_required", "lhkpn_year": None},
     {"type": "pengawas"}, True),
    ("discipline none", "discipline", {}, {}, True),
    ("discipline sedang on window start", "discipline",
     {"discipline": (DisciplineFact("sedang", D(2020, 3, 2), D(2021, 3, 2)),)}, {}, False),
    ("discipline sedang ended day before window", "discipline",
     {"discipline": (DisciplineFact("sedang", D(2020, 3, 2), D(2021, 3, 1)),)}, {}, True),
    ("discipline ringan in window", "discipline",
     {"discipline": (DisciplineFact("ringan", D(2025, 3, 2), None),)}, {}, True),
    ("discipline berat still running", "discipline",
     {"discipline": (DisciplineFact("berat", D(2015, 1, 1), D(2027, 1, 1)),)}, {}, False),
    ("discipline imposed after registration", "discipline",
     {"discipline": (DisciplineFact("berat", D(2026, 4, 1), None),)}, {}, True),
    ("discipline berat without end, 6 years ago", "discipline",
     {"discipline": (DisciplineFact("berat", D(2020, 3, 1), None),)}, {}, True),
    ("assessment valid until registration day", "assessment_valid",
     {"assessments": (assessment(valid_until=D(2026, 3, 2)),)}, {}, True),
    ("assessment expired the day before", "assessment_valid",
     {"assessments": (assessment(valid_until=D(2026, 3, 1)),)}, {}, False),
    ("assessment exactly 3 years old", "assessment_valid",
     {"assessments": (assessment(assessed_on=D(2023, 3, 3), valid_until=D(2030, 1, 1)),)}, {}, True),
    ("assessment 3 years and a day old", "assessment_valid",
     {"assessments": (assessment(assessed_on=D(2023, 3, 2), valid_until=D(2030, 1, 1)),)}, {}, False),
    ("assessment not accredited", "assessment_accredited",
     {"assessments": (assessment(provider_accredited=False),)}, {}, False),
    ("accredited older assessment preferred", "assessment_accredited",
     {"assessments": (assessment(), assessment(assessed_on=D(2025, 6, 1), provider_accredited=False))}, {}, True),
    ("assessment taken after registration ignored", "assessment_present",
     {"assessments": (assessment(assessed_on=D(2026, 3, 3)),)}, {}, False),
    ("no assessment", "assessment_present", {"assessments": ()}, {}, False),
    ("jpm 100", "jpm_pass", {}, {}, True),
    ("jpm 80 against a level-5 standard", "jpm_pass", {},
     {"standards": (("integritas", 5), ("kerjasama", 5), ("komunikasi", 5), ("orientasi_hasil", 5),
                    ("teknis", 5))}, True),
    ("jpm 50 fails", "jpm_pass", {"assessments": (assessment(level=2),)}, {}, False),
]


@pytest.mark.parametrize(("case", "rule", "fact_overrides", "position_overrides", "passes"), CASES,
                         ids=[c[0] for c in CASES])
def test_rule_table(case: str, rule: str, fact_overrides: dict[str, Any], position_overrides: dict[str, Any],
                    passes: bool) -> None:
    result = only(facts(**fact_overrides), rule, position(**position_overrides))
    assert result.passed is passes
    assert result.basis == RULESET.legal_basis[rule]
    assert (result.hint is None) is passes or rule.startswith("age")


@pytest.mark.parametrize(("achieved", "passes", "band"), [(16, False, "KMS"), (17, True, "MMS"), (20, True, "MS")])
def test_jpm_pass_mark_boundary(achieved: int, passes: bool, band: str) -> None:
    standard = (("integritas", 5), ("kerjasama", 5), ("komunikasi", 5), ("orientasi_hasil", 5), ("teknis", 5))
    levels = [5, 5, 5, 1, 1] if achieved == 17 else ([4, 4, 4, 4, 4] if achieved == 20 else [5, 5, 4, 1, 1])
    scored = assessment(competencies=tuple(sorted(zip([n for n, _ in standard], levels, strict=True))))
    result = only(facts(assessments=(scored,)), "jpm_pass", position(standards=standard))
    assert result.passed is passes
    assert result.params["band"] == band


@pytest.mark.parametrize(
    ("ratings", "outcomes"),
    [
        ((RatingFact(2024, "baik"), RatingFact(2025, "baik")), {2025: True, 2024: True}),
        ((RatingFact(2024, "sangat_baik"), RatingFact(2025, "butuh_perbaikan")), {2025: False, 2024: True}),
        ((RatingFact(2025, "baik"), RatingFact(2023, "baik")), {2025: True, 2024: False}),
        ((), {2025: False, 2024: False}),
    ],
)
def test_skp_each_of_the_last_two_years(ratings: tuple[RatingFact, ...], outcomes: dict[int, bool]) -> None:
    skp = [r for r in results(facts(ratings=ratings)) if r.rule == "skp"]
    assert {int(r.params["year"]): r.passed for r in skp} == outcomes
    for r in skp:
        if not r.value:
            assert r.message == "skp.missing"


def test_nearest_way_to_pass_is_specific() -> None:
    skp = [r for r in results(facts(ratings=(RatingFact(2024, "baik"),))) if r.rule == "skp" and not r.passed]
    assert render(skp[0].hint or "", skp[0].hint_params, "en") == "Needs SKP 'Baik' or better in 2025."
    assert render(skp[0].message, skp[0].params, "id") == "Tidak ada predikat SKP untuk tahun 2025."
    gol = only(facts(golongan="IV/a"), "golongan")
    assert render(gol.hint or "", gol.hint_params, "en") == "Rank IV/b required, yours IV/a since 2022-04-01."
    feeder = only(facts(tmt_position=D(2024, 6, 1)), "feeder_post")
    assert render(feeder.hint or "", feeder.hint_params, "en") == "The time-in-post requirement is met on 2026-06-01."
    disc = only(facts(discipline=(DisciplineFact("sedang", D(2022, 1, 10), D(2023, 1, 9)),)), "discipline")
    expected = "This requirement is met for registrations from 2028-01-10."
    assert render(disc.hint or "", disc.hint_params, "en") == expected
    jpm = only(facts(assessments=(assessment(level=2),)), "jpm_pass")
    assert jpm.hint_params["levels"] == 8  # 20/40 = 50 %; 28/40 = 70 % is the first published value >= 68
    age = only(facts(birth_date=D(1970, 1, 1)), "age_registration")
    assert render(age.hint or "", age.hint_params, "en").startswith("The age cap 55y6m was passed on 1970-01-01"[:24])


def test_dates_must_be_in_order() -> None:
    with pytest.raises(ValueError, match="appointment"):
        ProcessDates(registration=D(2026, 3, 2), appointment=D(2026, 3, 1))


def test_each_result_names_field_value_and_requirement() -> None:
    for r in results(facts(golongan="III/d", education="D3", assessments=())):
        assert r.rule and r.field and r.requirement and r.basis
        for lang in ("id", "en"):
            assert render(r.message, r.params, lang)
            if r.hint:
                assert render(r.hint, r.hint_params, lang)


def test_leap_day_birthday_reaches_age_on_first_of_march() -> None:
    f = facts(birth_date=D(1968, 2, 29), position_type="pengawas", golongan="III/d")
    on = ProcessDates(registration=D(2026, 2, 28), appointment=dt.date(2026, 3, 1))
    pos = position(type="administrator")
    res = {r.rule: r for r in results(f, pos, on)}
    assert res["age_registration"].value == "57y11m"
    assert res["age_appointment"].value == "58y0m" and not res["age_appointment"].passed
