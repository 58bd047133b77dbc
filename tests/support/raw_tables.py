"""Hand-made raw layers for tests: schema raw built from the source contract, rows given
as dicts.

The raw loader (analytics_assets/raw) writes the same layout: the source columns, then
`_loaded_at` and `_partition`. A row's partition is the UTC day of its table's window
column unless the dict gives `_partition` itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from analytics_assets.source.tables import SourceTable, source_tables


def create_raw_tables(conn: psycopg.Connection) -> None:
    """Schema raw with one empty table per source table."""
    conn.execute("create schema if not exists raw")
    for table in source_tables().values():
        columns = [
            sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.type)) for c in table.columns
        ]
        columns.append(sql.SQL("_loaded_at timestamptz not null default now()"))
        columns.append(sql.SQL("_partition date not null"))
        conn.execute(
            sql.SQL("create table if not exists raw.{} ({})").format(
                sql.Identifier(table.name), sql.SQL(", ").join(columns)
            )
        )


def partition_of(table: SourceTable, row: Mapping[str, Any]) -> date:
    if row.get("_partition") is not None:
        return row["_partition"]
    moment = row.get(table.window_column)
    if not isinstance(moment, datetime):
        raise ValueError(f"{table.name} row without {table.window_column}: give _partition")
    return moment.astimezone(UTC).date()


def _adapt(table: SourceTable, column: str, value: Any) -> Any:
    if value is not None and table.column_type(column) == "jsonb":
        return Jsonb(value)
    return value


def insert_raw(conn: psycopg.Connection, table_name: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert rows (dicts of source columns, optionally `_partition`) into raw.<table>.
    Missing columns are null. Returns the number of rows inserted."""
    table = source_tables()[table_name]
    names = [*table.column_names, "_partition"]
    statement = sql.SQL("insert into raw.{} ({}) values ({})").format(
        sql.Identifier(table.name),
        sql.SQL(", ").join(sql.Identifier(n) for n in names),
        sql.SQL(", ").join(sql.Placeholder() for _ in names),
    )
    count = 0
    with conn.cursor() as cur:
        for row in rows:
            unknown = set(row) - set(names)
            if unknown:
                raise ValueError(f"{table.name} has no column {sorted(unknown)}")
            values = [_adapt(table, c, row.get(c)) for c in table.column_names]
            cur.execute(statement, [*values, partition_of(table, row)])
            count += 1
    return count


Rows = Iterable[Mapping[str, Any]]


def load_raw(conn: psycopg.Connection, rows_by_table: Mapping[str, Rows]) -> None:
    """Create schema raw and insert every table's rows."""
    create_raw_tables(conn)
    for name, rows in rows_by_table.items():
        insert_raw(conn, name, rows)


def load_window(
    conn: psycopg.Connection, rows_by_table: Mapping[str, Rows], first: date, end: date
) -> None:
    """Stage the rows of the partitions [first, end) as the raw loader does: append-only
    tables replace those partitions' rows; mutable tables upsert by key, never replacing a
    newer version of a row."""
    tables = source_tables()
    for name, rows in rows_by_table.items():
        table = tables[name]
        in_window = [r for r in rows if first <= partition_of(table, r) < end]
        if not table.mutable:
            conn.execute(
                sql.SQL("delete from raw.{} where _partition >= %s and _partition < %s").format(
                    sql.Identifier(name)
                ),
                (first, end),
            )
            insert_raw(conn, name, in_window)
            continue
        key = sql.SQL(" and ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in table.key)
        for row in sorted(in_window, key=lambda r: r["updated_at"]):
            values = [row[k] for k in table.key]
            newer = conn.execute(
                sql.SQL("select 1 from raw.{} where {} and updated_at > %s").format(
                    sql.Identifier(name), key
                ),
                [*values, row["updated_at"]],
            ).fetchone()
            if newer:
                continue
            conn.execute(
                sql.SQL("delete from raw.{} where {}").format(sql.Identifier(name), key), values
            )
            insert_raw(conn, name, [row])
