"""The operational tables (schema `app` of the source database) as external assets, key
source/<table>, group `source`: Dagster never materializes them, but the lineage in the UI
starts at them, and each raw asset depends on the table it copies.

Their descriptions come from the contract (tables.py; SOURCE_CONTRACT.md), so a table
added there appears here.
"""

from __future__ import annotations

import dagster as dg

from analytics_assets.settings import asset_owners
from analytics_assets.source.tables import SOURCE_SCHEMA, SourceTable, source_tables

SOURCE_PREFIX = "source"
SOURCE_GROUP = "source"


def source_asset_key(table_name: str) -> dg.AssetKey:
    return dg.AssetKey([SOURCE_PREFIX, table_name])


def _describe(table: SourceTable) -> str:
    kind = (
        f"mutable: rows change in place, newest `{table.window_column}` wins"
        if table.mutable
        else f"append-only, placed in days by `{table.window_column}`"
    )
    return (
        f"{table.description}\n\nSource table `{SOURCE_SCHEMA}.{table.name}` (read only, "
        f"someone else's database): {kind}; key ({', '.join(table.key)}). "
        "See SOURCE_CONTRACT.md."
    )


def source_asset_spec(table: SourceTable) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=source_asset_key(table.name),
        group_name=SOURCE_GROUP,
        description=_describe(table),
        owners=list(asset_owners()),
        kinds={"postgres"},
        metadata={
            "dagster/table_name": f"{SOURCE_SCHEMA}.{table.name}",
            "dagster/column_schema": dg.TableSchema(
                columns=[dg.TableColumn(c.name, c.type) for c in table.columns]
            ),
            "key": ", ".join(table.key),
            "window_column": table.window_column,
        },
    )


def source_assets() -> list[dg.AssetSpec]:
    """One external asset per table of the contract, in contract order."""
    return [source_asset_spec(table) for table in source_tables().values()]
