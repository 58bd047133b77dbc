"""The jobs of the project, what they select, and the tags their runs carry.

- `analytics_pipeline` (the daily grain): raw, staging, marts and the daily metrics over a
  range of days, with their checks;
- `weekly_metrics`, `monthly_metrics`: the rollups of a range of weeks or months.

A ranged run is a single-run backfill: Dagster reads its partitions from two run tags
(`dagster/asset_partition_range_start|end`, partition keys of the job's own partitions).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import dagster as dg

from analytics_assets.calendar import key_range_window
from analytics_assets.grains import DAILY, GRAINS, MONTHLY, PIPELINE_GROUPS, WEEKLY, Grain
from analytics_assets.window import Window

# Dagster's own run tags (documented with single-run backfills and partitioned runs).
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

# The project's run tags.
TRIGGER_TAG = "analytics/trigger"
"""What requested the run: `schedule`, `drift`."""
WINDOW_TAG = "analytics/window"
"""The run's partitions, in words (range_label)."""
GRAIN_TAG = "analytics/grain"
"""The unit of the run's partitions: day, week or month."""
PIPELINE_RUN_TAG = "analytics/pipeline_run"
"""Shared by every Dagster run of one `analytics run`: the first run's id."""
HOST_TAG = "analytics/host"
PID_TAG = "analytics/pid"
"""Where the run executes (the host and pid of its process): orphaned_runs.py."""

DESCRIPTIONS = {
    DAILY: "Stage, transform and check a range of daily partitions in one run.",
    WEEKLY: "Recompute the weekly metric rollups of a range of ISO weeks in one run.",
    MONTHLY: "Recompute the monthly metric rollups of a range of months in one run.",
}


def selection(grain: Grain) -> dg.AssetSelection:
    """What a grain's job materializes: the daily one every layer up to the daily metrics,
    the others their metric models."""
    groups = PIPELINE_GROUPS if grain is DAILY else (grain.group,)
    return dg.AssetSelection.groups(*groups)


@cache
def job(grain: Grain) -> dg.UnresolvedAssetJobDefinition:
    return dg.define_asset_job(
        grain.job, selection=selection(grain), description=DESCRIPTIONS[grain]
    )


def jobs() -> list[dg.UnresolvedAssetJobDefinition]:
    """Every job, for the Definitions."""
    return [job(grain) for grain in GRAINS]


def range_label(keys: dg.PartitionKeyRange) -> str:
    """Partition keys as the Dagster UI writes a range: `first...last`, or the one key."""
    return keys.start if keys.start == keys.end else f"{keys.start}...{keys.end}"


def key_range_tags(keys: dg.PartitionKeyRange) -> dict[str, str]:
    """Tags that make a run a single-run backfill of the partition keys start..end."""
    return {RANGE_START_TAG: keys.start, RANGE_END_TAG: keys.end}


def requested_run_tags(keys: dg.PartitionKeyRange, trigger: str) -> dict[str, str]:
    """The tags of a ranged run that a schedule or a sensor requests: its keys, what
    requested it, and the keys in words."""
    return {**key_range_tags(keys), TRIGGER_TAG: trigger, WINDOW_TAG: range_label(keys)}


def day_keys(window: Window) -> dg.PartitionKeyRange:
    """The daily partition keys of a window."""
    return dg.PartitionKeyRange(window.start.isoformat(), window.last_day.isoformat())


def run_keys(tags: Mapping[str, str]) -> dg.PartitionKeyRange | None:
    """A run's partition keys, from its range tags or its one partition's tag."""
    first = tags.get(RANGE_START_TAG) or tags.get(PARTITION_TAG)
    last = tags.get(RANGE_END_TAG) or tags.get(PARTITION_TAG)
    return dg.PartitionKeyRange(first, last) if first and last else None


def run_window(tags: Mapping[str, str], grain: Grain = DAILY) -> Window | None:
    """The days a run of `grain` covers, from its partition tags; None for a run of no
    partitions, or of keys that are not the grain's (a weekly run asked for days)."""
    keys = run_keys(tags)
    if keys is None:
        return None
    partitions = grain.partitions()
    if not (partitions.has_partition_key(keys.start) and partitions.has_partition_key(keys.end)):
        return None
    return key_range_window(partitions, keys)
