"""The dbt models as Dagster assets (dagster-dbt), in two definitions:

- `dbt_warehouse`: the unpartitioned models (the checked staging tables, staging and
  quarantine views, intermediate views, full-refresh marts) and the snapshots. In a run of
  days, the checked tables check those days' raw rows and re-check the older ones they can
  change (the window comes from the run's partition tags); materialized alone, they
  re-check everything. The full-refresh marts are rebuilt from all of staging.
- `dbt_daily_marts`: the incremental marts of daily grain, partitioned by day with a
  single-run backfill policy: a range of days is one `dbt build` whose half-open window
  reaches dbt in the environment (`window_env`; macros/utils/window.sql says why not
  --vars).

Both run `dbt build`, so dbt tests run too and appear as asset checks.
"""

# No `from __future__ import annotations`: Dagster reads the context and resource
# annotations of the asset functions at definition time.
import os
import warnings
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)
from dagster_dbt import DbtCliResource, dbt_assets

from analytics_assets.dbt.project import (
    dbt_project,
    ensure_manifest,
    export_profile_env,
    preserved_environ,
    target_dir,
)
from analytics_assets.dbt.target import keep_parse_state, prune_invocation_dirs
from analytics_assets.dbt.translator import WarehouseDbtTranslator
from analytics_assets.partitions import daily_partitions
from analytics_assets.resources import Databases

# Incremental marts of daily grain; models/metrics has its own assets (other grains).
DAILY_MARTS_SELECT = "path:models/marts,config.materialized:incremental"
WAREHOUSE_SELECT = "path:models/staging path:models/intermediate path:models/marts path:snapshots"


# dbt var -> the environment variable that overrides it (window_bound in
# macros/utils/window.sql reads them).
WINDOW_ENV_VARS = {"window_start": "ANALYTICS_WINDOW_START", "window_end": "ANALYTICS_WINDOW_END"}


def window_vars(window: dg.TimeWindow) -> dict[str, str]:
    """A partition time window -> dbt vars: the half-open [window_start, window_end) of UTC
    days that incremental models read. A window must start and end on UTC midnights."""
    return {"window_start": _utc_day(window.start), "window_end": _utc_day(window.end)}


def window_env(window: dg.TimeWindow) -> dict[str, str]:
    """The same window as the environment variables dbt's window macros read."""
    return {WINDOW_ENV_VARS[name]: day for name, day in window_vars(window).items()}


def run_days_window(
    tags: Mapping[str, str], partitions: dg.TimeWindowPartitionsDefinition
) -> dg.TimeWindow | None:
    """The days a run covers, from its partition tags (a range, or one key): what the
    unpartitioned staging step checks (macros/quarantine/recheck.sql). None for a run of
    no days (staging materialized alone re-checks every row)."""
    first = tags.get(ASSET_PARTITION_RANGE_START_TAG) or tags.get(PARTITION_NAME_TAG)
    last = tags.get(ASSET_PARTITION_RANGE_END_TAG) or tags.get(PARTITION_NAME_TAG)
    if not first or not last:
        return None
    try:
        start = partitions.time_window_for_partition_key(first).start
        end = partitions.time_window_for_partition_key(last).end
    except Exception:  # keys of another partitioning (weeks, months): not a run of days
        return None
    return dg.TimeWindow(start, end)


def _utc_day(moment: datetime) -> str:
    utc = moment.astimezone(UTC) if moment.tzinfo else moment
    if (utc.hour, utc.minute, utc.second, utc.microsecond) != (0, 0, 0, 0):
        raise ValueError(f"{moment.isoformat()} is not a UTC midnight: not a daily window bound")
    return utc.date().isoformat()


def dbt_build(
    dbt: DbtCliResource, context: dg.AssetExecutionContext, window: dg.TimeWindow | None = None
) -> Iterator[Any]:
    """Stream `dbt build` of the context's selection, over a partition window if given.

    dagster-dbt copies os.environ into the dbt process when the invocation starts, so the
    window's variables are set only around that call: no later step inherits them. Once it
    is over, its parse state becomes the project's and old invocation directories go
    (analytics_assets/dbt/target.py).
    """
    with preserved_environ([*WINDOW_ENV_VARS.values(), "DBT_INDIRECT_SELECTION"]):
        # A test of two models built by two definitions (fct_events -> dim_users) runs with
        # the later one: `buildable` takes a test only when all its parents are selected or
        # upstream of the selection. dbt's default (eager) ran it in the first build when
        # Dagster selected models one by one, before the other model existed.
        os.environ["DBT_INDIRECT_SELECTION"] = "buildable"
        if window is not None:
            context.log.info(f"dbt window [{_utc_day(window.start)}, {_utc_day(window.end)})")
            os.environ.update(window_env(window))
        invocation = dbt.cli(["build"], context=context)
    yield from invocation.stream()
    keep_parse_state(invocation.target_path, target_dir())
    prune_invocation_dirs(target_dir())


def _define() -> tuple[dg.AssetsDefinition, dg.AssetsDefinition]:
    manifest = ensure_manifest()
    translator = WarehouseDbtTranslator()

    @dbt_assets(
        manifest=manifest,
        project=dbt_project(),
        select=WAREHOUSE_SELECT,
        exclude=DAILY_MARTS_SELECT,
        name="dbt_warehouse",
        dagster_dbt_translator=translator,
    )
    def dbt_warehouse(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, databases: Databases
    ) -> Iterator[Any]:
        export_profile_env(databases.warehouse_url())
        yield from dbt_build(dbt, context, run_days_window(context.run.tags, daily_partitions()))

    @dbt_assets(
        manifest=manifest,
        project=dbt_project(),
        select=DAILY_MARTS_SELECT,
        name="dbt_daily_marts",
        partitions_def=daily_partitions(),
        backfill_policy=dg.BackfillPolicy.single_run(),
        dagster_dbt_translator=translator,
    )
    def dbt_daily_marts(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, databases: Databases
    ) -> Iterator[Any]:
        export_profile_env(databases.warehouse_url())
        yield from dbt_build(dbt, context, context.partition_time_window)

    return dbt_warehouse, dbt_daily_marts


def dbt_asset_definitions() -> list[dg.AssetsDefinition]:
    """Both dbt asset definitions, built from the manifest prepared ahead."""
    with warnings.catch_warnings():
        # backfill_policy is "beta" in Dagster 1.13; the single-run backfill is what we want.
        warnings.simplefilter("ignore", dg.BetaWarning)
        return list(_define())
