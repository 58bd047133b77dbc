"""Where the warehouse, the source and Dagster's storage are, resolved from the settings."""

from __future__ import annotations

from analytics_assets import embedded
from analytics_assets.settings import DAGSTER_DB, SOURCE_DB, WAREHOUSE_DB, Settings, get_settings


def warehouse_url(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    return settings.warehouse_url or embedded.database_url(settings, WAREHOUSE_DB)


def source_url(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    return settings.source_url or embedded.database_url(settings, SOURCE_DB)


def dagster_storage_url(settings: Settings | None = None) -> str | None:
    """Dagster keeps its runs in PostgreSQL: the embedded `dagster` database, or the
    `DAGSTER_DATABASE_URL` given; None with explicit warehouse URLs and no Dagster URL."""
    settings = settings or get_settings()
    if settings.dagster_url:
        return settings.dagster_url
    if settings.embedded:
        return embedded.database_url(settings, DAGSTER_DB)
    return None
