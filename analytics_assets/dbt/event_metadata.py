"""What a dbt model's materialization records besides dagster-dbt's defaults: its row count
(`dagster/row_count`) and its columns with their database types (`dagster/column_schema`).

Both cost what the run cost, never the table's history:
- the row count is dbt's own count of the rows the model's main statement wrote (the
  adapter response: `rows_affected`, or the command tag `INSERT 0 157` that dbt logs as the
  result's status): for an incremental model (delete+insert, or the metrics'
  bucket_window) the rows its insert wrote, i.e. the window's rows plus any lookback the
  metric recomputes; for a table, the table's rows; for the analytics_aggregates slices,
  the rows the upsert wrote. Views have none (`CREATE VIEW` affects no row), and no
  `count(*)` is ever run (dagster-dbt's `fetch_row_counts()` counts whole tables);
- the column types come from one catalog query per built model (pg_attribute), the
  descriptions from the manifest. dagster-dbt's `fetch_column_metadata()` does the same
  catalog lookup through the dbt adapter, but on every event, tests included (a warning per
  test), in threads; this does it for the models only, on one connection.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import dagster as dg

if TYPE_CHECKING:
    from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

ROW_COUNT = "dagster/row_count"
COLUMN_SCHEMA = "dagster/column_schema"
# Resource types whose node is a relation in the warehouse.
RELATION_TYPES = ("model", "snapshot", "seed")
NO_ROWS = ("view", "ephemeral")

ColumnTypes = Callable[[str, str], list[tuple[str, str]]]
"""(schema, relation) -> [(column, type)] in the relation's column order."""


def rows_affected(raw_event: Mapping[str, Any]) -> int | None:
    """The rows a model's main statement wrote, from the dbt event dagster-dbt turns into
    its materialization: the adapter response's `rows_affected` when the event carries it
    (NodeFinished's run_result), else the count in the PostgreSQL command tag that dbt logs
    as the result's status (LogModelResult: `INSERT 0 157`, `SELECT 40`). None for a
    statement that reports no rows (`CREATE VIEW`, -1)."""
    data = raw_event.get("data") or {}
    response = (data.get("run_result") or {}).get("adapter_response") or {}
    value = response.get("rows_affected")
    # The event carries the response as a protobuf Struct: its numbers may come as floats.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if value >= 0 and value == int(value) else None
    return command_tag_rows(data.get("status"))


# PostgreSQL's command tags that end with a row count (INSERT also has an oid before it).
_COUNTED_TAG = re.compile(r"^(?:INSERT \d+|SELECT|UPDATE|DELETE|MERGE|COPY) (\d+)$")


def command_tag_rows(tag: object) -> int | None:
    """`INSERT 0 157` -> 157, `SELECT 40` -> 40; None for any other status."""
    if not isinstance(tag, str):
        return None
    match = _COUNTED_TAG.match(tag.strip())
    return int(match.group(1)) if match else None


def row_count_metadata(node: Mapping[str, Any], raw_event: Mapping[str, Any]) -> dict[str, int]:
    """`{"dagster/row_count": n}` for a node that writes rows, else nothing."""
    if node.get("resource_type") not in RELATION_TYPES:
        return {}
    if node.get("config", {}).get("materialized") in NO_ROWS:
        return {}
    count = rows_affected(raw_event)
    return {} if count is None else {ROW_COUNT: count}


def column_schema(
    node: Mapping[str, Any], columns: Sequence[tuple[str, str]]
) -> dg.TableSchema | None:
    """The relation's columns as built (database order and types), described from the
    model's YAML; None when the relation has no column (not built)."""
    if not columns:
        return None
    described = {
        name.lower(): (col.get("description") or None)
        for name, col in (node.get("columns") or {}).items()
    }
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name, type_, description=described.get(name.lower()))
            for name, type_ in columns
        ]
    )


def postgres_column_types(conn: Any) -> ColumnTypes:
    """Column types of a relation from the catalog (format_type: `numeric(5,2)`,
    `timestamp without time zone`), on an open psycopg connection."""

    def column_types(schema: str, relation: str) -> list[tuple[str, str]]:
        return [
            (name, type_)
            for name, type_ in conn.execute(
                "select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a "
                "where a.attrelid = to_regclass(quote_ident(%s) || '.' || quote_ident(%s)) "
                "and a.attnum > 0 and not a.attisdropped order by a.attnum",
                (schema, relation),
            )
        ]

    return column_types


def with_table_metadata(
    node: Mapping[str, Any], raw_event: Mapping[str, Any], column_types: ColumnTypes
) -> dict[str, Any]:
    """The metadata this module adds to the materialization of `node`."""
    metadata: dict[str, Any] = dict(row_count_metadata(node, raw_event))
    if node.get("resource_type") in RELATION_TYPES and node.get("schema"):
        relation = node.get("alias") or node["name"]
        schema = column_schema(node, column_types(node["schema"], relation))
        if schema is not None:
            metadata[COLUMN_SCHEMA] = schema
    return metadata


def stream_with_table_metadata(
    invocation: DbtCliInvocation, column_types: ColumnTypes
) -> Iterator[Any]:
    """dagster-dbt's `stream()`, each model's materialization with its row count and column
    schema added (the raw event, which holds rows_affected, is at hand only here)."""
    nodes = invocation.manifest.get("nodes", {})
    for raw in invocation.stream_raw_events():
        for event in raw.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=invocation.dagster_dbt_translator,
            context=invocation.context,
            target_path=invocation.target_path,
            project=invocation.project,
        ):
            if isinstance(event, dg.Output | dg.AssetMaterialization):
                unique_id = event.metadata.get("unique_id")
                node = nodes.get(getattr(unique_id, "value", unique_id))
                if node is not None:
                    extra = with_table_metadata(node, raw.raw_event, column_types)
                    event = event.with_metadata({**event.metadata, **extra})
            yield event
