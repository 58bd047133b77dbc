"""Configuration from the environment, read in this one place.

With neither `WAREHOUSE_DATABASE_URL` nor `SOURCE_DATABASE_URL` set, the project runs on
its own embedded PostgreSQL (see `embedded.py`) with databases `warehouse`, `app` and
`dagster`; everything else points at the URLs given.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
QUALITY_DIR = Path(__file__).resolve().parent / "quality"

WAREHOUSE_DB = "warehouse"
SOURCE_DB = "app"
DAGSTER_DB = "dagster"

# The team that owns every asset of the project (raw, source, dbt, metrics), shown on each
# asset's page in the Dagster UI. One team set in one place: ANALYTICS_ASSET_OWNERS (comma
# separated, e.g. "team:analytics,lead@example.org") replaces it for a deployment.
DEFAULT_OWNERS = ("team:data-platform",)
OWNERS_ENV_VAR = "ANALYTICS_ASSET_OWNERS"

# The key the embedded demo warehouse pseudonymises with when ANALYTICS_PII_KEY is unset. It
# is public (it is in this file), so a warehouse of real users must not use it.
DEMO_PII_KEY = "analytics-demo-pii-key"


class SettingsError(ValueError):
    """A setting in the environment has a value the project cannot use."""


@dataclass(frozen=True)
class Settings:
    home: Path
    """Where the embedded server and the default Dagster home keep their files."""
    warehouse_url: str | None
    """Explicit warehouse URL, or None for the embedded server."""
    source_url: str | None
    """Explicit source URL, or None for the embedded server."""
    dagster_url: str | None
    """DAGSTER_DATABASE_URL: where Dagster keeps runs and events, when given."""
    dagster_home: Path
    start_date: date
    """First daily partition."""
    lookback_days: int
    """Days before yesterday that the daily schedule stages again, for late rows."""
    pii_key: str
    """Key of the hash that pseudonymises PII columns in the marts (use checked_pii_key)."""
    quarantine_max_share: float = 0.2
    """A run fails when one reason quarantines more than this share of a table's rows."""

    @property
    def embedded(self) -> bool:
        return self.warehouse_url is None and self.source_url is None

    def checked_pii_key(self) -> str:
        """The PII key, for whatever pseudonymises with it. Checked here rather than when
        the environment is read, so commands that never touch PII (`analytics db url`)
        still work with an explicit warehouse and no key."""
        if self.pii_key == DEMO_PII_KEY and not self.embedded:
            raise SettingsError(
                "set ANALYTICS_PII_KEY to a secret of your own: the demo key is for the "
                "embedded warehouse only, not for WAREHOUSE_DATABASE_URL"
            )
        return self.pii_key

    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"


def _env_date(name: str, default: str) -> date:
    raw = os.environ.get(name, default)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a date (YYYY-MM-DD)") from None


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None
    if value < 0:
        raise SettingsError(f"{name}={raw!r} must not be negative")
    return value


def _env_share(name: str, default: float) -> float:
    raw = os.environ.get(name, str(default))
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number") from None
    if not 0 <= value <= 1:
        raise SettingsError(f"{name}={raw!r} must be a share between 0 and 1")
    return value


def asset_owners() -> tuple[str, ...]:
    """The owners of every asset: ANALYTICS_ASSET_OWNERS, else DEFAULT_OWNERS. Read apart
    from get_settings, which also checks the database URLs: loading the definitions must
    not depend on them. Each owner is `team:<name>` or an email address, as Dagster takes."""
    raw = os.environ.get(OWNERS_ENV_VAR, "")
    owners = tuple(part.strip() for part in raw.split(",") if part.strip())
    for owner in owners:
        if not (owner.startswith("team:") and len(owner) > 5) and "@" not in owner:
            raise SettingsError(
                f"{OWNERS_ENV_VAR}={raw!r}: {owner!r} is neither team:<name> nor an email"
            )
    return owners or DEFAULT_OWNERS


def get_settings() -> Settings:
    """Read the environment now (not cached: tests and the CLI change it)."""
    home = Path(os.environ.get("ANALYTICS_HOME", PROJECT_ROOT / ".analytics")).resolve()
    warehouse = os.environ.get("WAREHOUSE_DATABASE_URL") or None
    source = os.environ.get("SOURCE_DATABASE_URL") or None
    if (warehouse is None) != (source is None):
        missing = "SOURCE_DATABASE_URL" if source is None else "WAREHOUSE_DATABASE_URL"
        raise SettingsError(f"{missing} is not set: set both database URLs, or neither")
    return Settings(
        home=home,
        warehouse_url=warehouse,
        source_url=source,
        dagster_url=os.environ.get("DAGSTER_DATABASE_URL") or None,
        dagster_home=Path(os.environ.get("DAGSTER_HOME", home / "dagster_home")).resolve(),
        start_date=_env_date("ANALYTICS_START_DATE", "2026-01-01"),
        lookback_days=_env_int("ANALYTICS_LOOKBACK_DAYS", 3),
        # An empty key would hash with no secret at all: it counts as unset.
        pii_key=os.environ.get("ANALYTICS_PII_KEY") or DEMO_PII_KEY,
        quarantine_max_share=_env_share("ANALYTICS_QUARANTINE_MAX_SHARE", 0.2),
    )
