"""The Dagster instance: runs, event logs and schedules kept in PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

from analytics_assets.connections import dagster_storage_url
from analytics_assets.db import ensure_database, with_database
from analytics_assets.settings import DAGSTER_DB, Settings, get_settings

_DAGSTER_YAML = """\
# Written by `analytics`; set DAGSTER_HOME to a directory of your own to manage it yourself.
storage:
  postgres:
    postgres_url: "{url}"
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 2
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
    """Make DAGSTER_HOME point at a home whose dagster.yaml uses PostgreSQL.

    A DAGSTER_HOME set by the user with its own dagster.yaml is left as it is.
    """
    settings = settings or get_settings()
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    user_owned = "DAGSTER_HOME" in os.environ and config.exists()
    if not user_owned:
        url = storage_url(settings)
        ensure_database(url)
        # SQLAlchemy 2.1 maps plain postgresql:// to psycopg 3; dagster-postgres needs psycopg2.
        sqlalchemy_url = url.replace("postgresql://", "postgresql+psycopg2://", 1)
        config.write_text(_DAGSTER_YAML.format(url=sqlalchemy_url))
    os.environ["DAGSTER_HOME"] = str(home)
    return home
