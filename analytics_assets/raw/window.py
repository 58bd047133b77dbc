"""A load window (a range of daily partitions) and the SQL that selects and labels its rows.

Pure helpers: no database, so they are unit-tested on their own.

A row belongs to the day of its window column in UTC. The first partition of the project
also takes the rows dated before it and the undated ones (null window column), so rows
from "before the platform existed" still reach raw, where staging can quarantine them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from psycopg import sql


@dataclass(frozen=True)
class Window:
    """Days [start, end) of a load; `first_partition` is the project's first daily partition."""

    start: date
    end: date
    first_partition: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"empty window: end {self.end} is not after start {self.start}")
        if self.start < self.first_partition:
            raise ValueError(
                f"window start {self.start} is before the first partition {self.first_partition}"
            )

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(self.start + timedelta(days=n) for n in range((self.end - self.start).days))

    @property
    def takes_older_rows(self) -> bool:
        """True when the window holds the first partition, which also takes older rows."""
        return self.start == self.first_partition

    def label(self) -> str:
        return half_open_label(self.start, self.end)


def half_open_label(start: date, end: date) -> str:
    return f"[{start.isoformat()}, {end.isoformat()})"


def day_label(day: date) -> str:
    """The half-open window of one daily partition, as text."""
    return half_open_label(day, day + timedelta(days=1))


def window_from_datetimes(start: datetime, end: datetime, first_partition: date) -> Window:
    """The window of a Dagster partition time window (UTC midnights)."""
    return Window(_utc_date(start), _utc_date(end), first_partition)


def _utc_date(moment: datetime) -> date:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date()


def _midnight(day: date) -> sql.Literal:
    # An explicit offset: the bounds mean UTC midnights whatever the session's time zone.
    return sql.Literal(f"{day.isoformat()} 00:00:00+00")


def window_predicate(
    column: str, window: Window, catch_up: bool = False, held_until: datetime | None = None
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
    if window.takes_older_rows or (catch_up and held_until is None):
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
