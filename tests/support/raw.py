"""Helpers shared by the raw-layer tests (no tests here): a source and a warehouse
database, hand-made source rows, and fingerprints of raw tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from psycopg import sql

from analytics_assets.db import connect
from analytics_assets.raw.loader import LoadResult, load_window
from analytics_assets.raw.window import Window
from analytics_assets.source.ddl import init_source
from analytics_assets.source.tables import source_tables

FIRST = date(2026, 1, 1)  # ANALYTICS_START_DATE's default: the first daily partition
# A session time zone far from UTC: a day computed in the session's zone instead of UTC
# would put late-evening rows on the wrong day.
FAR_ZONE = "Pacific/Auckland"


@dataclass(frozen=True)
class Databases:
    source: str
    warehouse: str


def pick_server(request: pytest.FixtureRequest) -> str:
    """The local server when it answers, else the embedded one (CI may have only that)."""
    try:
        return request.getfixturevalue("local_server_url")
    except pytest.skip.Exception:
        return request.getfixturevalue("embedded_server_url")


def make_databases(
    make_database: Callable[[str], str], source_server: str, warehouse_server: str
) -> Databases:
    source, warehouse = make_database(source_server), make_database(warehouse_server)
    for url in (source, warehouse):
        with connect(url, autocommit=True) as conn:
            name = conn.info.dbname
            conn.execute(
                sql.SQL("alter database {} set timezone = {}").format(
                    sql.Identifier(name), sql.Literal(FAR_ZONE)
                )
            )
    init_source(source)
    return Databases(source, warehouse)


def pipeline_databases(
    make_database: Callable[[str], str],
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Databases:
    """A source and a warehouse on one server, and the environment that points the
    pipeline (and a Dagster instance of the test's own) at them."""
    server = pick_server(request)
    dbs = make_databases(make_database, server, server)
    monkeypatch.setenv("WAREHOUSE_DATABASE_URL", dbs.warehouse)
    monkeypatch.setenv("SOURCE_DATABASE_URL", dbs.source)
    monkeypatch.setenv("DAGSTER_DATABASE_URL", make_database(server))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    return dbs


def at(day: int, hour: int = 12, minute: int = 0, month: int = 1, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def window(start: date, end: date) -> Window:
    return Window(start, end, FIRST)


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
    return load_window(dbs.source, dbs.warehouse, source_tables()[table], window(start, end))


def by_day(result: LoadResult) -> dict[date, tuple[int, int, int, int, int]]:
    """day -> (copied, added, removed, updated, skipped)."""
    return {
        d.day: (d.rows_copied, d.rows_added, d.rows_removed, d.rows_updated, d.rows_skipped)
        for d in result.days
    }
