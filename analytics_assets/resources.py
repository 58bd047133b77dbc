"""Dagster resources: where the source and the warehouse are."""

from __future__ import annotations

import dagster as dg

from analytics_assets import connections


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
