"""Staging a partition with the raw loader vs a bare COPY of the same rows.

    python -m benchmarks.bench_staging --rows 1000000 [--days 1] [--repeat 5]

Builds a source of N events spread over `--days` daily partitions (generate_series, in
SQL), with a few rows on the days around them that must not be read. Then, in one
process, alternates several times between:
- bare: `COPY (select ...) TO STDOUT | COPY ... FROM STDIN` of the same rows between the
  same two databases, into an empty table without indexes or bookkeeping columns;
- staging: the loader staging the partition(s) into an empty raw.events (a first load);
- re-staging: the loader staging them again over the loaded rows (a rerun: delete +
  COPY in one transaction).
A checkpoint runs before each timed step so that none pays for another's dirty pages.
Prints the medians and the ratios to the bare COPY.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta

from psycopg import sql

from analytics_assets.db import connect, drop_database, ensure_database, with_database
from analytics_assets.raw.ddl import raw_table_name
from analytics_assets.raw.loader import load_window, stream_copy
from analytics_assets.raw.window import window_predicate
from analytics_assets.source.tables import source_tables
from analytics_assets.window import Window
from benchmarks.run import result_line
from demo_source.ddl import init_source

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
FIRST_DAY = date(2026, 3, 2)
FIRST_PARTITION = date(2026, 1, 1)

_FILL = """
insert into app.events
select g, g %% 50000, md5(g::text)::uuid,
       (array['page_view','click','conversion','signup','login','search'])[g %% 6 + 1],
       'event_' || (g %% 40), '/page/' || (g %% 1000),
       jsonb_build_object('plan', 'p' || (g %% 3), 'value', g %% 97, 'ok', g %% 2 = 0),
       %(start)s::timestamptz + (g %% %(seconds)s) * interval '1 second',
       %(start)s::timestamptz + (g %% %(seconds)s) * interval '1 second' + interval '5 second'
from generate_series(1, %(rows)s) g
"""
_OUTSIDE = """
insert into app.events (id, event_type, occurred_at, received_at)
select -g, 'click', %(start)s::timestamptz + g * interval '1 hour', now()
from generate_series(-30, -1) g
union all
select -g - 100, 'click', %(end)s::timestamptz + g * interval '1 hour', now()
from generate_series(0, 29) g
"""


def fill_source(url: str, rows: int, window: Window) -> None:
    init_source(url)
    bounds = {
        "start": f"{window.start.isoformat()} 00:00:00+00",
        "end": f"{window.end.isoformat()} 00:00:00+00",
    }
    seconds = 86_400 * len(window.days)
    with connect(url) as conn:
        conn.execute(_FILL, {**bounds, "rows": rows, "seconds": seconds})
        conn.execute(_OUTSIDE, bounds)
        conn.execute("analyze app.events")


def timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=1, help="partitions staged in one load")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--server", default=DEFAULT_SERVER, help="libpq URL of a server")
    args = parser.parse_args()

    tag = uuid.uuid4().hex[:8]
    source_url = with_database(args.server, f"bench_src_{tag}")
    warehouse_url = with_database(args.server, f"bench_wh_{tag}")
    for url in (source_url, warehouse_url):
        ensure_database(url)
    try:
        window = Window(FIRST_DAY, FIRST_DAY + timedelta(days=args.days))
        run(source_url, warehouse_url, args.rows, window, args.repeat)
    finally:
        for url in (source_url, warehouse_url):
            drop_database(url)


def run(source_url: str, warehouse_url: str, rows: int, window: Window, repeat: int) -> None:
    table = source_tables()["events"]
    started = time.perf_counter()
    fill_source(source_url, rows, window)
    print(
        f"source: {rows:,} events in {window.label()} built in "
        f"{time.perf_counter() - started:.1f} s"
    )

    bare = sql.Identifier("bare_events")
    with connect(warehouse_url, autocommit=True) as conn:
        # The source's columns, no bookkeeping, no index: the floor to compare with.
        columns = sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.type)) for c in table.columns
        )
        conn.execute(sql.SQL("create table {} ({})").format(bare, columns))
    load_window(
        source_url, warehouse_url, table, window, FIRST_PARTITION
    )  # creates raw.events; warms caches

    def checkpoint(truncate: sql.Composable | None = None) -> None:
        with connect(warehouse_url, autocommit=True) as conn:
            if truncate is not None:
                conn.execute(sql.SQL("truncate {}").format(truncate))
            conn.execute("checkpoint")

    def bare_copy() -> None:
        select = sql.SQL("select {} from {} where {}").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in table.column_names),
            sql.Identifier("app", "events"),
            window_predicate(table.window_column, window, FIRST_PARTITION),
        )
        with connect(source_url, autocommit=True) as src, connect(warehouse_url) as dst:
            copied = stream_copy(src, dst, select, bare, table.column_names)
        assert copied == rows, (copied, rows)

    def stage() -> None:
        result = load_window(source_url, warehouse_url, table, window, FIRST_PARTITION)
        assert result.rows_copied == rows, (result.rows_copied, rows)

    plain: list[float] = []
    first: list[float] = []
    again: list[float] = []
    for n in range(repeat):
        checkpoint(truncate=bare)
        plain.append(timed(bare_copy))
        checkpoint(truncate=raw_table_name(table))
        first.append(timed(stage))
        checkpoint()
        again.append(timed(stage))
        print(
            f"round {n + 1}: bare {plain[-1]:.2f} s, staging {first[-1]:.2f} s, "
            f"re-staging {again[-1]:.2f} s"
        )

    bare_s, first_s, again_s = (statistics.median(x) for x in (plain, first, again))
    print(f"median bare COPY   {bare_s:6.2f} s  ({rows / bare_s:,.0f} rows/s)")
    print(f"median staging     {first_s:6.2f} s  {first_s / bare_s:.2f}x bare")
    print(f"median re-staging  {again_s:6.2f} s  {again_s / bare_s:.2f}x bare")
    scale = f"{rows:,} events in {len(window.days)} partition(s), median of {repeat}"
    for measure, value, unit in (
        ("staging / bare COPY", first_s / bare_s, "x"),
        ("re-staging / bare COPY", again_s / bare_s, "x"),
        ("staging median", first_s, "s"),
        ("bare COPY median", bare_s, "s"),
        ("staging rows/s", rows / first_s, "rows/s"),
    ):
        print(result_line("staging", measure, value, unit, scale))


if __name__ == "__main__":
    main()
