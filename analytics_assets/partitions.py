"""Partitions definitions shared by every layer: daily, weekly (Monday) and monthly, UTC."""

from __future__ import annotations

from functools import cache

import dagster as dg

from analytics_assets.settings import get_settings


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
