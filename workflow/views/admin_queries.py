"""Read-only queries for the admin's data pages: lists with filters and pages, one row's details.

No writes and no rules: what a page shows and nothing else. Changes go through
``workflow.services.admin_data``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so

from workflow.lifecycle import TERMINAL_STAGES
from workflow.models import Employee, OrgUnit, Position, Role, User, UserRole
from workflow.models import process as m
from workflow.models.ledger import KeyStatus, SigningKey
from workflow.services.admin_data import account_version, position_version

PAGE_SIZE = 50
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: its rows, its number (from 1) and how many rows match in total."""

    items: Sequence[T]
    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        """1-based index of the first row shown (0 when empty)."""
        return 0 if not self.total else (self.number - 1) * self.size + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.number * self.size)


def _page(session: so.Session, stmt: sa.Select[Any], number: int, size: int = PAGE_SIZE) -> tuple[list[Any], int, int]:
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, math.ceil(total / size))
    number = min(max(1, number), pages)
    rows = list(session.execute(stmt.limit(size).offset((number - 1) * size)))
    return rows, number, total


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --- units -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitRow:
    id: int
    code: str
    name: str
    parent_code: str | None
    parent_name: str | None
    positions: int


def units(session: so.Session, *, q: str = "", page: int = 1) -> Page[UnitRow]:
    """Units by code, optionally those whose code or name contains ``q``."""
    parent = so.aliased(OrgUnit)
    positions = (
        sa.select(sa.func.count(Position.id)).where(Position.unit_id == OrgUnit.id).correlate(OrgUnit).scalar_subquery()
    )
    stmt = (
        sa.select(OrgUnit.id, OrgUnit.code, OrgUnit.name, parent.code, parent.name, positions)
        .outerjoin(parent, parent.id == OrgUnit.parent_id)
        .order_by(OrgUnit.code)
    )
    if q:
        pattern = _like(q)
        stmt = stmt.where(sa.or_(OrgUnit.code.ilike(pattern, escape="\\"), OrgUnit.name.ilike(pattern, escape="\\")))
    rows, number, total = _page(session, stmt, page)
    return Page([UnitRow(*row) for row in rows], number, total)


def unit_options(session: so.Session, *, exclude: int | None = None) -> list[tuple[int, str]]:
    """``(id, "CODE — name")`` of every unit, by code, for a select."""
    stmt = sa.select(OrgUnit.id, OrgUnit.code, OrgUnit.name).order_by(OrgUnit.code)
    if exclude is not None:
        stmt = stmt.where(OrgUnit.id != exclude)
    return [(uid, f"{code} — {name}") for uid, code, name in session.execute(stmt)]


def unit(session: so.Session, unit_id: int) -> OrgUnit | None:
    return session.get(OrgUnit, unit_id)


# --- positions -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PositionRow:
    id: int
    code: str
    title: str
    type: str
    unit_code: str
    unit_name: str
    is_vacant: bool
    open_process: int | None


def _open_process_column() -> sa.ScalarSelect[Any]:
    return (
        sa.select(sa.func.min(m.Process.id))
        .where(m.Process.position_id == Position.id, m.Process.status.not_in(list(TERMINAL_STAGES)))
        .correlate(Position)
        .scalar_subquery()
    )


def positions(
    session: so.Session,
    *,
    q: str = "",
    position_type: str | None = None,
    unit_id: int | None = None,
    vacant: bool | None = None,
    page: int = 1,
) -> Page[PositionRow]:
    """Positions by code, filtered by text (code or title), type, unit and vacancy."""
    stmt = (
        sa.select(Position.id, Position.code, Position.title, Position.type, OrgUnit.code, OrgUnit.name,
                  Position.is_vacant, _open_process_column())
        .join(OrgUnit, OrgUnit.id == Position.unit_id)
        .order_by(Position.code)
    )
    if q:
        pattern = _like(q)
        stmt = stmt.where(sa.or_(Position.code.ilike(pattern, escape="\\"), Position.title.ilike(pattern, escape="\\")))
    if position_type:
        stmt = stmt.where(Position.type == position_type)
    if unit_id is not None:
        stmt = stmt.where(Position.unit_id == unit_id)
    if vacant is not None:
        stmt = stmt.where(Position.is_vacant.is_(vacant))
    rows, number, total = _page(session, stmt, page)
    return Page([PositionRow(r[0], r[1], r[2], str(r[3]), r[4], r[5], bool(r[6]), r[7]) for r in rows], number, total)


