"""Column helpers shared by the model modules."""

from __future__ import annotations

from enum import Enum

import sqlalchemy as sa


def enum_column(enum: type[Enum], length: int = 32) -> sa.Enum:
    """Store an enum's *value* as a checked VARCHAR, the same on SQLite and PostgreSQL."""
    return sa.Enum(
        enum,
        native_enum=False,
        length=length,
        validate_strings=True,
        create_constraint=True,
        name=enum.__name__.lower(),
        values_callable=lambda members: [m.value for m in members],
    )
