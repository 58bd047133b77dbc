"""A daily run of the metric models reads the days of its window (and the lookback its
metrics need) from the events fact, never the whole of it.

The warehouse: a small demo source (80 users, 1..14 Feb 2026) staged and built into the
marts, the daily metrics built over those days, then a year of older history added to
marts.fct_events (300,000 events of 20,000 other users in 2025), so that the fact is
large beside one day, as it is in production, and the planner's choices mean something.
Then, for the incremental run of one day (14 Feb):

- EXPLAIN of every daily model's compiled SQL, with dbt's session settings: no
  sequential scan of fct_events, and every index scan of it bounded by an index condition;
- the run itself: pg_stat_user_tables counts index scans of fct_events and no new
  sequential scan.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest
from support.databases import make_databases, pick_server
from support.dbt import Dbt, time_window

from analytics_assets.dbt.project import DBT_SESSION_OPTIONS
from analytics_assets.raw.loader import load_window
from analytics_assets.source.tables import source_tables
from analytics_assets.window import Window
from demo_source.generator import GenerationSpec, generate

SPEC = GenerationSpec(users=80, days=14, end=date(2026, 2, 14), seed=5, bad_rate=0.0)
START, END = date(2026, 2, 1), date(2026, 2, 15)
DAY = date(2026, 2, 14)
FIRST_PARTITION = date(2026, 1, 1)
HISTORY_EVENTS = 300_000
DAILY_METRICS = "path:models/metrics/daily"
WAREHOUSE = "path:models/staging path:models/intermediate path:models/marts"
# Daily models that read events (macros/metrics/types: metric_input('events')). Active
# users and segments count active days from user_daily_activity (one row per user and day),
# so they read no event at all.
READ_EVENTS = {
    "fct_metric_engagement_sessions_daily",
    "fct_metric_retention_cohort_daily",
}
NO_EVENTS = {
    "fct_metric_engagement_active_users_daily",
    "fct_metric_segments_users_daily",
}

# A year of events before the demo's first day, of users the demo does not have: one
# event every 105 s through 2025, five to a session.
HISTORY = f"""
insert into marts.fct_events (event_id, user_id, session_id, event_type, event_name,
    page_url, properties, occurred_at, received_at, event_date, arrival_delay_seconds)
select 900000000 + n, 1000000 + n % 20000, md5('history' || n / 5)::uuid, 'page_view',
    'history', null, '{{}}'::jsonb, at, at, (at at time zone 'UTC')::date, 0
from generate_series(1, {HISTORY_EVENTS}) as n,
    lateral (select timestamptz '2025-01-01 00:00+00' + n * interval '105 second' as at) as t
"""


@dataclass(frozen=True)
class Warehouse:
    url: str
    dbt: Dbt


@pytest.fixture(scope="module")
def warehouse(request, tmp_path_factory) -> Iterator[Warehouse]:
    from support.databases import scratch_database

    server = pick_server(request)
    with ExitStack() as stack:
        dbs = make_databases(lambda url: stack.enter_context(scratch_database(url)), server, server)
        generate(dbs.source, SPEC)
        for table in source_tables().values():
            load_window(dbs.source, dbs.warehouse, table, Window(START, END), FIRST_PARTITION)
        dbt = Dbt(dbs.warehouse, tmp_path_factory.mktemp("dbt_target"), parse_once=True)
        dbt.invoke("run", "--select", WAREHOUSE, window=time_window(START, END))
        dbt.invoke("run", "--select", DAILY_METRICS, window=time_window(START, END))
        with psycopg.connect(dbs.warehouse, autocommit=True) as conn:
            conn.execute(HISTORY)
            conn.execute("analyze marts.fct_events")
            [(rows,)] = conn.execute("select count(*) from marts.fct_events").fetchall()
        assert rows > HISTORY_EVENTS  # the history and the demo's own events
        yield Warehouse(dbs.warehouse, dbt)


def event_scans(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Every plan node that reads marts.fct_events (scan nodes name their relation)."""
    found = [plan] if plan.get("Relation Name") == "fct_events" else []
    for child in plan.get("Plans", []):
        found += event_scans(child)
    return found


def unbounded(scan: dict[str, Any]) -> bool:
    """A scan that can read the whole relation: sequential, or an index scan without an
    index condition (a bitmap heap scan is always built from index conditions)."""
    kind = scan["Node Type"]
    if kind in ("Index Scan", "Index Only Scan"):
        return "Index Cond" not in scan
    return kind != "Bitmap Heap Scan"


def test_no_daily_model_plans_a_full_scan_of_the_events_fact(warehouse: Warehouse) -> None:
    result = warehouse.dbt.invoke(
        "compile", "--select", DAILY_METRICS, window=time_window(DAY, DAY + timedelta(1))
    )
    compiled = {
        r.node.name: r.node.compiled_code
        for r in result.result.results
        if r.node.resource_type == "model"
    }
    assert len(compiled) == 19
    scans: dict[str, list[dict[str, Any]]] = {}
    with psycopg.connect(warehouse.url, options=DBT_SESSION_OPTIONS) as conn:
        for name, query in compiled.items():
            [(plans,)] = conn.execute(f"explain (format json) {query}").fetchall()
            scans[name] = event_scans(plans[0]["Plan"])
    assert {name for name, found in scans.items() if found} >= READ_EVENTS
    assert not {name for name, found in scans.items() if found} & NO_EVENTS
    full = {
        name: [(s["Node Type"], s.get("Index Name"), s.get("Filter")) for s in found]
        for name, found in scans.items()
        if any(unbounded(s) for s in found)
    }
    assert full == {}


def stats(url: str) -> tuple[int, int]:
    """(seq_scan, idx_scan) of marts.fct_events, read in a new transaction."""
    with psycopg.connect(url, autocommit=True) as conn:
        [row] = conn.execute(
            "select seq_scan, coalesce(idx_scan, 0) from pg_stat_user_tables "
            "where relid = 'marts.fct_events'::regclass"
        ).fetchall()
    return row


def test_a_daily_run_reads_the_events_fact_through_its_indexes(warehouse: Warehouse) -> None:
    seq_before, idx_before = stats(warehouse.url)
    warehouse.dbt.invoke(
        "run", "--select", DAILY_METRICS, window=time_window(DAY, DAY + timedelta(1))
    )
    # Backends report their counters when their transaction ends (at most ~1 s late).
    deadline = time.monotonic() + 15
    seq_after, idx_after = stats(warehouse.url)
    while idx_after == idx_before and time.monotonic() < deadline:
        time.sleep(0.5)
        seq_after, idx_after = stats(warehouse.url)
    assert idx_after > idx_before, "the run's index scans were counted"
    assert seq_after == seq_before, "no sequential scan of marts.fct_events"
