"""Run the real dbt CLI (the venv's) against a test database, as dagster-dbt would.

Each runner has its own target and log directory, so runners never share dbt's state;
consecutive calls of one runner reuse its partial-parse state.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from analytics_assets.db import connect, drop_database, ensure_database, with_database
from analytics_assets.dbt.project import dbt_env, dbt_executable
from analytics_assets.settings import DBT_PROJECT_DIR


class DbtFailed(AssertionError):
    """A dbt command exited non-zero; the message holds the tail of its output."""


class DbtRunner:
    def __init__(self, warehouse_url: str, workdir: Path) -> None:
        self.url = warehouse_url
        self.target = workdir / "target"
        self.target.mkdir(parents=True, exist_ok=True)

    def run(
        self,
        *args: str,
        window: tuple[str, str] | None = None,
        env: dict[str, str] | None = None,
    ) -> str:
        """`dbt <args>` (with --vars for a window [start, end)); the output on success.
        `env` overrides variables of dbt's environment."""
        command = [
            dbt_executable(),
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(self.target),
            "--log-path",
            str(self.target),
        ]
        if window is not None:
            command += ["--vars", json.dumps({"window_start": window[0], "window_end": window[1]})]
        full_env = {
            **os.environ,
            **dbt_env(self.url),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            **(env or {}),
        }
        done = subprocess.run(command, env=full_env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = done.stdout[-6000:] + done.stderr[-2000:]
            raise DbtFailed(f"dbt {' '.join(args)} failed:\n{tail}")
        return done.stdout

    def build(self, select: str | None = None, window: tuple[str, str] | None = None) -> str:
        """`dbt build`: models, snapshots and tests."""
        args = ["build"] + (["--select", select] if select else [])
        return self.run(*args, window=window)

    def models(
        self,
        select: str | None = None,
        window: tuple[str, str] | None = None,
        exclude: str | None = None,
    ) -> str:
        """`dbt run`: the models only (half the nodes of a build; tests run elsewhere)."""
        args = ["run"] + (["--select", select] if select else [])
        args += ["--exclude", exclude] if exclude else []
        return self.run(*args, window=window)


# Every model of the warehouse's own layers (models/metrics has its own tests).
WAREHOUSE_MODELS = "path:models/staging path:models/intermediate path:models/marts path:snapshots"


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


def fingerprint(
    url: str, schema: str, tables_like: str = "%", ignore: tuple[str, ...] = ()
) -> dict[str, tuple[int, str]]:
    """Row count and md5 of the sorted rows of every table of a schema (names matching
    `tables_like`), less the columns in `ignore`."""
    drop = "".join(f" - '{column}'" for column in ignore)
    with connect(url) as conn:
        names = [
            n
            for (n,) in conn.execute(
                "select table_name from information_schema.tables "
                "where table_schema = %s and table_name like %s order by table_name",
                (schema, tables_like),
            ).fetchall()
        ]
        return {
            name: conn.execute(
                "select count(*), coalesce(md5(string_agg(r, '|' order by r)), '') from "
                f"(select (to_jsonb(t){drop})::text as r from {schema}.{name} as t) as rows"
            ).fetchone()
            for name in names
        }


def marts_fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Every table and view in schemas marts and intermediate."""
    return fingerprint(url, "marts") | fingerprint(url, "intermediate")
