"""End to end over a 90-day demo source: `run_range` over 2026-02-01 .. 05-01 stages,
transforms and checks the 90 days in one run, then rolls up the ISO weeks and the months
it completes in one run each; and analytics_aggregates comes out the same whether the
metrics are built over the whole range at once or day by day, then week by week, then
month by month.

Scale: 100 users over the 90 days Sunday 1 Feb .. Friday 1 May 2026, so the range
completes the twelve weeks of Monday 2 Feb .. Monday 20 Apr and the months of February,
March and April, and leaves two weeks and a month incomplete: the week of Monday 26 Jan
(only its Sunday 1 Feb is in the range), the week of Monday 27 Apr (it ends Sunday 3 May)
and May (only its first day).

The day-by-day build replays what the days' runs see: the append-only facts of the marts
(events, payments, reviews, ...: one per append-only source table) grow by one day before
each day's run, so a value that depends on later days (D30 retention, 14-day conversion)
is only right if the metric's lookback recomputes it once those days have arrived. The
mutable tables stay as the whole run built them: the demo source is a snapshot of its last
day, whose mutable rows (most users) carry their last `updated_at`, so replaying raw day by
day would stage each such row on that later day only, as no real daily run ever saw it.
The metric models run through dbt in this process (support/dbt.py's runner with the parsed
manifest: ~2 s a window, where a Dagster run of the pipeline costs a minute or more of fixed
work), over the windows Dagster passes for those partitions (Window.dbt_env of their time
windows): what the daily schedule, then the weekly and monthly ones, would leave behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pytest
from psycopg import sql
from support.databases import make_databases, pick_server
from support.dbt import Dbt

from analytics_assets.calendar import daily_partitions, monthly_partitions, weekly_partitions
from analytics_assets.db import connect
from analytics_assets.dbt.project import dbt_env, prepare_manifest
from analytics_assets.jobs import PIPELINE_RUN_TAG
from analytics_assets.runner import RunSummary, run_range
from analytics_assets.source.tables import source_tables
from analytics_assets.window import Window
from demo_source.generator import GenerationSpec, generate

pytestmark = pytest.mark.long

SPEC = GenerationSpec(users=100, days=90, end=date(2026, 5, 1), seed=11, bad_rate=0.02)
START, END = date(2026, 2, 1), date(2026, 5, 2)
COMPLETE_WEEKS = [(date(2026, 2, 2) + timedelta(weeks=n)).isoformat() for n in range(12)]
INCOMPLETE_WEEKS = ["2026-01-26", "2026-04-27"]
COMPLETE_MONTHS = ["2026-02-01", "2026-03-01", "2026-04-01"]

# The marts of the append-only source tables (fct_<table>) and the time that places a row
# in a day: they grow day by day in the replay.
APPEND_ONLY = {f"fct_{t.name}": t.window_column for t in source_tables().values() if not t.mutable}

# Every column but created_at, in a fixed order: one line per row, the rows in key order.
ROWS_MD5 = """
select count(*), md5(coalesce(string_agg(
    concat_ws('|', id, metric_type, grain, to_char(time_bucket, 'YYYY-MM-DD HH24:MI:SS'),
              dimension, data::text),
    E'\\n' order by metric_type, grain, time_bucket, dimension), ''))
