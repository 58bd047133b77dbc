"""The window: the UTC days [start, end) that a run, a load or a check covers.

One type for every layer. It is built once from what Dagster hands a step (a partition
time window, or a run's partition tags: jobs.run_window) and passed as it is to raw, dbt
(`dbt_env`), GX and the quarantine checks. One UTC rule: a bound is a UTC midnight, and
a bound that is not one is refused rather than rounded. One label: `[start, end)`.

Pure: no database, no Dagster; unit-tested on its own (tests/test_window.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

# The environment variables dbt's window macro reads (dbt_project/macros/utils/window.sql).
DBT_WINDOW_START = "ANALYTICS_WINDOW_START"
DBT_WINDOW_END = "ANALYTICS_WINDOW_END"


class TimeSpan(Protocol):
    """What Dagster's TimeWindow offers: two aware datetimes."""

    @property
    def start(self) -> datetime: ...

    @property
    def end(self) -> datetime: ...


def utc_day(moment: datetime) -> date:
    """The UTC day that starts at `moment`; ValueError unless it is a UTC midnight (a naive
    datetime is read as UTC)."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    if utc.timetz() != time(0, tzinfo=UTC):
        raise ValueError(f"{moment.isoformat()} is not a UTC midnight: not a day bound")
    return utc.date()


def midnight(day: date) -> datetime:
    """The instant `day` starts, in UTC."""
    return datetime.combine(day, time(0), UTC)


@dataclass(frozen=True)
class Window:
    """UTC days [start, end), end exclusive like every range in the project."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"empty window: end {self.end} is not after start {self.start}")

    @classmethod
    def of(cls, span: TimeSpan) -> Window:
        """The days of a Dagster partition time window (its bounds are UTC midnights)."""
        return cls(utc_day(span.start), utc_day(span.end))

    @classmethod
    def day(cls, day: date) -> Window:
        return cls(day, day + timedelta(days=1))

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(self.start + timedelta(days=n) for n in range((self.end - self.start).days))

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The instants [start, end) in UTC."""
        return midnight(self.start), midnight(self.end)

    def label(self) -> str:
        return f"[{self.start.isoformat()}, {self.end.isoformat()})"

    def dbt_env(self) -> dict[str, str]:
        """The window as the environment variables dbt's window macro reads."""
        return {DBT_WINDOW_START: self.start.isoformat(), DBT_WINDOW_END: self.end.isoformat()}
