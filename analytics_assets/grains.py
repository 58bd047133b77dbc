"""The grains of the warehouse, in one table: what a day, a week and a month are to every
module (partitions, asset group, dbt folder, job, schedule, freshness).

- daily: raw, staging, the marts and the day-grain metrics, in the pipeline job, staged at
  03:00 UTC (yesterday and the lookback days before it);
- weekly: the week-grain metric rollups, Monday 05:00 UTC (ISO weeks, Monday first);
- monthly: the month-grain rollups, the 1st at 05:30 UTC.

The weekly and monthly ticks come two hours after the daily one so that the daily run,
which stages and transforms the days they roll up, has finished (an assumption about run
time, not a dependency Dagster enforces). Freshness deadlines (freshness.py) leave about
three hours for a run to finish.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import dagster as dg

from analytics_assets.calendar import (
    daily_partitions,
    month_start,
    monthly_partitions,
    week_start,
    weekly_partitions,
)

# The asset groups of the layers before the metrics (dbt/translator.py places dbt models).
RAW_GROUP = "raw"
STAGING_GROUP = "staging"
MARTS_GROUP = "marts"


@dataclass(frozen=True)
class Deadline:
    """A freshness deadline: by `cron` (UTC), materialized within the `hours` before it."""

    cron: str
    hours: int


@dataclass(frozen=True)
class Grain:
    name: str
    """`daily`: the asset group of its metric models and their folder models/metrics/<name>."""
    unit: str
    """`day`: the unit of its time buckets, as analytics_aggregates and the run tags say it."""
    partitions: Callable[[], dg.TimeWindowPartitionsDefinition]
    period_start: Callable[[date], date]
    """The first day of the period holding a day."""
    job: str
    schedule: str
    cron: str
    freshness: Deadline

    @property
    def group(self) -> str:
        return self.name

    @property
    def dbt_folder(self) -> str:
        return f"models/metrics/{self.name}"


# fmt: off
#               name       unit     partitions          a period's first day
DAILY = Grain(  "daily",   "day",   daily_partitions,   lambda day: day,
                job="analytics_pipeline", schedule="daily_pipeline",
                cron="0 3 * * *", freshness=Deadline("0 7 * * *", 7))
WEEKLY = Grain( "weekly",  "week",  weekly_partitions,  week_start,
                job="weekly_metrics", schedule="weekly_metrics_schedule",
                cron="0 5 * * 1", freshness=Deadline("0 8 * * 1", 8))
MONTHLY = Grain("monthly", "month", monthly_partitions, month_start,
                job="monthly_metrics", schedule="monthly_metrics_schedule",
                cron="30 5 1 * *", freshness=Deadline("0 8 1 * *", 8))
# fmt: on
GRAINS = (DAILY, WEEKLY, MONTHLY)
ROLLUPS = (WEEKLY, MONTHLY)
"""The grains that roll days up, each in a job of its own after the daily run."""

RAW_FRESHNESS = Deadline("0 6 * * *", 6)
"""Raw is staged by the daily run: materialized since midnight by 06:00 UTC."""

PIPELINE_GROUPS = (RAW_GROUP, STAGING_GROUP, MARTS_GROUP, DAILY.group)
"""The asset groups of the daily pipeline job, in flow order."""
