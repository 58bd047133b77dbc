"""The metric rollups (dbt_project/models/metrics/<folder>) as Dagster assets: one
partitioned `@dbt_assets` per grain, each with a single-run backfill policy, so a range
of days, weeks or months is one `dbt build` over the half-open window (dbt_build).

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
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from analytics_assets.dbt.assets import dbt_build
from analytics_assets.dbt.project import dbt_project, ensure_manifest
from analytics_assets.dbt.translator import WarehouseDbtTranslator
from analytics_assets.partitions import daily_partitions, monthly_partitions, weekly_partitions
from analytics_assets.resources import Databases, WarehouseWriter

# models/metrics/<folder> -> the partitions of its assets (folder names are also the
# Dagster group names, see translator.group_for).
METRIC_PARTITIONS: dict[str, Callable[[], dg.TimeWindowPartitionsDefinition]] = {
    "daily": daily_partitions,
    "weekly": weekly_partitions,
    "monthly": monthly_partitions,
}
DAILY = "daily"


def metric_select(folder: str) -> str:
    return f"path:models/metrics/{folder}"


def metric_assets_name(folder: str) -> str:
    return f"dbt_metrics_{folder}"


def daily_counterpart(model_name: str) -> str | None:
    """The daily model a weekly or monthly model rolls up the same metrics as
    (`fct_metric_nps_summary_weekly` -> `fct_metric_nps_summary_daily`); None for a daily
    model or a name without a grain suffix."""
    for folder in METRIC_PARTITIONS:
        if folder != DAILY and model_name.endswith(f"_{folder}"):
            return model_name.removesuffix(folder) + DAILY
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


def metric_assets(folder: str) -> dg.AssetsDefinition:
    """The `@dbt_assets` of one folder of models/metrics, partitioned by its grain."""

    @dbt_assets(
        manifest=ensure_manifest(),
        project=dbt_project(),
        select=metric_select(folder),
        name=metric_assets_name(folder),
        partitions_def=METRIC_PARTITIONS[folder](),
        backfill_policy=dg.BackfillPolicy.single_run(),
        dagster_dbt_translator=MetricDbtTranslator(),
    )
    def _metrics(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        databases: Databases,
        writer: WarehouseWriter,
    ) -> Iterator[Any]:
        yield from dbt_build(dbt, context, databases.warehouse_url(), context.partition_time_window)

    return _metrics


def metric_asset_definitions() -> list[dg.AssetsDefinition]:
    """The three metric asset definitions (daily, weekly, monthly), from the manifest
    prepared ahead."""
    with warnings.catch_warnings():
        # backfill_policy is "beta" in Dagster 1.13; the single-run backfill is what we want.
        warnings.simplefilter("ignore", dg.BetaWarning)
        return [metric_assets(folder) for folder in METRIC_PARTITIONS]
