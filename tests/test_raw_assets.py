"""The raw assets as Dagster sees them: definitions, and materializations with metadata."""

from __future__ import annotations

import dagster as dg
from support.raw import at, day, execute, fingerprint, insert

from analytics_assets.calendar import daily_partitions
from analytics_assets.jobs import day_keys, key_range_tags
from analytics_assets.raw.assets import RAW_GROUP, build_raw_asset, raw_assets
from analytics_assets.resources import Databases, warehouse_resources
from analytics_assets.source.tables import source_tables
from analytics_assets.window import Window


def test_one_asset_per_source_table_with_its_description_kinds_and_owners():
    assets = raw_assets()
    specs = {spec.key: spec for asset in assets for spec in asset.specs}
    assert set(specs) == {dg.AssetKey(["raw", name]) for name in source_tables()}
    events = specs[dg.AssetKey(["raw", "events"])]
    assert events.group_name == RAW_GROUP == "raw"
    assert events.partitions_def == daily_partitions()
    assert events.owners == ["team:data-platform"]
    assert events.tags == {"dagster/kind/postgres": ""}
    assert events.description.startswith(source_tables()["events"].description)
    assert "Append-only" in events.description
    assert "Mutable" in specs[dg.AssetKey(["raw", "users"])].description
    assert events.metadata["dagster/table_name"] == "raw.events"
    for asset in assets:
        assert asset.backfill_policy == dg.BackfillPolicy.single_run()


def _materialize(dbs, table, instance, **kwargs):
    resources = warehouse_resources(
        Databases(source_database_url=dbs.source, warehouse_database_url=dbs.warehouse)
    )
    return dg.materialize(
        [build_raw_asset(source_tables()[table])],
        resources=resources,
        instance=instance,
        raise_on_error=False,
        **kwargs,
    )


def _metadata(result, key):
    """partition -> {metadata key: value} of the run's materializations."""
    return {
        m.partition: {k: v.value for k, v in m.metadata.items()}
        for m in result.asset_materializations_for_node(f"raw__{key}")
    }


def test_range_materialization_records_per_partition_metadata(dbs):
    insert(
        dbs.source,
        "events",
        [
            {"id": 1, "occurred_at": at(2, 1)},
            {"id": 2, "occurred_at": at(2, 2)},
            {"id": 3, "occurred_at": at(3, 3)},
        ],
    )
    with dg.DagsterInstance.ephemeral() as instance:
        result = _materialize(
            dbs, "events", instance, tags=key_range_tags(day_keys(Window(day(2), day(5))))
        )
        assert result.success
        meta = _metadata(result, "events")
        assert set(meta) == {"2026-01-02", "2026-01-03", "2026-01-04"}
        assert [meta[k]["rows_copied"] for k in sorted(meta)] == [2, 1, 0]
        assert [meta[k]["rows_added"] for k in sorted(meta)] == [2, 1, 0]
        assert meta["2026-01-03"]["partition_window"] == "[2026-01-03, 2026-01-04)"
        assert meta["2026-01-03"]["load_window"] == "[2026-01-02, 2026-01-05)"
        assert meta["2026-01-03"]["load_rows_copied"] == 3
        assert meta["2026-01-03"]["load_duration_s"] > 0

        # A late row for Jan 3: materializing that partition again picks it up.
        insert(dbs.source, "events", [{"id": 4, "occurred_at": at(3, 4), "received_at": at(9)}])
        again = _materialize(dbs, "events", instance, partition_key="2026-01-03")
        meta = _metadata(again, "events")["2026-01-03"]
        assert (meta["rows_copied"], meta["rows_added"], meta["rows_removed"]) == (2, 1, 0)
        latest = instance.get_latest_materialization_event(dg.AssetKey(["raw", "events"]))
        assert latest.asset_materialization.partition == "2026-01-03"
        assert latest.asset_materialization.metadata["rows_added"].value == 1


def test_contract_drift_fails_the_asset_with_table_and_column_and_raw_stays(dbs):
    insert(dbs.source, "payments", [{"id": 1, "created_at": at(2)}])
    with dg.DagsterInstance.ephemeral() as instance:
        assert _materialize(dbs, "payments", instance, partition_key="2026-01-02").success
        before = fingerprint(dbs.warehouse, "payments")
        execute(dbs.source, "alter table app.payments alter column amount_cents type numeric")
        insert(dbs.source, "payments", [{"id": 2, "created_at": at(2)}])
        result = _materialize(dbs, "payments", instance, partition_key="2026-01-02")
        assert not result.success
        [failure] = result.get_step_failure_events()
        message = failure.step_failure_data.user_failure_data.description
        assert message == (
            "source table app.payments no longer matches the contract: "
            "column amount_cents has type numeric, the contract says integer"
        )
        assert fingerprint(dbs.warehouse, "payments") == before


def test_databases_resource_reads_the_environment_unless_configured(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_DATABASE_URL", "postgresql://u@h1:5432/wh")
    monkeypatch.setenv("SOURCE_DATABASE_URL", "postgresql://u@h2:5432/src")
    assert Databases().warehouse_url() == "postgresql://u@h1:5432/wh"
    assert Databases().source_url() == "postgresql://u@h2:5432/src"
    configured = Databases(source_database_url="postgresql://x@h3/s")
    assert configured.source_url() == "postgresql://x@h3/s"
    assert configured.warehouse_url() == "postgresql://u@h1:5432/wh"
