"""Test databases (no tests here): the server a test uses when either will do, a source and
a warehouse made on servers, and a scratch database for module-scoped fixtures.

conftest.py's fixtures (make_database, dbs, env) build on these."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from psycopg import sql

from analytics_assets.db import connect, drop_database, ensure_database, with_database
from demo_source.ddl import init_source

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


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A new database with a unique name on the server, dropped afterwards (module-scoped
    fixtures use it where conftest's function-scoped make_database cannot)."""
    url = with_database(server_url, f"t_dbt_{uuid.uuid4().hex[:12]}")
    ensure_database(url)
    try:
        yield url
    finally:
        drop_database(url)
