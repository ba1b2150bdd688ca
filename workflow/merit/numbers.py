"""Exact arithmetic helpers: fractions in, two-decimal ``Decimal`` out.

Every published score (JPM %, potential score, composite) is rounded once, half up, to two
decimals, and the *rounded* value is what rules compare and rankings sort on. That way the
numbers an ASN sees on the explanation page are exactly the numbers that decided.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def to_cents(value: Fraction | Decimal | int) -> Decimal:
    """Round a non-negative exact value half up to two decimals (no floating point involved)."""
    exact = Fraction(value)
    if exact < 0:
        raise ValueError("merit scores are never negative")
    hundredths = math.floor(exact * 100 + Fraction(1, 2))
    return (Decimal(hundredths) / 100).quantize(CENT)


def text(value: Decimal) -> str:
    """Canonical text of a two-decimal score ("83.33")."""
    return str(value.quantize(CENT))
