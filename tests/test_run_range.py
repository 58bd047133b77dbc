"""run_range: one Dagster run over a range of days, recorded on the project's instance."""

from __future__ import annotations

import os
import time
from datetime import date

import dagster as dg
import psutil
import pytest
from support.raw import (
    at,
    day,
    execute,
    fetch,
    insert,
)

from analytics_assets.grains import DAILY
from analytics_assets.runner import RangeError, RunSummary, check_range, run_range
from analytics_assets.source.tables import source_tables
from analytics_assets.window import Window


@pytest.fixture
def env(env):
    """conftest's `env`, with events and users on the first days of January."""
    dbs = env
    insert(
        dbs.source,
        "events",
        [
            {"id": 1, "occurred_at": at(1)},
            {"id": 2, "occurred_at": at(2, 1)},
            {"id": 3, "occurred_at": at(2, 2)},
            {"id": 4, "occurred_at": at(2, 23, 59)},
            {"id": 5, "occurred_at": at(3, 0)},
            {"id": 6, "occurred_at": at(4, 0)},
        ],
    )
    insert(
        dbs.source,
        "users",
        [
            {"id": 1, "updated_at": at(2)},
            {"id": 2, "updated_at": at(3)},
            {"id": 3, "updated_at": at(5)},
        ],
    )
    return dbs


def _materialized_rows(instance, table):
    """partition -> rows_copied recorded for raw/<table>."""
    records = instance.fetch_materializations(dg.AssetKey(["raw", table]), limit=100).records
    return {
        r.asset_materialization.partition: r.asset_materialization.metadata["rows_copied"].value
        for r in records
    }


