"""The `dbt` resource: dagster-dbt's CLI resource, plus what every invocation of the project
needs in its environment, so that no asset body writes os.environ.

`build` runs `dbt build` of the step's selection over a window of days (or everything,
without one) and streams its events with each table's row count and column types. Once it
is over, its parse state becomes the project's and old invocation directories go
(target.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource

from analytics_assets.db import connect
from analytics_assets.dbt.event_metadata import postgres_column_types, stream_with_table_metadata
from analytics_assets.dbt.guard import PARENT_ENV_VAR
from analytics_assets.dbt.project import dbt_cli_settings, dbt_environ, target_dir
from analytics_assets.dbt.target import keep_parse_state, prune_invocation_dirs
from analytics_assets.window import Window


class WarehouseDbt(DbtCliResource):
    """dbt on the warehouse."""

    def build(
        self, context: dg.AssetExecutionContext, warehouse_url: str, window: Window | None
    ) -> Iterator[Any]:
        """Stream `dbt build` of the context's selection, over the window if given."""
        extra = {
            # analytics-dbt dies with this process (guard.py).
            PARENT_ENV_VAR: str(os.getpid()),
            # A test of two models (fct_events -> dim_users) runs once both exist: `buildable`
            # takes a test only when all its parents are selected or upstream of the
            # selection. dbt's default (eager) ran it when Dagster selected a subset (models
            # one by one, or the metrics' own build), before the other model existed.
            "DBT_INDIRECT_SELECTION": "buildable",
        }
        if window is not None:
            context.log.info(f"dbt window {window.label()}")
            extra.update(window.dbt_env())
        with dbt_environ(warehouse_url, extra=extra):
            invocation = self.cli(["build"], context=context)
        # One catalog connection for the run's column schemas (event_metadata.py says why
        # not dagster-dbt's fetch_column_metadata), closed with the stream.
        with connect(warehouse_url, autocommit=True) as catalog:
            yield from stream_with_table_metadata(invocation, postgres_column_types(catalog))
        keep_parse_state(invocation.target_path, target_dir())
        prune_invocation_dirs(target_dir())


def dbt_resource() -> WarehouseDbt:
    """The `dbt` resource of the definitions."""
    return WarehouseDbt(**dbt_cli_settings())
