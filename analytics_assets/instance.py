"""The Dagster instance: runs, event logs and schedules kept in PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

from analytics_assets.connections import dagster_storage_url
from analytics_assets.db import ensure_database, sqlalchemy_url, with_database
from analytics_assets.settings import DAGSTER_DB, Settings, get_settings

# The storage URL holds a password: dagster.yaml names this variable instead, and
# ensure_dagster_home sets it in os.environ, which `dagster dev` and Dagster's run and
# step processes inherit from the CLI.
STORAGE_URL_ENV = "ANALYTICS_DAGSTER_STORAGE_URL"

_HEADER = "# Written by `analytics`"

_DAGSTER_YAML = f"""\
{_HEADER}; set DAGSTER_HOME to a directory of your own to manage it yourself.
storage:
  postgres:
    postgres_url:
      env: {STORAGE_URL_ENV}
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    # Runs write the same warehouse: the daemon queues them instead of running two at
    # once, and `analytics run` waits for the same room before it launches (an advisory
    # lock in the warehouse serialises runs that start together all the same).
    max_concurrent_runs: 1
# A run whose worker died is marked failed instead of staying "started" forever, so the
# drift sensor and the schedules can request it again.
run_monitoring:
  enabled: true
  start_timeout_seconds: 300
  max_resume_run_attempts: 0
telemetry:
  enabled: false
nux:
  enabled: false
"""


def storage_url(settings: Settings) -> str:
    """DAGSTER_DATABASE_URL, else the embedded `dagster` database, else a `dagster`
    database beside the warehouse."""
    url = dagster_storage_url(settings)
    if url is None:
        assert settings.warehouse_url is not None
        url = with_database(settings.warehouse_url, DAGSTER_DB)
    return url


def ensure_dagster_home(settings: Settings | None = None) -> Path:
    """Make DAGSTER_HOME point at a home whose dagster.yaml uses PostgreSQL, and give this
    process the storage URL that file names.

    The file is the same for every environment (it names the variable, never a URL), so it
    is written once: when it is missing, or when an older version of `analytics` wrote it
    differently (an older one may hold a password in clear). A run never rewrites it, so
    the UI's instance never follows whichever process ran last; each process reaches the
    storage of its own environment through STORAGE_URL_ENV. A dagster.yaml of the user's
    own (in a DAGSTER_HOME they set) is left as it is.
    """
    settings = settings or get_settings()
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    user_owned = "DAGSTER_HOME" in os.environ and config.exists() and not _written_by_us(config)
    if not user_owned:
        url = storage_url(settings)
        ensure_database(url)
        os.environ[STORAGE_URL_ENV] = sqlalchemy_url(url)
        if not _is_current(config):
            _write_private(config, _DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def _is_current(config: Path) -> bool:
    try:
        return config.read_text() == _DAGSTER_YAML
    except OSError:
        return False


def _written_by_us(config: Path) -> bool:
    try:
        return config.read_text().startswith(_HEADER)
    except OSError:
        return False


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read: created 0600, and an existing file (written
    0644 by older versions) narrowed before anything is written to it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        os.fchmod(fd, 0o600)
        handle.write(text)
