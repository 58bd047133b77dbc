"""The embedded warehouse: idempotent start and stop, recovery from a killed server."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from analytics_assets import embedded
from analytics_assets.db import connect, with_database
from analytics_assets.settings import Settings, get_settings


@pytest.fixture
def settings() -> Iterator[Settings]:
    home = Path(tempfile.mkdtemp(prefix="aw-", dir="/tmp"))
    current = replace(get_settings(), home=home)
    yield current
    embedded.stop(current)
    shutil.rmtree(home, ignore_errors=True)


def _answers(url: str) -> bool:
    with connect(with_database(url, "warehouse")) as conn:
        return conn.execute("select 1").fetchone() == (1,)


def test_start_twice_stop_twice(settings: Settings) -> None:
    url = embedded.start(settings)
    assert embedded.start(settings) == url
    assert _answers(url)
    with connect(with_database(url, "postgres")) as conn:
        names = {r[0] for r in conn.execute("select datname from pg_database")}
    assert {"warehouse", "app", "dagster"} <= names
    assert embedded.stop(settings) is True
    assert embedded.stop(settings) is False
    assert not embedded.status(settings).running
    assert _answers(embedded.start(settings))


def test_restarts_after_the_server_was_killed(settings: Settings) -> None:
    embedded.start(settings)
    pid = embedded.status(settings).pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    assert not embedded.status(settings).running
    assert (settings.pgdata / "postmaster.pid").exists()  # left behind by the kill
    assert _answers(embedded.start(settings))
