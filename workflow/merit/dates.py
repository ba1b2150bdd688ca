"""Calendar arithmetic for the merit rules: completed months, anniversaries, look-back windows.

Pure (stdlib only). Anniversaries that fall on a day the target month lacks (29 Feb, 31 Apr)
move to the first day of the next month, so "completed months" and "the day a period ends"
agree: ``completed_months(d, add_months(d, n)) == n`` for every d and n >= 0.
"""

from __future__ import annotations

import calendar
import datetime as dt

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in(year: int, month: int) -> int:
    # calendar.monthrange also computes the weekday; this is on the rules' hot path (ten calls a candidate).
    if month == 2 and calendar.isleap(year):
        return 29
    return _MONTH_DAYS[month - 1]


def add_months(day: dt.date, months: int) -> dt.date:
    """The anniversary of ``day`` ``months`` later (or earlier when negative), overflow to the 1st."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    length = _days_in(year, month)
    if day.day <= length:
        return dt.date(year, month, day.day)
    return dt.date(year, month, 1) + dt.timedelta(days=length)


def add_years(day: dt.date, years: int) -> dt.date:
    """The anniversary of ``day`` ``years`` later (29 Feb → 1 Mar in common years)."""
    return add_months(day, 12 * years)


def completed_months(start: dt.date, on: dt.date) -> int:
    """Whole months from ``start`` to ``on`` (negative when ``on`` is earlier)."""
    months = (on.year - start.year) * 12 + (on.month - start.month)
    if add_months(start, months) > on:
        months -= 1
    elif add_months(start, months + 1) <= on:  # start on the 29th–31st, overflowed anniversary
        months += 1
    return months


def years_months(months: int) -> str:
    """``67`` → ``"5y7m"``: the compact form used in rule results."""
    return f"{months // 12}y{months % 12}m"
