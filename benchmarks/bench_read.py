"""Reading one metric series for a year: analytics_aggregates vs the marts, p95 latency.

    python -m benchmarks.bench_read [--events-per-day 50000] [--users N] [--reads 30]
        [--server postgresql://postgres@127.0.0.1:5432/postgres] [--smoke]

The series is the DAU of 2025 (365 days). The app reads it from the aggregates table as
METRICS.md publishes it; without that table, a BI tool would compute it from the marts.

1. Real tables. In two scratch databases (source, warehouse; dropped at the end): a tiny
   demo source (30 users, February 2026) is staged with the real raw loader, then dbt,
   in this process, builds staging, marts and the daily metrics over the month, the
   weekly metrics over its three complete ISO weeks and the monthly ones over February,
   with the windows the pipeline's partitions pass (as tests/test_aggregates_consistency
   does; Dagster's own runs would add minutes of fixed cost and change no table). So
   marts.fct_events, marts.dim_users and analytics.analytics_aggregates are the tables
   dbt builds, with their real columns and indexes. The marts query below is checked
   against the DAU dbt computed for that month, so it is the metric's definition.
2. A year of data, in SQL (generate_series), then ANALYZE:
   - analytics_aggregates: the tiny run's rows give the shape, one template per
     (metric_type, grain, dimension): same metric types, dimensions and JSON keys. Each is
     repeated for every day, ISO week and month bucket starting in 2025, with the id the
     dbt macro computes; the DAU rows then get the DAU of the filled marts.
   - marts.dim_users: --users users (default: 2 per 5 events a day), 1% of them admins.
   - marts.fct_events: --events-per-day events on each day of 2025, by day as the
     incremental model appends them, with its three indexes rebuilt after the fill.
     A day's events come from a pool of events/8 users (60% of it on weekends, so DAU
     has a weekly shape), drawn by a hash; 2% are anonymous (no user).
3. N reads of each, interleaved (the order alternating each round), after one untimed
   read of each; one connection per side, kept open as an app's pool would:
   (a) aggregates: the app's query (metric_type, grain and a time_bucket range: the
       unique index's leading columns), rows fetched and `active_users` read from `data`;
   (b) marts: count of distinct non-admin users per UTC day of marts.fct_events joined
       to marts.dim_users over the year.
   Every read's series must equal the first one's. Prints p50/p95/p99 of both and the
   ratio of the p95s, then RESULT lines for benchmarks/run.py.

`--smoke`: 500 events a day and 20 reads, to show it works (CI); its timings mean nothing.
The server's settings (parallel workers, JIT, work_mem) are its own and are printed.

Duration at the defaults (18,250,000 events, 4 GB with indexes) on the 2-core development
machine, shared with other work: about 4 minutes of fill, then 20-45 s per marts read, so
the default 30 reads take about 15 minutes in all (200 would take well over an hour).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql

from analytics_assets.db import connect, drop_database, ensure_database, with_database
from benchmarks.run import result_line

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
YEAR_START, YEAR_END = datetime(2025, 1, 1), datetime(2026, 1, 1)
DAU_METRIC, DAU_GRAIN, DAU_KEY = "engagement.active_users", "day", "active_users"
EVENTS_PER_ACTIVE_USER = 8
# The tiny run: February 2026 (a Sunday to a Saturday) completes the ISO weeks of Monday
# 2, 9 and 16 February and the month, so every grain's rows exist.
SHAPE_USERS, SHAPE_START, SHAPE_END = 30, date(2026, 2, 1), date(2026, 3, 1)
FIRST_PARTITION = date(2026, 1, 1)  # ANALYTICS_START_DATE's default
SHAPE_WINDOWS = {
    "day": (SHAPE_START, SHAPE_END),
    "week": (date(2026, 2, 2), date(2026, 2, 23)),
    "month": (SHAPE_START, SHAPE_END),
}

# (a) The app's read of one metric series.
AGGREGATES_READ = """
select time_bucket, dimension, data
from analytics.analytics_aggregates
where metric_type = %s and grain = %s and time_bucket >= %s and time_bucket < %s
order by time_bucket
"""
# (b) The same series from the marts: active user on day d = a non-admin user with a
# valid event (every row of the mart is one) whose occurred_at falls on d in UTC.
MARTS_SERIES = """
select date_trunc('day', e.occurred_at at time zone 'UTC') as day,
       count(distinct e.user_id) as active_users
