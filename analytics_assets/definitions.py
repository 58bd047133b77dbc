"""The Dagster code location: every asset, check, job and schedule of the project."""

from __future__ import annotations

import dagster as dg

from analytics_assets.dbt.assets import dbt_asset_definitions
from analytics_assets.dbt.metric_assets import metric_asset_definitions
from analytics_assets.dbt.project import dbt_resource
from analytics_assets.drift import sensors as drift_sensors
from analytics_assets.freshness import with_freshness_policies
from analytics_assets.metric_checks import build_metric_checks
from analytics_assets.pipeline import pipeline_job
from analytics_assets.quality_checks import build_quality_checks
from analytics_assets.quarantine_checks import build_quarantine_checks
from analytics_assets.raw.assets import raw_assets
from analytics_assets.resources import warehouse_resources
from analytics_assets.schedules import metric_jobs, schedules
from analytics_assets.source.assets import source_assets


def build_definitions() -> dg.Definitions:
    assets = [*raw_assets(), *dbt_asset_definitions(), *metric_asset_definitions()]
    return dg.Definitions(
        # The source tables are external assets: the lineage starts at them.
        assets=[*source_assets(), *assets],
        asset_checks=[
            *build_quality_checks(assets),
            *build_quarantine_checks(assets),
            *build_metric_checks(assets),
        ],
        jobs=[pipeline_job(), *metric_jobs()],
        schedules=[*schedules()],
        sensors=[*drift_sensors()],
        resources={**warehouse_resources(), "dbt": dbt_resource()},
        # One process per run: a step in its own process reloads these definitions (seconds
        # each) and GX; the database does the heavy lifting, not Python.
        executor=dg.in_process_executor,
    )


defs = with_freshness_policies(build_definitions())
