"""DDL of schema `raw`: one table per source table, mirroring its columns, plus bookkeeping.

The layout is a contract with the dbt staging models: the source columns with the same
names and types in contract order, then `_loaded_at` (when the load committed) and
`_partition` (the daily partition whose load wrote the row).

No unique index on the key: raw keeps duplicate and null keys as the source has them.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from analytics_assets.source.tables import SourceTable, source_tables

RAW_SCHEMA = "raw"
BOOKKEEPING_COLUMNS = (
    ("_loaded_at", "timestamptz not null default now()"),
    ("_partition", "date not null"),
)
# Namespace of the advisory locks taken by the raw layer (the first half of a two-int key).
LOCK_NAMESPACE = 7_001


def raw_table_name(table: SourceTable) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(RAW_SCHEMA), sql.Identifier(table.name))


def create_raw_table_sql(table: SourceTable) -> sql.Composed:
    columns = [
        sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.type)) for c in table.columns
    ]
    columns += [
        sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(spec))
        for name, spec in BOOKKEEPING_COLUMNS
    ]
    return sql.SQL("create table if not exists {} ({})").format(
        raw_table_name(table), sql.SQL(", ").join(columns)
    )


def index_names(table: SourceTable) -> tuple[str, ...]:
    names = [f"{table.name}_window_brin"]
    if table.mutable:
        names += [f"{table.name}_key", f"{table.name}_version"]
    return tuple(names)


def create_index_sql(table: SourceTable) -> list[sql.Composed]:
    """Indexes a window filter and an upsert need, and no more (each one slows the COPY).

    BRIN on (_partition, window column): rows arrive in window order, so a block range
    summary is tiny and cheap to keep, yet lets a window delete or a staging filter skip
    the rest of the table. Mutable tables also get a btree on their key for the upsert, and
    one on their window column (`updated_at`): the newest version raw holds, where a load
    catches up from (loader.py), is one step down it.
    """
    brin, *btrees = index_names(table)
    columns = {f"{table.name}_key": table.key, f"{table.name}_version": (table.window_column,)}
    statements = [
        sql.SQL("create index if not exists {} on {} using brin ({}, {})").format(
            sql.Identifier(brin),
            raw_table_name(table),
            sql.Identifier("_partition"),
            sql.Identifier(table.window_column),
        )
    ]
    for name in btrees:
        statements.append(
            sql.SQL("create index if not exists {} on {} ({})").format(
                sql.Identifier(name),
                raw_table_name(table),
                sql.SQL(", ").join(sql.Identifier(c) for c in columns[name]),
            )
        )
    return statements


def ensure_raw_table(conn: psycopg.Connection, table: SourceTable) -> None:
    """Create schema raw, the table and its indexes where missing (in a transaction of its
    own: `conn` must not be in one).

    Nothing is locked when all exist, so a load takes no DDL lock that could wait behind
    another load. Concurrent first loads all create the schema, and `if not exists` still
    races in PostgreSQL, so the creation is serialized by one advisory lock.
    """
    with conn.transaction():
        present = conn.execute(
            "select count(*) filter (where c.relkind in ('r', 'p')), "
            "count(*) filter (where c.relkind = 'i') "
            "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = %s and c.relname = any(%s)",
            (RAW_SCHEMA, [table.name, *index_names(table)]),
        ).fetchone()
        if present == (1, len(index_names(table))):
            return
        conn.execute("select pg_advisory_xact_lock(%s, 0)", (LOCK_NAMESPACE,))
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(RAW_SCHEMA)))
        conn.execute(create_raw_table_sql(table))
        for statement in create_index_sql(table):
            conn.execute(statement)


def ensure_raw_tables(conn: psycopg.Connection) -> None:
    """Every raw table of the contract (for tools that need the layout before any load)."""
    for table in source_tables().values():
        ensure_raw_table(conn, table)