from marts.fct_events as e
join marts.dim_users as u on u.user_id = e.user_id
where u.role is distinct from 'admin'
  and e.occurred_at at time zone 'UTC' >= %s
  and e.occurred_at at time zone 'UTC' < %s
group by 1
"""
MARTS_READ = MARTS_SERIES + "order by 1\n"

Series = dict[datetime, int]


# --- 1. the real tables -------------------------------------------------------------------


def build_real_tables(source_url: str, warehouse_url: str) -> None:
    """The tiny demo source, staged with the raw loader; dbt builds every layer on it."""
    from analytics_assets.dbt.project import dbt_env
    from analytics_assets.raw.loader import load_window
    from analytics_assets.source.tables import source_tables
    from analytics_assets.window import Window
    from demo_source.ddl import init_source
    from demo_source.generator import GenerationSpec, generate

    init_source(source_url)
    days = (SHAPE_END - SHAPE_START).days
    last_day = SHAPE_END - timedelta(days=1)
    generate(source_url, GenerationSpec(users=SHAPE_USERS, days=days, end=last_day, seed=7))
    window = Window(SHAPE_START, SHAPE_END)
    for table in source_tables().values():
        load_window(source_url, warehouse_url, table, window, FIRST_PARTITION)
    # dbt's profile reads the warehouse from the environment (this process is ours).
    os.environ.update(dbt_env(warehouse_url))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    with tempfile.TemporaryDirectory(prefix="bench_read_dbt_") as target:
        run_dbt(Path(target))


def run_dbt(target: Path) -> None:
    """dbt build (models and snapshots: the tests check the tiny data, not the bench) of
    each grain over its window, in this process with one parse."""
    from dbt.cli.main import dbtRunner

    from analytics_assets.dbt.assets import WAREHOUSE_SELECT
    from analytics_assets.settings import DBT_PROJECT_DIR

    common = [
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target), "--log-path", str(target), "--quiet",
    ]  # fmt: skip
    parsed = dbtRunner().invoke(["parse", *common])
    if not parsed.success:
        raise SystemExit(f"dbt parse failed: {parsed.exception}")
    runner = dbtRunner(manifest=parsed.result)
    selections = {
        "day": [*WAREHOUSE_SELECT.split(), "path:models/metrics/daily"],
        "week": ["path:models/metrics/weekly"],
        "month": ["path:models/metrics/monthly"],
    }
    for grain, select in selections.items():
        lo, hi = SHAPE_WINDOWS[grain]
        window = json.dumps({"window_start": lo.isoformat(), "window_end": hi.isoformat()})
        args = ["build", "--select", *select, "--exclude-resource-type", "test"]
        result = runner.invoke([*args, "--vars", window, *common])
        if not result.success:
            raise SystemExit(f"dbt build of the {grain} models failed: {result.exception}")


def check_marts_query(url: str) -> int:
    """The marts query gives the DAU dbt published for the tiny month; the days compared."""
    lo, hi = (datetime.combine(d, datetime.min.time()) for d in SHAPE_WINDOWS["day"])
    with connect(url) as conn:
        published = read_aggregates(conn, lo, hi)
        computed = read_marts(conn, lo, hi)
    if {d: n for d, n in published.items() if n} != computed or not computed:
        raise SystemExit(
            f"the marts query does not give the published DAU:\n  aggregates {published}\n"
            f"  marts      {computed}"
        )
    return len(published)


# --- 2. a year of data --------------------------------------------------------------------

# One template row per (metric_type, grain, dimension): the data of its latest bucket.
_TEMPLATES = """
create temporary table shape as
select distinct on (metric_type, grain, dimension) metric_type, grain, dimension, data
from analytics.analytics_aggregates
order by metric_type, grain, dimension, time_bucket desc
"""
# Every bucket of each template's grain that starts in the year; the id as
# macros/metrics/aggregates.sql (aggregate_id) computes it.
_AGGREGATES_FILL = """
insert into analytics.analytics_aggregates (id, metric_type, grain, time_bucket, dimension, data)
select md5(s.metric_type || '|' || s.grain || '|'
           || to_char(b.bucket, 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' || s.dimension)::uuid,
       s.metric_type, s.grain, b.bucket, s.dimension, s.data
from shape as s
cross join lateral generate_series(
    date_trunc(s.grain, %(lo)s::timestamp), %(hi)s::timestamp - interval '1 day',
    ('1 ' || s.grain)::interval
) as b (bucket)
where b.bucket >= %(lo)s::timestamp
"""
_USERS_FILL = """
insert into marts.dim_users (user_id, email_hash, role, is_internal, country_code,
                             is_verified, created_at, signup_date, is_deleted, updated_at)
select u, md5('user' || u),
       case when u %% 100 = 0 then 'admin' when u %% 10 = 1 then 'mentor' else 'student' end,
       u %% 100 = 0, (array['US', 'DE', 'FR', 'IN', 'BR'])[u %% 5 + 1], u %% 3 > 0,
       timestamptz '2024-06-01 00:00+00' + (u %% 180) * interval '1 day',
       date '2024-06-01' + u %% 180, false, timestamptz '2024-12-01 00:00+00'
from generate_series(1, %(users)s) as u
"""
# Event g of day d: a user of the day's pool (smaller on weekends), one session per user
# and day, JSON properties, a time of day; 2% anonymous.
_EVENTS_FILL = """
insert into marts.fct_events (event_id, user_id, session_id, event_type, event_name, page_url,
                              properties, occurred_at, received_at, event_date,
                              arrival_delay_seconds)
select d::bigint * %(per_day)s + g + 1,
       case when g %% 50 = 0 then null else u.user_id end,
       md5(d || '/' || u.user_id)::uuid,
       (array['page_view','click','conversion','signup','login','search'])[g %% 6 + 1],
       'event_' || (g %% 40), '/page/' || (g %% 1000),
       jsonb_build_object('plan', 'p' || (g %% 3), 'value', g %% 97),
       t.day + ((g::bigint * 7919) %% 86400) * interval '1 second',
       t.day + ((g::bigint * 7919) %% 86400) * interval '1 second' + interval '5 second',
       (t.day at time zone 'UTC')::date, 5
from generate_series(%(d0)s, %(d1)s - 1) as d,
     lateral (select %(first)s::timestamptz + d * interval '1 day' as day) as t,
     lateral (select greatest(1, (%(pool)s * case when extract(isodow from t.day
                 at time zone 'UTC') > 5 then 0.6 else 1 end)::int) as pool) as p,
     lateral generate_series(0, %(per_day)s - 1) as g,
     lateral (select 1 + abs(hashint8(d::bigint * 1000003 + g %% p.pool)) %% %(users)s
              as user_id) as u
"""
# The published DAU of each day = the marts' (days without activity stay at the template).
_DAU_FILL = f"""
update analytics.analytics_aggregates as a
set data = jsonb_set(a.data, '{{{DAU_KEY}}}', to_jsonb(m.active_users))
from ({MARTS_SERIES}) as m
where a.metric_type = '{DAU_METRIC}' and a.grain = '{DAU_GRAIN}' and a.time_bucket = m.day
"""


def fill_year(url: str, events_per_day: int, users: int, chunk_days: int = 30) -> None:
    """A year of aggregates and events (printing progress), then ANALYZE."""
    days = (YEAR_END - YEAR_START).days
    bounds = {"lo": YEAR_START, "hi": YEAR_END}
    with connect(url, autocommit=True) as conn:
        conn.execute(_TEMPLATES)
        conn.execute("truncate analytics.analytics_aggregates")
        conn.execute(_AGGREGATES_FILL, bounds)
        conn.execute("truncate marts.fct_events, marts.dim_users")
        conn.execute(_USERS_FILL, {"users": users})
        # Dropping the indexes and building them after the fill is much faster than
        # maintaining them row by row; they are the model's own (see fct_events.sql).
        indexes = [
            (name, definition)
            for name, definition in conn.execute(
                "select indexname, indexdef from pg_indexes"
                " where schemaname = 'marts' and tablename = 'fct_events'"
            )
        ]
        for name, _ in indexes:
            conn.execute(sql.SQL("drop index marts.{}").format(sql.Identifier(name)))
        params = {
            "per_day": events_per_day,
            "pool": max(1, events_per_day // EVENTS_PER_ACTIVE_USER),
            "users": users,
            "first": YEAR_START.strftime("%Y-%m-%d 00:00:00+00"),
        }
        began = time.perf_counter()
        for d0 in range(0, days, chunk_days):
            d1 = min(days, d0 + chunk_days)
            conn.execute(_EVENTS_FILL, {**params, "d0": d0, "d1": d1})
            print(
                f"  events: days {d1}/{days}, {d1 * events_per_day:,} rows, "
                f"{time.perf_counter() - began:.0f} s",
                flush=True,
            )
        for name, definition in indexes:
            conn.execute(definition)
            print(f"  index {name} rebuilt, {time.perf_counter() - began:.0f} s", flush=True)
        for table in ("marts.dim_users", "marts.fct_events"):
            conn.execute(f"analyze {table}")
        conn.execute(_DAU_FILL, (YEAR_START, YEAR_END))
        conn.execute("analyze analytics.analytics_aggregates")


def describe(url: str) -> str:
    """Rows and sizes of the filled tables, and the server settings that move the reads."""
    with connect(url) as conn:
        lines = []
        for table in ("analytics.analytics_aggregates", "marts.fct_events", "marts.dim_users"):
            row = conn.execute(
                f"select count(*), pg_size_pretty(pg_total_relation_size('{table}')) from {table}"
            ).fetchone()
            assert row is not None
            lines.append(f"  {table}: {row[0]:,} rows, {row[1]} with indexes")
        settings = conn.execute(
            "select string_agg(name || '=' || setting, ' ' order by name) from pg_settings"
            " where name in ('jit', 'max_parallel_workers_per_gather', 'work_mem',"
            " 'shared_buffers', 'server_version')"
        ).fetchone()
        lines.append(f"  server: {settings[0] if settings else '?'}")
        # How each read reaches its rows (the plan's scans), to see that (a) uses the index.
        for name, query, params in (
            ("aggregates", AGGREGATES_READ, (DAU_METRIC, DAU_GRAIN, YEAR_START, YEAR_END)),
            ("marts", MARTS_READ, (YEAR_START, YEAR_END)),
        ):
            plan = [row[0] for row in conn.execute("explain " + query, params)]
            scans = [line.strip(" ->") for line in plan if "Scan" in line]
            lines.append(f"  plan of the {name} read: {'; '.join(scans)}")
    return "\n".join(lines)


# --- 3. the reads -------------------------------------------------------------------------


def read_aggregates(conn: psycopg.Connection, lo: datetime, hi: datetime) -> Series:
    rows = conn.execute(AGGREGATES_READ, (DAU_METRIC, DAU_GRAIN, lo, hi)).fetchall()
    return {bucket: int(data[DAU_KEY]) for bucket, _dimension, data in rows}


def read_marts(conn: psycopg.Connection, lo: datetime, hi: datetime) -> Series:
    return {day: int(n) for day, n in conn.execute(MARTS_READ, (lo, hi)).fetchall()}


@dataclass
class Side:
    """One way of reading the series, on its own connection; the series its first read
    returned, which every later read must return too."""

    name: str
    read: Callable[[psycopg.Connection, datetime, datetime], Series]
    conn: psycopg.Connection
    expected: Series | None = None

    def timed(self) -> float:
        """Seconds of one read of the year (query, fetch, decoding)."""
        began = time.perf_counter()
        series = self.read(self.conn, YEAR_START, YEAR_END)
        elapsed = time.perf_counter() - began
        if self.expected is None:
            self.expected = series
        elif series != self.expected:
            raise SystemExit(f"{self.name}: a read returned another series than the first")
        return elapsed


def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50, p95, p99 (inclusive method: within the observed range even for few reads)."""
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


def time_reads(url: str, reads: int) -> tuple[dict[str, float], dict[str, float]]:
    """Interleaved timed reads of both sides; their percentiles (seconds)."""
    with connect(url, autocommit=True) as agg_conn, connect(url, autocommit=True) as mart_conn:
        sides = [
            Side("aggregates", read_aggregates, agg_conn),
            Side("marts", read_marts, mart_conn),
        ]
        for side in sides:
            side.timed()  # untimed: warms the caches, keeps the series to compare with
        aggregates, marts = sides
        nonzero = {d: n for d, n in (aggregates.expected or {}).items() if n}
        days = (YEAR_END - YEAR_START).days
        if nonzero != marts.expected or len(aggregates.expected or {}) != days:
            raise SystemExit("the aggregates and the marts do not give the same DAU series")
        times: dict[str, list[float]] = {"aggregates": [], "marts": []}
        step = max(1, reads // 10)
        for n in range(reads):
            # Alternate the order so that neither side always runs right after the other.
            for side in sides if n % 2 == 0 else sides[::-1]:
                times[side.name].append(side.timed())
            if (n + 1) % step == 0 or n + 1 == reads:
                print(
                    f"  reads {n + 1}/{reads}: median aggregates "
                    f"{statistics.median(times['aggregates']) * 1000:.2f} ms, marts "
                    f"{statistics.median(times['marts']) * 1000:.1f} ms",
                    flush=True,
                )
    return percentiles(times["aggregates"]), percentiles(times["marts"])


# --- command line -------------------------------------------------------------------------


def report(agg: dict[str, float], marts: dict[str, float], reads: int, scale: str) -> None:
    print(f"\n{'reads of the DAU series of 2025':<34}{'p50':>10}{'p95':>10}{'p99':>10}")
    for name, p in (("analytics_aggregates (ms)", agg), ("marts (ms)", marts)):
        print(f"{name:<34}" + "".join(f"{p[k] * 1000:>10.2f}" for k in ("p50", "p95", "p99")))
    ratio = marts["p95"] / agg["p95"]
    print(f"marts p95 / aggregates p95: {ratio:,.0f}x ({reads} reads of each, interleaved)")
    records: list[tuple[str, float, str]] = [
        *((f"aggregates {k}", v * 1000, "ms") for k, v in agg.items()),
        *((f"marts {k}", v * 1000, "ms") for k, v in marts.items()),
        ("marts p95 / aggregates p95", ratio, "x"),
    ]
    for measure, value, unit in records:
        print(result_line("read", measure, value, unit, scale))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events-per-day", type=int, default=50_000)
    parser.add_argument("--users", type=int, help="users (default: 2 per 5 events a day)")
    parser.add_argument("--reads", type=int, default=30, help="timed reads of each side")
    parser.add_argument("--server", default=DEFAULT_SERVER, help="libpq URL of a server")
    parser.add_argument("--smoke", action="store_true", help="500 events a day, 20 reads")
    args = parser.parse_args(argv)
    if args.smoke:
        args.events_per_day, args.reads = 500, 20
    users = args.users or max(100, args.events_per_day * 2 // 5)

    tag = uuid.uuid4().hex[:8]
    source_url = with_database(args.server, f"bench_read_src_{tag}")
    warehouse_url = with_database(args.server, f"bench_read_wh_{tag}")
    for url in (source_url, warehouse_url):
        ensure_database(url)
    try:
        began = time.perf_counter()
        print("building the real tables: a tiny source, the raw loader, dbt", flush=True)
        build_real_tables(source_url, warehouse_url)
        days = check_marts_query(warehouse_url)
        print(
            f"real tables built by dbt over a tiny source in {time.perf_counter() - began:.0f} s;"
            f" the marts query gives dbt's DAU on its {days} days",
            flush=True,
        )
        began = time.perf_counter()
        print(f"filling 2025: {args.events_per_day:,} events a day, {users:,} users", flush=True)
        fill_year(warehouse_url, args.events_per_day, users)
        print(f"filled in {time.perf_counter() - began:.0f} s\n{describe(warehouse_url)}")
        agg, marts = time_reads(warehouse_url, args.reads)
    finally:
        for url in (source_url, warehouse_url):
            drop_database(url)
    scale = f"{args.events_per_day:,} events/day x 365 days, {args.reads} reads"
    report(agg, marts, args.reads, scale)


if __name__ == "__main__":
    main()
