"""A small real run (`run_range` over three days of a generated source) and what its asset
pages then show, read back from the instance: row counts equal to the window's rows as
SQL counts them, a dbt model's columns with their types, and the metric table checks.
"""

from __future__ import annotations

from datetime import date

import dagster as dg
import pytest
from support.raw import fetch

from analytics_assets.metric_checks import KEY_CHECK, ROWS_CHECK
from demo_source.generator import GenerationSpec, generate

pytestmark = pytest.mark.long

SPEC = GenerationSpec(users=40, days=3, end=date(2026, 1, 3), seed=11, bad_rate=0.0)
START, END = date(2026, 1, 1), date(2026, 1, 4)
DAY = "2026-01-02"
METRIC = dg.AssetKey(["analytics", "fct_metric_users_growth_daily"])  # no lookback
MART = dg.AssetKey(["marts", "fct_events"])
RAW = dg.AssetKey(["raw", "events"])


@pytest.fixture
def env(env, monkeypatch):
    """conftest's `env`, its source generated."""
    monkeypatch.delenv("ANALYTICS_START_DATE", raising=False)
    generate(env.source, SPEC)
    return env


def _metadata(instance: dg.DagsterInstance, key: dg.AssetKey, partition: str | None = None):
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(key, asset_partitions=[partition] if partition else None), limit=1
    ).records
    assert records, f"no materialization of {key.to_user_string()}"
    return records[0].asset_materialization.metadata


def test_row_counts_column_schemas_and_metric_checks_of_a_run(env):
    from analytics_assets.runner import run_range

    summary = run_range(START, END)
    assert summary.success, summary.render()

    [(raw_day,)] = fetch(
        env.warehouse,
        "select count(*) from raw.events where _partition = %s",  # the day's rows
        (date(2026, 1, 2),),
    )
    [(mart_rows,)] = fetch(
        env.warehouse,
        "select count(*) from marts.fct_events where event_date >= %s and event_date < %s",
        (START, END),
    )
    [(metric_rows,)] = fetch(
        env.warehouse,
        "select count(*) from analytics.fct_metric_users_growth_daily "
        "where time_bucket >= %s and time_bucket < %s",
        (START, END),
    )
    assert raw_day > 0 and mart_rows > 0 and metric_rows > 0

    with dg.DagsterInstance.get() as instance:
        raw = _metadata(instance, RAW, DAY)
        assert raw["dagster/row_count"].value == raw["rows_copied"].value == raw_day
        # The marts are unpartitioned (one dbt build of the run's days): the incremental
        # mart's insert wrote the three days.
        assert _metadata(instance, MART)["dagster/row_count"].value == mart_rows
        # A single-run backfill of the daily metrics: the run's count on each day's event.
        assert _metadata(instance, METRIC, DAY)["dagster/row_count"].value == metric_rows

        schema = _metadata(instance, MART)["dagster/column_schema"].value
        types = {c.name: c.type for c in schema.columns}
        assert types["event_id"] == "bigint"
        assert types["occurred_at"].startswith("timestamp")
        assert all(types.values())

        evaluations = {}
        for run_id in summary.run_ids:
            records = instance.get_records_for_run(
                run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=10_000
            ).records
            for r in records:
                e = r.event_log_entry.dagster_event.event_specific_data
                evaluations[(e.asset_key, e.check_name)] = e
    for key in (METRIC, dg.AssetKey(["analytics", "analytics_aggregates_daily"])):
        for name in (ROWS_CHECK, KEY_CHECK):
            evaluation = evaluations[(key, name)]
            assert evaluation.passed, (key, name, evaluation.description)
    key_checks = [e for (_, name), e in evaluations.items() if name == KEY_CHECK]
    assert len(key_checks) == 19, "every daily metric table's key was checked"
    assert all(e.passed for e in key_checks)
