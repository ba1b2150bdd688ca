"""Personal access tokens for the JSON API, and the accounts that exist only to hold them.

A token is shown once when it is created; the database keeps its lookup ``prefix`` and the SHA-256
of the whole token, never the token itself (workflow/api/tokens.py, docs/api.md).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from workflow.extensions import db


class ApiToken(db.Model):
    """A bearer token of one account, scoped to a subset of its roles, expiring, revocable."""

    __tablename__ = "api_token"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"))
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    # Random, public part of the token: finds the row without comparing secrets in SQL.
    prefix: so.Mapped[str] = so.mapped_column(sa.String(16), unique=True)
    # Lowercase hex SHA-256 of the whole token string.
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    # Role values the token may act in: a subset of the account's roles when it was created.
    roles: so.Mapped[list[str]] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(sa.DateTime(timezone=True))
    expires_at: so.Mapped[dt.datetime] = so.mapped_column(sa.DateTime(timezone=True))
    last_used_at: so.Mapped[dt.datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    revoked_at: so.Mapped[dt.datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


class ServiceAccount(db.Model):
    """Marks an account as a machine client: no usable password; an admin may issue its tokens."""

    __tablename__ = "service_account"

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"))
    description: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    created_at: so.Mapped[dt.datetime] = so.mapped_column(sa.DateTime(timezone=True))
