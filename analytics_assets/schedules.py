"""When the pipeline runs by itself: a daily, a weekly and a monthly schedule, each
requesting ONE ranged run (a single-run backfill) of its partitioned job.

- daily, 03:00 UTC: yesterday and the `lookback_days` before it (ANALYTICS_LOOKBACK_DAYS,
  3 by default) on the pipeline job, so rows that arrived late for those days land too.
- weekly, Monday 05:00 UTC: every ISO week that a daily run re-staged a day of since the
  previous weekly tick, and that has ended: the week just ended, plus the one before it
  while the lookback still reached into it (late rows for last Sunday land on Tuesday).
- monthly, the 1st at 05:30 UTC: likewise for calendar months.

The weekly and monthly ticks come two hours after the daily one so that the daily run,
which stages and transforms the days they roll up, has finished (an assumption about run
time, not a dependency Dagster enforces). All three are STOPPED by default: a demo or a
test instance must not start runs on its own; switch them on in the UI (Automation) or
with `dagster schedule start`, and `analytics ui` runs the daemon that fires them.

Pure helpers (dates -> ranges) are unit-tested without Dagster or a database.
"""

# No `from __future__ import annotations`: Dagster reads the schedule functions' context
# annotations at definition time.
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

import dagster as dg

from analytics_assets.partitions import daily_partitions, monthly_partitions, weekly_partitions
from analytics_assets.pipeline import (
    PIPELINE_JOB,
    partition_key_range_tags,
    partition_range_tags,
)
from analytics_assets.settings import get_settings

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import (
        UnresolvedAssetJobDefinition,
    )

DAILY_SCHEDULE = "daily_pipeline"
WEEKLY_SCHEDULE = "weekly_metrics_schedule"
MONTHLY_SCHEDULE = "monthly_metrics_schedule"
DAILY_CRON = "0 3 * * *"
WEEKLY_CRON = "0 5 * * 1"
MONTHLY_CRON = "30 5 1 * *"

WEEKLY_JOB = "weekly_metrics"
MONTHLY_JOB = "monthly_metrics"
# Group names of the metric models per grain (analytics_assets/dbt/translator.py).
WEEKLY_GROUP = "weekly"
MONTHLY_GROUP = "monthly"

TRIGGER_TAG = "analytics/trigger"
WINDOW_TAG = "analytics/window"


@dataclass(frozen=True)
class DayRange:
    """Days [start, end) (end exclusive, like every range in the project)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"empty range: end {self.end} is not after start {self.start}")

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def label(self) -> str:
        return f"[{self.start.isoformat()}, {self.end.isoformat()})"


@dataclass(frozen=True)
class PeriodRange:
    """Partitions of a weekly or monthly job, by the first day of the first and last one."""

    first: date
    last: date

    def tags(self) -> dict[str, str]:
        return partition_key_range_tags(self.first.isoformat(), self.last.isoformat())


# --- pure date helpers ------------------------------------------------------------------


def daily_run_range(run_day: date, lookback_days: int, first_day: date) -> DayRange | None:
    """The days the daily run on `run_day` stages: yesterday and the `lookback_days` before
    it, never before the first partition; None while no day has ended since the first."""
    yesterday = run_day - timedelta(days=1)
    if yesterday < first_day:
        return None
    start = max(yesterday - timedelta(days=lookback_days), first_day)
    return DayRange(start, run_day)


def week_start(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month_start(day: date) -> date:
    first = month_start(day)
    return month_start(first - timedelta(days=1))


def first_week_start(start_date: date) -> date:
    """The first weekly partition: the first Monday on or after the start date (Dagster
    starts a weekly partitions definition at its first whole week)."""
    return start_date + timedelta(days=(7 - start_date.weekday()) % 7)


def first_month_start(start_date: date) -> date:
    """The first monthly partition: the first 1st on or after the start date."""
    if start_date.day == 1:
        return start_date
    return month_start(month_start(start_date) + timedelta(days=32))


def weeks_covering(days: DayRange, ended_by: date, first_week: date) -> PeriodRange | None:
    """The weekly partitions holding any of `days` that have ended by `ended_by` (a week
    [w, w + 7) has ended when w + 7 <= ended_by) and are not before the first partition."""
    first = max(week_start(days.start), first_week)
    last = min(week_start(days.last_day), week_start(ended_by) - timedelta(days=7))
    return PeriodRange(first, last) if first <= last else None


def months_covering(days: DayRange, ended_by: date, first_month: date) -> PeriodRange | None:
    """The monthly partitions holding any of `days` that have ended by `ended_by`."""
    first = max(month_start(days.start), first_month)
    last = min(month_start(days.last_day), previous_month_start(ended_by))
    return PeriodRange(first, last) if first <= last else None


def restaged_since(previous_tick: date, run_day: date, lookback_days: int) -> DayRange:
    """Every day a daily run after `previous_tick`'s and up to `run_day`'s re-staged: the
    run on day t stages [t - 1 - lookback, t), so the runs on previous_tick + 1 .. run_day
    together stage [previous_tick - lookback, run_day)."""
    return DayRange(previous_tick - timedelta(days=lookback_days), run_day)


def weekly_run_weeks(run_day: date, lookback_days: int, first_week: date) -> PeriodRange | None:
    """The weeks the weekly run on `run_day` (a Monday) recomputes: the ended weeks that a
    daily run touched since the previous Monday's weekly run."""
    monday = week_start(run_day)
    touched = restaged_since(monday - timedelta(days=7), run_day, lookback_days)
    return weeks_covering(touched, monday, first_week)


