"""The embedded warehouse: a PostgreSQL 16 that the project starts itself (pgserver).

Its data lives under `<ANALYTICS_HOME>/pgdata` and it listens on a unix socket only.
Started servers outlive the process that started them (`analytics db stop` stops them),
so the CLI, the Dagster UI and the tests share one server.
"""

from __future__ import annotations

import logging
import os
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from analytics_assets.db import ensure_database, with_database
from analytics_assets.settings import DAGSTER_DB, SOURCE_DB, WAREHOUSE_DB, Settings


class EmbeddedServerError(RuntimeError):
    """The embedded server could not be started or stopped; the message says what to do."""


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pgdata: Path
    pid: int | None
    url: str | None


def _pgserver():
    # pgserver logs every failed attempt with the whole server log; we report one line.
    logging.getLogger("pgserver").setLevel(logging.CRITICAL)
    # platformdirs warns about XDG_RUNTIME_DIR on headless machines; it is harmless here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
        from pgserver.utils import PostmasterInfo
    return pgserver, PostmasterInfo


def _postmaster(pgdata: Path):
    _, postmaster_info = _pgserver()
    try:
        info = postmaster_info.read_from_pgdata(pgdata)
    except (AssertionError, ValueError):
        return None  # a postmaster.pid cut short by a kill: nothing is running from it
    if info is None or not info.is_running():
        return None
    import psutil

    try:  # a postmaster killed a moment ago lingers as a zombie until it is reaped
        alive = info.process.status() != psutil.STATUS_ZOMBIE and "postgres" in info.process.name()
    except psutil.Error:
        alive = False
    return info if alive else None


def status(settings: Settings) -> ServerStatus:
    info = _postmaster(settings.pgdata) if settings.pgdata.exists() else None
    if info is None:
        return ServerStatus(False, settings.pgdata, None, None)
    return ServerStatus(True, settings.pgdata, info.pid, info.get_uri(database="postgres"))


def _clear_stale_pidfile(pgdata: Path) -> None:
    """A server killed with -9 leaves postmaster.pid behind; pg_ctl refuses to start over it
    only when its pid is alive, so remove it when nothing is running from it."""
    pidfile = pgdata / "postmaster.pid"
    if pidfile.exists() and _postmaster(pgdata) is None:
        pidfile.unlink()


def start(settings: Settings) -> str:
    """Start the server if needed (idempotent) and make sure its three databases exist.

    Returns the URL of the `postgres` database on it.
    """
    pgserver, _ = _pgserver()
    settings.home.mkdir(parents=True, exist_ok=True)
    pgdata = settings.pgdata
    if pgdata.exists():
        _clear_stale_pidfile(pgdata)
    # pgserver caches one handle per data directory; after a stop it would hand back the
    # stopped one, so ask for a fresh handle every time.
    error: Exception | None = None
    for attempt in range(4):
        pgserver.PostgresServer._instances.pop(pgdata.resolve(), None)
        try:
            server = pgserver.get_server(pgdata, cleanup_mode=None)
            break
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, AssertionError) as err:
            # After a kill, the old postmaster's children hold the socket lock for a moment.
            error = err
            time.sleep(1 + attempt)
    else:
        log = pgdata / "log"
        tail = log.read_text().strip().splitlines()[-1:] if log.exists() else []
        hint = f" (server log: {tail[0]})" if tail else ""
        raise EmbeddedServerError(
            f"the embedded PostgreSQL in {pgdata} did not start{hint}; see {log}, "
            f"or remove {pgdata} to start from an empty warehouse"
        ) from error
    base = server.get_uri(database="postgres")
    for dbname in (WAREHOUSE_DB, SOURCE_DB, DAGSTER_DB):
        ensure_database(with_database(base, dbname))
    return base


def stop(settings: Settings) -> bool:
    """Stop the server; returns False when it was not running."""
    if _postmaster(settings.pgdata) is None:
        return False
    _pgserver()  # quiets pgserver's logging before its commands module is imported
    from pgserver._commands import pg_ctl

    user = "pgserver" if os.name == "posix" and os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=settings.pgdata, user=user, timeout=60)
    except subprocess.CalledProcessError as err:
        raise EmbeddedServerError(f"pg_ctl could not stop the server in {settings.pgdata}") from err
    return True


def database_url(settings: Settings, dbname: str) -> str:
    """URL of one of the embedded databases, starting the server when it is not running."""
    current = status(settings)
    base = current.url if current.running and current.url else start(settings)
    return with_database(base, dbname)
