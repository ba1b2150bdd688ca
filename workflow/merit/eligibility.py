"""Eligibility of one employee for one position, rule by rule (domain.md §3).

Pure (stdlib only). ``check_eligibility`` returns one ``RuleResult`` per rule (one per year for
SKP), passed or failed, each naming the source field, the employee's value, the requirement and,
when failed, the nearest way to pass. A position's own minimums override the type defaults of
the rule set only when stricter. All "as of" checks use the registration date; the second age
cap uses the appointment date (``ProcessDates``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from workflow.merit.dates import add_months, add_years, completed_months, years_months
from workflow.merit.facts import AssessmentFact, EmployeeFacts, PositionFacts, ProcessDates
from workflow.merit.jpm import JpmResult
from workflow.merit.numbers import ratio_cents, text
from workflow.merit.results import RuleResult
from workflow.merit.ruleset import AgeCap, RuleSet, TypeRules
from workflow.reference import EDUCATION_LEVEL, PREDIKAT_SCORE, Education, LhkpnStatus, Predikat, golongan_rank

PREDIKAT_LABEL = {
    "sangat_baik": "Sangat Baik",
    "baik": "Baik",
    "butuh_perbaikan": "Butuh Perbaikan",
    "kurang": "Kurang",
    "sangat_kurang": "Sangat Kurang",
}


def required_education(position: PositionFacts, rules: TypeRules) -> str:
    """The stricter of the type default and the position's own minimum education."""
    own = position.min_education
    if own and EDUCATION_LEVEL[Education(own)] > EDUCATION_LEVEL[Education(rules.min_education)]:
        return own
    return rules.min_education


def required_golongan(position: PositionFacts, rules: TypeRules) -> str:
    """The stricter of the type default and the position's own minimum golongan."""
    own = position.min_golongan
    if own and golongan_rank(own) > golongan_rank(rules.min_golongan):
        return own
    return rules.min_golongan


def required_experience_years(position: PositionFacts, rules: TypeRules) -> int:
    """The stricter of the type default and the position's own minimum years of service."""
    return max(rules.min_experience_years, position.min_experience_years)


def skp_years(on: dt.date, ruleset: RuleSet) -> tuple[int, ...]:
    """The completed years whose SKP must be at least the minimum, most recent first."""
    return tuple(range(on.year - 1, on.year - 1 - ruleset.skp_years, -1))


def discipline_window_start(on: dt.date, ruleset: RuleSet) -> dt.date:
    """First day of the discipline look-back window ending on ``on``."""
    return add_years(on, -ruleset.discipline_lookback_years)


def assessment_expiry(assessment: AssessmentFact, ruleset: RuleSet) -> dt.date:
    """Last valid day: the earlier of the recorded ``valid_until`` and the rule set's validity period."""
    by_rule = add_years(assessment.assessed_on, ruleset.assessment_validity_years) - dt.timedelta(days=1)
    return min(assessment.valid_until, by_rule)


def pick_assessment(facts: EmployeeFacts, on: dt.date, ruleset: RuleSet) -> AssessmentFact | None:
    """The assessment the rules use: the latest valid, accredited one taken by ``on``; else the latest one.

    Falling back to the latest invalid one keeps the explanation specific ("expired on …",
    "provider not accredited") instead of a bare "no assessment".
    """
    taken = [a for a in facts.assessments if a.assessed_on <= on]
    if not taken:
        return None

    def latest(items: Sequence[AssessmentFact]) -> AssessmentFact:
        return max(items, key=lambda a: (a.assessed_on, a.provider))

    usable = [a for a in taken if a.provider_accredited and assessment_expiry(a, ruleset) >= on]
    return latest(usable) if usable else latest(taken)


def _basis(ruleset: RuleSet, rule: str) -> str:
    return ruleset.legal_basis[rule]


def _education(facts: EmployeeFacts, required: str, ruleset: RuleSet) -> RuleResult:
    ok = EDUCATION_LEVEL[Education(facts.education)] >= EDUCATION_LEVEL[Education(required)]
    params = {"value": facts.education, "required": required}
    return RuleResult(
        rule="education", basis=_basis(ruleset, "education"), field="tkPendidikanTerakhir",
        value=facts.education, requirement=f">= {required}", passed=ok,
        message="education.pass" if ok else "education.fail", params=params,
        hint=None if ok else "education.hint", hint_params={} if ok else {"required": required},
    )


