"""SQL storage of the audit log (DESIGN.md §4, §7): leaves, stored subtree hashes, checkpoints, keys.

``audit/`` is storage-free; these tables are its SQL implementation. Rows of ``log_leaf``,
``log_hash`` and ``log_checkpoint`` are append-only: nothing in the application updates or
deletes them. ``log_head`` is the one mutable row; locking it serialises appends.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from workflow.extensions import db
from workflow.models._types import enum_column

HEAD_ID = 1
ZERO_HASH = bytes(32)


class LogHead(db.Model):
    """The single row naming the log's size and last leaf hash; its lock serialises appends."""

    __tablename__ = "log_head"
    __table_args__ = (sa.CheckConstraint(f"id = {HEAD_ID}", name="single_row"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    size: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    last_leaf_hash: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary(32))


class LogLeaf(db.Model):
    """One log entry, its bytes exactly as hashed (STYLE.md C11)."""

    __tablename__ = "log_leaf"
    __table_args__ = (
        # process_basis(): the latest entry of one process is one index probe.
        sa.Index("ix_log_leaf_process_seq", "process_key", "seq"),
    )

    # The primary key on seq is the second line of defence: a racing append that got past the
    # head lock fails with IntegrityError instead of forking the log.
    seq: so.Mapped[int] = so.mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    leaf: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    leaf_hash: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary(32), unique=True)
    # The statement's ``process`` as JSON text (``12`` or ``"P-12"``; NULL for log-level statements
    # such as key changes), because audit/ chains per process value and allows ints and strings.
    # No foreign key: the log outlives any row it talks about.
    process_key: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    time: so.Mapped[dt.datetime] = so.mapped_column(sa.DateTime(timezone=True))


class LogHash(db.Model):
    """A stored complete-subtree hash: level ``level``, position ``idx`` (RFC 9162 tree)."""

    __tablename__ = "log_hash"

    level: so.Mapped[int] = so.mapped_column(sa.SmallInteger, primary_key=True, autoincrement=False)
    idx: so.Mapped[int] = so.mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    hash: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary(32))


class LogCheckpoint(db.Model):
    """A signed checkpoint (C2SP signed note) of the log at ``size``."""

    __tablename__ = "log_checkpoint"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    size: so.Mapped[int] = so.mapped_column(sa.BigInteger, unique=True)
    root_hash: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary(32))
    note: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(sa.DateTime(timezone=True))


class KeyOwner(StrEnum):
    """Whose key: the log's (checkpoints), the system's (computed steps) or a person's."""

    LOG = "log"
    SYSTEM = "system"
    USER = "user"


class KeyStatus(StrEnum):
    """A key signs only while ``active``; ``rotated`` and ``revoked`` keys still verify old entries."""

    ACTIVE = "active"
    ROTATED = "rotated"
    REVOKED = "revoked"


class SigningKey(db.Model):
    """An Ed25519 key: public half in clear, private half encrypted (user keys) or in a file (server keys)."""

    __tablename__ = "signing_key"
    __table_args__ = (
        sa.CheckConstraint(
            "(owner_kind = 'user') = (user_id IS NOT NULL)", name="user_key_has_user"
        ),
        # At most one active key per user; partial unique index, same syntax on both databases.
        sa.Index(
            "ix_signing_key_one_active_per_user",
            "user_id",
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key_id: so.Mapped[str] = so.mapped_column(sa.String(128), unique=True)
    owner_kind: so.Mapped[KeyOwner] = so.mapped_column(enum_column(KeyOwner, 16), index=True)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    public_key: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary(32))
    # User keys: the private key sealed with the key-encryption key. Server keys: a file in KEY_DIR.
    encrypted_private_key: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary)
    key_path: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    status: so.Mapped[KeyStatus] = so.mapped_column(enum_column(KeyStatus, 16), default=KeyStatus.ACTIVE)
    # The log entry that enrolled the key (None for the log key: checkpoints are not entries).
    enrolled_seq: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(sa.DateTime(timezone=True))
    revoked_at: so.Mapped[dt.datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
