"""The Dagster code location: every asset, check, job, schedule and sensor of the project.

Nothing in the package imports this module: Dagster loads it (workspace.yaml, code
location `analytics`), and the runner (runner.py) launches runs from that code location.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from analytics_assets.dbt.assets import dbt_asset_definitions
from analytics_assets.dbt.metric_assets import metric_asset_definitions
from analytics_assets.dbt.resource import dbt_resource
from analytics_assets.drift import sensors as drift_sensors
from analytics_assets.freshness import with_freshness_policies
from analytics_assets.jobs import jobs
from analytics_assets.metric_checks import build_metric_checks
from analytics_assets.quality_checks import build_quality_checks
from analytics_assets.quarantine_checks import build_quarantine_checks
from analytics_assets.raw.assets import raw_assets
from analytics_assets.resources import warehouse_resources
from analytics_assets.schedules import schedules
from analytics_assets.source.assets import source_assets


@contextmanager
def accepted_dagster_previews() -> Iterator[None]:
    """The Dagster 1.13 features the project builds on before they are stable, accepted here
    once rather than around each use:
    - `backfill_policy` (beta): the single-run backfill of every partitioned asset;
    - `partitions_def` on an AssetCheckSpec (preview): a check per partition;
    - freshness policies (preview), the way Dagster's docs attach them to built assets.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        warnings.simplefilter("ignore", dg.PreviewWarning)
        yield


def build_definitions() -> dg.Definitions:
    with accepted_dagster_previews():
        assets = [*raw_assets(), *dbt_asset_definitions(), *metric_asset_definitions()]
        definitions = dg.Definitions(
            # The source tables are external assets: the lineage starts at them.
            assets=[*source_assets(), *assets],
            asset_checks=[
                *build_quality_checks(assets),
                *build_quarantine_checks(assets),
                *build_metric_checks(assets),
            ],
            jobs=jobs(),
            schedules=schedules(),
            sensors=drift_sensors(),
            resources={**warehouse_resources(), "dbt": dbt_resource()},
            # One process per run: a step in its own process reloads these definitions
            # (seconds each) and GX; the database does the heavy lifting, not Python.
            executor=dg.in_process_executor,
        )
        return with_freshness_policies(definitions)


defs = build_definitions()
