"""A partitioned run's window must not make dbt parse the whole project again: dbt re-parses
everything when --vars differ from its last parse, so the window reaches it in the
environment (analytics_assets.dbt.assets.window_env), read only when executing."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from analytics_assets.dbt.assets import window_env
from analytics_assets.dbt.project import dbt_env, dbt_executable
from analytics_assets.settings import DBT_PROJECT_DIR

FULL_PARSE = "Unable to do partial parsing"
WINDOW = dg.TimeWindow(datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 2, tzinfo=UTC))


NO_SERVER = "postgresql://nobody@127.0.0.1:1/unused"


def dbt(
    command: str,
    target: Path,
    *args: str,
    env: dict[str, str] | None = None,
    server: str = NO_SERVER,
) -> str:
    """`dbt <command>` into `target`; its output. Parsing needs the profile, not the server."""
    result = subprocess.run(
        [dbt_executable(), command, "--target-path", str(target), *args],
        cwd=DBT_PROJECT_DIR,
        env={
            **os.environ,
            **dbt_env(server),
            "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
            **(env or {}),
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout + result.stderr


def test_the_window_in_the_environment_keeps_parsing_partial(tmp_path: Path) -> None:
    target = tmp_path / "target"
    dbt("parse", target)  # the parse state, as prepare_manifest leaves it

    assert FULL_PARSE not in dbt("parse", target, env=window_env(WINDOW))
    # The same window as --vars, as runs passed it before: the whole project again.
    dbt_vars = {"window_start": "2026-06-01", "window_end": "2026-06-02"}
    assert FULL_PARSE in dbt("parse", target, "--vars", json.dumps(dbt_vars))


def test_the_window_macros_read_the_environment_then_the_vars(
    tmp_path: Path, local_server_url: str
) -> None:
    inline = "select {{ window_start() }} as lo, '{{ metric_window()['end'] }}' as hi"
    args = ("--quiet", "--inline", inline)
    env, server = window_env(WINDOW), local_server_url  # compile connects, reads nothing
    compiled = dbt("compile", tmp_path / "env", *args, env=env, server=server)
    assert "date '2026-06-01' as lo, '2026-06-02' as hi" in compiled
    # Without the environment: --vars, as a hand-run dbt gets them.
    dbt_vars = json.dumps({"window_start": "2026-05-01", "window_end": "2026-05-08"})
    compiled = dbt("compile", tmp_path / "vars", *args, "--vars", dbt_vars, server=server)
    assert "date '2026-05-01' as lo, '2026-05-08' as hi" in compiled