def _golongan(facts: EmployeeFacts, required: str, ruleset: RuleSet) -> RuleResult:
    ok = golongan_rank(facts.golongan) >= golongan_rank(required)
    params = {"value": facts.golongan, "required": required}
    return RuleResult(
        rule="golongan", basis=_basis(ruleset, "golongan"), field="golRuangAkhir",
        value=facts.golongan, requirement=f">= {required}", passed=ok,
        message="golongan.pass" if ok else "golongan.fail", params=params,
        hint=None if ok else "golongan.hint",
        hint_params={} if ok else {**params, "since": facts.tmt_golongan.isoformat()},
    )


def _feeder(facts: EmployeeFacts, rules: TypeRules, on: dt.date, ruleset: RuleSet) -> RuleResult:
    held_months = completed_months(facts.tmt_position, on)
    allowed = ", ".join(rules.feeder_types)
    base = {
        "rule": "feeder_post", "basis": _basis(ruleset, "feeder_post"), "field": "jenisJabatan, tmtJabatan",
        "value": f"{facts.position_type} since {facts.tmt_position.isoformat()}",
        "requirement": f"one of {allowed} for >= {rules.feeder_years}y",
    }
    params = {"value": facts.position_type, "held": years_months(max(held_months, 0)),
              "years": rules.feeder_years, "allowed": allowed}
    if facts.position_type not in rules.feeder_types:
        return RuleResult(**base, passed=False, message="feeder.wrong_type", params=params,
                          hint="feeder.hint_type", hint_params={"allowed": allowed, "years": rules.feeder_years})
    if held_months < 12 * rules.feeder_years:
        met_on = add_years(facts.tmt_position, rules.feeder_years)
        return RuleResult(**base, passed=False, message="feeder.too_short", params=params,
                          hint="feeder.hint_time", hint_params={"date": met_on.isoformat()})
    return RuleResult(**base, passed=True, message="feeder.pass", params=params)


def _experience(facts: EmployeeFacts, years: int, on: dt.date, ruleset: RuleSet) -> RuleResult:
    months = completed_months(facts.tmt_cpns, on)
    ok = months >= 12 * years
    params = {"held": years_months(max(months, 0)), "years": years}
    return RuleResult(
        rule="experience", basis=_basis(ruleset, "experience"), field="tmtCpns",
        value=years_months(max(months, 0)), requirement=f">= {years}y", passed=ok,
        message="experience.pass" if ok else "experience.fail", params=params,
        hint=None if ok else "experience.hint",
        hint_params={} if ok else {"date": add_years(facts.tmt_cpns, years).isoformat()},
    )


def _age(facts: EmployeeFacts, cap: AgeCap | None, on: dt.date, stage: str, ruleset: RuleSet) -> RuleResult:
    rule = f"age_{stage}"
    months = completed_months(facts.birth_date, on)
    base = {"rule": rule, "basis": _basis(ruleset, rule), "field": "tglLahir", "value": years_months(months)}
    if cap is None:
        return RuleResult(**base, requirement="no cap", passed=True, message="age.none",
                          params={"stage": f"stage.{stage}"})
    ok = months <= cap.total_months
    params = {"value": years_months(months), "date": on.isoformat(), "stage": f"stage.{stage}", "cap": cap.label()}
    # The first day on which the completed age exceeds the cap.
    passed_on = add_months(facts.birth_date, cap.total_months + 1)
    return RuleResult(
        **base, requirement=f"<= {cap.label()} on {on.isoformat()}", passed=ok,
        message="age.pass" if ok else "age.fail", params=params,
        hint=None if ok else "age.hint",
        hint_params={} if ok else {"cap": cap.label(), "since": passed_on.isoformat()},
    )


