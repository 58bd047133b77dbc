"""Validating one day of the events fact with its GX suite vs one hand-written SQL query.

    python -m benchmarks.bench_quality [--days 30] [--rows-per-day 50000] [--repeat 5]

Builds, in a scratch database, marts.fct_events (the largest relation a suite checks) with
`--days` daily partitions of `--rows-per-day` events each, like the dbt model lays it out
(no index: dbt builds none). Its keys, enumerations and foreign keys are dbt tests, not the
suite's: the suite checks ranges, the UTC day and the JSON properties. A few rows of the
measured day break its rules, so both sides have something to find, and the benchmark
first checks that they find the same counts. Then, in one process (GX imported once, before
timing, as in a Dagster run that has already imported it), it alternates between:
- gx: `quality.runner.validate` of the suite fct_events.json on that day's window
  (an ephemeral GX context, the day copied to a temporary table, every expectation as SQL,
  samples of unexpected values included);
- sql: one hand-written query computing the same rules' unexpected counts in one pass.
Prints the medians and the ratio gx / sql.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from analytics_assets.db import connect, drop_database, ensure_database, with_database
from analytics_assets.quality.runner import SuiteResult, validate
from analytics_assets.quality.suite import load_suites
from analytics_assets.window import Window
from benchmarks.run import result_line

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
FIRST_DAY = date(2026, 3, 1)

_SCHEMA = """
create schema if not exists marts;
create table marts.fct_events (
  event_id bigint, user_id bigint, session_id uuid, event_type text, event_name text,
  page_url text, properties jsonb, occurred_at timestamptz, received_at timestamptz,
  event_date date, arrival_delay_seconds numeric
);
"""
# Event g of day d: a user, a session, a type, JSON properties, on the day in UTC.
_EVENTS = """
insert into marts.fct_events
select g, g %% %(users)s + 1, md5((g %% %(sessions)s + 1)::text)::uuid,
       (array['page_view','click','conversion','signup','login','search'])[g %% 6 + 1],
       'event_' || (g %% 40), '/page/' || (g %% 1000),
       jsonb_build_object('plan', 'p' || (g %% 3), 'value', g %% 97),
       day + (g %% 86400) * interval '1 second',
       day + (g %% 86400) * interval '1 second' + interval '5 second',
       (day at time zone 'UTC')::date, 5
from generate_series(0, %(days)s - 1) as d,
     lateral (select %(first)s::timestamptz + d * interval '1 day' as day) as t,
     lateral generate_series(d * %(per_day)s + 1, (d + 1) * %(per_day)s) as g
"""
# On the measured day: 3 events dated a day off their occurrence, 1 negative arrival delay,
# 2 properties that are not objects.
_VIOLATIONS = """
update marts.fct_events set occurred_at = occurred_at - interval '1 day'
  where event_id in (%(a)s, %(a)s + 1, %(a)s + 2);
update marts.fct_events set arrival_delay_seconds = -3 where event_id = %(a)s + 40;
update marts.fct_events set properties = '[]' where event_id in (%(a)s + 50, %(a)s + 51);
analyze marts.fct_events
"""
# The rules of the suite fct_events.json, unexpected rows counted as GX counts them.
HAND_WRITTEN = """
with b as materialized (
  select * from marts.fct_events where event_date >= %(lo)s and event_date < %(hi)s
)
select
  count(*) filter (where arrival_delay_seconds < 0) as arrival_delay,
  count(*) filter (where event_date is distinct from (occurred_at at time zone 'UTC')::date)
    as event_date,
  count(*) filter (where properties is null or jsonb_typeof(properties) <> 'object')
    as properties
from b
"""
# Hand-written column -> the suite's expectation it matches.
MATCHES = {
    "arrival_delay": "expect_column_values_to_be_between(arrival_delay_seconds)",
    "event_date": "event_date is the UTC day of occurred_at",
    "properties": "properties is a JSON object",
}


def build(url: str, days: int, per_day: int, users: int, sessions: int, day: int) -> None:
    params = {
        "users": users,
        "sessions": sessions,
        "days": days,
        "per_day": per_day,
        "first": f"{FIRST_DAY.isoformat()} 00:00:00+00",
        "a": day * per_day + 100,
    }
    with connect(url, autocommit=True) as conn:
        conn.execute(_SCHEMA)
        for script in (_EVENTS, _VIOLATIONS):
            # one statement per execute: a statement with parameters must stand alone
            for statement in filter(str.strip, script.split(";\n")):
                conn.execute(statement, params)


def hand_written(url: str, window: Window) -> dict[str, int]:
    with connect(url) as conn:
        cur = conn.execute(HAND_WRITTEN, {"lo": window.start, "hi": window.end})
        row = cur.fetchone()
        assert row is not None and cur.description is not None
        return {col.name: int(value) for col, value in zip(cur.description, row, strict=True)}


def gx_counts(result: SuiteResult) -> dict[str, int]:
    by_label = {o.expectation: o.unexpected_count or 0 for o in result.outcomes}
    return {column: int(by_label[label]) for column, label in MATCHES.items()}


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--rows-per-day", type=int, default=50_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--sessions", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--server", default=DEFAULT_SERVER, help="libpq URL of a server")
    args = parser.parse_args()

    suite = next(s for s in load_suites() if s.name == "fct_events")
    day = args.days // 2  # a day in the middle: the others are read and thrown away
    window = Window.day(FIRST_DAY + timedelta(days=day))
    url = with_database(args.server, f"bench_quality_{uuid.uuid4().hex[:8]}")
    ensure_database(url)
    try:
        began = time.perf_counter()
        build(url, args.days, args.rows_per_day, args.users, args.sessions, day)
        print(
            f"marts.fct_events: {args.days} days x {args.rows_per_day:,} rows "
            f"({args.days * args.rows_per_day:,}), built in {time.perf_counter() - began:.1f} s; "
            f"validating {window.label()}"
        )
        expected = hand_written(url, window)
        found = gx_counts(validate(suite, url, window))  # also imports GX, untimed
        if found != expected:
            raise SystemExit(f"the two sides disagree:\n  gx  {found}\n  sql {expected}")
        print(f"both find the same unexpected rows: {expected}")
        runs: dict[str, list[float]] = {"gx": [], "sql": []}
        for _ in range(args.repeat):
            runs["gx"].append(timed(lambda: validate(suite, url, window)))
            runs["sql"].append(timed(lambda: hand_written(url, window)))
        gx, hand = statistics.median(runs["gx"]), statistics.median(runs["sql"])
        print(f"gx suite ({len(suite.document['expectations'])} expectations): {gx:.3f} s (median)")
        print(f"hand-written query: {hand:.3f} s (median)")
        print(f"ratio gx / sql: {gx / hand:.2f}x")
        scale = f"{args.rows_per_day:,} events/day, 1 of {args.days} days, median of {args.repeat}"
        for measure, value, unit in (
            ("GX suite / hand SQL", gx / hand, "x"),
            ("GX suite median", gx, "s"),
            ("hand SQL median", hand, "s"),
        ):
            print(result_line("quality", measure, value, unit, scale))
    finally:
        drop_database(url)


if __name__ == "__main__":
    main()
