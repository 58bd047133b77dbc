"""Pure helpers of the dbt wiring, without a database: groups, source keys and the profile's
environment (the window's: tests/test_window.py)."""

from __future__ import annotations

import os

import dagster as dg
import pytest

from analytics_assets.dbt.project import (
    APPLICATION_NAME_VAR,
    DBT_APPLICATION_NAME,
    PROFILE_ENV_VARS,
    dbt_env,
    dbt_environ,
    profile_env,
)
from analytics_assets.dbt.translator import WarehouseDbtTranslator, group_for


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
    assert set(kept) == {*PROFILE_ENV_VARS.values(), "PGOPTIONS", APPLICATION_NAME_VAR}
    # dbt's sessions name themselves, so a writer can tell an orphaned one (writer.py).
    assert kept[APPLICATION_NAME_VAR] == DBT_APPLICATION_NAME


def test_dbt_environ_sets_dbt_s_variables_for_the_block_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PGOPTIONS", "-c statement_timeout=0")
    monkeypatch.setenv("ANALYTICS_WINDOW_START", "before")
    monkeypatch.delenv("ANALYTICS_WINDOW_END", raising=False)
    monkeypatch.delenv("ANALYTICS_WAREHOUSE_DBNAME", raising=False)
    url = "postgresql://postgres@localhost/wh"
    extra = {"ANALYTICS_WINDOW_START": "2026-06-01", "ANALYTICS_WINDOW_END": "2026-06-02"}
    with dbt_environ(url, with_pii_key=False, extra=extra) as env:
        assert os.environ["ANALYTICS_WAREHOUSE_DBNAME"] == "wh" == env["ANALYTICS_WAREHOUSE_DBNAME"]
        assert os.environ["ANALYTICS_WINDOW_END"] == "2026-06-02"
        # the caller's options first, dbt's after them
        assert os.environ["PGOPTIONS"].startswith("-c statement_timeout=0 -c jit=off")
    assert os.environ["PGOPTIONS"] == "-c statement_timeout=0"
    assert os.environ["ANALYTICS_WINDOW_START"] == "before"
    assert "ANALYTICS_WINDOW_END" not in os.environ
    assert "ANALYTICS_WAREHOUSE_DBNAME" not in os.environ
