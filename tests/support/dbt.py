"""Run the real dbt CLI (the venv's) against a test database, as dagster-dbt would.

Each runner has its own target and log directory, so runners never share dbt's state;
consecutive calls of one runner reuse its partial-parse state.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

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