from {table}
"""


@dataclass(frozen=True)
class Demo:
    warehouse: str
    summary: RunSummary
    dbt_target: Path


@pytest.fixture(scope="module")
def demo(request, tmp_path_factory) -> Iterator[Demo]:
    from support.databases import scratch_database

    server = pick_server(request)
    home = tmp_path_factory.mktemp("dagster_home")
    with ExitStack() as stack, pytest.MonkeyPatch.context() as env:

        def database(server_url: str) -> str:
            return stack.enter_context(scratch_database(server_url))

        dbs = make_databases(database, server, server)
        env.setenv("WAREHOUSE_DATABASE_URL", dbs.warehouse)
        env.setenv("SOURCE_DATABASE_URL", dbs.source)
        env.setenv("DAGSTER_DATABASE_URL", database(server))
        env.setenv("DAGSTER_HOME", str(home))
        env.delenv("ANALYTICS_START_DATE", raising=False)
        # dbt's profile variables: set here so that they are restored afterwards (the dbt
        # assets export them into os.environ).
        for name, value in dbt_env(dbs.warehouse).items():
            env.setenv(name, value)
        prepare_manifest(dbs.warehouse)
        generate(dbs.source, SPEC)
        summary = run_range(START, END)
        yield Demo(dbs.warehouse, summary, tmp_path_factory.mktemp("dbt_target"))


def fetch(url: str, query: str, params: tuple = ()) -> list[tuple]:
    with connect(url) as conn:
        return conn.execute(query, params).fetchall()


def test_the_range_is_one_run_of_the_days_then_one_per_grain(demo: Demo) -> None:
    summary = demo.summary
    assert summary.success, summary.render()
    assert [(r.grain, r.keys) for r in summary.runs] == [
        ("day", "2026-02-01...2026-05-01"),
        ("week", "2026-02-02...2026-04-20"),
        ("month", "2026-02-01...2026-04-01"),
    ]
    with dg.DagsterInstance.get() as instance:
        runs = {run.job_name: run for run in instance.get_runs()}
        assert set(runs) == {"analytics_pipeline", "weekly_metrics", "monthly_metrics"}
        assert {run.run_id for run in runs.values()} == set(summary.run_ids)
        assert all(run.status == dg.DagsterRunStatus.SUCCESS for run in runs.values())
        assert {run.tags[PIPELINE_RUN_TAG] for run in runs.values()} == {summary.run_id}
        assert runs["analytics_pipeline"].run_id == summary.run_id


def test_the_complete_weeks_are_materialized_and_the_incomplete_ones_are_not(demo: Demo) -> None:
    def materialized(name: str) -> set[str]:
        with dg.DagsterInstance.get() as instance:
            return set(instance.get_materialized_partitions(dg.AssetKey(["analytics", name])))

    weeks = materialized("analytics_aggregates_weekly")
    assert weeks == set(COMPLETE_WEEKS)
    assert not weeks & set(INCOMPLETE_WEEKS)
    assert materialized("fct_metric_users_growth_weekly") == set(COMPLETE_WEEKS)
    assert materialized("analytics_aggregates_monthly") == set(COMPLETE_MONTHS)
    days = materialized("analytics_aggregates_daily")
    assert days == {(START + timedelta(days=n)).isoformat() for n in range(90)}

    # users.growth has no lookback: its week rows are exactly the complete weeks
    buckets = fetch(
        demo.warehouse,
        "select distinct time_bucket::date::text from analytics.analytics_aggregates "
        "where metric_type = 'users.growth' and grain = %s order by 1",
        ("week",),
    )
    assert [b for (b,) in buckets] == COMPLETE_WEEKS


def windows(partitions: dg.TimeWindowPartitionsDefinition, keys: list[str]) -> list[Window]:
    return [Window.of(partitions.time_window_for_partition_key(key)) for key in keys]


class GrowingFacts:
    """The append-only marts, emptied and refilled a day at a time from a copy."""

    def __init__(self, url: str) -> None:
        self.url = url
        with connect(url) as conn:
            for mart in APPEND_ONLY:
                conn.execute(
                    sql.SQL(
                        "create table public.{copy} as select * from marts.{mart}; "
                        "truncate marts.{mart}"
                    ).format(copy=sql.Identifier(f"full_{mart}"), mart=sql.Identifier(mart))
                )

    def add(self, since: date | None, until: date | None) -> None:
        """Copy back the rows whose UTC day is in [since, until) (None: unbounded)."""
        with connect(self.url) as conn:
            for mart, column in APPEND_ONLY.items():
                day = sql.SQL("({} at time zone 'UTC')::date").format(sql.Identifier(column))
                conn.execute(
                    sql.SQL(
                        "insert into marts.{mart} select * from public.{copy} "
                        "where {day} >= %(since)s and {day} < %(until)s"
                    ).format(
                        mart=sql.Identifier(mart), copy=sql.Identifier(f"full_{mart}"), day=day
                    ),
                    {"since": since or date.min, "until": until or date.max},
                )

    def complete(self) -> bool:
        with connect(self.url) as conn:
            return all(
                conn.execute(
                    sql.SQL(
                        "select (select count(*) from marts.{mart}) = "
                        "(select count(*) from public.{copy})"
                    ).format(mart=sql.Identifier(mart), copy=sql.Identifier(f"full_{mart}"))
                ).fetchone()[0]
                for mart in APPEND_ONLY
            )


def test_whole_range_and_day_by_day_give_the_same_aggregates(demo: Demo) -> None:
    assert demo.summary.success, demo.summary.render()
    with connect(demo.warehouse) as conn:
        conn.execute(
            "create table public.whole_aggregates as select id, metric_type, grain, "
            "time_bucket, dimension, data from analytics.analytics_aggregates"
        )
        # start the metrics afresh
        conn.execute("drop schema analytics cascade")
    whole = fetch(demo.warehouse, ROWS_MD5.format(table="public.whole_aggregates"))[0]
    per_grain = dict(
        fetch(demo.warehouse, "select grain, count(*) from public.whole_aggregates group by 1")
    )
    assert set(per_grain) == {"day", "week", "month"}, "every grain has rows to compare"

    dbt = Dbt(demo.warehouse, demo.dbt_target, parse_once=True)
    facts = GrowingFacts(demo.warehouse)
    facts.add(None, START)
    for day in (START + timedelta(days=n) for n in range((END - START).days)):
        facts.add(day, day + timedelta(days=1))
        [window] = windows(daily_partitions(), [day.isoformat()])
        dbt.invoke("run", "--select", "path:models/metrics/daily", window=window)
    facts.add(END, None)
    assert facts.complete()
    for window in windows(weekly_partitions(), COMPLETE_WEEKS):
        dbt.invoke("run", "--select", "path:models/metrics/weekly", window=window)
    for window in windows(monthly_partitions(), COMPLETE_MONTHS):
        dbt.invoke("run", "--select", "path:models/metrics/monthly", window=window)

    incremental = fetch(demo.warehouse, ROWS_MD5.format(table="analytics.analytics_aggregates"))[0]
    if incremental != whole:
        diff = fetch(
            demo.warehouse,
            "(select 'whole only', metric_type, grain, time_bucket::text, dimension, data::text "
            " from public.whole_aggregates except select 'whole only', metric_type, grain, "
            " time_bucket::text, dimension, data::text from analytics.analytics_aggregates) "
            "union all "
            "(select 'day by day only', metric_type, grain, time_bucket::text, dimension, "
            " data::text from analytics.analytics_aggregates except select 'day by day only', "
            " metric_type, grain, time_bucket::text, dimension, data::text "
            " from public.whole_aggregates) order by 2, 3, 4, 1 limit 12",
        )
        pytest.fail(f"{whole} != {incremental}:\n" + "\n".join(map(str, diff)))
