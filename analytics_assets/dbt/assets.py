"""The dbt models of the warehouse as Dagster assets (dagster-dbt): one definition,
`dbt_warehouse`, of the checked staging tables, the staging and quarantine views, the
intermediate views, the marts and the snapshots, built by one `dbt build`.

It is unpartitioned, yet a run of days costs those days: the run's partition tags give dbt
the half-open window of days (jobs.run_window; macros/utils/window.sql says why not --vars).
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
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import dbt_assets

from analytics_assets.dbt.project import dbt_project, ensure_manifest
from analytics_assets.dbt.resource import WarehouseDbt
from analytics_assets.dbt.translator import WarehouseDbtTranslator
from analytics_assets.jobs import run_window
from analytics_assets.resources import Databases, WarehouseWriter

# models/metrics has its own assets (analytics_assets/dbt/metric_assets.py).
WAREHOUSE_SELECT = "path:models/staging path:models/intermediate path:models/marts path:snapshots"


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
        dbt: WarehouseDbt,
        databases: Databases,
        writer: WarehouseWriter,
    ) -> Iterator[Any]:
        # The days of the run, from its partition tags; none when materialized alone.
        yield from dbt.build(context, databases.warehouse_url(), run_window(context.run.tags))

    return dbt_warehouse


def dbt_asset_definitions() -> list[dg.AssetsDefinition]:
    """The warehouse's dbt asset definition, built from the manifest prepared ahead."""
    return [_define()]
