"""A throwaway dbt project around the metric models, for tests against hand-built mart rows.

The project links the repository's dbt_project/macros/metrics, macros/utils/window.sql and
models/metrics, and adds one stub model per mart (`select * from mart_src.<mart>`) over
tables the test fills, so the metric SQL is tested on its own, with exact inputs, on a
real PostgreSQL with real dbt. The stub marts have the real marts' columns and types, as
dbt_project declares them (support/manifest.py: declared_columns).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from psycopg.types.json import Jsonb

from analytics_assets.db import (
    DatabaseUnreachable,
    connect,
    drop_database,
    ensure_database,
    url_parts,
    with_database,
)
from analytics_assets.settings import DBT_PROJECT_DIR
from support.dbt import Dbt, time_window
from support.manifest import declared_columns, models_in

LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def mart_columns() -> dict[str, str]:
    """mart -> its columns, of every mart of models/marts/core as dbt_project's YAML declares
    them (their data_type, in the manifest): the tables the stubs read."""
    return {r.split(".")[1]: declared_columns(r) for r in models_in("models/marts/core")}


# Marts the project derives from other marts: derived here by their definition from the
# hand-built rows, so a test gives each fact once. user_daily_activity: one row per
# non-admin user and UTC day with an event (the metrics read only these two of its
# columns). int_experiment_conversions: each assignment with the first event named its
# experiment's goal_event after assigned_at.
DERIVED_MARTS: dict[str, str] = {
    "user_daily_activity": (
        "select distinct e.user_id, (e.occurred_at at time zone 'UTC')::date as activity_date "
        "from mart_src.fct_events as e join mart_src.dim_users as u on u.user_id = e.user_id "
        "where u.role is distinct from 'admin'"
    ),
    "int_experiment_conversions": (
        "select a.experiment_id, a.user_id, a.variant, a.assigned_at, "
        "(select min(e.occurred_at) from mart_src.fct_events as e "
        "join mart_src.dim_experiments as x on x.experiment_id = a.experiment_id "
        "where e.user_id = a.user_id and e.event_name = x.goal_event "
        "and e.occurred_at > a.assigned_at) as converted_at "
        "from mart_src.fct_experiment_assignments as a"
    ),
}

_PROJECT_YML = """\
name: metrics_test
version: '1.0'
config-version: 2
profile: metrics_test
macro-paths: ['metrics_macros', 'local_macros']
model-paths: ['metrics_models', 'stub_marts']
vars:
  window_start: '2015-01-01'
  window_end: '2100-01-01'
models:
  metrics_test:
    stub_marts:
      +materialized: view
      +schema: marts
