"""NIP validation (domain.md §7.4): properties over generated NIPs and one table row per rule."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.nip import (
    InvalidNipError,
    NipAllocator,
    NipReason,
    add_years,
    make_nip,
    nip_problems,
    validate_nip,
)
from workflow.reference import Sex

TODAY = dt.date(2026, 11, 1)
VALID = "198609262015051001"  # domain.md §6 example: born 26 Sep 1986, CPNS May 2015, male, 001


@st.composite
def nip_parts(draw: st.DrawFn) -> tuple[dt.date, dt.date, Sex, int, dt.date]:
    """Consistent (birth, tmt, sex, sequence, today): age 18–70 and TMT between 18th birthday and today."""
    today = draw(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
    # The latest birth date still leaves a whole month of appointment on or before today.
    latest_birth = add_years(today.replace(day=1), -18)
    born = draw(st.dates(min_value=add_years(today, -70) + dt.timedelta(days=1), max_value=latest_birth))
    adult = add_years(born, 18)
    first_month = adult if adult.day == 1 else (adult.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    months = (today.year - first_month.year) * 12 + today.month - first_month.month
    offset = draw(st.integers(min_value=0, max_value=months))
    year, month = divmod(first_month.month - 1 + offset, 12)
    tmt = dt.date(first_month.year + year, month + 1, 1)
    sex = draw(st.sampled_from(Sex))
    sequence = draw(st.integers(min_value=1, max_value=999))
    return born, tmt, sex, sequence, today


@given(nip_parts())
def test_generated_nips_validate_and_decode(parts: tuple[dt.date, dt.date, Sex, int, dt.date]) -> None:
    born, tmt, sex, sequence, today = parts
    nip = make_nip(born, tmt, sex, sequence)
    parsed = validate_nip(nip, today=today, birth_date=born, tmt_cpns=tmt, sex=sex)
    assert (parsed.birth_date, parsed.tmt_cpns, parsed.sex, parsed.sequence) == (born, tmt, sex, sequence)
    assert parsed.formatted().replace(" ", "") == nip


@given(st.lists(nip_parts(), min_size=1, max_size=30), st.integers(min_value=0, max_value=3))
def test_allocator_output_is_valid_and_unique(parts: list, repeats: int) -> None:
    allocator = NipAllocator()
    issued = []
    for born, tmt, sex, _sequence, today in parts:
        for _ in range(repeats + 1):  # the same 15 digits again must get the next sequence number
            nip = allocator.issue(born, tmt, sex)
            validate_nip(nip, today=today, birth_date=born, tmt_cpns=tmt, sex=sex)
            issued.append(nip)
    assert len(set(issued)) == len(issued)


def test_allocator_skips_taken_numbers() -> None:
    allocator = NipAllocator(taken=frozenset({VALID}))
    assert allocator.issue(dt.date(1986, 9, 26), dt.date(2015, 5, 1), Sex.MALE) == "198609262015051002"


def test_example_from_the_brief_decodes() -> None:
    nip = validate_nip(VALID, today=TODAY, birth_date=dt.date(1986, 9, 26), tmt_cpns=dt.date(2015, 5, 1), sex=Sex.MALE)
    assert nip.formatted() == "19860926 201505 1 001"


@pytest.mark.parametrize(
    ("nip", "fields", "reasons"),
    [
        ("19860926201505100", {}, NipReason.FORMAT),  # 17 digits
        ("19860926 201505 1 001", {}, NipReason.FORMAT),  # spaces
        ("1986092620150510O1", {}, NipReason.FORMAT),  # letter O
        ("١٩٨٦٠٩٢٦٢٠١٥٠٥١٠٠١", {}, NipReason.FORMAT),  # non-ASCII digits
        ("198602302015051001", {}, NipReason.BIRTH_DATE_INVALID),  # 30 February
        ("202712012015051001", {}, NipReason.BIRTH_DATE_FUTURE),
        # Under 18 means any past appointment came before adulthood too: both rules speak.
        ("201001012015051001", {}, (NipReason.AGE_OUT_OF_RANGE, NipReason.TMT_BEFORE_ADULTHOOD)),
        ("195510312015051001", {}, NipReason.AGE_OUT_OF_RANGE),  # 71 years old
        ("198609262015131001", {}, NipReason.TMT_INVALID),  # month 13
        ("198609262004091001", {}, NipReason.TMT_BEFORE_ADULTHOOD),  # 17 years 11 months
        ("198609262027011001", {}, NipReason.TMT_FUTURE),
        ("198609262015053001", {}, NipReason.SEX_DIGIT),
        ("198609262015051001", {"sex": Sex.FEMALE}, NipReason.SEX_MISMATCH),
        ("198609262015051000", {}, NipReason.SEQUENCE),
        ("198609262015051001", {"birth_date": dt.date(1986, 9, 27)}, NipReason.BIRTH_DATE_MISMATCH),
        ("198609262015051001", {"tmt_cpns": dt.date(2015, 6, 1)}, NipReason.TMT_MISMATCH),
    ],
)
def test_each_rule_has_its_own_reason(nip: str, fields: dict, reasons: NipReason | tuple[NipReason, ...]) -> None:
    expected = reasons if isinstance(reasons, tuple) else (reasons,)
    assert tuple(p.reason for p in nip_problems(nip, today=TODAY, **fields)) == expected
    with pytest.raises(InvalidNipError) as caught:
        validate_nip(nip, today=TODAY, **fields)
    assert caught.value.reasons == expected


def test_age_boundaries_are_inclusive() -> None:
    eighteen_today = make_nip(dt.date(2008, 11, 1), dt.date(2026, 11, 1), Sex.FEMALE)
    assert nip_problems(eighteen_today, today=TODAY) == []
    seventy_today = make_nip(dt.date(1956, 11, 1), dt.date(1990, 1, 1), Sex.MALE)
    assert nip_problems(seventy_today, today=TODAY) == []
    assert [p.reason for p in nip_problems(seventy_today, today=TODAY.replace(year=2027))] == [
        NipReason.AGE_OUT_OF_RANGE
    ]


def test_tmt_on_the_first_of_the_18th_birthday_month_is_accepted() -> None:
    assert nip_problems("198605012004051001", today=TODAY) == []
    assert [p.reason for p in nip_problems("198605022004051001", today=TODAY)] == [NipReason.TMT_BEFORE_ADULTHOOD]


def test_leap_day_birth_reaches_18_on_1_march() -> None:
    assert add_years(dt.date(2000, 2, 29), 18) == dt.date(2018, 3, 1)
    assert [p.reason for p in nip_problems("200002292018021001", today=TODAY)] == [NipReason.TMT_BEFORE_ADULTHOOD]
    assert nip_problems("200002292018031001", today=TODAY) == []


def test_several_problems_are_all_reported() -> None:
    reasons = [p.reason for p in nip_problems("198609262027013000", today=TODAY, sex=Sex.MALE)]
    assert reasons == [NipReason.TMT_FUTURE, NipReason.SEX_DIGIT, NipReason.SEQUENCE]


def test_make_nip_refuses_sequence_out_of_range() -> None:
    with pytest.raises(ValueError, match="sequence"):
        make_nip(dt.date(1986, 9, 26), dt.date(2015, 5, 1), Sex.MALE, 1000)
