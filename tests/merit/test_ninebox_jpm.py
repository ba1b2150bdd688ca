"""The nine 9-box cells, the talent pool, potential cut-offs, and JPM under both band sets."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.merit.factories import DATES, RULESET, assessment, facts, position
from workflow.merit.facts import RatingFact
from workflow.merit.jpm import compute_jpm
from workflow.merit.messages import render
from workflow.merit.ninebox import place, potential_score
from workflow.merit.ruleset import ruleset_from_content
from workflow.reference import POTENTIAL_COMPONENTS

PREDIKAT_FOR = {"di_atas": "sangat_baik", "sesuai": "baik", "di_bawah": "butuh_perbaikan"}
POTENTIAL_FOR = {"rendah": 2, "menengah": 3, "tinggi": 4}
CELLS = [
    ("di_atas", "rendah", 4), ("di_atas", "menengah", 7), ("di_atas", "tinggi", 9),
    ("sesuai", "rendah", 2), ("sesuai", "menengah", 5), ("sesuai", "tinggi", 8),
    ("di_bawah", "rendah", 1), ("di_bawah", "menengah", 3), ("di_bawah", "tinggi", 6),
]


@pytest.mark.parametrize(("perf", "pot", "box"), CELLS)
def test_all_nine_cells(perf: str, pot: str, box: int) -> None:
    f = facts(ratings=(RatingFact(2025, PREDIKAT_FOR[perf]),))
    placement = place(f, assessment(potential_level=POTENTIAL_FOR[pot]), DATES.registration, RULESET)
    assert (placement.performance_level, placement.potential_level, placement.box) == (perf, pot, box)
    assert placement.in_talent_pool is (box in {7, 8, 9})
    assert placement.in_national_pool is (box == 9)
    for lang in ("id", "en"):
        assert render(f"box.{box}.label", None, lang)
        assert render(f"box.{box}.follow_up", None, lang)


def test_box_labels_follow_the_permenpanrb_wording() -> None:
    assert render("box.9.label", None, "id") == "Kinerja di atas ekspektasi, potensial tinggi"
    assert render("box.1.follow_up", None, "id") == "Diproses sesuai ketentuan peraturan perundang-undangan."


def test_potential_cutoffs_on_the_boundary() -> None:
    seven_fours = tuple(sorted((name, 3 if i == 0 else 4) for i, name in enumerate(POTENTIAL_COMPONENTS)))
    score, _ = potential_score(assessment(potential=seven_fours), RULESET)
    assert score == Decimal("77.50")
    assert place(facts(), assessment(potential=seven_fours), DATES.registration, RULESET).potential_level == "menengah"
    assert potential_score(assessment(potential_level=4), RULESET)[0] == Decimal("80.00")


def test_missing_year_or_component_leaves_the_employee_unplaced() -> None:
    unplaced = place(facts(ratings=()), assessment(), DATES.registration, RULESET)
    assert unplaced.box is None and unplaced.reason == "reason.no_performance"
    partial = assessment(potential=(("grit", 5),))
    assert place(facts(), partial, DATES.registration, RULESET).reason == "reason.incomplete_potential"
    assert place(facts(), None, DATES.registration, RULESET).reason == "reason.no_assessment"


def _ruleset_with_band_set(name: str, pass_from: str):  # type: ignore[no-untyped-def]
    content = dict(RULESET.content)
    content["jpm"] = {**content["jpm"], "band_set": name, "pass_from": pass_from}
    return ruleset_from_content(content)


@pytest.mark.parametrize(
    ("band_set", "pass_from", "counted", "band"),
    [
        ("ms_mms_kms", "68", 32, "MS"),     # 80.00
        ("ms_mms_kms", "68", 31, "MMS"),    # 77.50
        ("ms_mms_kms", "68", 28, "MMS"),    # 70.00
        ("ms_mms_kms", "68", 27, "KMS"),    # 67.50
        ("o_co_ko", "78", 36, "O"),         # 90.00
        ("o_co_ko", "78", 35, "CO"),        # 87.50
        ("o_co_ko", "78", 32, "CO"),        # 80.00
        ("o_co_ko", "78", 31, "KO"),        # 77.50
    ],
)
def test_jpm_bands_under_both_band_sets(band_set: str, pass_from: str, counted: int, band: str) -> None:
    rs = _ruleset_with_band_set(band_set, pass_from)
    names = sorted(n for n, _ in position().standards)  # ten competencies at standard 4 = 40 levels
    levels = [4] * 10
    shortfall = 40 - counted
    for i in range(shortfall):
        levels[i % 10] -= 1
    jpm = compute_jpm(assessment(competencies=tuple(zip(names, levels, strict=True))), position(), rs)
    assert jpm is not None
    assert jpm.percent == Decimal(counted * 100) / 40
    assert jpm.band == band and jpm.band_set == band_set
    assert jpm.shortfall == shortfall
    assert sum(c.gap for c in jpm.competencies) == -shortfall


def test_jpm_caps_at_standard_and_counts_missing_competency_as_zero() -> None:
    over = assessment(competencies=(("integritas", 5), ("teknis", 2)))
    pos = position(standards=(("integritas", 4), ("kerjasama", 3), ("teknis", 4)))
    jpm = compute_jpm(over, pos, RULESET)
    assert jpm is not None
    assert [(c.competency, c.achieved, c.gap) for c in jpm.competencies] == [
        ("integritas", 5, 1), ("kerjasama", None, -3), ("teknis", 2, -2)
    ]
    assert jpm.percent == Decimal("54.55")  # (4 + 0 + 2) / 11, not (5 + 0 + 2) / 11
    assert compute_jpm(over, position(standards=()), RULESET) is None
