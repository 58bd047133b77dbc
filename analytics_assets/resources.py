"""Dagster resources: where the source and the warehouse are."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from analytics_assets import connections
from analytics_assets.orphaned_runs import process_tags
from analytics_assets.writer import writer_lock


class Databases(dg.ConfigurableResource):
    """libpq URLs of the operational source and of the warehouse.

    Left empty (the default), each URL comes from the environment when it is asked for
    (WAREHOUSE_DATABASE_URL / SOURCE_DATABASE_URL, else the embedded server), so one
    Definitions object serves every environment.
    """

    source_database_url: str = ""
    warehouse_database_url: str = ""

    def source_url(self) -> str:
        return self.source_database_url or connections.source_url()

    def warehouse_url(self) -> str:
        return self.warehouse_database_url or connections.warehouse_url()


class WarehouseWriter(dg.ConfigurableResource):
    """The warehouse's writer lock, held for the whole run (analytics_assets/writer.py).

    Every asset that writes the warehouse requires it, so Dagster takes it when the run
    starts (one process per run: the in-process executor) and releases it when the run
    ends, however the run was launched.
    """

    databases: Databases

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseWriter]:
        run = context.run_id or "a run"
        if context.run_id and context.instance is not None:
            # Whichever process executes the run says so: a run worker, the CLI in a test.
            context.instance.add_run_tags(context.run_id, process_tags())
        with writer_lock(self.databases.warehouse_url(), f"run {run}", context.log.info):
            yield self


def warehouse_resources(databases: Databases | None = None) -> dict[str, dg.ConfigurableResource]:
    """`databases` and the `writer` lock on the same warehouse: what every asset needs."""
    databases = databases or Databases()
    return {"databases": databases, "writer": WarehouseWriter(databases=databases)}
