"""Exact arithmetic helpers: fractions in, two-decimal ``Decimal`` out.

Every published score (JPM %, potential score, composite) is rounded once, half up, to two
decimals, and the *rounded* value is what rules compare and rankings sort on. That way the
numbers an ASN sees on the explanation page are exactly the numbers that decided.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def ratio_cents(numerator: int, denominator: int) -> Decimal:
    """``numerator / denominator`` rounded half up to two decimals, in integer arithmetic.

    floor(x·100 + ½) = floor((200·n + d) / 2d); integers keep this exact and fast enough to
    score tens of thousands of candidates per nomination.
    """
    if denominator <= 0 or numerator < 0:
        raise ValueError("merit scores are never negative")
    return Decimal((200 * numerator + denominator) // (2 * denominator)).scaleb(-2)


def to_cents(value: Fraction | Decimal | int) -> Decimal:
    """Round a non-negative exact value half up to two decimals (no floating point involved)."""
    if isinstance(value, Fraction):
        return ratio_cents(value.numerator, value.denominator)
    if value < 0:
        raise ValueError("merit scores are never negative")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def text(value: Decimal) -> str:
    """Canonical text of a two-decimal score ("83.33")."""
    return str(value.quantize(CENT))