"""

# As the project's own: custom schemas verbatim (analytics, marts), not prefixed.
_SCHEMA_MACRO = """\
{% macro generate_schema_name(custom_schema_name, node) -%}
  {%- if custom_schema_name is none -%}{{ target.schema }}
  {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
"""


def ts(text: str) -> datetime:
    """'2026-03-02 10:00' as an aware UTC datetime."""
    return datetime.fromisoformat(text + "+00:00")


def check(row: dict[str, Any], expected: dict[str, Any]) -> None:
    """Each expected key equals the row's value (numbers to 1e-9; None means SQL null)."""
    for key, want in expected.items():
        got = row[key]
        if want is None or isinstance(want, bool | str | list | dict):
            assert got == want, (key, got, want)
        else:
            assert got is not None and math.isclose(float(got), want, rel_tol=1e-9), (
                key,
                got,
                want,
            )


def user(
    uid: int, role: str, created: str, deleted: str | None = None, verified: bool = False
) -> dict[str, Any]:
    return {
        "user_id": uid,
        "role": role,
        "is_verified": verified,
        "created_at": ts(created),
        "deleted_at": ts(deleted) if deleted else None,
    }


_EVENT_IDS = iter(range(1, 10_000))


def event(
    uid: int | None,
    at: str,
    event_type: str = "page_view",
    name: str = "home",
    session: uuid.UUID | None = None,
) -> dict[str, Any]:
    return {
        "event_id": next(_EVENT_IDS),
        "user_id": uid,
        "session_id": session,
        "event_type": event_type,
        "event_name": name,
        "occurred_at": ts(at),
    }


class MetricsWarehouse:
    """A database with stub marts, and dbt runs of the metric models over it."""

    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.url = url

    def load(self, **tables: list[dict[str, Any]]) -> None:
        """Empty every mart and the analytics schema, then insert the rows given by mart."""
        with connect(self.url, autocommit=True) as conn:
            conn.execute("drop schema if exists analytics cascade")
            for mart in mart_columns():
                conn.execute(f"truncate mart_src.{mart}")
            for mart, rows in tables.items():
                for row in rows:
                    names = list(row)
                    values = [Jsonb(v) if isinstance(v, dict) else v for v in row.values()]
                    conn.execute(
                        f"insert into mart_src.{mart} ({', '.join(names)}) "
                        f"values ({', '.join(['%s'] * len(names))})",
                        values,
                    )

    def insert(self, mart: str, rows: list[dict[str, Any]]) -> None:
        """Add rows to a mart without emptying anything (a late row)."""
        with connect(self.url, autocommit=True) as conn:
            for row in rows:
                conn.execute(
                    f"insert into mart_src.{mart} ({', '.join(row)}) "
                    f"values ({', '.join(['%s'] * len(row))})",
                    list(row.values()),
                )

    def run(self, select: list[str], start: str, end: str) -> None:
        """dbt run of the selected models over the window [start, end)."""
        self._dbt(["run", "--select", *select], start, end)

    def passes_tests(self, select: list[str], start: str, end: str) -> bool:
        """dbt test of the selected models over the window [start, end): all passed?"""
        return self._dbt(["test", "--select", *select], start, end, check=False)

    def _dbt(self, command: list[str], start: str, end: str, check: bool = True) -> bool:
        dbt = Dbt(self.url, self.root / "target", project_dir=self.root)
        return dbt.invoke(*command, "--quiet", window=time_window(start, end), check=check).success

    def query(self, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
        with connect(self.url) as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            names = [c.name for c in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def metric(self, model: str, dimension: str = "") -> dict[str, dict[str, Any]]:
        """A typed metric model's rows of one dimension, by time_bucket ('2026-03-02')."""
        rows = self.query(
            f"select * from analytics.{model} where dimension = %s order by time_bucket",
            (dimension,),
        )
        return {r.pop("time_bucket").strftime("%Y-%m-%d"): r for r in rows}


def _write_project(root: Path, url: str) -> None:
    (root / "metrics_macros").symlink_to(DBT_PROJECT_DIR / "macros" / "metrics")
    (root / "metrics_models").symlink_to(DBT_PROJECT_DIR / "models" / "metrics")
    (root / "local_macros").mkdir()
    (root / "local_macros" / "schema.sql").write_text(_SCHEMA_MACRO)
    # The run's window (window_bound), which the metric macros read.
    (root / "local_macros" / "window.sql").symlink_to(DBT_PROJECT_DIR / "macros/utils/window.sql")
    (root / "stub_marts").mkdir()
    for mart in mart_columns():
        (root / "stub_marts" / f"{mart}.sql").write_text(f"select * from mart_src.{mart}\n")
    for mart, query in DERIVED_MARTS.items():
        (root / "stub_marts" / f"{mart}.sql").write_text(query + "\n")
    (root / "dbt_project.yml").write_text(_PROJECT_YML)
    p = url_parts(url)
    (root / "profiles.yml").write_text(
        "metrics_test:\n  target: t\n  outputs:\n    t:\n      type: postgres\n"
        f"      host: '{p['host']}'\n      port: {p['port']}\n      user: '{p['user']}'\n"
        f"      password: '{p['password']}'\n      dbname: '{p['dbname']}'\n"
        "      schema: public\n      threads: 2\n"
    )


@pytest.fixture(scope="module")
def warehouse(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MetricsWarehouse]:
    """A fresh database with the mart tables on the PostgreSQL 15 at 127.0.0.1:5432 when it
    answers (the oldest server the project supports), else on the embedded one."""
    server = LOCAL_URL
    try:
        connect(server, timeout=2).close()
    except DatabaseUnreachable:
        server = request.getfixturevalue("embedded_server_url")
    url = with_database(server, f"t_metrics_{uuid.uuid4().hex[:10]}")
    ensure_database(url)
    with connect(url, autocommit=True) as conn:
        conn.execute("create schema mart_src")
        for mart, columns in mart_columns().items():
            conn.execute(f"create table mart_src.{mart} ({columns})")
    root = tmp_path_factory.mktemp("metrics_dbt")
    _write_project(root, url)
    built = MetricsWarehouse(root, url)
    built._dbt(["run", "--select", "path:stub_marts"], "2026-01-01", "2026-01-02")
    yield built
    drop_database(url)
