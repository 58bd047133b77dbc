"""The suites as Dagster asset checks, in real Dagster runs on a real warehouse.

A small code location with the project's check factories: a partitioned payments fact with
its blocking suite and a partitioned revenue asset downstream of it; a raw events table
with its warning-only suite and a staging model with its quarantine check. A planted
violation on 2026-01-05 must fail the blocking check, keep the revenue of that day from
materializing, fail the run summary naming the check, and be readable in the check's
metadata and in quality.check_results; 2026-01-06, clean, must pass and materialize.
"""

# No `from __future__ import annotations`: Dagster reads the asset functions' annotations.
from datetime import date
from typing import Any

import dagster as dg
import pytest
from support.databases import pick_server
from support.quality import create_relation, day_window, fetch, insert, run, suite
from support.quality_parents import PARENTS, payment
from support.raw_tables import create_raw_tables

from analytics_assets.calendar import daily_partitions
from analytics_assets.check_partitions import check_window
from analytics_assets.db import connect
from analytics_assets.jobs import RANGE_END_TAG, RANGE_START_TAG
from analytics_assets.quality_checks import (
    build_quality_checks,
    describe,
    suite_check_result,
)
from analytics_assets.quarantine_checks import build_quarantine_checks
from analytics_assets.resources import Databases, warehouse_resources
from analytics_assets.runner import summarize
from analytics_assets.window import Window

PAYMENTS_BY_DAY = {
    "2026-01-05": [
        payment(1),
        payment(2, amount_cents=-5, net_amount_cents=-5),  # a negative amount
        payment(3, net_amount_cents=999),  # succeeded 1000 but adds 999 to revenue
    ],
    "2026-01-06": [
        payment(4, created_at="2026-01-06 10:00+00", payment_date="2026-01-06"),
    ],
}
NET_RULE = "net_amount_cents is +amount when succeeded, -amount when refunded, 0 when failed"
FAILED_PAYMENT_RULES = {"expect_column_values_to_be_between(amount_cents)": 1, NET_RULE: 1}
PAYMENTS_CHECK = "marts/fct_payments:gx_fct_payments"
RAW_CHECK = "raw/events:gx_raw_events"
QUARANTINE_CHECK = "staging/stg_events:quarantined_rows"
SHARE_CHECK = "staging/stg_events:quarantine_share"


