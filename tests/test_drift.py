"""Late data beyond the lookback: the drift sensor finds the days whose source and raw
counts disagree and re-stages them in one ranged run.

The pure helpers are tested on fixed dates; the sensor runs on real databases, with rows
placed relative to today (the sensor looks at the 30 days before the lookback of today).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import dagster as dg
import pytest
from support.raw import execute, fetch, insert

from analytics_assets.drift import (
    DRIFT_SENSOR,
    ROLLUP_SENSOR,
    DayDrift,
    DriftCursor,
    drift_request,
    drift_run_key,
    drift_sensor,
    drift_window,
    find_drift,
    not_yet_requested,
    rollup_requests,
    rollup_sensor,
)
from analytics_assets.grains import DAILY
from analytics_assets.instance import ensure_dagster_home
from analytics_assets.raw.loader import load_window
from analytics_assets.resources import Databases
from analytics_assets.source.tables import source_tables
from analytics_assets.window import Window

START = "dagster/asset_partition_range_start"
END = "dagster/asset_partition_range_end"
FIRST = date(2026, 1, 1)
EVENTS, USERS = source_tables()["events"], source_tables()["users"]


def nov(n: int) -> date:
    return date(2026, 11, n)


# --- pure helpers -------------------------------------------------------------------------


def test_the_window_is_the_30_days_before_the_lookback():
    # today 21 Nov, lookback 3: the daily run of today stages 17 .. 20 Nov, so 16 Nov is the
    # last day no schedule will stage again; 30 days back from today is 22 Oct
    assert drift_window(nov(21), 3, FIRST) == Window(date(2026, 10, 22), nov(17))
    assert drift_window(nov(21), 0, FIRST) == Window(date(2026, 10, 22), nov(20))
    # never before the first partition, and nothing while the lookback covers every day
    assert drift_window(date(2026, 1, 10), 3, FIRST) == Window(FIRST, date(2026, 1, 6))
    assert drift_window(date(2026, 1, 5), 3, FIRST) is None


def test_append_only_tables_drift_both_ways_mutable_ones_only_when_the_source_has_more():
    source = {nov(2): 3, nov(3): 1, nov(5): 2}
    raw = {nov(2): 3, nov(3): 2, nov(4): 1}

    assert find_drift(EVENTS, source, raw) == [
        DayDrift("events", nov(3), 1, 2),  # a row deleted at the source
        DayDrift("events", nov(4), 0, 1),
        DayDrift("events", nov(5), 2, 0),  # late rows
    ]
    # a mutable row updated later lives on its new day in the source: raw having more is
    # expected there, and re-staging would not change it
    assert find_drift(USERS, source, raw) == [DayDrift("users", nov(5), 2, 0)]
    assert find_drift(EVENTS, source, dict(source)) == []


def test_one_request_covers_every_drifted_day_and_says_why():
    drifts = [
        DayDrift("payments", nov(9), 1, 0),
        DayDrift("events", nov(3), 5, 4),
        DayDrift("events", nov(6), 0, 2),
    ]
    request = drift_request(drifts, 4)

    assert request.job_name == DAILY.job
    assert (request.tags[START], request.tags[END]) == ("2026-11-03", "2026-11-09")
    assert request.tags["analytics/trigger"] == "drift"
    assert request.tags["analytics/window"] == "2026-11-03...2026-11-09"
    assert request.tags["analytics/drift"] == (
        "3 drifted day(s) in 2 table(s): events, payments; see quality.drift_log"
    )
    # the key numbers the request and digests the findings, whatever their order
    assert request.run_key.startswith("drift-4-")
    assert request.run_key == drift_run_key(list(reversed(drifts)), 4)
    assert request.run_key != drift_run_key(drifts, 5)
    assert request.run_key != drift_run_key([DayDrift("payments", nov(9), 2, 0), *drifts[1:]], 4)


def test_the_cursor_holds_what_was_requested_with_its_counts():
    drifts = [DayDrift("events", nov(3), 5, 4), DayDrift("users", nov(4), 1, 0)]
    cursor = DriftCursor({"events|2026-11-01": [1, 0]}, 2).after(drifts, requested_now=True)
    assert json.loads(cursor.encode()) == {
        "requested": {"events|2026-11-03": [5, 4], "users|2026-11-04": [1, 0]},
        "requests": 3,
    }

    requested = DriftCursor.decode(cursor.encode()).requested
    assert not_yet_requested(drifts, requested) == []
    # one more late row on 3 Nov: asked for again
    later = [DayDrift("events", nov(3), 6, 4), DayDrift("users", nov(4), 1, 0)]
    assert not_yet_requested(later, requested) == [DayDrift("events", nov(3), 6, 4)]
    # the days that agree again are forgotten
    assert DriftCursor.decode(cursor.encode()).after([], requested_now=False) == DriftCursor({}, 3)
    assert DriftCursor.decode(None) == DriftCursor({}, 0) == DriftCursor.decode("")


def test_after_a_drift_run_the_ended_weeks_and_months_it_touched_are_rolled_up_again():
    tags = {START: "2026-10-28", END: "2026-11-03", "analytics/trigger": "drift"}
    weekly, monthly = rollup_requests("r1", tags, nov(21))

    # Wed 28 Oct is in the week of Mon 26 Oct, Tue 3 Nov in the week of Mon 2 Nov
    assert (weekly.job_name, weekly.tags[START], weekly.tags[END]) == (
        "weekly_metrics",
        "2026-10-26",
        "2026-11-02",
    )
    # October has ended; November has not (as of 21 Nov)
    assert (monthly.job_name, monthly.tags[START], monthly.tags[END]) == (
        "monthly_metrics",
        "2026-10-01",
        "2026-10-01",
    )
    assert weekly.run_key == "r1:weekly_metrics" and monthly.run_key == "r1:monthly_metrics"
    # a run of the daily schedule is not a drift re-stage; an unended week is not requested
    assert rollup_requests("r2", {**tags, "analytics/trigger": "schedule"}, nov(21)) == []
    assert rollup_requests("r3", {**tags, START: "2026-11-18", END: "2026-11-18"}, nov(21)) == []


# --- on real databases --------------------------------------------------------------------

TODAY = datetime.now(UTC).date()


def ago(days: int, hour: int = 12) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days), time(hour), tzinfo=UTC)


def day_ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
def env(env, monkeypatch):
    """conftest's `env`, with a lookback of 3 days and the instance made."""
    monkeypatch.setenv("ANALYTICS_LOOKBACK_DAYS", "3")
    monkeypatch.delenv("ANALYTICS_START_DATE", raising=False)
    ensure_dagster_home()
    return env


