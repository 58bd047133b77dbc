"""Fixtures shared by the test modules (their helpers: tests/support).

Real PostgreSQL for the tests: the server at 127.0.0.1:5432 when it answers, and an
embedded one (pgserver) started for the session. Every test database has a unique name
and is dropped afterwards. On them: `dbs` (a source and a warehouse) and `env` (the same,
with the environment that points the pipeline at them). A module that needs more of `env`
overrides it with a fixture of the same name that requests it (`def env(env, ...)`).
And the project as Dagster loads it: `manifest`, `defs`, `graph`."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import dagster as dg
import pytest
from support.databases import Databases, make_databases, pick_server

from analytics_assets import embedded
from analytics_assets.db import (
    DatabaseUnreachable,
    connect,
    drop_database,
    ensure_database,
    with_database,
)
from analytics_assets.dbt.project import prepare_manifest
from analytics_assets.settings import get_settings

LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# The PII key of every test: tests point the project at explicit warehouse URLs, which refuse
# the demo key (settings.Settings.checked_pii_key).
TEST_PII_KEY = "tests-pii-key"


@pytest.fixture(scope="session", autouse=True)
def pii_key() -> Iterator[str]:
    """ANALYTICS_PII_KEY for the session (and the subprocesses it starts), unless set."""
    with pytest.MonkeyPatch.context() as patch:
        if not os.environ.get("ANALYTICS_PII_KEY"):
            patch.setenv("ANALYTICS_PII_KEY", TEST_PII_KEY)
        yield os.environ["ANALYTICS_PII_KEY"]


@pytest.fixture(scope="session")
def embedded_server_url() -> Iterator[str]:
    # A short path: the unix socket lives in the data directory and its path is limited.
    home = Path(tempfile.mkdtemp(prefix="aw-", dir="/tmp"))
    settings = replace(get_settings(), home=home)
    url = embedded.start(settings)
    yield url
    embedded.stop(settings)
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def local_server_url() -> str:
    try:
        connect(LOCAL_URL, timeout=2).close()
    except DatabaseUnreachable:
        pytest.skip("no PostgreSQL answers at 127.0.0.1:5432")
    return LOCAL_URL


@pytest.fixture(params=["local", "embedded"])
def server_url(request: pytest.FixtureRequest) -> str:
    """Runs the test once on each server."""
    return request.getfixturevalue(f"{request.param}_server_url")


@pytest.fixture
def make_database() -> Iterator[Callable[[str], str]]:
    """make_database(server_url) -> URL of a new, empty database, dropped after the test."""
    created: list[str] = []

    def make(server: str) -> str:
        url = with_database(server, f"t_{uuid.uuid4().hex[:12]}")
        ensure_database(url)
        created.append(url)
        return url

    yield make
    for url in created:
        drop_database(url)


@pytest.fixture
def dbs(make_database: Callable[[str], str], request: pytest.FixtureRequest) -> Databases:
    """A source (its schema made) and an empty warehouse on one server (pick_server)."""
    server = pick_server(request)
    return make_databases(make_database, server, server)


@pytest.fixture
def env(
    make_database: Callable[[str], str],
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Databases:
    """A source and a warehouse on one server, and the environment that points the
    pipeline (and a Dagster instance of the test's own) at them."""
    server = pick_server(request)
    dbs = make_databases(make_database, server, server)
    monkeypatch.setenv("WAREHOUSE_DATABASE_URL", dbs.warehouse)
    monkeypatch.setenv("SOURCE_DATABASE_URL", dbs.source)
    monkeypatch.setenv("DAGSTER_DATABASE_URL", make_database(server))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    return dbs


@pytest.fixture(scope="module")
def manifest() -> Path:
    return prepare_manifest()  # the current project, parsed once for the module


@pytest.fixture(scope="module")
def defs(manifest: Path) -> dg.Definitions:
    """The project's definitions, loaded from the manifest."""
    from analytics_assets.definitions import defs

    return defs


@pytest.fixture(scope="module")
def graph(defs: dg.Definitions) -> dg.AssetGraph:
    return defs.resolve_asset_graph()
