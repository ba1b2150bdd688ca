"""Ranking is a strict total order, independent of input order, with the documented tie-break."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.merit.ranking import Rankable, rank, rank_key

D = dt.date


def rankable(**kw: object) -> Rankable:
    base: dict[str, object] = {
        "pseudonym": "p-a", "nip": "1", "box": 9, "jpm": Decimal("80.00"), "composite": Decimal("70.00"),
        "golongan": "IV/b", "tmt_golongan": D(2022, 4, 1),
    }
    base.update(kw)
    return Rankable(**base)  # type: ignore[arg-type]


candidates = st.lists(
    st.builds(
        lambda box, jpm, comp, gol, tmt: (box, jpm, comp, gol, tmt),
        st.sampled_from([7, 8, 9]),
        st.sampled_from([Decimal("70.00"), Decimal("80.00"), Decimal("80.01")]),
        st.sampled_from([Decimal("60.00"), Decimal("75.50")]),
        st.sampled_from(["IV/a", "IV/b", "IV/c"]),
        st.sampled_from([D(2020, 1, 1), D(2021, 1, 1)]),
    ),
    min_size=0,
    max_size=25,
).map(lambda rows: [
    Rankable(f"p-{i:04x}", f"19{i:016d}", box, jpm, comp, gol, tmt)
    for i, (box, jpm, comp, gol, tmt) in enumerate(rows)
])


@settings(max_examples=200, deadline=None)
@given(candidates, st.sampled_from(["talent", "open"]), st.randoms(use_true_random=False))
def test_ranking_is_strict_total_and_shuffle_invariant(
    items: list[Rankable], route: str, rnd: random.Random
) -> None:
    ordered = rank(items, route)
    keys = [rank_key(route, c) for c in ordered]
    assert all(a < b for a, b in itertools.pairwise(keys))  # strictly increasing: no ties left
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert rank(shuffled, route) == ordered


def test_talent_route_orders_box_then_jpm_then_composite() -> None:
    a = rankable(pseudonym="p-a", box=8, jpm=Decimal("99.00"))
    b = rankable(pseudonym="p-b", box=9, jpm=Decimal("70.00"))
    c = rankable(pseudonym="p-c", box=9, jpm=Decimal("70.00"), composite=Decimal("70.01"))
    assert [r.pseudonym for r in rank([a, b, c], "talent")] == ["p-c", "p-b", "p-a"]


def test_open_route_orders_by_composite_first() -> None:
    a = rankable(pseudonym="p-a", box=9, composite=Decimal("70.00"))
    b = rankable(pseudonym="p-b", box=5, composite=Decimal("70.01"))
    assert [r.pseudonym for r in rank([a, b], "open")] == ["p-b", "p-a"]


def test_tie_break_rank_then_time_in_rank_then_pseudonym_then_nip() -> None:
    senior = rankable(pseudonym="p-z", golongan="IV/c")
    earlier = rankable(pseudonym="p-y", tmt_golongan=D(2020, 1, 1))
    lottery_first = rankable(pseudonym="p-a", nip="9")
    lottery_second = rankable(pseudonym="p-b", nip="1")
    same_pseudonym = rankable(pseudonym="p-b", nip="2")
    ordered = rank([same_pseudonym, lottery_second, lottery_first, earlier, senior], "talent")
    assert ordered == [senior, earlier, lottery_first, lottery_second, same_pseudonym]
