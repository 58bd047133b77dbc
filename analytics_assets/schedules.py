"""When the pipeline runs by itself: one schedule per grain (grains.py), each requesting
ONE ranged run (a single-run backfill) of its grain's job.

- daily, 03:00 UTC: yesterday and the `lookback_days` before it (ANALYTICS_LOOKBACK_DAYS,
  3 by default) on the pipeline job, so rows that arrived late for those days land too.
- weekly, Monday 05:00 UTC: every ISO week that a daily run re-staged a day of since the
  previous weekly tick, and that has ended: the week just ended, plus the one before it
  while the lookback still reached into it (late rows for last Sunday land on Tuesday).
- monthly, the 1st at 05:30 UTC: likewise for calendar months.

All three are STOPPED by default: a demo or a test instance must not start runs on its
own; switch them on in the UI (Automation) or with `dagster schedule start`, and
`analytics ui` runs the daemon that fires them.

The date helpers are pure (dates in, a Window or partition keys out) and unit-tested
without a database; the weeks and months are asked of the partitions (calendar.py).
"""

# No `from __future__ import annotations`: Dagster reads the schedule functions' context
# annotations at definition time.
from datetime import UTC, date, datetime, timedelta

import dagster as dg

from analytics_assets.calendar import ended_periods_touching, first_day
from analytics_assets.grains import DAILY, GRAINS, ROLLUPS, Grain
from analytics_assets.jobs import day_keys, job, range_label, requested_run_tags
from analytics_assets.settings import get_settings
from analytics_assets.window import Window

# --- pure date helpers ------------------------------------------------------------------


def daily_run_range(run_day: date, lookback_days: int, first: date) -> Window | None:
    """The days the daily run on `run_day` stages: yesterday and the `lookback_days` before
    it, never before the first partition `first`; None while no day has ended since it."""
    yesterday = run_day - timedelta(days=1)
    if yesterday < first:
        return None
    return Window(max(yesterday - timedelta(days=lookback_days), first), run_day)


def restaged_since(previous_tick: date, run_day: date, lookback_days: int) -> Window:
    """Every day a daily run after `previous_tick`'s and up to `run_day`'s re-staged: the
    run on day t stages [t - 1 - lookback, t), so the runs on previous_tick + 1 .. run_day
    together stage [previous_tick - lookback, run_day)."""
    return Window(previous_tick - timedelta(days=lookback_days), run_day)


def rollup_keys(grain: Grain, run_day: date, lookback_days: int) -> dg.PartitionKeyRange | None:
    """The periods the rollup tick on `run_day` (a Monday, a 1st) recomputes: the ended ones
    that a daily run re-staged a day of since the previous tick."""
    this_tick = grain.period_start(run_day)
    previous_tick = grain.period_start(this_tick - timedelta(days=1))
    touched = restaged_since(previous_tick, run_day, lookback_days)
    return ended_periods_touching(grain.partitions(), touched, ended_by=this_tick)


# --- schedules ------------------------------------------------------------------------


def _run_day(context: dg.ScheduleEvaluationContext) -> date:
    """The UTC day of the tick (now, when evaluated outside a tick)."""
    moment = context.scheduled_execution_time or datetime.now(UTC)
    return moment.astimezone(UTC).date()


def run_request(grain: Grain, keys: dg.PartitionKeyRange | None) -> dg.RunRequest | None:
    """A ranged run of the grain's job over the keys, requested by its schedule."""
    if keys is None:
        return None
    return dg.RunRequest(
        run_key=f"{grain.schedule}:{range_label(keys)}",
        tags=requested_run_tags(keys, "schedule"),
    )


def daily_request(run_day: date, lookback_days: int) -> dg.RunRequest | None:
    days = daily_run_range(run_day, lookback_days, first_day(DAILY.partitions()))
    return run_request(DAILY, day_keys(days) if days else None)


def rollup_request(grain: Grain, run_day: date, lookback_days: int) -> dg.RunRequest | None:
    return run_request(grain, rollup_keys(grain, run_day, lookback_days))


DESCRIPTIONS = {
    DAILY.name: (
        "Stage, transform and check yesterday and the ANALYTICS_LOOKBACK_DAYS days before "
        "it (3 by default) as one ranged run, so late rows land."
    ),
    **{
        grain.name: (
            f"Recompute the {grain.unit} just ended, and the {grain.unit} before while the "
            f"daily lookback still re-staged its days, as one ranged run."
        )
        for grain in ROLLUPS
    },
}


def schedule(grain: Grain) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=grain.schedule,
        cron_schedule=grain.cron,
        execution_timezone="UTC",
        job=job(grain),
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description=DESCRIPTIONS[grain.name],
    )
    def _tick(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        run_day = _run_day(context)
        lookback = get_settings().lookback_days
        if grain is DAILY:
            request = daily_request(run_day, lookback)
        else:
            request = rollup_request(grain, run_day, lookback)
        return request or dg.SkipReason(
            f"no {grain.unit} has ended by {run_day.isoformat()} since the first partition"
        )

    return _tick


def schedules() -> list[dg.ScheduleDefinition]:
    """One schedule per grain, for the Definitions."""
    return [schedule(grain) for grain in GRAINS]