@dg.asset(
    key=["marts", "fct_payments"],
    partitions_def=daily_partitions(),
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def fct_payments(context: dg.AssetExecutionContext, databases: Databases) -> None:
    """Writes the payments of its partitions, like the incremental dbt model would."""
    start, end = context.partition_time_window
    with connect(databases.warehouse_url()) as conn:
        conn.execute(
            "delete from marts.fct_payments where payment_date >= %s and payment_date < %s",
            (start.date(), end.date()),
        )
    for day, rows in PAYMENTS_BY_DAY.items():
        if start.date() <= date.fromisoformat(day) < end.date():
            insert(databases.warehouse_url(), "marts.fct_payments", rows)


@dg.asset(
    key=["analytics", "revenue_daily"],
    deps=[fct_payments],
    partitions_def=daily_partitions(),
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def revenue_daily() -> None:
    """Downstream of the payments: must not run on a day whose payments failed."""


@dg.asset(
    key=["raw", "events"],
    partitions_def=daily_partitions(),
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def raw_events() -> None:
    """raw.events is loaded by the test; the asset stands for the loader."""


@dg.asset(key=["staging", "stg_events"], deps=[raw_events])
def stg_events() -> None:
    """A staging view downstream of raw: still built when raw only warns."""


ASSETS = [fct_payments, revenue_daily, raw_events, stg_events]


@pytest.fixture
def warehouse(make_database, request):
    url = make_database(pick_server(request))
    for relation in ("marts.dim_users", "marts.dim_subscriptions"):
        create_relation(url, relation)
        insert(url, relation, PARENTS[relation])
    create_relation(url, "marts.fct_payments")
    # raw.events: 100 rows on each of the 05 and 06; staging quarantined 5 of the 05's
    # (5 % > the 1 % the raw suite allows) and none of the 06's.
    with connect(url) as conn:
        create_raw_tables(conn)
        conn.execute(
            "insert into raw.events (id, occurred_at, _partition) "
            "select n, d::timestamptz + interval '1 hour', d::date "
            "from generate_series(1, 100) as n, (values ('2026-01-05'), ('2026-01-06')) as v (d)"
        )
    create_relation(url, "quarantine.quarantined_rows")
    reasons = [
        ["invalid_enum"],
        ["invalid_enum"],
        ["invalid_enum"],
        ["duplicate_key", "orphan_fk"],
        ["null_key"],
    ]
    keys = ["3", "1", "2", "4", None]
    insert(
        url,
        "quarantine.quarantined_rows",
        [
            {"source_table": "events", "source_key": k, "_partition": "2026-01-05", "reasons": r}
            for k, r in zip(keys, reasons, strict=True)
        ],
    )
    insert(
        url,
        "quarantine.quarantined_rows",
        [
            # another table, and another day: not counted for events on the 05
            {
                "source_table": "users",
                "source_key": "7",
                "_partition": "2026-01-05",
                "reasons": ["invalid_country"],
            },
            {
                "source_table": "events",
                "source_key": "99",
                "_partition": "2026-01-04",
                "reasons": ["invalid_enum"],
            },
        ],
    )
    return url


def job_definitions(url: str) -> dg.JobDefinition:
    checks = [*build_quality_checks(ASSETS), *build_quarantine_checks(ASSETS)]
    defs = dg.Definitions(
        assets=ASSETS,
        asset_checks=checks,
        jobs=[dg.define_asset_job("quality_test", selection=dg.AssetSelection.all())],
        resources=warehouse_resources(
            Databases(warehouse_database_url=url, source_database_url=url)
        ),
    )
    return defs.resolve_job_def("quality_test")


def execute_job(url: str, tags: dict[str, str]) -> dg.ExecuteInProcessResult:
    with dg.DagsterInstance.ephemeral() as instance:
        return job_definitions(url).execute_in_process(
            instance=instance, tags=tags, raise_on_error=False
        )


def summary_of(result: dg.ExecuteInProcessResult, day: date) -> Any:
    """What `analytics run` would print of this one-day run."""
    return summarize(result.all_events, result.run_id, result.success, Window.day(day), 1.0)


def one_day(day: str) -> dict[str, str]:
    return {"dagster/partition": day}


def materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {
        e.step_materialization_data.materialization.asset_key.to_user_string()
        for e in result.get_asset_materialization_events()
    }


def evaluations(result: dg.ExecuteInProcessResult, check: str) -> list[Any]:
    """The check's evaluations in the run: one per partition of a ranged run."""
    asset, name = check.split(":")
    return [
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_key.to_user_string() == asset and e.check_name == name
    ]


def evaluation(result: dg.ExecuteInProcessResult, check: str) -> Any:
    [found] = evaluations(result, check)
    return found


def test_the_check_set_matches_the_suites_and_the_staging_models():
    checks = [*build_quality_checks(ASSETS), *build_quarantine_checks(ASSETS)]
    specs = {
        f"{spec.asset_key.to_user_string()}:{spec.name}": spec
        for c in checks
        for spec in c.check_specs
    }
    assert set(specs) == {PAYMENTS_CHECK, RAW_CHECK, QUARANTINE_CHECK, SHARE_CHECK}
    assert specs[PAYMENTS_CHECK].blocking  # fct_payments.json has critical expectations
    assert not specs[RAW_CHECK].blocking  # raw_events.json only warns
    assert not specs[QUARANTINE_CHECK].blocking
    assert specs[SHARE_CHECK].blocking  # a fifth of a table rejected for one reason
    # partitioned like their assets: payments and raw by day, the staging view not at all
    assert specs[PAYMENTS_CHECK].partitions_def == daily_partitions()
    assert specs[RAW_CHECK].partitions_def == daily_partitions()
    assert specs[QUARANTINE_CHECK].partitions_def is None


def test_a_critical_failure_blocks_the_partition_downstream_and_fails_the_run(warehouse):
    result = execute_job(warehouse, one_day("2026-01-05"))

    # the payments materialized, the check failed, and the revenue of the 05 did not run
    assert "marts/fct_payments" in materialized(result)
    assert "analytics/revenue_daily" not in materialized(result)
    succeeded = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}
    assert "marts__fct_payments" in succeeded
    assert "analytics__revenue_daily" not in succeeded
    check = evaluation(result, PAYMENTS_CHECK)
    assert not check.passed
    assert check.severity == dg.AssetCheckSeverity.ERROR
    assert check.partition == "2026-01-05"
    # the violation is named, with how many rows and which ones
    failures = {f["expectation"]: f for f in check.metadata["failures"].value}
    assert {k: f["unexpected_count"] for k, f in failures.items()} == FAILED_PAYMENT_RULES
    assert failures["expect_column_values_to_be_between(amount_cents)"]["sample"] == [-5]
    assert failures[NET_RULE]["sample"] == [
        {"payment_id": 3, "status": "succeeded", "amount_cents": 1000, "net_amount_cents": 999}
    ]
    assert "critical: expect_column_values_to_be_between(amount_cents): 1 unexpected" in (
        check.description
    )
    assert check.metadata["failed_critical"].value == 2

    summary = summary_of(result, date(2026, 1, 5))
    assert not summary.success
    assert f"{PAYMENTS_CHECK} (blocking)" in summary.failed_checks
    assert f"failed check {PAYMENTS_CHECK} (blocking)" in summary.render()

    # the run's results, one row per expectation, in quality.check_results
    rows = fetch(
        warehouse,
        "select expectation, severity, success, unexpected_count, partition_key, window_start, "
        "window_end from quality.check_results where suite = 'fct_payments' and run_id = %s",
        (result.run_id,),
    )
    assert len(rows) == len(suite("fct_payments").document["expectations"])
    failed_rows = {r[0]: r[3] for r in rows if not r[2]}
    assert failed_rows == FAILED_PAYMENT_RULES
    assert {r[4] for r in rows} == {"2026-01-05"}
    assert {(r[5].isoformat(), r[6].isoformat()) for r in rows} == {
        ("2026-01-05T00:00:00+00:00", "2026-01-06T00:00:00+00:00")
    }


def test_warnings_are_reported_but_do_not_block(warehouse):
    result = execute_job(warehouse, one_day("2026-01-05"))

    assert "staging/stg_events" in materialized(result)  # downstream of a warning
    raw = evaluation(result, RAW_CHECK)
    assert not raw.passed and raw.severity == dg.AssetCheckSeverity.WARN
    [share] = raw.metadata["failures"].value
    assert share["severity"] == "warning"
    assert share["sample"] == [
        {"_partition": "2026-01-05", "raw_rows": 100, "quarantined_rows": 5, "bad_share": 0.05}
    ]

    quarantine = evaluation(result, QUARANTINE_CHECK)
    assert not quarantine.passed and quarantine.severity == dg.AssetCheckSeverity.WARN
    assert quarantine.metadata["quarantined_rows"].value == 5
    assert quarantine.metadata["by_partition"].value == {"2026-01-05": 5}
    # a row with two reasons counts under each; the null key is no sample
    assert quarantine.metadata["by_reason"].value == {
        "invalid_enum": 3,
        "duplicate_key": 1,
        "null_key": 1,
        "orphan_fk": 1,
    }
    assert quarantine.metadata["sample_keys"].value == ["1", "2", "3", "4"]
    assert quarantine.description == (
        "5 events rows quarantined (invalid_enum 3, duplicate_key 1, null_key 1, orphan_fk 1)"
    )

    summary = summary_of(result, date(2026, 1, 5))
    assert f"{RAW_CHECK} (warn)" in summary.failed_checks
    assert f"{QUARANTINE_CHECK} (warn)" in summary.failed_checks
    [quarantine_row] = fetch(
        warehouse,
        "select success, unexpected_count, sample from quality.check_results "
        "where suite = 'quarantine' and asset = 'staging/stg_events' and run_id = %s",
        (result.run_id,),
    )
    assert quarantine_row == (False, 5, ["1", "2", "3", "4"])


def test_a_clean_partition_passes_and_materializes_downstream(warehouse):
    result = execute_job(warehouse, one_day("2026-01-06"))

    assert result.success
    assert materialized(result) == {
        "marts/fct_payments",
        "analytics/revenue_daily",
        "raw/events",
        "staging/stg_events",
    }
    assert all(e.passed for e in result.get_asset_check_evaluations())
    summary = summary_of(result, date(2026, 1, 6))
    assert summary.success and summary.failed_checks == ()
    # the 05's violations were left out: the check looked at the 06 only
    assert evaluation(result, PAYMENTS_CHECK).metadata["window"].value == (
        "[2026-01-06, 2026-01-07)"
    )


def test_a_range_run_checks_the_whole_range_at_once(warehouse):
    tags = {
        RANGE_START_TAG: "2026-01-05",
        RANGE_END_TAG: "2026-01-06",
    }
    result = execute_job(warehouse, tags)

    # one validation of the range, recorded under each of its days (the UI's Partitions tab)
    checks = evaluations(result, PAYMENTS_CHECK)
    assert [c.partition for c in checks] == ["2026-01-05", "2026-01-06"]
    assert not any(c.passed for c in checks)
    assert {c.metadata["partitions"].value for c in checks} == {"2026-01-05...2026-01-06"}
    assert "analytics/revenue_daily" not in materialized(result)
    # the quarantine check of the unpartitioned staging model takes the run's range
    quarantine = evaluation(result, QUARANTINE_CHECK)
    assert quarantine.metadata["by_partition"].value == {"2026-01-05": 5}
    assert quarantine.metadata["partitions"].value == "2026-01-05...2026-01-06"
    # every GX session was closed (its temporary batch table with it)
    assert fetch(
        warehouse,
        "select count(*) from pg_stat_activity "
        "where datname = current_database() and pid <> pg_backend_pid()",
    ) == [(0,)]


def test_a_suite_that_cannot_run_fails_rather_than_passes(make_database, request):
    """A relation that is not there (a model that failed to build): every expectation
    fails with the error, the blocking check fails, and the description says why."""
    url = make_database(pick_server(request))
    result = run("fct_payments", url, day_window("2026-01-05"))

    assert not result.passed
    assert len(result.critical_failures) == len(suite("fct_payments").document["expectations"])
    assert all("does not exist" in o.observed_value for o in result.outcomes)
    first = describe(result).splitlines()[0]
    assert first.startswith(
        "critical: expect_column_values_to_be_between(amount_cents): could not run (error:"
    )
    check = suite_check_result(result, "2026-01-05")
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR


@dg.asset(key=["marts", "dim_example"])
def dim_example() -> None:
    """An unpartitioned asset, run outside any partition."""


def test_outside_any_partition_a_check_validates_the_whole_relation():
    seen = []

    @dg.asset_check(asset=dim_example)
    def window_probe(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        seen.append(check_window(context))
        return dg.AssetCheckResult(passed=True)

    defs = dg.Definitions(
        assets=[dim_example],
        asset_checks=[window_probe],
        jobs=[dg.define_asset_job("probe", selection=dg.AssetSelection.all())],
    )
    assert defs.resolve_job_def("probe").execute_in_process().success
    assert seen == [(None, None)]