@dataclass(frozen=True, slots=True)
class PositionView:
    position: Position
    unit: OrgUnit
    standards: dict[str, int]
    open_process: int | None
    version: str


def position(session: so.Session, position_id: int) -> PositionView | None:
    """One position with its unit, standards, open process (if any) and the version its forms send."""
    row = session.get(Position, position_id)
    if row is None:
        return None
    open_process = session.scalar(
        sa.select(sa.func.min(m.Process.id)).where(
            m.Process.position_id == row.id, m.Process.status.not_in(list(TERMINAL_STAGES))
        )
    )
    return PositionView(
        position=row,
        unit=row.unit,
        standards={s.competency: int(s.level) for s in row.standards},
        open_process=open_process,
        version=position_version(row),
    )


# --- accounts --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountRow:
    id: int
    username: str
    display_name: str
    roles: list[Role]
    is_active: bool
    has_key: bool
    linked: bool


def accounts(
    session: so.Session, *, q: str = "", role: str | None = None, active: bool | None = None, page: int = 1
) -> Page[AccountRow]:
    """Accounts by username, filtered by text (username or name), role and activation."""
    has_key = (
        sa.select(sa.func.count(SigningKey.id))
        .where(SigningKey.user_id == User.id, SigningKey.status == KeyStatus.ACTIVE)
        .correlate(User)
        .scalar_subquery()
    )
    stmt = sa.select(User, has_key).order_by(User.username)
    if q:
        pattern = _like(q)
        stmt = stmt.where(
            sa.or_(User.username.ilike(pattern, escape="\\"), User.display_name.ilike(pattern, escape="\\"))
        )
    if role:
        stmt = stmt.where(sa.exists().where(UserRole.user_id == User.id, UserRole.role == role))
    if active is not None:
        stmt = stmt.where(User.is_active.is_(active))
    rows, number, total = _page(session, stmt, page)
    order = list(Role)
    items = [
        AccountRow(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            roles=sorted((Role(r.role) for r in user.roles), key=order.index),
            is_active=bool(user.is_active),
            has_key=bool(keys),
            linked=user.employee_id is not None,
        )
        for user, keys in rows
    ]
    return Page(items, number, total)


@dataclass(frozen=True, slots=True)
class KeyRow:
    key_id: str
    status: str
    created_at: Any
    revoked_at: Any


@dataclass(frozen=True, slots=True)
class AccountView:
    user: User
    roles: list[Role]
    employee: Employee | None
    keys: list[KeyRow]
    active_key: KeyRow | None
    version: str


def account(session: so.Session, user_id: int) -> AccountView | None:
    """One account: roles, linked employee (NIP and name, for the admin only), keys, version."""
    user = session.get(User, user_id)
    if user is None:
        return None
    keys = [
        KeyRow(k.key_id, str(k.status), k.created_at, k.revoked_at)
        for k in session.scalars(sa.select(SigningKey).where(SigningKey.user_id == user.id).order_by(SigningKey.id))
    ]
    order = list(Role)
    return AccountView(
        user=user,
        roles=sorted((Role(r.role) for r in user.roles), key=order.index),
        employee=None if user.employee_id is None else session.get(Employee, user.employee_id),
        keys=keys,
        active_key=next((k for k in keys if k.status == str(KeyStatus.ACTIVE)), None),
        version=account_version(user),
    )


def counts(session: so.Session) -> dict[str, int]:
    """Row counts for the admin's front page."""
    return {
        "units": session.scalar(sa.select(sa.func.count(OrgUnit.id))) or 0,
        "positions": session.scalar(sa.select(sa.func.count(Position.id))) or 0,
        "vacant": session.scalar(sa.select(sa.func.count(Position.id)).where(Position.is_vacant.is_(True))) or 0,
        "employees": session.scalar(sa.select(sa.func.count(Employee.id))) or 0,
        "accounts": session.scalar(sa.select(sa.func.count(User.id))) or 0,
    }