def monthly_run_months(run_day: date, lookback_days: int, first_month: date) -> PeriodRange | None:
    """The months the monthly run on `run_day` (a 1st) recomputes: the ended months that a
    daily run touched since the previous month's monthly run."""
    first = month_start(run_day)
    touched = restaged_since(previous_month_start(first), run_day, lookback_days)
    return months_covering(touched, first, first_month)


# --- jobs and schedules -----------------------------------------------------------------


@cache
def weekly_job() -> "UnresolvedAssetJobDefinition":
    """The weekly metric models (their partitions are inferred: weekly, Monday first)."""
    return dg.define_asset_job(
        WEEKLY_JOB,
        selection=dg.AssetSelection.groups(WEEKLY_GROUP),
        description="Recompute the weekly metric rollups of a range of ISO weeks in one run.",
    )


@cache
def monthly_job() -> "UnresolvedAssetJobDefinition":
    return dg.define_asset_job(
        MONTHLY_JOB,
        selection=dg.AssetSelection.groups(MONTHLY_GROUP),
        description="Recompute the monthly metric rollups of a range of months in one run.",
    )


def start_day(partitions: dg.TimeWindowPartitionsDefinition) -> date:
    """The UTC day a partitions definition starts from (its start_date)."""
    return partitions.start.astimezone(UTC).date()


def first_partition_days() -> tuple[date, date, date]:
    """The first daily, weekly and monthly partitions, by their first day."""
    return (
        start_day(daily_partitions()),
        first_week_start(start_day(weekly_partitions())),
        first_month_start(start_day(monthly_partitions())),
    )


def _run_day(context: dg.ScheduleEvaluationContext) -> date:
    """The UTC day of the tick (now, when evaluated outside a tick)."""
    moment = context.scheduled_execution_time or datetime.now(UTC)
    return moment.astimezone(UTC).date()


def daily_request(run_day: date, lookback_days: int, first_day: date) -> dg.RunRequest | None:
    days = daily_run_range(run_day, lookback_days, first_day)
    if days is None:
        return None
    return dg.RunRequest(
        run_key=f"{DAILY_SCHEDULE}:{days.label()}",
        tags={
            **partition_range_tags(days.start, days.end),
            TRIGGER_TAG: "schedule",
            WINDOW_TAG: days.label(),
        },
    )


def period_request(schedule_name: str, periods: PeriodRange | None) -> dg.RunRequest | None:
    if periods is None:
        return None
    label = f"{periods.first.isoformat()}..{periods.last.isoformat()}"
    return dg.RunRequest(
        run_key=f"{schedule_name}:{label}",
        tags={**periods.tags(), TRIGGER_TAG: "schedule", WINDOW_TAG: label},
    )


def _skip(what: str, run_day: date) -> dg.SkipReason:
    return dg.SkipReason(f"no {what} has ended by {run_day.isoformat()} since the first partition")


def daily_schedule() -> dg.ScheduleDefinition:
    @dg.schedule(
        name=DAILY_SCHEDULE,
        cron_schedule=DAILY_CRON,
        execution_timezone="UTC",
        job_name=PIPELINE_JOB,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description=(
            "Stage, transform and check yesterday and the ANALYTICS_LOOKBACK_DAYS days before "
            "it (3 by default) as one ranged run, so late rows land."
        ),
    )
    def _daily(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        run_day = _run_day(context)
        first_day, _, _ = first_partition_days()
        request = daily_request(run_day, get_settings().lookback_days, first_day)
        return request or _skip("day", run_day)

    return _daily


def _period_schedule(
    name: str,
    cron: str,
    job: "UnresolvedAssetJobDefinition",
    unit: str,
    plan: Callable[[date, int], PeriodRange | None],
) -> dg.ScheduleDefinition:
    """A rollup schedule: `plan(run_day, lookback_days)` picks the periods to recompute."""

    @dg.schedule(
        name=name,
        cron_schedule=cron,
        execution_timezone="UTC",
        job=job,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description=(
            f"Recompute the {unit} just ended, and the {unit} before while the daily lookback "
            f"still re-staged its days, as one ranged run."
        ),
    )
    def _period(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        run_day = _run_day(context)
        periods = plan(run_day, get_settings().lookback_days)
        return period_request(name, periods) or _skip(unit, run_day)

    return _period


def weekly_schedule() -> dg.ScheduleDefinition:
    """Monday: the ISO week just ended."""
    return _period_schedule(
        WEEKLY_SCHEDULE,
        WEEKLY_CRON,
        weekly_job(),
        "week",
        lambda day, lookback: weekly_run_weeks(day, lookback, first_partition_days()[1]),
    )


def monthly_schedule() -> dg.ScheduleDefinition:
    """The 1st: the calendar month just ended."""
    return _period_schedule(
        MONTHLY_SCHEDULE,
        MONTHLY_CRON,
        monthly_job(),
        "month",
        lambda day, lookback: monthly_run_months(day, lookback, first_partition_days()[2]),
    )


def schedules() -> list[dg.ScheduleDefinition]:
    """The three schedules, for the Definitions."""
    return [daily_schedule(), weekly_schedule(), monthly_schedule()]


def metric_jobs() -> list["UnresolvedAssetJobDefinition"]:
    """The weekly and monthly jobs (the daily grain runs in the pipeline job)."""
    return [weekly_job(), monthly_job()]
