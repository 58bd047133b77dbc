"""Pure helpers of the dbt wiring, without a database: window -> vars, build arguments,
groups, source keys and the profile's environment."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone

import dagster as dg
import pytest

from analytics_assets.dbt.assets import window_env, window_vars
from analytics_assets.dbt.project import (
    APPLICATION_NAME_VAR,
    DBT_APPLICATION_NAME,
    PROFILE_ENV_VARS,
    dbt_env,
    dbt_env_names,
    preserved_environ,
    profile_env,
)
from analytics_assets.dbt.translator import WarehouseDbtTranslator, group_for


def test_a_daily_window_becomes_a_half_open_pair_of_days() -> None:
    window = dg.TimeWindow(datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 2, tzinfo=UTC))
    assert window_vars(window) == {"window_start": "2026-06-01", "window_end": "2026-06-02"}


def test_a_range_of_days_keeps_its_exclusive_end() -> None:
    window = dg.TimeWindow(datetime(2026, 5, 30, tzinfo=UTC), datetime(2026, 6, 3, tzinfo=UTC))
    assert window_vars(window) == {"window_start": "2026-05-30", "window_end": "2026-06-03"}


def test_bounds_in_another_time_zone_are_read_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    window = dg.TimeWindow(
        datetime(2026, 6, 1, 2, tzinfo=plus_two), datetime(2026, 6, 2, 2, tzinfo=plus_two)
    )
    assert window_vars(window) == {"window_start": "2026-06-01", "window_end": "2026-06-02"}


def test_a_bound_that_is_not_a_utc_midnight_is_refused() -> None:
    window = dg.TimeWindow(datetime(2026, 6, 1, 6, tzinfo=UTC), datetime(2026, 6, 2, tzinfo=UTC))
    with pytest.raises(ValueError, match="not a UTC midnight"):
        window_vars(window)


def test_the_window_reaches_dbt_as_environment_variables() -> None:
    window = dg.TimeWindow(datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 8, tzinfo=UTC))
    assert window_env(window) == {
        "ANALYTICS_WINDOW_START": "2026-06-01",
        "ANALYTICS_WINDOW_END": "2026-06-08",
    }


@pytest.mark.parametrize(
    ("resource_type", "fqn", "group"),
    [
        ("model", ["analytics", "staging", "stg_users"], "staging"),
        ("model", ["analytics", "staging", "checks", "chk_users"], "staging"),
        ("model", ["analytics", "staging", "quarantine", "quarantined_rows"], "staging"),
        ("model", ["analytics", "intermediate", "int_processed_range"], "staging"),
        ("model", ["analytics", "marts", "users", "user_summary"], "marts"),
        ("snapshot", ["analytics", "users_snapshot"], "marts"),
        ("model", ["analytics", "metrics", "weekly", "fct_metric_x_weekly"], "weekly"),
        ("model", ["analytics", "metrics", "aggregates", "analytics_aggregates_daily"], "metrics"),
        ("model", ["analytics", "elsewhere", "x"], None),
    ],
)
def test_groups_follow_the_model_folders(resource_type: str, fqn: list[str], group: str) -> None:
    assert group_for(resource_type, fqn) == group


def test_a_dbt_source_is_the_raw_asset_of_its_table() -> None:
    source = {
        "resource_type": "source",
        "source_name": "raw",
        "name": "events",
        "meta": {},
        "config": {},
        "fqn": ["analytics", "staging", "raw", "events"],
    }
    assert WarehouseDbtTranslator().get_asset_key(source) == dg.AssetKey(["raw", "events"])


def test_a_model_key_is_its_schema_and_name() -> None:
    model = {
        "resource_type": "model",
        "name": "user_summary",
        "meta": {},
        "config": {"schema": "marts"},
        "fqn": ["analytics", "marts", "users", "user_summary"],
    }
    assert WarehouseDbtTranslator().get_asset_key(model) == dg.AssetKey(["marts", "user_summary"])


def test_the_profile_env_reads_a_tcp_url() -> None:
    env = profile_env("postgresql://ana:s3cr%40t@db.example:6543/wh")
    assert env == {
        "ANALYTICS_WAREHOUSE_HOST": "db.example",
        "ANALYTICS_WAREHOUSE_PORT": "6543",
        "ANALYTICS_WAREHOUSE_USER": "ana",
        "DBT_ENV_SECRET_WAREHOUSE_PASSWORD": "s3cr@t",
        "ANALYTICS_WAREHOUSE_DBNAME": "wh",
    }


def test_the_profile_env_keeps_a_unix_socket_directory_as_host() -> None:
    env = profile_env("postgresql://postgres@/warehouse?host=/tmp/aw-x/pgdata&port=5432")
    assert env["ANALYTICS_WAREHOUSE_HOST"] == "/tmp/aw-x/pgdata"
    assert env["ANALYTICS_WAREHOUSE_DBNAME"] == "warehouse"
    assert set(env) == set(PROFILE_ENV_VARS.values())


def test_dbt_sessions_run_without_jit_and_keep_given_options() -> None:
    env = dbt_env("postgresql://postgres@localhost/wh")
    assert "-c jit=off" in env["PGOPTIONS"]
    kept = dbt_env("postgresql://postgres@localhost/wh", "-c statement_timeout=0")
    assert kept["PGOPTIONS"].startswith("-c statement_timeout=0 ")
    assert "-c jit=off" in kept["PGOPTIONS"]
    assert set(kept) == set(dbt_env_names())
    assert set(dbt_env_names()) == {*PROFILE_ENV_VARS.values(), "PGOPTIONS", APPLICATION_NAME_VAR}
    # dbt's sessions name themselves, so a writer can tell an orphaned one (writer.py).
    assert kept[APPLICATION_NAME_VAR] == DBT_APPLICATION_NAME


def test_preserved_environ_restores_set_and_unset_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AW_TEST_SET", "before")
    monkeypatch.delenv("AW_TEST_UNSET", raising=False)
    with preserved_environ(["AW_TEST_SET", "AW_TEST_UNSET"]):
        os.environ.update({"AW_TEST_SET": "during", "AW_TEST_UNSET": "during"})
    assert os.environ["AW_TEST_SET"] == "before"
    assert "AW_TEST_UNSET" not in os.environ
