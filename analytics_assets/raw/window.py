"""The SQL that selects the rows of a load window (analytics_assets/window.py) from a source
table and labels each with its daily partition.

Pure helpers: no database, so they are unit-tested on their own.

A row belongs to the day of its window column in UTC. The first partition of the project
also takes the rows dated before it and the undated ones (null window column), so rows
from "before the platform existed" still reach raw, where staging can quarantine them.
"""

from __future__ import annotations

from datetime import date, datetime

from psycopg import sql

from analytics_assets.window import Window


def takes_older_rows(window: Window, first_partition: date) -> bool:
    """True when the window holds the first partition, which also takes older rows."""
    return window.start == first_partition


def _midnight(day: date) -> sql.Literal:
    # An explicit offset: the bounds mean UTC midnights whatever the session's time zone.
    return sql.Literal(f"{day.isoformat()} 00:00:00+00")


def window_predicate(
    column: str,
    window: Window,
    first_partition: date,
    catch_up: bool = False,
    held_until: datetime | None = None,
) -> sql.Composed:
    """`where` condition choosing the rows of the window by their window column.

    With `catch_up` (mutable tables), also the rows dated before the window that raw does
    not hold yet: those newer than `held_until` (the newest version raw holds before the
    window's end), or, when raw holds none, every older row and the undated ones. So the
    first run of any range, or a run after a gap, finds every parent its rows refer to.
    """
    col = sql.Identifier(column)
    lo = _midnight(window.start)
    inside = sql.SQL("({col} >= {lo}::timestamptz and {col} < {hi}::timestamptz)").format(
        col=col, lo=lo, hi=_midnight(window.end)
    )
    # The first partition starts at the project's first day, so "every older row" is the
    # same condition for it as for a catch-up when raw holds nothing.
    if takes_older_rows(window, first_partition) or (catch_up and held_until is None):
        return sql.SQL("({inside} or {col} < {lo}::timestamptz or {col} is null)").format(
            inside=inside, col=col, lo=lo
        )
    if catch_up:
        return sql.SQL("({inside} or ({col} > {held} and {col} < {lo}::timestamptz))").format(
            inside=inside, col=col, held=sql.Literal(held_until), lo=lo
        )
    return inside


def partition_expression(column: str, first_partition: date) -> sql.Composed:
    """The daily partition of a row: the UTC day of its window column, never before the first
    partition (`greatest` ignores a null, so undated rows land on the first partition too)."""
    return sql.SQL("greatest(({col} at time zone 'UTC')::date, {first}::date)").format(
        col=sql.Identifier(column), first=sql.Literal(first_partition.isoformat())
    )
