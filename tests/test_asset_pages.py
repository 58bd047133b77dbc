"""What the Dagster UI's asset pages show, without a database: owners on every asset, the
source tables as external assets upstream of raw, the metric table checks, and the pure
helpers behind row counts, column schemas and metric keys."""

from __future__ import annotations

import dagster as dg
import pytest

from analytics_assets.dbt.event_metadata import (
    COLUMN_SCHEMA,
    ROW_COUNT,
    column_schema,
    row_count_metadata,
    rows_affected,
    with_table_metadata,
)
from analytics_assets.metric_checks import (
    KEY_CHECK,
    ROWS_CHECK,
    UndeclaredKey,
    metric_key,
    window_column,
)
from analytics_assets.settings import DEFAULT_OWNERS, OWNERS_ENV_VAR, SettingsError, asset_owners
from analytics_assets.source.tables import source_tables

# --- owners ---------------------------------------------------------------------------


def test_every_asset_has_the_project_owners(graph: dg.AssetGraph) -> None:
    keys = graph.get_all_asset_keys()
    assert len(keys) > 100
    missing = sorted(
        k.to_user_string() for k in keys if not set(DEFAULT_OWNERS) <= set(graph.get(k).owners)
    )
    assert missing == []


def test_owners_come_from_one_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OWNERS_ENV_VAR, raising=False)
    assert asset_owners() == DEFAULT_OWNERS
    monkeypatch.setenv(OWNERS_ENV_VAR, " team:analytics , lead@example.org,")
    assert asset_owners() == ("team:analytics", "lead@example.org")
    monkeypatch.setenv(OWNERS_ENV_VAR, "analytics")
    with pytest.raises(SettingsError, match="neither team"):
        asset_owners()


# --- source assets --------------------------------------------------------------------


def test_each_source_table_is_an_external_asset_upstream_of_its_raw_asset(
    graph: dg.AssetGraph,
) -> None:
    source_keys = {k for k in graph.get_all_asset_keys() if k.path[0] == "source"}
    assert source_keys == {dg.AssetKey(["source", t]) for t in source_tables()}
    assert len(source_keys) == 19
    for table in source_tables().values():
        node = graph.get(dg.AssetKey(["source", table.name]))
        assert not node.is_materializable, "external: Dagster never materializes it"
        assert node.group_name == "source"
        assert table.description in (node.description or "")
        raw = graph.get(dg.AssetKey(["raw", table.name]))
        assert raw.parent_keys == {node.key}


# --- metric checks --------------------------------------------------------------------


def test_every_metric_table_has_both_checks_partitioned_like_it(graph: dg.AssetGraph) -> None:
    metric_keys = [
        k
        for k in graph.get_all_asset_keys()
        if graph.get(k).group_name in ("daily", "weekly", "monthly")
    ]
    assert len(metric_keys) == 19 + 20 + 20
    for key in metric_keys:
        node = graph.get(key)
        for name, blocking in ((ROWS_CHECK, False), (KEY_CHECK, True)):
            check = graph.get_check_spec(dg.AssetCheckKey(key, name))
            assert check.blocking is blocking, (key, name)
            assert check.partitions_def == node.partitions_def, (key, name)
    checks = {k.name for k in graph.asset_check_keys if k.name in (ROWS_CHECK, KEY_CHECK)}
    assert checks == {ROWS_CHECK, KEY_CHECK}


def test_metric_key_is_what_the_model_declares() -> None:
    assert metric_key({"config": {"unique_key": "id"}}) == ("id",)
    assert metric_key({"config": {"unique_key": ["a", "b"]}}) == ("a", "b")
    indexed = {
        "config": {
            "indexes": [
                {"columns": ["time_bucket"], "unique": False},
                {"columns": ["time_bucket", "dimension"], "unique": True},
            ]
        }
    }
    assert metric_key(indexed) == ("time_bucket", "dimension")
    # config first: a unique_key wins over an index
    assert metric_key({"config": {**indexed["config"], "unique_key": "id"}}) == ("id",)
    unique_test = {"test_metadata": {"name": "unique", "kwargs": {"column_name": "id"}}}
    combination = {
        "test_metadata": {
            "name": "unique_combination_of_columns",
            "kwargs": {"combination_of_columns": ["day", "country"]},
        }
    }
    not_null = {"test_metadata": {"name": "not_null", "kwargs": {"column_name": "x"}}}
    assert metric_key({"config": {}}, [not_null, unique_test]) == ("id",)
    assert metric_key({"config": {}}, [combination]) == ("day", "country")
    with pytest.raises(UndeclaredKey, match="m: declare its key"):
        metric_key({"name": "m", "config": {}}, [not_null])


def test_window_column_defaults_to_the_bucket() -> None:
    assert window_column({"config": {"meta": {}}}) == "time_bucket"
    assert window_column({"config": {"meta": {"window_column": "day"}}}) == "day"


# --- row counts and column schemas ----------------------------------------------------


def _finished(rows: object) -> dict:
    return {"data": {"run_result": {"adapter_response": {"rows_affected": rows}}}}


def test_row_count_is_what_dbt_reports_never_for_views() -> None:
    assert rows_affected(_finished(42)) == 42
    assert rows_affected(_finished(42.0)) == 42  # a protobuf Struct's number
    assert rows_affected(_finished(True)) is None
    assert rows_affected(_finished(-1)) is None  # a statement without a count
    assert rows_affected({"data": {"node_info": {}}}) is None
    # dagster-dbt 0.29 materializes from LogModelResult, whose status is the command tag
    assert rows_affected({"data": {"status": "INSERT 0 157"}}) == 157
    assert rows_affected({"data": {"status": "SELECT 40"}}) == 40
    assert rows_affected({"data": {"status": "CREATE VIEW"}}) is None
    assert rows_affected({"data": {"status": "success"}}) is None
    incremental = {"resource_type": "model", "config": {"materialized": "incremental"}}
    view = {"resource_type": "model", "config": {"materialized": "view"}}
    test = {"resource_type": "test", "config": {"materialized": "test"}}
    assert row_count_metadata(incremental, _finished(7)) == {ROW_COUNT: 7}
    assert row_count_metadata(incremental, _finished(0)) == {ROW_COUNT: 0}
    assert row_count_metadata(view, _finished(7)) == {}
    assert row_count_metadata(test, _finished(7)) == {}


def test_column_schema_has_the_database_types_and_the_yaml_descriptions() -> None:
    node = {
        "resource_type": "model",
        "name": "fct_x",
        "schema": "marts",
        "config": {"materialized": "table"},
        "columns": {"id": {"description": "The key."}, "Amount": {"description": ""}},
    }
    schema = column_schema(node, [("id", "bigint"), ("amount", "numeric(10,2)")])
    assert schema == dg.TableSchema(
        columns=[
            dg.TableColumn("id", "bigint", description="The key."),
            dg.TableColumn("amount", "numeric(10,2)"),
        ]
    )
    assert column_schema(node, []) is None

    asked = []

    def types(schema: str, relation: str) -> list[tuple[str, str]]:
        asked.append((schema, relation))
        return [("id", "bigint")]

    metadata = with_table_metadata(node, _finished(3), types)
    assert asked == [("marts", "fct_x")]
    assert metadata[ROW_COUNT] == 3
    assert [c.type for c in metadata[COLUMN_SCHEMA].columns] == ["bigint"]
