"""The dbt models of the warehouse as Dagster assets (dagster-dbt): one definition,
`dbt_warehouse`, of the checked staging tables, the staging and quarantine views, the
intermediate views, the marts and the snapshots, built by one `dbt build`.

It is unpartitioned, yet a run of days costs those days: the run's partition tags give dbt
the half-open window of days (`window_env`; macros/utils/window.sql says why not --vars).
The checked tables check the window's raw rows and re-check the older ones it can change;
the incremental marts rebuild the days those rows reach. Materialized alone (no window),
it re-checks and rebuilds everything.

Why one definition and not the daily marts partitioned apart: the marts that summarise a
day (daily_platform, the per-user marts) read the daily marts and feed nothing they read,
so two definitions made a cycle (warehouse -> daily marts -> warehouse), and each was one
more dbt process (about 4 s of a daily run's fixed cost).

`dbt build` runs dbt's tests too, which appear as asset checks.
"""

# No `from __future__ import annotations`: Dagster reads the context and resource
# annotations of the asset functions at definition time.
import os
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

from analytics_assets.db import connect
from analytics_assets.dbt.event_metadata import postgres_column_types, stream_with_table_metadata
from analytics_assets.dbt.guard import PARENT_ENV_VAR
from analytics_assets.dbt.project import (
    dbt_env_names,
    dbt_project,
    ensure_manifest,
    export_profile_env,
    preserved_environ,
    target_dir,
)
from analytics_assets.dbt.target import keep_parse_state, prune_invocation_dirs
from analytics_assets.dbt.translator import WarehouseDbtTranslator
from analytics_assets.partitions import daily_partitions
from analytics_assets.resources import Databases, WarehouseWriter

# models/metrics has its own assets (analytics_assets/dbt/metric_assets.py).
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
    dbt: DbtCliResource,
    context: dg.AssetExecutionContext,
    warehouse_url: str,
    window: dg.TimeWindow | None = None,
) -> Iterator[Any]:
    """Stream `dbt build` of the context's selection, over a partition window if given.

    dagster-dbt copies os.environ into the dbt process when the invocation starts, so the
    profile's variables (the PII key among the session options), the window's and the
    parent's pid are set only around that call: no later step, nor any other connection
    of this process (the source, Dagster's storage), inherits them. Once it
    is over, its parse state becomes the project's and old invocation directories go
    (analytics_assets/dbt/target.py).
    """
    exported = [*WINDOW_ENV_VARS.values(), "DBT_INDIRECT_SELECTION", PARENT_ENV_VAR]
    with preserved_environ([*exported, *dbt_env_names()]):
        export_profile_env(warehouse_url)
        # analytics-dbt dies with this process (analytics_assets/dbt/guard.py).
        os.environ[PARENT_ENV_VAR] = str(os.getpid())
        # A test of two models (fct_events -> dim_users) runs once both exist: `buildable`
        # takes a test only when all its parents are selected or upstream of the selection.
        # dbt's default (eager) ran it when Dagster selected a subset (models one by one, or
        # the metrics' own build), before the other model existed.
        os.environ["DBT_INDIRECT_SELECTION"] = "buildable"
        if window is not None:
            context.log.info(f"dbt window [{_utc_day(window.start)}, {_utc_day(window.end)})")
            os.environ.update(window_env(window))
        invocation = dbt.cli(["build"], context=context)
    # One catalog connection for the run's column schemas (event_metadata.py says why not
    # dagster-dbt's fetch_column_metadata), closed with the stream.
    with connect(warehouse_url, autocommit=True) as catalog:
        yield from stream_with_table_metadata(invocation, postgres_column_types(catalog))
    keep_parse_state(invocation.target_path, target_dir())
    prune_invocation_dirs(target_dir())


def _define() -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=ensure_manifest(),
        project=dbt_project(),
        select=WAREHOUSE_SELECT,
        name="dbt_warehouse",
        dagster_dbt_translator=WarehouseDbtTranslator(),
    )
    def dbt_warehouse(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        databases: Databases,
        writer: WarehouseWriter,
    ) -> Iterator[Any]:
        window = run_days_window(context.run.tags, daily_partitions())
        yield from dbt_build(dbt, context, databases.warehouse_url(), window)

    return dbt_warehouse


def dbt_asset_definitions() -> list[dg.AssetsDefinition]:
    """The warehouse's dbt asset definition, built from the manifest prepared ahead."""
    return [_define()]
