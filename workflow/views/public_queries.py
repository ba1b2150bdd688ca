"""Read-only queries behind the public front page: the signed log head and per-unit aggregates.

Nothing here is personal: counts per organisational unit only, never a name, NIP, pseudonym or
score. The aggregates change only when a process changes, and every change of a process appends
a log entry, so they are computed once per log state (keyed by the log head's last leaf hash) and
served from memory until the log grows: the page costs two primary-key reads per view.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from workflow import ledger
from workflow.keystore import get_keystore
from workflow.lifecycle import Stage
from workflow.models import OrgUnit, Position
from workflow.models import process as m
from workflow.models.ledger import HEAD_ID, LogCheckpoint, LogHead

_CACHE_KEY: Final = "jejak_public_stats"
_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class LogSummary:
    """The public log as the front page shows it."""

    size: int
    checkpoint: LogCheckpoint | None
    vkey: str


@dataclass(frozen=True, slots=True)
class UnitStats:
    """One unit's processes, without personal data."""

    code: str
    name: str
    by_stage: Mapping[Stage, int] = field(default_factory=dict)
    appointed: int = 0
    appointed_rank1: int = 0
    objections: int = 0
    objections_upheld: int = 0

    @property
    def processes(self) -> int:
        return sum(self.by_stage.values())

    @property
    def overrides(self) -> int:
        """Appointments of a candidate other than the committee's rank 1 (a red flag, R7)."""
        return self.appointed - self.appointed_rank1

    @property
    def rank1_percent(self) -> Decimal | None:
        if not self.appointed:
            return None
        return (Decimal(100) * self.appointed_rank1 / self.appointed).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def log_summary(session: so.Session) -> LogSummary:
    return LogSummary(ledger.log_size(session), ledger.latest_checkpoint(session), get_keystore().log_vkey())


def _compute(session: so.Session) -> tuple[UnitStats, ...]:
    stages = session.execute(
        sa.select(OrgUnit.id, m.Process.status, sa.func.count())
        .join(Position, Position.unit_id == OrgUnit.id)
        .join(m.Process, m.Process.position_id == Position.id)
        .group_by(OrgUnit.id, m.Process.status)
    ).all()
    # The appointee's rank in the committee's recommendation of the round that appointed.
    rank1 = Counter(
        unit_id for (unit_id,) in session.execute(
            sa.select(Position.unit_id)
            .join(m.Process, m.Process.position_id == Position.id)
            .join(m.Candidate, sa.and_(m.Candidate.process_id == m.Process.id,
                                       m.Candidate.pseudonym == m.Process.appointee_pseudonym))
            .where(m.Process.status == Stage.APPOINTED, m.Candidate.recommended_rank == 1)
        )
    )
    objections = session.execute(
        sa.select(Position.unit_id, sa.func.count(), sa.func.count().filter(m.Objection.upheld.is_(True)))
        .join(m.Process, m.Process.position_id == Position.id)
        .join(m.Objection, m.Objection.process_id == m.Process.id)
        .group_by(Position.unit_id)
    ).all()
    by_unit: dict[int, dict[Stage, int]] = {}
    for unit_id, status, count in stages:
        by_unit.setdefault(unit_id, {})[Stage(status)] = int(count)
    filed = {unit_id: (int(total), int(upheld)) for unit_id, total, upheld in objections}
    units = session.execute(
        sa.select(OrgUnit.id, OrgUnit.code, OrgUnit.name).where(OrgUnit.id.in_(sorted(by_unit))).order_by(OrgUnit.name)
    ).all() if by_unit else []
    return tuple(
        UnitStats(
            code=code, name=name, by_stage=by_unit[uid], appointed=by_unit[uid].get(Stage.APPOINTED, 0),
            appointed_rank1=rank1.get(uid, 0), objections=filed.get(uid, (0, 0))[0],
            objections_upheld=filed.get(uid, (0, 0))[1],
        )
        for uid, code, name in units
    )


def unit_stats(session: so.Session) -> tuple[UnitStats, ...]:
    """Per-unit aggregates for the current log state (computed once per state, see the docstring)."""
    head = session.execute(sa.select(LogHead.size, LogHead.last_leaf_hash).where(LogHead.id == HEAD_ID)).one_or_none()
    key = (0, b"") if head is None else (int(head[0]), bytes(head[1]))
    cache = current_app.extensions.setdefault(_CACHE_KEY, {})
    with _LOCK:
        if cache.get("key") == key:
            return cache["value"]  # type: ignore[no-any-return]
    value = _compute(session)
    with _LOCK:
        cache.update(key=key, value=value)
    return value


def totals(units: tuple[UnitStats, ...]) -> UnitStats:
    """The province: the sum over units."""
    stages: Counter[Stage] = Counter()
    for u in units:
        stages.update(u.by_stage)
    return UnitStats(
        code="", name="", by_stage=dict(stages), appointed=sum(u.appointed for u in units),
        appointed_rank1=sum(u.appointed_rank1 for u in units), objections=sum(u.objections for u in units),
        objections_upheld=sum(u.objections_upheld for u in units),
    )
