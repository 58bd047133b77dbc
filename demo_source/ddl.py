"""Create the demo source's schema from the contract (idempotent)."""

from __future__ import annotations

from analytics_assets.db import connect
from analytics_assets.source.tables import SOURCE_SCHEMA, create_table_sql, source_tables


def init_source(url: str) -> None:
    """Create schema `app` and every contract table in it; existing tables are kept."""
    with connect(url) as conn:
        conn.execute(f"create schema if not exists {SOURCE_SCHEMA}")
        for table in source_tables().values():
            conn.execute(create_table_sql(table))