def _skp(facts: EmployeeFacts, on: dt.date, ruleset: RuleSet) -> list[RuleResult]:
    by_year = {r.year: r.predikat for r in facts.ratings}
    minimum = ruleset.skp_min_predikat
    required = PREDIKAT_LABEL[minimum]
    out = []
    for year in skp_years(on, ruleset):
        predikat = by_year.get(year)
        base = {"rule": "skp", "basis": _basis(ruleset, "skp"), "field": f"riwayatSkp[{year}].predikat",
                "requirement": f">= {minimum}"}
        hint_params = {"required": required, "year": year}
        if predikat is None:
            out.append(RuleResult(**base, value="", passed=False, message="skp.missing", params={"year": year},
                                  hint="skp.hint", hint_params=hint_params))
            continue
        ok = PREDIKAT_SCORE[Predikat(predikat)] >= PREDIKAT_SCORE[Predikat(minimum)]
        out.append(RuleResult(
            **base, value=predikat, passed=ok, message="skp.pass" if ok else "skp.fail",
            params={"year": year, "value": PREDIKAT_LABEL[predikat], "required": required},
            hint=None if ok else "skp.hint", hint_params={} if ok else hint_params,
        ))
    return out


def _discipline(facts: EmployeeFacts, on: dt.date, ruleset: RuleSet) -> RuleResult:
    start = discipline_window_start(on, ruleset)
    levels = "/".join(sorted(ruleset.discipline_blocking_levels))
    # A penalty without a recorded end counts on its imposition day only (a reprimand has no
    # running period); one with an end date counts for every day it runs.
    hits = [
        d for d in facts.discipline
        if d.level in ruleset.discipline_blocking_levels and d.imposed_on <= on
        and (d.ends_on or d.imposed_on) >= start
    ]
    base = {"rule": "discipline", "basis": _basis(ruleset, "discipline"), "field": "riwayatHukdis",
            "requirement": f"no {levels} imposed or running since {start.isoformat()}"}
    if not hits:
        return RuleResult(**base, value="none", passed=True, message="discipline.pass",
                          params={"levels": levels, "since": start.isoformat()})
    worst = max(hits, key=lambda d: (d.ends_on or d.imposed_on, d.imposed_on, d.level))
    last_day = worst.ends_on or worst.imposed_on
    clear_from = add_years(last_day, ruleset.discipline_lookback_years) + dt.timedelta(days=1)
    ends = last_day.isoformat() if worst.ends_on else "-"
    return RuleResult(
        **base, value=f"{worst.level} {worst.imposed_on.isoformat()}..{ends}", passed=False,
        message="discipline.fail",
        params={"level": worst.level, "imposed": worst.imposed_on.isoformat(), "ends": ends,
                "years": ruleset.discipline_lookback_years},
        hint="discipline.hint", hint_params={"date": clear_from.isoformat()},
    )


def _lhkpn(facts: EmployeeFacts, rules: TypeRules, on: dt.date, ruleset: RuleSet) -> RuleResult:
    base = {"rule": "lhkpn", "basis": _basis(ruleset, "lhkpn"), "field": "lhkpn_status, lhkpn_year",
            "value": f"{facts.lhkpn_status} {facts.lhkpn_year or ''}".strip()}
    if not rules.lhkpn_required:
        return RuleResult(**base, requirement="not required", passed=True, message="lhkpn.not_required")
    year = on.year - ruleset.lhkpn_max_age_years
    ok = facts.lhkpn_status == LhkpnStatus.FILED.value and facts.lhkpn_year is not None and facts.lhkpn_year >= year
    return RuleResult(
        **base, requirement=f"filed for >= {year}", passed=ok,
        message="lhkpn.pass" if ok else "lhkpn.fail",
        params={"year": facts.lhkpn_year or year} if ok else {"year": year, "value": facts.lhkpn_status},
        hint=None if ok else "lhkpn.hint", hint_params={} if ok else {"year": year},
    )


