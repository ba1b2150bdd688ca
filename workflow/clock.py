"""The application's clock and UTC normalisation, in one place (STYLE.md C9: time is injected).

Views and API handlers take "now" from :func:`now`; tests and the browser suite move time by
setting ``app.config["CLOCK"]`` to a callable returning an aware datetime. Services never read a
clock: they receive ``now`` as a parameter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import overload


def now() -> dt.datetime:
    """The current time as an aware UTC datetime: ``app.config["CLOCK"]()`` when set, else the wall clock."""
    from flask import current_app, has_app_context

    clock: Callable[[], dt.datetime] | None = current_app.config.get("CLOCK") if has_app_context() else None
    return utc(clock() if clock is not None else dt.datetime.now(dt.UTC))


@overload
def utc(moment: dt.datetime) -> dt.datetime: ...
@overload
def utc(moment: None) -> None: ...
def utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored time as an aware UTC datetime (SQLite hands back naive values, which are UTC)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