def stage(dbs, start: date, end: date) -> None:
    """What the daily runs did before the late rows arrived: every table over [start, end)."""
    for table in source_tables().values():
        load_window(dbs.source, dbs.warehouse, table, Window(start, end), FIRST)


def evaluate(dbs, instance, cursor: str | None = None) -> dg.SensorResult:
    context = dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={
            "databases": Databases(
                source_database_url=dbs.source, warehouse_database_url=dbs.warehouse
            )
        },
    )
    return drift_sensor()(context)


def test_rows_older_than_the_lookback_are_found_and_staged_in_one_run(env):
    from analytics_assets.definitions import defs

    insert(
        env.source,
        "events",
        [
            {"id": 1, "occurred_at": ago(10)},
            {"id": 2, "occurred_at": ago(8)},
            {"id": 3, "occurred_at": ago(2)},
        ],
    )
    insert(env.source, "users", [{"id": 1, "updated_at": ago(9)}])
    stage(env, day_ago(20), TODAY)
    # Then late rows reach the source, all but one before the lookback (today - 4 and older):
    insert(
        env.source,
        "events",
        [
            {"id": 4, "occurred_at": ago(10, 6)},  # late, beside event 1
            {"id": 5, "occurred_at": ago(2, 6)},  # late, but the daily lookback takes it
        ],
    )
    insert(env.source, "payments", [{"id": 1, "created_at": ago(6)}])
    insert(env.source, "users", [{"id": 2, "updated_at": ago(15)}])
    execute(env.source, "delete from app.events where id = 2")  # gone at the source

    with dg.DagsterInstance.get() as instance:
        result = evaluate(env, instance)

        [request] = result.run_requests
        # drifted: users 15 days ago, events 10 and 8 days ago, payments 6 days ago
        assert (request.tags[START], request.tags[END]) == (
            day_ago(15).isoformat(),
            day_ago(6).isoformat(),
        )
        assert request.job_name == DAILY.job
        assert request.tags["analytics/drift"] == (
            "4 drifted day(s) in 3 table(s): events, payments, users; see quality.drift_log"
        )
        logged = fetch(
            env.warehouse,
            "select table_name, day, source_rows, raw_rows, run_key from quality.drift_log "
            "order by day, table_name",
        )
        assert logged == [
            ("users", day_ago(15), 1, 0, request.run_key),
            ("events", day_ago(10), 2, 1, request.run_key),
            ("events", day_ago(8), 0, 1, request.run_key),
            ("payments", day_ago(6), 1, 0, request.run_key),
        ]
        assert set(DriftCursor.decode(result.cursor).requested) == {
            f"users|{day_ago(15)}",
            f"events|{day_ago(10)}",
            f"events|{day_ago(8)}",
            f"payments|{day_ago(6)}",
        }

        # Execute the requested run: the pipeline job with the request's tags, its raw
        # assets only (the dbt layers and the checks are tested on their own).
        raw_keys = {dg.AssetKey(["raw", name]) for name in source_tables()}
        job = defs.resolve_job_def(request.job_name)
        subset = job.get_subset(asset_selection=raw_keys, asset_check_selection=set())
        run = subset.execute_in_process(instance=instance, tags=request.tags)
        assert run.success
        assert fetch(env.warehouse, "select id from raw.events order by id") == [(1,), (3,), (4,)]
        assert fetch(env.warehouse, "select id from raw.payments") == [(1,)]
        assert fetch(env.warehouse, "select id from raw.users order by id") == [(1,), (2,)]

        # The next tick finds nothing left to do, and forgets what it requested.
        after = evaluate(env, instance, result.cursor)
        assert after.run_requests in (None, [])
        assert after.skip_reason.skip_message.startswith("no drift: source and raw agree")
        assert DriftCursor.decode(after.cursor) == DriftCursor({}, 1)
        assert fetch(env.warehouse, "select count(*) from quality.drift_log") == [(4,)]

        # The drift run's success asks for the weekly and monthly rollups of its days.
        dagster_run = instance.get_run_by_id(run.run_id)
        context = dg.build_run_status_sensor_context(
            sensor_name=ROLLUP_SENSOR,
            dagster_event=run.get_run_success_event(),
            dagster_instance=instance,
            dagster_run=dagster_run,
        )
        rollups = {r.job_name: (r.tags[START], r.tags[END]) for r in rollup_sensor()(context)}
        monday = TODAY - timedelta(days=TODAY.weekday())
        last_week = min(day_ago(6) - timedelta(days=day_ago(6).weekday()), monday - timedelta(7))
        first_week = day_ago(15) - timedelta(days=day_ago(15).weekday())
        assert rollups["weekly_metrics"] == (first_week.isoformat(), last_week.isoformat())
        this_month = TODAY.replace(day=1)
        previous_month = (this_month - timedelta(days=1)).replace(day=1)
        first_month = day_ago(15).replace(day=1)
        if first_month < this_month:  # a month that has ended holds a drifted day
            last_month = min(day_ago(6).replace(day=1), previous_month)
            assert rollups["monthly_metrics"] == (first_month.isoformat(), last_month.isoformat())
        else:
            assert "monthly_metrics" not in rollups


