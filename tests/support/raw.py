"""Helpers shared by the raw-layer tests (no tests here): hand-made source rows, loads of
raw tables and their fingerprints (the databases: support/databases.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from psycopg import sql

from analytics_assets.db import connect
from analytics_assets.raw.loader import LoadResult, load_window
from analytics_assets.source.tables import source_tables
from analytics_assets.window import Window
from support.databases import Databases

FIRST = date(2026, 1, 1)  # ANALYTICS_START_DATE's default: the first daily partition


def at(day: int, hour: int = 12, minute: int = 0, month: int = 1, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def window(start: date, end: date) -> Window:
    return Window(start, end)


def day(n: int, month: int = 1) -> date:
    return date(2026, month, n)


def insert(url: str, table: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert dicts of columns into app.<table> (missing columns are null)."""
    columns = source_tables()[table].column_names
    with connect(url) as conn, conn.cursor() as cur:
        for row in rows:
            names = [c for c in columns if c in row]
            cur.execute(
                sql.SQL("insert into app.{} ({}) values ({})").format(
                    sql.Identifier(table),
                    sql.SQL(", ").join(sql.Identifier(n) for n in names),
                    sql.SQL(", ").join(sql.Placeholder() for _ in names),
                ),
                [row[n] for n in names],
            )


def execute(url: str, statement: str, params: Any = None) -> None:
    with connect(url) as conn:
        conn.execute(statement, params)


def fetch(url: str, query: str, params: Any = None) -> list[tuple]:
    with connect(url) as conn:
        return conn.execute(query, params).fetchall()


def fingerprint(url: str, table: str) -> tuple[int, str]:
    """(rows, md5 of every row but _loaded_at, in a fixed order) of raw.<table>."""
    columns = [*source_tables()[table].column_names, "_partition"]
    query = sql.SQL(
        "select count(*), md5(coalesce(string_agg(r::text, E'\\n' order by r::text), '')) "
        "from (select {} from raw.{}) r"
    ).format(sql.SQL(", ").join(sql.Identifier(c) for c in columns), sql.Identifier(table))
    with connect(url) as conn:
        count, digest = conn.execute(query).fetchone()
    return count, digest


def load(dbs: Databases, table: str, start: date, end: date) -> LoadResult:
    return load_window(dbs.source, dbs.warehouse, source_tables()[table], window(start, end), FIRST)


def by_day(result: LoadResult) -> dict[date, tuple[int, int, int, int, int]]:
    """day -> (copied, added, removed, updated, skipped)."""
    return {
        d.day: (d.rows_copied, d.rows_added, d.rows_removed, d.rows_updated, d.rows_skipped)
        for d in result.days
    }
