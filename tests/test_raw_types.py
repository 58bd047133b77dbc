"""Every table, every column type, copied faithfully: from the embedded server (PostgreSQL
16) to each server, including the local one (PostgreSQL 15) when it runs."""

from __future__ import annotations

import pytest
from psycopg import sql
from support.databases import make_databases
from support.raw import at, day, fetch, load

from analytics_assets.db import connect
from analytics_assets.source.tables import source_tables

# One awkward value per type: a bigint past float precision, text that needs escaping,
# fractional seconds, an inet with a mask, nested JSON, an array with a null.
VALUES = {
    "bigint": 9007199254740993,
    "text": 'héllo, "wörld"\n\ttab',
    "character(2)": "DE",
    "character(3)": "EUR",
    "boolean": True,
    "timestamp with time zone": "2025-06-30 23:59:59.999999+00",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
    "inet": "192.168.0.1/24",
    "jsonb": '{"a": [1, 2.5, null], "b": {"c": "d"}}',
    "numeric(5,2)": "-123.45",
    "numeric(10,2)": "12345678.90",
    "smallint": -5,
    "integer": 2147483647,
    "text[]": '{a,"b c",NULL}',
}


@pytest.fixture
def dbs(make_database, embedded_server_url, server_url):
    return make_databases(make_database, embedded_server_url, server_url)


def _fill_every_table(url: str) -> None:
    """Two rows per table on 2026-01-02: every column set, and every column but the window
    column null."""
    with connect(url) as conn:
        for table in source_tables().values():
            types = dict(
                conn.execute(
                    "select attname, format_type(atttypid, atttypmod) from pg_attribute "
                    "where attrelid = %s::regclass and attnum > 0",
                    (f"app.{table.name}",),
                ).fetchall()
            )
            values = [
                at(2, 10) if c == table.window_column else VALUES[types[c]]
                for c in table.column_names
            ]
            insert = sql.SQL("insert into app.{} ({}) values ({})").format(
                sql.Identifier(table.name),
                sql.SQL(", ").join(sql.Identifier(c) for c in table.column_names),
                sql.SQL(", ").join(sql.Placeholder() for _ in table.column_names),
            )
            conn.execute(insert, values)
            conn.execute(
                sql.SQL("insert into app.{} ({}) values (%s)").format(
                    sql.Identifier(table.name), sql.Identifier(table.window_column)
                ),
                (at(2, 11),),
            )


def test_every_table_round_trips_column_for_column(dbs):
    _fill_every_table(dbs.source)
    for name, table in source_tables().items():
        result = load(dbs, name, day(2), day(3))
        assert result.rows_copied == 2, name
        cols = sql.SQL(", ").join(sql.Identifier(c) for c in table.column_names)

        def rows(url, schema, cols=cols, name=name):
            return fetch(
                url,
                sql.SQL("select row({})::text from {} order by 1").format(
                    cols, sql.Identifier(schema, name)
                ),
            )

        source_rows, raw_rows = rows(dbs.source, "app"), rows(dbs.warehouse, "raw")
        assert raw_rows == source_rows, name
        assert fetch(dbs.warehouse, f"select distinct _partition from raw.{name}") == [(day(2),)]
