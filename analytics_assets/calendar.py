"""The calendar: days, ISO weeks (Monday first) and calendar months, in UTC.

The Dagster partitions definitions of the three grains are the calendar: "which weeks
does this range complete" is asked of the weekly partitions, not recomputed beside them,
so the runs, the schedules and the sensors agree with the partitions the UI shows.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import dagster as dg

from analytics_assets.settings import get_settings
from analytics_assets.window import Window, midnight, utc_day

Partitions = dg.TimeWindowPartitionsDefinition


@cache
def daily_partitions() -> dg.DailyPartitionsDefinition:
    return dg.DailyPartitionsDefinition(
        start_date=get_settings().start_date.isoformat(), timezone="UTC"
    )


@cache
def weekly_partitions() -> dg.WeeklyPartitionsDefinition:
    # day_offset=1: weeks start on Monday like date_trunc('week'); Sunday would split ISO weeks.
    return dg.WeeklyPartitionsDefinition(
        start_date=get_settings().start_date.isoformat(), timezone="UTC", day_offset=1
    )


@cache
def monthly_partitions() -> dg.MonthlyPartitionsDefinition:
    return dg.MonthlyPartitionsDefinition(
        start_date=get_settings().start_date.isoformat(), timezone="UTC"
    )


def week_start(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def first_day(partitions: Partitions) -> date:
    """The first day of the first partition (a weekly definition starts at its first whole
    week, a monthly one at its first whole month)."""
    first = partitions.get_first_partition_window()
    if first is None:
        raise ValueError("the partitions definition has no partition yet")
    return utc_day(first.start)


def last_day(partitions: Partitions) -> date | None:
    """The last day of the last partition that has ended, None when none has."""
    key = partitions.get_last_partition_key()
    return None if key is None else period(partitions, key).last_day


def period(partitions: Partitions, key: str) -> Window:
    """The days of one partition."""
    return Window.of(partitions.time_window_for_partition_key(key))


def _overlapping(partitions: Partitions, days: Window) -> list[tuple[str, Window]]:
    """The partitions (not before the first) that share a day with `days`, in order."""
    # Dagster lists the windows that start at or after the probe's start: start a month
    # early to include the one that holds days.start.
    probe = dg.TimeWindow(midnight(days.start - timedelta(days=31)), midnight(days.end))
    first = first_day(partitions)
    found = []
    for key in partitions.get_partition_keys_in_time_window(probe):
        span = period(partitions, key)
        if span.start >= first and span.end > days.start and span.start < days.end:
            found.append((key, span))
    return found


def _key_range(keys: list[str]) -> dg.PartitionKeyRange | None:
    return dg.PartitionKeyRange(keys[0], keys[-1]) if keys else None


def periods_within(partitions: Partitions, days: Window) -> dg.PartitionKeyRange | None:
    """The partitions that lie wholly inside `days` (the weeks a range of days completes)."""
    spans = _overlapping(partitions, days)
    return _key_range([k for k, s in spans if days.start <= s.start and s.end <= days.end])


def ended_periods_touching(
    partitions: Partitions, days: Window, ended_by: date
) -> dg.PartitionKeyRange | None:
    """The partitions holding any of `days` that have ended by `ended_by` (a period
    [s, e) has ended when e <= ended_by)."""
    return _key_range([k for k, span in _overlapping(partitions, days) if span.end <= ended_by])


def key_range_window(partitions: Partitions, keys: dg.PartitionKeyRange) -> Window:
    """The days of the partitions keys.start..keys.end."""
    return Window(period(partitions, keys.start).start, period(partitions, keys.end).end)
