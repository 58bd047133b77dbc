"""The dbt project as Dagster sees it, without a database: one asset definition of the
warehouse's models (the metrics have their own), one lineage from raw/<table> to the
marts, dbt tests as asset checks, a definitions module that does not run dbt when the
manifest exists, and a project whose sources and table list are the source contract."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml

from analytics_assets.settings import DBT_PROJECT_DIR, PROJECT_ROOT
from analytics_assets.source.bad_rows import BAD_ROW_KINDS
from analytics_assets.source.tables import source_tables


@pytest.fixture(scope="module")
def dbt_defs(manifest: Path) -> dict[str, dg.AssetsDefinition]:
    from analytics_assets.dbt.assets import dbt_asset_definitions

    return {d.node_def.name: d for d in dbt_asset_definitions()}


@pytest.fixture(scope="module")
def dbt_graph(dbt_defs: dict[str, dg.AssetsDefinition]) -> dg.AssetGraph:
    """The dbt assets alone (conftest's `graph` is the whole project's)."""
    from analytics_assets.dbt.resource import dbt_resource
    from analytics_assets.resources import warehouse_resources

    resources = {"dbt": dbt_resource(), **warehouse_resources()}
    return dg.Definitions(assets=list(dbt_defs.values()), resources=resources).resolve_asset_graph()


def keys(definition: dg.AssetsDefinition) -> set[str]:
    return {k.to_user_string() for k in definition.keys}


def test_the_warehouse_is_one_unpartitioned_definition(
    dbt_defs: dict[str, dg.AssetsDefinition],
) -> None:
    # One dbt build per run: the window of days comes from the run's tags, not partitions.
    assert set(dbt_defs) == {"dbt_warehouse"}
    warehouse = dbt_defs["dbt_warehouse"]
    assert warehouse.partitions_def is None
    names = keys(warehouse)
    assert {f"staging/stg_{t}" for t in source_tables()} <= names
    assert {f"staging/chk_{t}" for t in source_tables()} <= names
    assert {
        "quarantine/quarantined_rows",
        "intermediate/int_processed_range",
        "marts/fct_events",
        "marts/fct_api_requests",
        "marts/fct_sessions",
        "marts/user_daily_activity",
        "marts/user_summary",
        "marts/user_progress_daily",
        "marts/daily_platform",
        "marts/dim_users",
        "snapshots/users_snapshot",
        "snapshots/subscriptions_snapshot",
    } <= names
    assert not any(n.startswith("analytics/") for n in names)  # metrics have their own assets


def test_groups_follow_the_layers(dbt_graph: dg.AssetGraph) -> None:
    groups = {
        n.key.to_user_string(): n.group_name
        for n in dbt_graph.asset_nodes
        if n.key.path[0] != "raw"
    }
    assert {k for k, g in groups.items() if g == "staging"} >= {
        "staging/stg_events",
        "quarantine/quarantined_rows",
        "intermediate/int_user_active_days",
    }
    assert {k for k, g in groups.items() if g == "marts"} >= {
        "marts/fct_events",
        "marts/user_summary",
        "snapshots/users_snapshot",
    }
    assert set(groups.values()) == {"staging", "marts"}


def test_dbt_sources_are_the_raw_assets(dbt_graph: dg.AssetGraph) -> None:
    raw = {k.to_user_string() for k in dbt_graph.get_all_asset_keys() if k.path[0] == "raw"}
    assert raw == {f"raw/{t}" for t in source_tables()}
    chk_events = dbt_graph.get(dg.AssetKey(["staging", "chk_events"]))
    assert "raw/events" in {k.to_user_string() for k in chk_events.parent_keys}
    fct_events = dbt_graph.get(dg.AssetKey(["marts", "fct_events"]))
    # The incremental mart reads the checked rows to find what staging re-checked.
    assert {"staging/chk_events", "staging/stg_events"} <= {
        k.to_user_string() for k in fct_events.parent_keys
    }


def test_dbt_tests_are_asset_checks(dbt_graph: dg.AssetGraph) -> None:
    checks = {(c.asset_key.to_user_string(), c.name) for c in dbt_graph.asset_check_keys}
    assert ("quarantine/row_reconciliation", "assert_rows_reconcile") in checks
    on_events = {name for asset, name in checks if asset == "marts/fct_events"}
    assert any(name.startswith("unique_fct_events_event_id") for name in on_events)
    assert any(name.startswith("relationships_fct_events_user_id") for name in on_events)


def test_loading_the_definitions_does_not_run_dbt(manifest: Path) -> None:
    before = manifest.stat().st_mtime_ns
    code = "from analytics_assets.definitions import defs; defs.resolve_asset_graph()"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert manifest.stat().st_mtime_ns == before


def test_the_sources_are_the_source_contract() -> None:
    sources = yaml.safe_load((DBT_PROJECT_DIR / "models/staging/_sources.yml").read_text())
    [raw] = sources["sources"]
    assert raw["schema"] == "raw"
    assert raw["config"]["loaded_at_field"] == "_loaded_at"
    declared = {t["name"]: [c["name"] for c in t["columns"]] for t in raw["tables"]}
    assert declared == {
        name: [*table.column_names, "_loaded_at", "_partition"]
        for name, table in source_tables().items()
    }
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    assert project["vars"]["source_tables"] == list(source_tables())
    mutable = [t.name for t in source_tables().values() if t.mutable]
    assert project["vars"]["mutable_source_tables"] == mutable


def test_every_bad_row_kind_has_a_check_and_no_check_invents_one() -> None:
    macros = (DBT_PROJECT_DIR / "macros/quarantine/checks.sql").read_text()
    codes = set()
    for line in macros.splitlines():
        if "then '" in line:
            codes.add(line.split("then '")[1].split("'")[0])
    assert codes == set(BAD_ROW_KINDS)


def test_every_model_and_column_is_described(manifest: Path) -> None:
    import json

    nodes = json.loads(manifest.read_text())["nodes"].values()
    ours = [
        n
        for n in nodes
        if n["resource_type"] == "model"
        and n["original_file_path"].split("/")[1] in {"staging", "intermediate", "marts"}
    ]
    assert len(ours) > 60
    undescribed = [n["name"] for n in ours if not n["description"]]
    assert undescribed == []
    for node in ours:
        assert node["columns"], node["name"]
        assert all(c["description"] for c in node["columns"].values()), node["name"]
