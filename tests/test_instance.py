"""The Dagster instance keeps its runs in PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dagster as dg
import pytest

from analytics_assets.db import connect
from analytics_assets.instance import ensure_dagster_home


@dg.asset
def probe() -> int:
    return 1


def test_a_run_on_the_instance_is_recorded_in_postgres(
    server_url: str,
    make_database: Callable[[str], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    warehouse, source, dagster_db = (make_database(server_url) for _ in range(3))
    monkeypatch.setenv("WAREHOUSE_DATABASE_URL", warehouse)
    monkeypatch.setenv("SOURCE_DATABASE_URL", source)
    monkeypatch.setenv("DAGSTER_DATABASE_URL", dagster_db)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("ANALYTICS_HOME", str(tmp_path))

    home = ensure_dagster_home()
    assert "postgres_url" in (home / "dagster.yaml").read_text()

    with dg.DagsterInstance.get() as instance:
        result = dg.materialize([probe], instance=instance)
        assert result.success
        run_id = result.run_id

    with connect(dagster_db) as conn:
        row = conn.execute("select status from runs where run_id = %s", (run_id,)).fetchone()
        events = conn.execute(
            "select count(*) from event_logs where run_id = %s", (run_id,)
        ).fetchone()
    assert row == ("SUCCESS",)
    assert events is not None and events[0] > 0
