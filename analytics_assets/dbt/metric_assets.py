"""The metric rollups (dbt_project/models/metrics/<folder>) as Dagster assets: one
partitioned `@dbt_assets` per grain, each with a single-run backfill policy, so a range
of days, weeks or months is one `dbt build` over the half-open window (WarehouseDbt.build).

- `dbt_metrics_daily`: the day-grain models on the daily partitions;
- `dbt_metrics_weekly`: the week-grain models on the weekly partitions (Monday first,
  like ISO weeks and `date_trunc('week')`);
- `dbt_metrics_monthly`: the month-grain models on the monthly partitions.

The weekly and monthly models read the marts, not the daily rollups, so dbt's lineage
alone does not tie a week to its days' metrics. MetricDbtTranslator adds that edge: each
weekly or monthly model depends on its daily counterpart (same family), and each grain's
slice of analytics_aggregates on the daily slice. The partition mapping is Dagster's
default between time partitions, TimeWindowPartitionMapping: a week depends on its seven
days, so re-materializing a day shows its week (and month) as stale in the UI.
"""

# No `from __future__ import annotations`: Dagster reads the context and resource
# annotations of the asset functions at definition time.
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DbtProject, dbt_assets

from analytics_assets.dbt.project import dbt_project, ensure_manifest
from analytics_assets.dbt.resource import WarehouseDbt
from analytics_assets.dbt.translator import WarehouseDbtTranslator
from analytics_assets.grains import DAILY, GRAINS, ROLLUPS, Grain
from analytics_assets.resources import Databases, WarehouseWriter
from analytics_assets.window import Window


def metric_select(grain: Grain) -> str:
    return f"path:{grain.dbt_folder}"


def metric_assets_name(grain: Grain) -> str:
    return f"dbt_metrics_{grain.name}"


def daily_counterpart(model_name: str) -> str | None:
    """The daily model a weekly or monthly model rolls up the same metrics as
    (`fct_metric_nps_summary_weekly` -> `fct_metric_nps_summary_daily`); None for a daily
    model or a name without a grain suffix."""
    for grain in ROLLUPS:
        if model_name.endswith(f"_{grain.name}"):
            return model_name.removesuffix(grain.name) + DAILY.name
    return None


class MetricDbtTranslator(WarehouseDbtTranslator):
    """The project's translator, plus a dependency of each weekly or monthly model on its
    daily counterpart when the project has one (content.performance and
    courses.performance exist at week and month grain only)."""

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        daily = daily_counterpart(props["name"]) if props["resource_type"] == "model" else None
        daily_id = f"model.{props.get('package_name')}.{daily}"
        if daily is None or daily_id not in manifest.get("nodes", {}):
            return spec
        daily_key = super().get_asset_spec(manifest, daily_id, project).key
        if any(dep.asset_key == daily_key for dep in spec.deps):
            return spec
        return spec.merge_attributes(deps=[dg.AssetDep(daily_key)])


def metric_assets(grain: Grain) -> dg.AssetsDefinition:
    """The `@dbt_assets` of one grain's folder of models/metrics, on its partitions."""

    @dbt_assets(
        manifest=ensure_manifest(),
        project=dbt_project(),
        select=metric_select(grain),
        name=metric_assets_name(grain),
        partitions_def=grain.partitions(),
        backfill_policy=dg.BackfillPolicy.single_run(),
        dagster_dbt_translator=MetricDbtTranslator(),
    )
    def _metrics(
        context: dg.AssetExecutionContext,
        dbt: WarehouseDbt,
        databases: Databases,
        writer: WarehouseWriter,
    ) -> Iterator[Any]:
        window = Window.of(context.partition_time_window)
        yield from dbt.build(context, databases.warehouse_url(), window)

    return _metrics


def metric_asset_definitions() -> list[dg.AssetsDefinition]:
    """One metric asset definition per grain, from the manifest prepared ahead."""
    return [metric_assets(grain) for grain in GRAINS]
