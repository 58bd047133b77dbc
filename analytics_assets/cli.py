"""The `analytics` command line.

Every error a user can cause (a wrong argument, an unreachable database) ends in one line
on stderr and exit code 2; a traceback means a bug.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import click

from analytics_assets.settings import get_settings

if TYPE_CHECKING:
    from demo_source.generator import GenerationSpec


class Problem(click.ClickException):
    """A user-facing failure: printed as one line, exit code 2."""

    exit_code = 2


def _known_errors() -> tuple[type[Exception], ...]:
    # psycopg.OperationalError: a server that goes away in the middle of a command (every
    # failure to connect is a DatabaseUnreachable already) is the environment, not a bug.
    from psycopg import OperationalError

    from analytics_assets.db import DatabaseUnreachable
    from analytics_assets.embedded import EmbeddedServerError
    from analytics_assets.settings import SettingsError

    return (DatabaseUnreachable, EmbeddedServerError, SettingsError, OperationalError)


def _preflight() -> None:
    """Connect once to the warehouse, the source and Dagster's storage before Dagster
    starts: an unreachable or malformed URL then ends in one line (DatabaseUnreachable,
    password redacted) instead of Dagster's retries and hundreds of lines of tracebacks."""
    from analytics_assets import connections
    from analytics_assets.db import connect, ensure_database
    from analytics_assets.instance import storage_url

    settings = get_settings()
    for url in (connections.warehouse_url(settings), connections.source_url(settings)):
        connect(url).close()
    dagster_url = storage_url(settings)
    # Dagster's database may not exist yet: ensure_dagster_home creates it, so reach its
    # server first (this is what fails on a wrong host), then the database itself.
    ensure_database(dagster_url)
    connect(dagster_url).close()


def _iso_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Analytics warehouse: stage the platform's tables, build marts and metrics, check them."""


# --- db -------------------------------------------------------------------------------


@cli.group()
def db() -> None:
    """The embedded PostgreSQL warehouse (used when no database URL is set)."""


def _require_embedded() -> None:
    if not get_settings().embedded:
        raise Problem("WAREHOUSE_DATABASE_URL is set: the embedded server is not in use")


@db.command("start")
def db_start() -> None:
    """Start the embedded server (does nothing when it runs already)."""
    from analytics_assets import embedded

    _require_embedded()
    settings = get_settings()
    embedded.start(settings)
    # Dagster's instance is set up once, here or at first use, never by a run.
    from analytics_assets.instance import ensure_dagster_home

    ensure_dagster_home(settings)
    click.echo(f"embedded PostgreSQL running, data in {settings.pgdata}")


@db.command("stop")
def db_stop() -> None:
    """Stop the embedded server (does nothing when it is stopped)."""
    from analytics_assets import embedded

    _require_embedded()
    stopped = embedded.stop(get_settings())
    click.echo("stopped" if stopped else "not running")


@db.command("status")
def db_status() -> None:
    """Say whether the embedded server runs, and where."""
    from analytics_assets import embedded

    settings = get_settings()
    if not settings.embedded:
        click.echo("external databases in use (WAREHOUSE_DATABASE_URL / SOURCE_DATABASE_URL)")
        return
    state = embedded.status(settings)
    if state.running:
        click.echo(f"running (pid {state.pid}), data in {state.pgdata}")
    else:
        click.echo(f"stopped, data in {state.pgdata}")


@db.command("url")
@click.option("--database", type=click.Choice(["warehouse", "app", "dagster"]), default="warehouse")
def db_url(database: str) -> None:
    """Print a libpq URL of the warehouse (or of the source or Dagster database)."""
    from analytics_assets import connections
    from analytics_assets.instance import storage_url

    settings = get_settings()
    if database == "warehouse":
        click.echo(connections.warehouse_url(settings))
    elif database == "app":
        click.echo(connections.source_url(settings))
    else:
        click.echo(storage_url(settings))


# --- source ---------------------------------------------------------------------------


@cli.group()
def source() -> None:
    """The demo operational source (schema app)."""


@source.command("init")
def source_init() -> None:
    """Create every table of the source contract in schema app (idempotent)."""
    from analytics_assets.connections import source_url
    from demo_source.ddl import init_source

    init_source(source_url())
    click.echo("schema app ready")