def _dagster_children_gone(timeout: float = 90) -> bool:
    """True once no `dagster api` process started by this one is left (the code server
    stops once its calls end, at most 60 s after it is told to)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = psutil.Process().children(recursive=True)
        if not [p for p in children if "dagster" in " ".join(_cmdline(p))]:
            return True
        time.sleep(0.5)
    return False


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:  # gone meanwhile
        return []


def test_a_range_is_one_launched_run_under_its_job_with_each_check_per_day(env):
    summary = run_range(day(2), day(4))

    assert summary.success, summary.render()
    assert summary.failed_steps == ()
    # The hand-made rows are mostly null: staging quarantines them, which only warns.
    assert not [check for check in summary.failed_checks if check.endswith("(blocking)")]
    assert summary.rows["raw/events"] == 4  # ids 2, 3, 4 (Jan 2) and 5 (Jan 3)
    assert summary.rows["raw/users"] == 2  # ids 1 and 2
    assert sum(summary.rows.values()) == 6
    assert len(summary.rows) == len(source_tables())
    with dg.DagsterInstance.get() as instance:
        [run] = instance.get_runs()
        assert run.run_id == summary.run_id
        assert run.status == dg.DagsterRunStatus.SUCCESS
        assert run.tags["dagster/asset_partition_range_start"] == "2026-01-02"
        assert run.tags["dagster/asset_partition_range_end"] == "2026-01-03"
        # Launched from the code location: the UI lists it under its job, on the timeline.
        assert run.remote_job_origin is not None
        assert run.remote_job_origin.location_name == "analytics"
        under_job = instance.get_runs(
            filters=dg.RunsFilter(
                job_name="analytics_pipeline",
                tags={".dagster/repository": "__repository__@analytics"},
            )
        )
        assert [r.run_id for r in under_job] == [summary.run_id]
        # ... and executed by a run worker of its own, which tagged itself.
        assert run.tags["analytics/pid"] != str(os.getpid())
        assert _materialized_rows(instance, "events") == {"2026-01-02": 3, "2026-01-03": 1}
        assert _materialized_rows(instance, "users") == {"2026-01-02": 1, "2026-01-03": 1}
        steps = instance.get_records_for_run(
            summary.run_id, of_type=dg.DagsterEventType.STEP_SUCCESS
        ).records
        succeeded = {r.event_log_entry.step_key for r in steps}
        assert {f"raw__{table}" for table in source_tables()} <= succeeded
    assert fetch(env.warehouse, "select id from raw.events order by id") == [(2,), (3,), (4,), (5,)]
    assert "succeeded" in summary.render()
    # Nothing the launch started outlives it: the code server and the run worker are gone.
    assert _dagster_children_gone(), "a code server or run worker of the run is still alive"
    assert_each_check_recorded_under_each_day(summary)


def test_a_failing_table_fails_the_run_and_says_why(env, capsys):
    execute(env.source, "alter table app.users drop column email")
    summary = run_range(day(2), day(3), progress=True)

    assert not summary.success
    [failure] = summary.failed_steps
    assert failure.startswith("raw__users: ")
    assert failure == (
        "raw__users: source table app.users no longer matches the contract: "
        "column email (text) is missing"
    )
    assert summary.rows["raw/events"] == 3  # the other tables still loaded
    assert "FAILED" in summary.render()
    # the progress bar (stderr) counted every step of the job, failed ones included
    from analytics_assets.definitions import defs

    steps = len(defs.resolve_job_def(DAILY.job).graph.nodes)
    assert f"{steps}/{steps}" in capsys.readouterr().err
    with dg.DagsterInstance.get() as instance:
        assert instance.get_run_by_id(summary.run_id).status == dg.DagsterRunStatus.FAILURE


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (day(5), day(5), "must be after start"),
        (date(2025, 12, 31), day(3), "before the first partition 2026-01-01"),
        (day(10), day(21), "the day 2026-01-20 has not ended yet"),
    ],
)
def test_ranges_outside_the_partitions_are_refused(start, end, message):
    with pytest.raises(RangeError, match=message):
        check_range(start, end, date(2026, 1, 1), date(2026, 1, 19))
    check_range(day(1), day(20), date(2026, 1, 1), date(2026, 1, 19))  # the widest allowed


def test_render_lists_rows_per_asset_and_failures():
    summary = RunSummary(
        success=False,
        run_id="r1",
        days=Window(day(2), day(4)),
        seconds=1.25,
        rows={"raw/users": 2, "raw/events": 1500},
        failed_steps=("raw__users: boom",),
        failed_checks=("raw/events:fresh (blocking)",),
    )
    assert summary.render() == "\n".join(
        [
            "run r1 FAILED in 1.2 s: [2026-01-02, 2026-01-04), 2 days",
            "  raw/events         1,500 rows",
            "  raw/users              2 rows",
            "  total              1,502 rows",
            "  failed step  raw__users: boom",
            "  failed check raw/events:fresh (blocking)",
        ]
    )


def assert_each_check_recorded_under_each_day(summary: RunSummary) -> None:
    """Dagster plans a partitioned check once per day of the range; each day must end with
    its own result (the UI's Partitions tab of the check), none left "planned" (Skipped)."""
    from analytics_assets.definitions import defs

    partitioned = [
        spec.key
        for checks in defs.asset_checks or []
        for spec in checks.check_specs
        if spec.partitions_def is not None
    ]
    assert partitioned
    with dg.DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        recorded = {}
        for key in partitioned:
            for record in storage.get_asset_check_execution_history(key, limit=100):
                if record.run_id == summary.run_id:
                    recorded.setdefault(key, {})[record.partition] = record.status.value
        # The UI reads a partition's check as current (not "Missing") only when its
        # evaluation names the partition's latest materialization.
        infos = storage.get_asset_check_partition_info(list(recorded))
    stale = [
        (info.check_key.to_user_string(), info.partition_key)
        for info in infos
        if info.latest_target_materialization_storage_id != info.latest_materialization_storage_id
    ]
    assert stale == []
    ran = {key for key in recorded}
    assert ran, "no partitioned check ran"
    for key in ran:
        assert set(recorded[key]) == {"2026-01-02", "2026-01-03"}, key
        assert set(recorded[key].values()) <= {"SUCCEEDED", "FAILED"}, (key, recorded[key])
    # A check that passed over the range passed on each of its days.
    failed = {check.split(" ")[0] for check in summary.failed_checks}
    passed = [k for k in ran if f"{k.asset_key.to_user_string()}:{k.name}" not in failed]
    assert passed
    for key in passed:
        assert set(recorded[key].values()) == {"SUCCEEDED"}, key
