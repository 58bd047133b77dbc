"""The schedules: which ranged run each requests for a given tick (evaluated the way the
daemon does, through a schedule context), and the date helpers behind them.

Calendar used below (2026): Monday 2 Nov, Friday 6 Nov, Monday 9 Nov, Monday 16 Nov,
Wednesday 18 Nov; Thursday 1 Jan (the first daily partition, ANALYTICS_START_DATE's
default), Monday 5 Jan (the first whole week: the first weekly partition).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import dagster as dg
import pytest

from analytics_assets.calendar import (
    daily_partitions,
    ended_periods_touching,
    monthly_partitions,
    weekly_partitions,
)
from analytics_assets.grains import DAILY, MONTHLY, WEEKLY
from analytics_assets.schedules import daily_run_range, rollup_keys, schedule
from analytics_assets.window import Window

START = "dagster/asset_partition_range_start"
END = "dagster/asset_partition_range_end"
FIRST = date(2026, 1, 1)


@pytest.fixture(autouse=True)
def default_settings(monkeypatch):
    monkeypatch.delenv("ANALYTICS_LOOKBACK_DAYS", raising=False)
    monkeypatch.delenv("ANALYTICS_START_DATE", raising=False)


def tick(schedule: dg.ScheduleDefinition, *moment: int) -> dg.RunRequest | dg.SkipReason:
    """Evaluate a schedule as the daemon does for a tick at the given UTC time."""
    context = dg.build_schedule_context(scheduled_execution_time=datetime(*moment, tzinfo=UTC))
    data = schedule.evaluate_tick(context)
    if not data.run_requests:
        return dg.SkipReason(data.skip_message)
    [request] = data.run_requests
    return request


def keys(first: date, last: date) -> dg.PartitionKeyRange:
    return dg.PartitionKeyRange(first.isoformat(), last.isoformat())


def requested_range(result: dg.RunRequest | dg.SkipReason) -> tuple[str, str]:
    assert isinstance(result, dg.RunRequest), result
    return result.tags[START], result.tags[END]


# --- daily --------------------------------------------------------------------------------


def test_the_daily_tick_stages_yesterday_and_three_days_before_as_one_ranged_run():
    result = tick(schedule(DAILY), 2026, 11, 18, 3, 0)

    # yesterday = 17 Nov; the default lookback of 3 days reaches back to 14 Nov
    assert requested_range(result) == ("2026-11-14", "2026-11-17")
    assert result.tags["analytics/trigger"] == "schedule"
    assert result.tags["analytics/window"] == "2026-11-14...2026-11-17"
    assert result.run_key == "daily_pipeline:2026-11-14...2026-11-17"
    assert result.partition_key is None  # a range, not one partition
    for key in requested_range(result):
        assert daily_partitions().has_partition_key(key)


def test_the_lookback_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("ANALYTICS_LOOKBACK_DAYS", "5")
    assert requested_range(tick(schedule(DAILY), 2026, 11, 18, 3, 0)) == (
        "2026-11-12",
        "2026-11-17",
    )
    monkeypatch.setenv("ANALYTICS_LOOKBACK_DAYS", "0")
    assert requested_range(tick(schedule(DAILY), 2026, 11, 18, 3, 0)) == (
        "2026-11-17",
        "2026-11-17",
    )


def test_the_daily_lookback_stops_at_the_first_partition():
    assert requested_range(tick(schedule(DAILY), 2026, 1, 3, 3, 0)) == ("2026-01-01", "2026-01-02")
    assert requested_range(tick(schedule(DAILY), 2026, 1, 2, 3, 0)) == ("2026-01-01", "2026-01-01")
    skipped = tick(schedule(DAILY), 2026, 1, 1, 3, 0)
    assert isinstance(skipped, dg.SkipReason)
    assert "no day has ended by 2026-01-01" in skipped.skip_message


@pytest.mark.parametrize(
    ("run_day", "lookback", "expected"),
    [
        (date(2026, 11, 18), 3, Window(date(2026, 11, 14), date(2026, 11, 18))),
        (date(2026, 3, 1), 2, Window(date(2026, 2, 26), date(2026, 3, 1))),  # over a month end
        (date(2026, 1, 2), 3, Window(FIRST, date(2026, 1, 2))),
        (date(2026, 1, 1), 3, None),
    ],
)
def test_daily_run_range(run_day, lookback, expected):
    assert daily_run_range(run_day, lookback, FIRST) == expected


# --- weekly -------------------------------------------------------------------------------


def test_the_weekly_tick_recomputes_the_week_just_ended_and_the_one_the_lookback_reached():
    result = tick(schedule(WEEKLY), 2026, 11, 16, 5, 0)

    # Since the previous Monday's weekly run, the daily run of Tue 10 Nov re-staged
    # Fri 6 .. Mon 9 Nov (lookback 3): the week of 2 Nov changed again, and the week of
    # 9 Nov ended yesterday.
    assert requested_range(result) == ("2026-11-02", "2026-11-09")
    assert result.run_key == "weekly_metrics_schedule:2026-11-02...2026-11-09"
    for key in requested_range(result):
        assert weekly_partitions().has_partition_key(key)


def test_without_a_lookback_the_weekly_tick_takes_only_the_week_just_ended(monkeypatch):
    monkeypatch.setenv("ANALYTICS_LOOKBACK_DAYS", "0")
    assert requested_range(tick(schedule(WEEKLY), 2026, 11, 16, 5, 0)) == (
        "2026-11-09",
        "2026-11-09",
    )


def test_the_weekly_tick_starts_at_the_first_whole_week():
    # the first week, 29 Dec - 4 Jan, is not a partition: the run of Monday 12 Jan takes
    # only the week of 5 Jan even though the lookback reached 2 Jan
    assert requested_range(tick(schedule(WEEKLY), 2026, 1, 12, 5, 0)) == (
        "2026-01-05",
        "2026-01-05",
    )
    assert isinstance(tick(schedule(WEEKLY), 2026, 1, 5, 5, 0), dg.SkipReason)


@pytest.mark.parametrize(
    ("lookback", "first", "last"),
    [
        (0, date(2026, 11, 9), date(2026, 11, 9)),
        (3, date(2026, 11, 2), date(2026, 11, 9)),
        (7, date(2026, 11, 2), date(2026, 11, 9)),  # re-staged from Mon 2 Nov
        (8, date(2026, 10, 26), date(2026, 11, 9)),  # ... from Sun 1 Nov
    ],
)
def test_rollup_keys_of_the_weekly_tick(lookback, first, last):
    assert rollup_keys(WEEKLY, date(2026, 11, 16), lookback) == keys(first, last)


def test_a_week_that_has_not_ended_is_never_requested():
    # days 4 .. 20 Nov, as of Saturday 21 Nov: the week of 16 Nov runs until Sunday 22
    days = Window(date(2026, 11, 4), date(2026, 11, 21))
    assert ended_periods_touching(weekly_partitions(), days, date(2026, 11, 21)) == keys(
        date(2026, 11, 2), date(2026, 11, 9)
    )


# --- monthly ------------------------------------------------------------------------------


def test_the_monthly_tick_recomputes_the_month_just_ended_and_the_one_the_lookback_reached():
    result = tick(schedule(MONTHLY), 2026, 11, 1, 5, 30)

    # the daily run of 2 Oct re-staged 28 Sep .. 1 Oct: September changed again
    assert requested_range(result) == ("2026-09-01", "2026-10-01")
    assert result.run_key == "monthly_metrics_schedule:2026-09-01...2026-10-01"


def test_monthly_ranges(monkeypatch):
    monkeypatch.setenv("ANALYTICS_LOOKBACK_DAYS", "0")
    assert requested_range(tick(schedule(MONTHLY), 2026, 11, 1, 5, 30)) == (
        "2026-10-01",
        "2026-10-01",
    )
    assert rollup_keys(MONTHLY, date(2026, 2, 1), 3) == keys(FIRST, FIRST)
    assert rollup_keys(MONTHLY, date(2026, 3, 1), 3) == keys(date(2026, 1, 1), date(2026, 2, 1))
    assert rollup_keys(MONTHLY, date(2026, 1, 1), 3) is None
    assert isinstance(tick(schedule(MONTHLY), 2026, 1, 1, 5, 30), dg.SkipReason)


# --- in the code location -----------------------------------------------------------------


def test_the_schedules_are_in_the_definitions_on_their_jobs():
    from analytics_assets.definitions import defs

    expected = {
        "daily_pipeline": ("0 3 * * *", "analytics_pipeline"),
        "weekly_metrics_schedule": ("0 5 * * 1", "weekly_metrics"),
        "monthly_metrics_schedule": ("30 5 1 * *", "monthly_metrics"),
    }
    for name, (cron, job) in expected.items():
        schedule = defs.get_schedule_def(name)
        assert (schedule.cron_schedule, schedule.job_name) == (cron, job)
        assert schedule.execution_timezone == "UTC"
        assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    # each job runs on its grain's partitions, which the requested keys belong to
    assert defs.resolve_job_def(DAILY.job).partitions_def == daily_partitions()
    assert defs.resolve_job_def(WEEKLY.job).partitions_def == weekly_partitions()
    assert defs.resolve_job_def(MONTHLY.job).partitions_def == monthly_partitions()