def _assessment(assessment: AssessmentFact | None, on: dt.date, ruleset: RuleSet) -> list[RuleResult]:
    rules = ("assessment_present", "assessment_valid", "assessment_accredited")
    if assessment is None:
        return [
            RuleResult(rule=rule, basis=_basis(ruleset, rule), field="riwayatAsesmen", value="",
                       requirement="an assessment taken by " + on.isoformat(), passed=False,
                       message="assessment.none", params={"date": on.isoformat()},
                       hint="assessment.none_hint")
            for rule in rules
        ]
    expiry = assessment_expiry(assessment, ruleset)
    valid = expiry >= on
    earliest = add_years(on, -ruleset.assessment_validity_years) + dt.timedelta(days=1)
    provider = {"provider": assessment.provider}
    return [
        RuleResult(rule="assessment_present", basis=_basis(ruleset, "assessment_present"),
                   field="riwayatAsesmen.tanggal", value=assessment.assessed_on.isoformat(),
                   requirement="an assessment taken by " + on.isoformat(), passed=True,
                   message="assessment.present", params={"date": assessment.assessed_on.isoformat(), **provider}),
        RuleResult(rule="assessment_valid", basis=_basis(ruleset, "assessment_valid"),
                   field="riwayatAsesmen.berlakuSampai", value=expiry.isoformat(),
                   requirement=f">= {on.isoformat()} (validity {ruleset.assessment_validity_years}y)", passed=valid,
                   message="assessment.valid" if valid else "assessment.expired",
                   params={"until": expiry.isoformat(), "date": on.isoformat()},
                   hint=None if valid else "assessment.expired_hint",
                   hint_params={} if valid else {"earliest": earliest.isoformat()}),
        RuleResult(rule="assessment_accredited", basis=_basis(ruleset, "assessment_accredited"),
                   field="riwayatAsesmen.penyelenggara", value=assessment.provider,
                   requirement="accredited provider", passed=assessment.provider_accredited,
                   message="assessment.accredited" if assessment.provider_accredited else "assessment.not_accredited",
                   params=provider, hint=None if assessment.provider_accredited else "assessment.accredited_hint"),
    ]


def _jpm(jpm: JpmResult | None, has_assessment: bool, ruleset: RuleSet) -> RuleResult:
    required = text(ruleset.jpm_pass_from)
    base = {"rule": "jpm_pass", "basis": _basis(ruleset, "jpm_pass"), "field": "riwayatAsesmen.kompetensi",
            "requirement": f">= {required} %"}
    if jpm is None:
        reason = "reason.no_assessment" if not has_assessment else "reason.no_standard"
        return RuleResult(**base, value="", passed=False, message="jpm.unavailable", params={"reason": reason},
                          hint="assessment.none_hint" if not has_assessment else None)
    ok = jpm.percent >= ruleset.jpm_pass_from
    params = {"value": text(jpm.percent), "band": jpm.band, "required": required}
    hint_params: dict[str, str | int] = {}
    if not ok:
        below = sorted((c for c in jpm.competencies if c.gap < 0), key=lambda c: (c.gap, c.competency))
        gaps = ", ".join(f"{c.competency} {c.achieved or 0}/{c.standard}" for c in below[:3])
        # The fewest extra levels whose *published* (rounded) JPM reaches the pass mark.
        needed = next(
            k for k in range(1, jpm.required + 1)
            if ratio_cents((jpm.counted + k) * 100, jpm.required) >= ruleset.jpm_pass_from
        )
        hint_params = {"levels": needed, "gaps": gaps}
    return RuleResult(**base, value=text(jpm.percent), passed=ok, message="jpm.pass" if ok else "jpm.fail",
                      params=params, hint=None if ok else "jpm.hint", hint_params=hint_params)


def check_eligibility(
    facts: EmployeeFacts,
    position: PositionFacts,
    ruleset: RuleSet,
    dates: ProcessDates,
    *,
    assessment: AssessmentFact | None,
    jpm: JpmResult | None,
) -> tuple[RuleResult, ...]:
    """Every eligibility rule for ``facts`` applying for ``position`` under ``ruleset``.

    Args:
        assessment: the assessment the rules use (``pick_assessment``), None when there is none.
        jpm: its JPM against the position's standard (``jpm.compute_jpm``), None when not computable.

    Raises:
        RuleSetError: the rule set has no rules for the position's type.
    """
    rules = ruleset.type_rules(position.type)
    on = dates.registration
    return (
        _education(facts, required_education(position, rules), ruleset),
        _golongan(facts, required_golongan(position, rules), ruleset),
        _feeder(facts, rules, on, ruleset),
        _experience(facts, required_experience_years(position, rules), on, ruleset),
        _age(facts, rules.max_age_at_registration, on, "registration", ruleset),
        _age(facts, rules.max_age_at_appointment, dates.appointment, "appointment", ruleset),
        *_skp(facts, on, ruleset),
        _discipline(facts, on, ruleset),
        _lhkpn(facts, rules, on, ruleset),
        *_assessment(assessment, on, ruleset),
        _jpm(jpm, assessment is not None, ruleset),
    )
