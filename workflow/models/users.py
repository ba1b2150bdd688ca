"""Accounts and their roles (DESIGN.md §6)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from workflow.extensions import db
from workflow.models._types import enum_column


class Role(StrEnum):
    """What an account may do; per-process roles (committee seats) come with the process."""

    ADMIN = "admin"
    COMMITTEE_MEMBER = "committee_member"
    COMMITTEE_CHAIR = "committee_chair"
    PPK = "ppk"
    VERIFIER = "verifier"
    INSPECTOR = "inspector"
    ASN = "asn"


class User(db.Model):
    """A person who signs in; ``employee_id`` links an ASN to their own merit record."""

    __tablename__ = "user_account"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    employee_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("employee.id"), unique=True)
    is_active: so.Mapped[bool] = so.mapped_column(default=True)
    # Organisation the account belongs to, when not an employee record: "internal" or an outside body.
    affiliation: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    created_at: so.Mapped[dt.datetime]

    roles: so.Mapped[list[UserRole]] = so.relationship(cascade="all, delete-orphan", lazy="selectin")

    def has_role(self, role: Role) -> bool:
        return any(r.role == role for r in self.roles)


class UserRole(db.Model):
    """One role held by one account."""

    __tablename__ = "user_role"
    __table_args__ = (sa.UniqueConstraint("user_id", "role"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: so.Mapped[Role] = so.mapped_column(enum_column(Role))