def generation_options(default_bad_rate: float) -> Callable[[Callable], Callable]:
    """The demo dataset's options, shared by `source generate` and `demo`."""

    def decorate(command: Callable) -> Callable:
        options = [
            click.option("--users", type=click.IntRange(min=1), default=2000, show_default=True),
            click.option("--days", type=click.IntRange(min=1), default=90, show_default=True),
            click.option(
                "--end",
                callback=_iso_date,
                default="2026-06-30",
                show_default=True,
                help="Last day generated (inclusive), YYYY-MM-DD.",
            ),
            click.option("--seed", type=int, default=7, show_default=True),
            click.option(
                "--bad-rate",
                type=click.FloatRange(0, 0.5),
                default=default_bad_rate,
                show_default=True,
                help="Share of rows that break the source contract.",
            ),
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _generation_spec(
    users: int, days: int, end: date, seed: int, bad_rate: float
) -> GenerationSpec:
    from demo_source.generator import GenerationSpec

    try:
        return GenerationSpec(users=users, days=days, end=end, seed=seed, bad_rate=bad_rate)
    except ValueError as err:  # e.g. a period that starts before the platform's launch
        raise Problem(str(err)) from None


@source.command("generate")
@generation_options(default_bad_rate=0.0)
def source_generate(users: int, days: int, end: date, seed: int, bad_rate: float) -> None:
    """Fill schema app with a realistic, reproducible demo dataset."""
    from analytics_assets.connections import source_url
    from demo_source.generator import generate

    spec = _generation_spec(users, days, end, seed, bad_rate)
    report = generate(source_url(), spec, progress=sys.stderr.isatty())
    click.echo(report.render())


# --- the pipeline ---------------------------------------------------------------------


def _interrupt_on_sigterm() -> None:
    """SIGTERM (a service manager, `kill`) stops a run as Ctrl-C does: the launched run is
    terminated before the CLI exits, rather than left to run on unwatched."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


@cli.command("run")
@click.option(
    "--start", "start", callback=_iso_date, required=True, help="First day (inclusive), YYYY-MM-DD."
)
@click.option(
    "--end", "end", callback=_iso_date, required=True, help="End day (exclusive), YYYY-MM-DD."
)
def run(start: date, end: date) -> None:
    """Stage, transform and check every day in [start, end) as one Dagster run, then the
    weeks and months the range completes (one run per grain: Dagster keeps one
    partitions definition per run)."""
    if end <= start:
        raise click.BadParameter(f"{end} must be after --start {start}", param_hint="'--end'")
    # The marts pseudonymise with the key: refuse a demo key before any run starts.
    get_settings().checked_pii_key()
    _preflight()  # before importing the pipeline, which takes seconds (Dagster, dbt)
    from analytics_assets.runner import run_range

    _interrupt_on_sigterm()
    summary = run_range(start, end, progress=sys.stderr.isatty())
    click.echo(summary.render())
    if not summary.success:
        sys.exit(1)


@cli.command("demo")
@generation_options(default_bad_rate=0.02)
def demo(users: int, days: int, end: date, seed: int, bad_rate: float) -> None:
    """Generate a demo source, run the whole pipeline over it, print a report."""
    from datetime import timedelta

    from analytics_assets import embedded
    from analytics_assets.connections import source_url, warehouse_url
    from analytics_assets.demo import build_report
    from analytics_assets.runner import run_range
    from demo_source.ddl import init_source
    from demo_source.generator import generate

    settings = get_settings()
    settings.checked_pii_key()
    spec = _generation_spec(users, days, end, seed, bad_rate)
    if settings.embedded:
        embedded.start(settings)
    _preflight()
    init_source(source_url())
    click.echo(generate(source_url(), spec, progress=sys.stderr.isatty()).render())
    first = end - timedelta(days=days - 1)
    _interrupt_on_sigterm()
    summary = run_range(first, end + timedelta(days=1), progress=sys.stderr.isatty())
    click.echo(summary.render())
    click.echo(build_report(warehouse_url(), list(summary.run_ids), end).render())
    if not summary.success:
        sys.exit(1)


@cli.command("ui")
@click.option("--port", type=click.IntRange(1, 65535), default=3000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
def ui(port: int, host: str) -> None:
    """Run the Dagster UI (webserver) and daemon on the project's instance until Ctrl-C or
    SIGTERM, which stop both and exit 0."""
    from analytics_assets import ui as dagster_ui
    from analytics_assets.instance import ensure_dagster_home
    from analytics_assets.settings import PROJECT_ROOT

    try:
        dagster_ui.check_port_free(host, port)
    except dagster_ui.UIError as err:
        raise Problem(str(err)) from None
    _preflight()
    ensure_dagster_home()
    try:
        dagster_ui.serve(PROJECT_ROOT / "workspace.yaml", host, port, announce=click.echo)
    except dagster_ui.UIError as err:
        raise Problem(str(err)) from None


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as err:
        click.echo(f"error: {_one_line(err.format_message())}", err=True)
        sys.exit(2)
    except _known_errors() as err:
        click.echo(f"error: {_one_line(str(err))}", err=True)
        sys.exit(2)


# The URLs whose passwords no error line may show, whatever built the message.
_SECRET_URLS = ("WAREHOUSE_DATABASE_URL", "SOURCE_DATABASE_URL", "DAGSTER_DATABASE_URL")


def _one_line(message: str) -> str:
    from analytics_assets.db import scrub

    urls = [os.environ[name] for name in _SECRET_URLS if os.environ.get(name)]
    return scrub(" ".join(message.split()), urls)


if __name__ == "__main__":
    main()
