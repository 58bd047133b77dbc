"""The dbt project, where its manifest lives, and the environment its profile reads.

profiles.yml reads the warehouse connection from ANALYTICS_WAREHOUSE_* variables (the
password from DBT_ENV_SECRET_WAREHOUSE_PASSWORD, which dbt scrubs from its logs); they are
set here from the warehouse URL, so dbt follows WAREHOUSE_DATABASE_URL or the embedded
server like the rest of the project.

The PII key reaches the warehouse as a session setting (analytics.pii_key, through libpq's
PGOPTIONS), never inside SQL text: dbt writes the SQL it runs to its target directory and
logs, but not its environment.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from functools import cache
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliResource, DbtProject

from analytics_assets.db import url_parts
from analytics_assets.settings import DBT_PROJECT_DIR, get_settings

# url_parts() key -> the environment variable profiles.yml reads it from.
PROFILE_ENV_VARS = {
    "host": "ANALYTICS_WAREHOUSE_HOST",
    "port": "ANALYTICS_WAREHOUSE_PORT",
    "user": "ANALYTICS_WAREHOUSE_USER",
    "password": "DBT_ENV_SECRET_WAREHOUSE_PASSWORD",
    "dbname": "ANALYTICS_WAREHOUSE_DBNAME",
}


# Session settings of dbt's connections (libpq reads PGOPTIONS). JIT compiles every
# expression of a big plan before running it: on the marts' queries that took longer than
# the queries themselves (daily_platform: 18 s with JIT, 4.5 s without at demo scale). A
# larger work_mem keeps their sorts and hashes in memory.
# client_connection_check_interval: a session whose dbt died mid-query (its run was killed)
# stops within a second instead of running the query to its end.
DBT_SESSION_OPTIONS = "-c jit=off -c work_mem=64MB -c client_connection_check_interval=1000"


DBT_APPLICATION_NAME = "analytics-dbt"
"""How dbt's sessions name themselves in pg_stat_activity (profiles.yml): a writer that
finds one while it holds the writer lock knows it is an orphan (analytics_assets/writer.py)."""
APPLICATION_NAME_VAR = "ANALYTICS_DBT_APPLICATION_NAME"
"""The environment variable profiles.yml reads the application name from."""

# The session setting macros/utils/pii.sql reads the PII key from.
PII_KEY_SETTING = "analytics.pii_key"


def profile_env(warehouse_url: str) -> dict[str, str]:
    """The environment variables profiles.yml needs to reach the warehouse at this URL."""
    parts = url_parts(warehouse_url)
    return {var: parts[key] for key, var in PROFILE_ENV_VARS.items()}


def pgoptions_escape(value: str) -> str:
    """A value as one PGOPTIONS word: the server splits PGOPTIONS at whitespace and takes
    the character after a backslash as it is (quotes mean nothing there)."""
    return "".join(f"\\{c}" if c == "\\" or c.isspace() else c for c in value)


def session_options(pii_key: str | None) -> str:
    """dbt's session settings, with the PII key when one is given."""
    if pii_key is None:
        return DBT_SESSION_OPTIONS
    return f"{DBT_SESSION_OPTIONS} -c {PII_KEY_SETTING}={pgoptions_escape(pii_key)}"


def dbt_env(
    warehouse_url: str, pgoptions: str | None = None, *, with_pii_key: bool = True
) -> dict[str, str]:
    """Everything a dbt process needs for this warehouse: the profile's variables and the
    session options (added to any PGOPTIONS already given), the PII key among them unless
    with_pii_key is false (a parse or a templater needs no key)."""
    key = get_settings().checked_pii_key() if with_pii_key else None
    options = " ".join(o for o in (pgoptions, session_options(key)) if o)
    return {
        **profile_env(warehouse_url),
        "PGOPTIONS": options,
        APPLICATION_NAME_VAR: DBT_APPLICATION_NAME,
    }


def _own_pgoptions(current: str) -> str:
    """PGOPTIONS without the options dbt_env appended to it before (they come last)."""
    start = current.find(DBT_SESSION_OPTIONS)
    return current if start < 0 else current[:start].strip()


def configured_dbt_env(warehouse_url: str, *, with_pii_key: bool = True) -> dict[str, str]:
    """dbt_env for this process: the session options are added to the caller's PGOPTIONS."""
    own = _own_pgoptions(os.environ.get("PGOPTIONS", ""))
    return dbt_env(warehouse_url, own or None, with_pii_key=with_pii_key)


@contextmanager
def dbt_environ(
    warehouse_url: str, *, with_pii_key: bool = True, extra: Mapping[str, str] | None = None
) -> Iterator[dict[str, str]]:
    """The environment of a dbt process started inside the block: dagster-dbt copies
    os.environ when it starts one (it takes no environment of its own), so the profile's
    variables (the PII key among the session options) and `extra` are set for the block
    and restored after it. No later step, nor any other connection of this process (the
    source, Dagster's storage), inherits them."""
    env = {**configured_dbt_env(warehouse_url, with_pii_key=with_pii_key), **(extra or {})}
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield env
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def dbt_executable() -> str:
    """`analytics-dbt` (dbt that dies with its parent, analytics_assets/dbt/guard.py) beside
    this interpreter, so a PATH without the venv still works; plain dbt where it is not
    installed."""
    for name in ("analytics-dbt", "dbt"):
        beside = Path(sys.executable).parent / name
        if beside.exists():
            return str(beside)
    return shutil.which("analytics-dbt") or shutil.which("dbt") or "dbt"


@cache
def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def target_dir() -> Path:
    """dbt's target directory: the manifest, the parse state, dagster-dbt's invocation
    directories."""
    return dbt_project().project_dir / dbt_project().target_path


def manifest_path() -> Path:
    return dbt_project().manifest_path


def prepare_manifest(warehouse_url: str | None = None) -> Path:
    """Run `dbt parse` to write target/manifest.json (setup and test fixtures call this;
    the definitions parse only when no manifest exists at all).

    With the warehouse URL the runs will use, the parse state that dagster-dbt copies into
    each run is made with the same profile, so runs parse partially (dbt parses everything
    again when the profile differs). A file lock serialises concurrent callers; one that
    waited for another's parse does not parse again.
    """
    from filelock import FileLock

    path = manifest_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    before = path.stat().st_mtime if path.exists() else None
    with FileLock(str(path.with_suffix(".lock")), timeout=300):
        after = path.stat().st_mtime if path.exists() else None
        if after is not None and after != before:
            return path  # another process parsed while we waited
        target = dbt_project().target_path
        parser = DbtCliResource(**dbt_cli_settings())
        # A parse reads no PII: a run's environment has the key (dbt/resource.py). Without
        # a URL, the profile's defaults: a parse connects to nothing.
        with dbt_environ(warehouse_url, with_pii_key=False) if warehouse_url else nullcontext():
            parser.cli(["parse", "--quiet"], target_path=target, raise_on_error=True).wait()
    return path


def ensure_manifest() -> Path:
    """The manifest to build the asset definitions from. Prepared ahead (setup, fixtures),
    so loading the definitions does not run dbt; only a tree that was never parsed gets
    parsed here, once, rather than failing to load."""
    path = manifest_path()
    if not path.exists():
        prepare_manifest()
    return path


def dbt_cli_settings() -> dict[str, Any]:
    """How dagster-dbt finds the project, its profile and the dbt to run."""
    return {
        "project_dir": dbt_project(),
        "profiles_dir": str(DBT_PROJECT_DIR),
        "dbt_executable": dbt_executable(),
    }
