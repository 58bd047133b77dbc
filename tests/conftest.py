"""Real PostgreSQL for the tests: the server at 127.0.0.1:5432 when it answers, and an
embedded one (pgserver) started for the session. Every test database has a unique name
and is dropped afterwards."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from analytics_assets import embedded
from analytics_assets.db import (
    DatabaseUnreachable,
    connect,
    drop_database,
    ensure_database,
    with_database,
)
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
