"""NIP (Nomor Identitas PNS) validation and generation, domain.md §6 and §7.4.

Pure module: standard library and ``workflow.reference`` only (no Flask, no database), so the
import, the demo and the offline compliance replay share one definition. The reference date
("today") is always a parameter, never the wall clock.

Layout of the 18 digits: ``YYYYMMDD`` birth date, ``YYYYMM`` TMT CPNS (first appointment; the day
is always the 1st), one sex digit (1 male, 2 female), ``NNN`` sequence number 001–999.
NI PPPK numbers follow a different layout and need their own validator (not here).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from workflow.reference import NIP_SEX_DIGIT, Sex

NIP_LENGTH: Final = 18
MIN_AGE: Final = 18
MAX_AGE: Final = 70
MAX_SEQUENCE: Final = 999
_DIGITS: Final = re.compile(r"\d{18}")
_SEX_BY_DIGIT: Final[dict[str, Sex]] = {digit: sex for sex, digit in NIP_SEX_DIGIT.items()}


class NipReason(StrEnum):
    """Why a NIP was refused: one code per rule of domain.md §7.4."""

    FORMAT = "nip_format"  # not exactly 18 ASCII digits
    BIRTH_DATE_INVALID = "nip_birth_date_invalid"  # [0:8] is not a calendar date
    BIRTH_DATE_FUTURE = "nip_birth_date_future"  # [0:8] is after the reference date
    AGE_OUT_OF_RANGE = "nip_age_out_of_range"  # age at the reference date outside 18–70
    TMT_INVALID = "nip_tmt_invalid"  # [8:14] is not a YYYYMM
    TMT_BEFORE_ADULTHOOD = "nip_tmt_before_adulthood"  # TMT CPNS before the 18th birthday
    TMT_FUTURE = "nip_tmt_future"  # TMT CPNS after the reference date
    SEX_DIGIT = "nip_sex_digit"  # [14] is not 1 or 2
    SEX_MISMATCH = "nip_sex_mismatch"  # [14] contradicts jenisKelamin
    SEQUENCE = "nip_sequence"  # [15:18] is 000
    BIRTH_DATE_MISMATCH = "nip_birth_date_mismatch"  # [0:8] contradicts tglLahir
    TMT_MISMATCH = "nip_tmt_mismatch"  # [8:14] contradicts tmtCpns (year and month)


@dataclass(frozen=True, slots=True)
class NipProblem:
    """One failed rule: its code and a sentence for the person who typed the NIP."""

    reason: NipReason
    message: str


class InvalidNipError(ValueError):
    """The NIP broke at least one rule; ``problems`` lists every rule it broke."""

    def __init__(self, nip: str, problems: tuple[NipProblem, ...]) -> None:
        super().__init__(f"NIP {nip!r} is invalid: " + "; ".join(p.message for p in problems))
        self.nip = nip
        self.problems = problems

    @property
    def reasons(self) -> tuple[NipReason, ...]:
        return tuple(p.reason for p in self.problems)


@dataclass(frozen=True, slots=True)
class Nip:
    """A NIP that passed every rule, with its decoded parts."""

    value: str
    birth_date: dt.date
    tmt_cpns: dt.date  # always the 1st of the month
    sex: Sex
    sequence: int

    def formatted(self) -> str:
        """The display form ``YYYYMMDD YYYYMM G NNN``."""
        v = self.value
        return f"{v[0:8]} {v[8:14]} {v[14]} {v[15:18]}"


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved by whole years; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def age_on(birth_date: dt.date, today: dt.date) -> int:
    """Age in completed years on ``today``."""
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - int(before_birthday)


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def _parse_month(text: str) -> dt.date | None:
    try:
        return dt.date(int(text[0:4]), int(text[4:6]), 1)
    except ValueError:
        return None


def nip_problems(
    nip: str,
    *,
    today: dt.date,
    birth_date: dt.date | None = None,
    tmt_cpns: dt.date | None = None,
    sex: Sex | None = None,
) -> list[NipProblem]:
    """Every rule of domain.md §7.4 that ``nip`` breaks; empty when it is valid.

    Args:
        nip: the 18-digit string, without spaces.
        today: the reference date for "not in the future" and the age range.
        birth_date, tmt_cpns, sex: the record's own fields (``tglLahir``, ``tmtCpns``,
            ``jenisKelamin``); each one given is cross-checked against the NIP.

    Returns:
        The problems in digit order. Checks that depend on an unreadable part are skipped,
        so each problem names a root cause rather than its consequences.
    """
    if not isinstance(nip, str) or not _DIGITS.fullmatch(nip) or not nip.isascii():
        return [NipProblem(NipReason.FORMAT, "A NIP is exactly 18 digits, written without spaces.")]
    problems: list[NipProblem] = []

    def fail(reason: NipReason, message: str) -> None:
        problems.append(NipProblem(reason, message))

    born = _parse_date(nip[0:8])
    if born is None:
        fail(NipReason.BIRTH_DATE_INVALID, f"Digits 1–8 ({nip[0:8]}) are not a real date of birth (YYYYMMDD).")
    elif born > today:
        fail(NipReason.BIRTH_DATE_FUTURE, f"Digits 1–8 give a date of birth ({born}) after {today}.")
    elif not MIN_AGE <= age_on(born, today) <= MAX_AGE:
        fail(
            NipReason.AGE_OUT_OF_RANGE,
            f"Digits 1–8 give an age of {age_on(born, today)} on {today}; a PNS is {MIN_AGE}–{MAX_AGE}.",
        )

    tmt = _parse_month(nip[8:14])
    if tmt is None:
        fail(NipReason.TMT_INVALID, f"Digits 9–14 ({nip[8:14]}) are not a year and month of appointment (YYYYMM).")
    else:
        # A birth date in the future is already reported; comparing against it would only echo that.
        if born is not None and born <= today and tmt < add_years(born, MIN_AGE):
            fail(
                NipReason.TMT_BEFORE_ADULTHOOD,
                f"Digits 9–14 give a CPNS appointment ({tmt:%Y-%m}) before the 18th birthday "
                f"({add_years(born, MIN_AGE)}).",
            )
        if tmt > today:
            fail(NipReason.TMT_FUTURE, f"Digits 9–14 give a CPNS appointment ({tmt:%Y-%m}) after {today}.")

    nip_sex = _SEX_BY_DIGIT.get(nip[14])
    if nip_sex is None:
        fail(NipReason.SEX_DIGIT, f"Digit 15 is {nip[14]}; it must be 1 (male) or 2 (female).")
    elif sex is not None and nip_sex != sex:
        fail(
            NipReason.SEX_MISMATCH,
            f"Digit 15 is {nip[14]} but jenisKelamin is {sex.value}; expected {NIP_SEX_DIGIT[sex]}.",
        )

    if nip[15:18] == "000":
        fail(NipReason.SEQUENCE, "Digits 16–18 are a sequence number from 001 to 999, not 000.")

    if born is not None and birth_date is not None and born != birth_date:
        fail(NipReason.BIRTH_DATE_MISMATCH, f"Digits 1–8 give {born} but tglLahir is {birth_date}.")
    if tmt is not None and tmt_cpns is not None and (tmt.year, tmt.month) != (tmt_cpns.year, tmt_cpns.month):
        fail(NipReason.TMT_MISMATCH, f"Digits 9–14 give {tmt:%Y-%m} but tmtCpns is {tmt_cpns:%Y-%m}.")
    return problems


def validate_nip(
    nip: str,
    *,
    today: dt.date,
    birth_date: dt.date | None = None,
    tmt_cpns: dt.date | None = None,
    sex: Sex | None = None,
) -> Nip:
    """Parse a NIP that must pass every rule of :func:`nip_problems`.

    Raises:
        InvalidNipError: with every problem found.
    """
    problems = nip_problems(nip, today=today, birth_date=birth_date, tmt_cpns=tmt_cpns, sex=sex)
    if problems:
        raise InvalidNipError(nip, tuple(problems))
    return Nip(
        value=nip,
        birth_date=dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8])),
        tmt_cpns=dt.date(int(nip[8:12]), int(nip[12:14]), 1),
        sex=_SEX_BY_DIGIT[nip[14]],
        sequence=int(nip[15:18]),
    )


def make_nip(birth_date: dt.date, tmt_cpns: dt.date, sex: Sex, sequence: int = 1) -> str:
    """Compose the NIP of a PNS from its parts (the inverse of :func:`validate_nip`).

    Raises:
        ValueError: the sequence is outside 001–999 or a year does not fit four digits.
    """
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"sequence {sequence} is outside 1–{MAX_SEQUENCE}")
    if not (1000 <= birth_date.year <= 9999 and 1000 <= tmt_cpns.year <= 9999):
        raise ValueError("years must have four digits")
    return f"{birth_date:%Y%m%d}{tmt_cpns:%Y%m}{NIP_SEX_DIGIT[sex]}{sequence:03d}"


class NipAllocator:
    """Issues NIPs like BKN does: sequence 001 unless the first 15 digits are taken, then the next one."""

    def __init__(self, taken: frozenset[str] = frozenset()) -> None:
        self._next: defaultdict[str, int] = defaultdict(lambda: 1)
        self._taken = set(taken)

    def issue(self, birth_date: dt.date, tmt_cpns: dt.date, sex: Sex) -> str:
        """A NIP not issued before by this allocator (nor in ``taken``).

        Raises:
            ValueError: all 999 sequence numbers of these 15 digits are used.
        """
        prefix = make_nip(birth_date, tmt_cpns, sex)[:15]
        sequence = self._next[prefix]
        while f"{prefix}{sequence:03d}" in self._taken:
            sequence += 1
        nip = make_nip(birth_date, tmt_cpns, sex, sequence)  # raises past 999
        self._next[prefix] = sequence + 1
        self._taken.add(nip)
        return nip
