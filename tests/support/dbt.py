"""The one way the tests run dbt: `Dbt`, dbt's own runner (dbtRunner) in this process, in
the environment production gives its dbt process.

Production (WarehouseDbt.build in analytics_assets/dbt/resource.py) points dbt's profile
at the warehouse through environment variables (dbt_environ: the connection, the session
options with the PII key, the application name) and passes a run's window of days as
environment variables too (Window.dbt_env: ANALYTICS_WINDOW_START/END, which
macros/utils/window.sql reads when executing), never as --vars, which would make dbt parse
the whole project again. `Dbt` sets the same variables with the same functions around each
invocation and restores them afterwards. Without a window, dbt_project.yml's defaults
cover every day.

In this process rather than as a `dbt` subprocess (which dagster-dbt starts): a dbt process
takes seconds to start before it does anything, an invocation here well under one. Each
runner has its own target and log directory, so runners never share dbt's state; one
runner's invocations reuse its partial-parse state, or with parse_once its parsed manifest
(no parse at all after the first).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from analytics_assets.dbt.project import dbt_environ, dbt_project
from analytics_assets.settings import DBT_PROJECT_DIR
from analytics_assets.window import Window

# Every model of the warehouse's own layers (models/metrics has its own tests).
WAREHOUSE_MODELS = "path:models/staging path:models/intermediate path:models/marts path:snapshots"

FULL_PARSE = "Unable to do partial parsing"
"""What dbt says when it parses the whole project again."""

# Node statuses of a failed invocation (a test that only warns passes, as dbt's exit code).
_FAILED = {"error", "fail", "runtime error", "skipped"}


class DbtFailed(AssertionError):
    """A dbt invocation failed; the message holds the tail of its output and what failed."""


@dataclass(frozen=True)
class DbtRun:
    success: bool
    result: Any
    """dbt's result: the run results of a run, build or compile, the manifest of a parse."""
    output: str
    """What dbt logged at info level and above (its console's lines, also under --quiet)."""
    failures: list[str]
    """The nodes that failed, and dbt's exception if it raised one."""

    def explain(self, args: tuple[str, ...]) -> str:
        return "\n".join([f"dbt {' '.join(args)} failed:", self.output[-6000:], *self.failures])


def time_window(start: date | str, end: date | str) -> Window:
    """The days [start, end) (dates or ISO dates) as the window a run hands dbt."""

    def day(value: date | str) -> date:
        return date.fromisoformat(value) if isinstance(value, str) else value

    return Window(day(start), day(end))


class Dbt:
    """dbt on the warehouse at `warehouse_url`, its target and logs in `target`.

    `project_dir` holds dbt_project.yml and profiles.yml: the project's by default, or a
    test's own (whose profiles.yml may name its database itself)."""

    def __init__(
        self,
        warehouse_url: str,
        target: Path,
        project_dir: Path = DBT_PROJECT_DIR,
        *,
        parse_once: bool = False,
    ) -> None:
        self.url = warehouse_url
        self.target = target
        self.target.mkdir(parents=True, exist_ok=True)
        self.project_dir = project_dir
        self.parse_once = parse_once
        self._manifest: Any = None

    def invoke(
        self,
        *args: str,
        window: Window | None = None,
        env: dict[str, str] | None = None,
        check: bool = True,
    ) -> DbtRun:
        """`dbt <args>` over `window` (none: every day); `env` adds to or overrides dbt's
        environment. Raises DbtFailed when dbt fails, unless check is false."""
        # As WarehouseDbt.build does, with the same functions.
        extra = {
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            **(window.dbt_env() if window is not None else {}),
            **(env or {}),
        }
        with dbt_environ(self.url, extra=extra):
            if self.parse_once and self._manifest is None:
                self._manifest = self._parse()
            run = self._invoke(list(args), self._manifest)
        if check and not run.success:
            raise DbtFailed(run.explain(args))
        return run

    def build(self, select: str | None = None, window: Window | None = None) -> str:
        """`dbt build`: models, snapshots and tests; its output."""
        args = ["build"] + (["--select", select] if select else [])
        return self.invoke(*args, window=window).output

    def models(
        self,
        select: str | None = None,
        window: Window | None = None,
        exclude: str | None = None,
    ) -> str:
        """`dbt run`: the models only (half the nodes of a build; tests run elsewhere)."""
        args = ["run"] + (["--select", select] if select else [])
        args += ["--exclude", exclude] if exclude else []
        return self.invoke(*args, window=window).output

    def _parse(self) -> Any:
        """The project parsed once, starting from the project's parse state as dagster-dbt
        does (dbt parses only what changed since, everything if the profile differs)."""
        state = dbt_project().target_path / "partial_parse.msgpack"
        if self.project_dir == DBT_PROJECT_DIR and state.exists():
            shutil.copy(state, self.target / state.name)
        parsed = self._invoke(["parse"], manifest=None)
        if not parsed.success:
            raise DbtFailed(parsed.explain(("parse",)))
        return parsed.result

    def _invoke(self, args: list[str], manifest: Any) -> DbtRun:
        from dbt.cli.main import dbtRunner

        lines: list[str] = []

        def log(event: Any) -> None:
            if event.info.level != "debug":
                lines.append(event.info.msg)

        runner = dbtRunner(manifest=manifest, callbacks=[log])
        paths = [
            "--project-dir", str(self.project_dir), "--profiles-dir", str(self.project_dir),
            "--target-path", str(self.target), "--log-path", str(self.target),
        ]  # fmt: skip
        result = runner.invoke([*args, *paths])
        failures = [
            f"{r.node.name}: {r.status}: {r.message}"
            for r in getattr(result.result, "results", None) or []
            if str(r.status) in _FAILED
        ]
        if result.exception is not None:
            failures.append(f"{type(result.exception).__name__}: {result.exception}")
        success = result.success and not failures
        return DbtRun(success, result.result, "\n".join(lines), failures)