def test_a_drift_that_a_restage_cannot_fix_is_requested_once(env):
    # Key 7 twice in the source, on two days: raw keeps the newer version only, so the
    # older day counts one row less in raw for good.
    insert(
        env.source,
        "users",
        [
            {"id": 7, "updated_at": ago(12)},
            {"id": 7, "updated_at": ago(9)},
        ],
    )
    # staged day after day as the schedule does: the newer version replaces the older one
    stage(env, day_ago(20), day_ago(11))
    stage(env, day_ago(11), TODAY)
    assert fetch(env.warehouse, "select count(*) from raw.users") == [(1,)]

    with dg.DagsterInstance.get() as instance:
        first = evaluate(env, instance)
        [request] = first.run_requests
        assert (request.tags[START], request.tags[END]) == ((day_ago(12).isoformat(),) * 2)
        stage(env, day_ago(12), day_ago(11))  # what the run does: nothing changes

        again = evaluate(env, instance, first.cursor)
        assert again.run_requests in (None, [])
        assert again.skip_reason.skip_message.startswith(
            f"1 drifted day(s) already requested with these counts: "
            f"users {day_ago(12)} (source 1, raw 0)"
        )
        assert again.cursor == first.cursor
        # without the cursor it would ask again: the cursor is what stops the loop
        assert evaluate(env, instance).run_requests


def test_the_days_of_a_failed_drift_run_are_requested_again(env):
    from analytics_assets.definitions import defs

    stage(env, day_ago(20), TODAY)
    insert(env.source, "payments", [{"id": 1, "created_at": ago(7)}])  # late
    # and the source breaks the contract: loading payments fails (counting still works)
    execute(env.source, "alter table app.payments drop column currency")

    with dg.DagsterInstance.get() as instance:
        first = evaluate(env, instance)
        [request] = first.run_requests
        job = defs.resolve_job_def(request.job_name)
        subset = job.get_subset(
            asset_selection={dg.AssetKey(["raw", "payments"])}, asset_check_selection=set()
        )
        failed = subset.execute_in_process(
            instance=instance, tags=request.tags, raise_on_error=False
        )
        assert not failed.success

        retry = evaluate(env, instance, first.cursor)
        [again] = retry.run_requests
        assert (again.tags[START], again.tags[END]) == ((day_ago(7).isoformat(),) * 2)
        assert again.run_key.startswith("drift-2-") and request.run_key.startswith("drift-1-")
        assert fetch(env.warehouse, "select run_key from quality.drift_log order by 1") == [
            (request.run_key,),
            (again.run_key,),
        ]


def test_the_sensors_are_in_the_definitions_and_stopped():
    from analytics_assets.definitions import defs

    for name in (DRIFT_SENSOR, ROLLUP_SENSOR):
        assert defs.get_sensor_def(name).default_status == dg.DefaultSensorStatus.STOPPED
    assert defs.get_sensor_def(DRIFT_SENSOR).job_name == DAILY.job
