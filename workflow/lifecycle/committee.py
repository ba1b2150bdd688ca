"""Committee composition and conflict-of-interest checks (domain.md §4, R14, R16).

Pure functions over :class:`~workflow.lifecycle.snapshot.Member` values: odd size within the
pinned bounds, an internal share within the limit, exactly one unrecused chair, a signed integrity
pact and conflict-of-interest declaration from everyone, no candidate on the panel, and recusal of
anyone who declared a tie to a candidate. Arithmetic is exact (``int`` and ``Decimal``).

Import rule: standard library and ``workflow.lifecycle`` only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from decimal import ROUND_FLOOR, Decimal

from workflow.lifecycle.reasons import Reason, reason
from workflow.lifecycle.roles import PersonId, Seat
from workflow.lifecycle.snapshot import Member, ProcessRules


def percent(share: Decimal) -> str:
    """Render a share as a percentage without trailing zeros (``Decimal("0.45")`` → ``"45"``)."""
    value = (share * 100).normalize()
    return f"{value:f}"


def composition_blockers(
    members: Sequence[Member], rules: ProcessRules, candidates: Collection[PersonId] = ()
) -> list[Reason]:
    """Return what makes this committee unfit to decide; empty means properly composed.

    Args:
        members: every seated member, recused ones included (they still count toward the size).
        rules: the pinned size bounds and internal-share limit.
        candidates: the pool, once known; before nomination pass nothing and the candidate
            checks wait for ``nominate_pool``, where they run again.

    Returns:
        Blockers in a fixed order: size, internal share, chair, then per member in seat order.
    """
    out: list[Reason] = []
    size = len(members)
    if not rules.committee_min <= size <= rules.committee_max:
        out.append(
            reason("committee.size_out_of_bounds", size=size, minimum=rules.committee_min, maximum=rules.committee_max)
        )
    if size % 2 == 0:
        out.append(reason("committee.size_even", size=size))
    internal = sum(1 for m in members if m.internal)
    if size and internal > size * rules.internal_max_share:  # exact: Decimal * int, no float
        out.append(
            reason(
                "committee.internal_share_exceeded",
                internal=internal,
                size=size,
                max_percent=percent(rules.internal_max_share),
            )
        )
    chairs = [m for m in members if m.seat == Seat.CHAIR]
    if not chairs:
        out.append(reason("committee.chair_missing"))
    elif len(chairs) > 1:
        out.append(reason("committee.chair_multiple", count=len(chairs)))
    else:
        if chairs[0].recused:
            out.append(reason("committee.chair_recused", person=chairs[0].person))
    seen = Counter(m.person for m in members)
    pool = frozenset(candidates)
    reported: set[PersonId] = set()
    for m in members:
        if seen[m.person] > 1 and m.person not in reported:
            reported.add(m.person)
            out.append(reason("committee.duplicate_member", person=m.person))
        if not m.pact_signed:
            out.append(reason("committee.pact_unsigned", person=m.person))
        if not m.coi_declared:
            out.append(reason("committee.coi_undeclared", person=m.person))
        if m.person in pool:
            out.append(reason("committee.member_is_candidate", person=m.person))
        if not m.recused:
            for candidate in sorted(m.declared_conflicts & pool):
                out.append(reason("committee.conflict_not_recused", person=m.person, candidate=candidate))
    return out


def voters(members: Sequence[Member]) -> frozenset[PersonId]:
    """Return the members who may vote: seated and not recused."""
    return frozenset(m.person for m in members if not m.recused)


def quorum_required(seated: int, rules: ProcessRules) -> int:
    """Return the smallest number of valid votes strictly above ``quorum_share`` of ``seated``.

    With the default share of one half this is a simple majority: 3 of 5, 4 of 7, 5 of 9.
    """
    return int((seated * rules.quorum_share).to_integral_value(rounding=ROUND_FLOOR)) + 1
