"""The daily pipeline vs one hand-written SQL query, and a 30-day range as one run vs 30.

    python -m benchmarks.bench_pipeline [--events-per-day 1000000] [--users 2000]
        [--base-days 35] [--repeat 3] [--skip-30-day] [--thirty-events-per-day 20000]
        [--range-days 30] [--server postgresql://postgres@127.0.0.1:5432/postgres] [--smoke]

Everything runs in this process on three scratch databases (source, warehouse, Dagster
storage) and a temporary DAGSTER_HOME, all removed at the end. The pipeline is the real
thing: `analytics_assets.pipeline.run_range`, what `analytics run` does.

The timeline (ANALYTICS_START_DATE is its first day). The generator fills the history only
(its rows are a snapshot of its last day, see benchmarks/pipeline_source.py); every later
day is built in SQL, with no bad rows, so the hand-written SQL needs no cleaning:

    history    --base-days days before 2026-06-02, staged by one catch-up run (days only)
    range      30 days from Tuesday 2026-06-02 (2 in --smoke, none with --skip-30-day),
               --thirty-events-per-day events each: one run_range over them (it also
               rolls up the 3 ISO weeks it completes, 8..28 June; no month), then 30
               run_range of one day each (reruns of the same days)
    empty day  the day after the range: no source row at all; run --repeat times
    bench day  the next day: a quarter of --events-per-day events, run --repeat times,
               then topped up to --events-per-day and run --repeat times again

1. Per million events. The bench day runs as the daily schedule runs it (one day, no
   lookback, every earlier day already run; its first run is a first load, the others
   rerun it, which is idempotent) at two sizes of the same day, so the history every run
   reads is the same and the difference is the day's extra events. Right after each run,
   one SQL query over schema raw computes the same day's headline metrics (DAU, events,
   sessions, signups, net revenue per currency, NPS), timed several times, and its numbers
   are compared with what the pipeline published. Slopes between the two sizes give the
   cost per million events; the pipeline is shown per step group (from the run's step
   statistics), and also without its raw staging steps, since the SQL starts from raw.
   The empty day's run is the fixed cost.
2. Per-partition overhead: (sum of the 30 one-day runs - the 30-day run) / 30, and the
   30-day run's cost beyond the work itself:
   (T_30 - T_empty - 30 * (T_one - T_empty)) / 30, T_one being the median one-day run.
   Both use the 30-day run's daily part (its weekly rollup run subtracted), since the
   one-day runs roll nothing up.

Dagster's and dbt's console output goes to a log file, not to this process's output.
Output: progress lines, tables, then `RESULT {json}` lines for benchmarks/run.py.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analytics_assets.db import connect, drop_database, ensure_database, with_database
from benchmarks.pipeline_source import day_bounds, source_day_counts, top_up_day

if TYPE_CHECKING:
    from analytics_assets.runner import RunSummary

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
RANGE_START = date(2026, 6, 2)
"""A Tuesday: a 7-day range from it completes no ISO week, a 30-day one no month."""
SEED = 7
SQL_REPEAT = 5
RAW_STEPS = "raw staging steps"
CHECK_STEPS = "check steps (GX, quarantine)"
OUTSIDE_STEPS = "outside steps"

# One query straight from raw: the day's headline metrics as METRICS.md defines them.
# No cleaning (the bench source has no bad rows); admins count in no user metric.
HEADLINE_SQL = """
with people as (
    select id, role, created_at from raw.users
),
activity as (
    select count(*) as events,
           count(distinct e.user_id) filter (where p.role <> 'admin') as dau
    from raw.events e
    left join people p on p.id = e.user_id
    where e.occurred_at >= %(lo)s and e.occurred_at < %(hi)s
),
visits as (
    select count(*) as sessions
    from raw.app_sessions
    where started_at >= %(lo)s and started_at < %(hi)s
),
signups as (
    select count(*) as signups
    from people
    where role <> 'admin' and created_at >= %(lo)s and created_at < %(hi)s
),
revenue as (
    select coalesce(jsonb_object_agg(currency, net), '{}') as net_revenue
    from (
        select currency,
               (coalesce(sum(amount_cents) filter (where status = 'succeeded'), 0)
                - coalesce(sum(amount_cents) filter (where status = 'refunded'), 0)) / 100.0
                   as net
        from raw.payments
        where created_at >= %(lo)s and created_at < %(hi)s
          and status in ('succeeded', 'refunded')
        group by currency
    ) per_currency
),
latest_nps as (
    select distinct on (n.user_id) n.score
    from raw.nps_responses n
    join people p on p.id = n.user_id and p.role <> 'admin'
    where n.created_at >= %(lo)s and n.created_at < %(hi)s
    order by n.user_id, n.created_at desc, n.id desc
),
nps as (
    select round((count(*) filter (where score >= 9) - count(*) filter (where score <= 6))
                 * 100.0 / nullif(count(*), 0), 1) as nps
    from latest_nps
)
select activity.dau, activity.events, visits.sessions, signups.signups,
       revenue.net_revenue, nps.nps
from activity, visits, signups, revenue, nps
"""
# The same numbers as the pipeline published them, to show that both sides agree.
PUBLISHED_SQL = """
select
    (select (data->>'active_users')::int from analytics.analytics_aggregates
      where metric_type = 'engagement.active_users' and grain = 'day' and time_bucket = %(d)s),
    (select count(*) from marts.fct_events where event_date = %(d)s),
    (select (data->>'sessions')::int from analytics.analytics_aggregates
      where metric_type = 'engagement.sessions' and grain = 'day' and time_bucket = %(d)s),
    (select (data->>'new_users')::int from analytics.analytics_aggregates
      where metric_type = 'users.growth' and grain = 'day' and time_bucket = %(d)s),
    (select coalesce(jsonb_object_agg(dimension, (data->>'net_revenue')::numeric), '{}')
       from analytics.analytics_aggregates
      where metric_type = 'revenue.summary' and grain = 'day' and time_bucket = %(d)s
        and ((data->>'transactions')::int > 0 or (data->>'refunds')::numeric > 0)),
    (select (data->>'nps')::numeric from analytics.analytics_aggregates
      where metric_type = 'nps.summary' and grain = 'day' and time_bucket = %(d)s)
"""
HEADLINE_NAMES = ("dau", "events", "sessions", "signups", "net_revenue", "nps")


# --- options and timeline -------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    events_per_day: int
    users: int
    base_days: int
    repeat: int
    range_days: int
    """Days of part 2; 0 skips it."""
    range_events_per_day: int
    server: str

    @property
    def small_events(self) -> int:
        return self.events_per_day // 4


@dataclass(frozen=True)
class Timeline:
    first: date
    """ANALYTICS_START_DATE and the first generated day."""
    range_start: date
    range_days: int

    @property
    def range_end(self) -> date:
        return self.range_start + timedelta(days=self.range_days)

    @property
    def empty(self) -> date:
        return self.range_end

    @property
    def bench(self) -> date:
        return self.range_end + timedelta(days=1)

    @property
    def range(self) -> list[date]:
        return [self.range_start + timedelta(days=n) for n in range(self.range_days)]


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events-per-day", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--base-days", type=int, default=35, help="generated history")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each day and size")
    parser.add_argument("--skip-30-day", action="store_true", help="skip part 2")
    parser.add_argument("--thirty-events-per-day", type=int, default=20_000)
    parser.add_argument("--range-days", type=int, default=30, help="days of part 2")
    parser.add_argument("--server", default=DEFAULT_SERVER, help="libpq URL of a server")
    parser.add_argument("--smoke", action="store_true", help="tiny scale, to prove it runs")
    args = parser.parse_args(argv)
    if args.smoke:
        args.events_per_day, args.users, args.base_days = 5_000, 100, 7
        args.repeat, args.thirty_events_per_day, args.range_days = 1, 1_000, 2
    if min(args.events_per_day // 4, args.users, args.base_days, args.repeat) < 1:
        parser.error("--events-per-day must be >= 4; --users, --base-days, --repeat >= 1")
    return Options(
        events_per_day=args.events_per_day,
        users=args.users,
        base_days=args.base_days,
        repeat=args.repeat,
        range_days=0 if args.skip_30_day else max(args.range_days, 0),
        range_events_per_day=args.thirty_events_per_day,
        server=args.server,
    )


# --- output ---------------------------------------------------------------------------


def say(text: str) -> None:
    print(text, flush=True)


def emit(measure: str, value: float, unit: str, scale: str) -> None:
    record = {"bench": "pipeline", "measure": measure, "value": round(value, 4)}
    print("RESULT " + json.dumps({**record, "unit": unit, "scale": scale}), flush=True)


@contextlib.contextmanager
def output_to(log: Path) -> Iterator[None]:
    """File descriptors 1 and 2 into the log, so that Dagster's console logger and the
    dbt subprocesses it starts write there, not into the benchmark's output."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    try:
        with log.open("ab") as sink:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            try:
                yield
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)


def tail(log: Path, lines: int = 40) -> str:
    text = log.read_text(errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


# --- the environment ------------------------------------------------------------------


@contextlib.contextmanager
def scratch(server: str) -> Iterator[dict[str, str]]:
    """Source, warehouse and Dagster databases with unique names, and a temporary home
    for Dagster and the log; all removed afterwards."""
    tag = uuid.uuid4().hex[:8]
    urls = {role: with_database(server, f"bench_pl_{role}_{tag}") for role in ("src", "wh", "dg")}
    home = Path(tempfile.mkdtemp(prefix="bench_pipeline_"))
    try:
        for url in urls.values():
            ensure_database(url)
        yield {**urls, "home": str(home)}
    finally:
        for url in urls.values():
            drop_database(url)
        shutil.rmtree(home, ignore_errors=True)


def configure(env: dict[str, str], first: date) -> None:
    """What the project reads from the environment, set before anything builds the
    Dagster definitions (their partitions are cached), and the dbt manifest."""
    from analytics_assets.dbt.project import dbt_env, prepare_manifest

    os.environ.update(
        {
            "WAREHOUSE_DATABASE_URL": env["wh"],
            "SOURCE_DATABASE_URL": env["src"],
            "DAGSTER_DATABASE_URL": env["dg"],
            "DAGSTER_HOME": str(Path(env["home"]) / "dagster_home"),
            "ANALYTICS_START_DATE": first.isoformat(),
            # Explicit URLs refuse the demo PII key; scratch databases need no secret one.
            "ANALYTICS_PII_KEY": os.environ.get("ANALYTICS_PII_KEY") or "bench-pii-key",
        }
    )
    # dbt's profile and session options. libpq reads PGOPTIONS, so the hand-written SQL
    # runs with the same ones as dbt's queries (jit off, the same work_mem).
    os.environ.update(dbt_env(env["wh"]))
    prepare_manifest(env["wh"])


def checkpoint(url: str) -> None:
    """So that a timed step does not pay for the previous one's dirty pages."""
    with connect(url, autocommit=True) as conn:
        conn.execute("checkpoint")


class Pipeline:
    """Timed runs of the project's pipeline on the scratch warehouse."""

    def __init__(self, warehouse: str, log: Path) -> None:
        self.warehouse = warehouse
        self.log = log
        self.failures: list[str] = []

    def run(self, start: date, end: date, daily_only: bool = False) -> tuple[float, RunSummary]:
        """Wall seconds and summary of run_range(start, end), or of its daily run alone
        (without the rollups of the weeks and months the range completes)."""
        from analytics_assets.grains import DAILY
        from analytics_assets.jobs import day_keys
        from analytics_assets.runner import PlannedRun, execute_plan, run_range
        from analytics_assets.window import Window

        checkpoint(self.warehouse)
        with output_to(self.log):
            began = time.perf_counter()
            if daily_only:
                days = Window(start, end)
                summary = execute_plan([PlannedRun(DAILY, day_keys(days))], days)
            else:
                summary = run_range(start, end)
            seconds = time.perf_counter() - began
        if not summary.success:
            self.failures.append(f"run [{start}, {end})")
            say("  RUN FAILED:\n" + summary.render())
        if any("InterruptedError" in failure for failure in summary.failed_steps):
            # Dagster turns SIGINT/SIGTERM into a failed step; stop here, not at the next run.
            raise KeyboardInterrupt(f"the run of [{start}, {end}) was interrupted")
        return seconds, summary

    def step_groups(self, run_id: str, seconds: float) -> dict[str, float]:
        """Seconds of the run's steps by group (raw staging, each dbt step, checks) from
        the instance's step statistics, and the time outside any step."""
        import dagster as dg

        with dg.DagsterInstance.get() as instance:
            stats = instance.get_run_step_stats(run_id)
        groups: dict[str, float] = {RAW_STEPS: 0.0}
        for step in stats:
            key = step.step_key
            group = RAW_STEPS if key.startswith("raw__") else key
            group = group if group == RAW_STEPS or key.startswith("dbt_") else CHECK_STEPS
            groups[group] = groups.get(group, 0.0) + (step.end_time or 0) - (step.start_time or 0)
        groups[OUTSIDE_STEPS] = seconds - sum(groups.values())
        return groups

    def run_seconds(self, run_id: str) -> float:
        """Start to end of one Dagster run, as the instance recorded it."""
        import dagster as dg

        with dg.DagsterInstance.get() as instance:
            stats = instance.get_run_stats(run_id)
        return (stats.end_time or 0) - (stats.start_time or 0)


# --- part 1: the empty day and the bench day at two sizes ------------------------------


@dataclass
class DayRun:
    """One timed pipeline run of one day, and the SQL timed right after it."""

    seconds: float
    groups: dict[str, float]
    succeeded: bool
    sql_seconds: float = 0.0

    @property
    def raw_seconds(self) -> float:
        return self.groups[RAW_STEPS]


@dataclass
class Scale:
    label: str
    day: date
    events: int
    runs: list[DayRun] = field(default_factory=list)

    def median(self, pick: Callable[[DayRun], float]) -> float:
        """Over the runs that succeeded (a failed run skips steps), all when none did."""
        runs = [r for r in self.runs if r.succeeded] or self.runs
        return statistics.median(pick(r) for r in runs)


def time_headline_sql(url: str, day: date) -> tuple[float, tuple]:
    """Median seconds of SQL_REPEAT runs of the headline query, and its row."""
    lo, hi = day_bounds(day)
    checkpoint(url)
    times = []
    with connect(url, autocommit=True) as conn:
        for _ in range(SQL_REPEAT):
            began = time.perf_counter()
            row = conn.execute(HEADLINE_SQL, {"lo": lo, "hi": hi}).fetchone()
            times.append(time.perf_counter() - began)
    return statistics.median(times), row


def _normal(value: Any) -> Any:
    """Numbers compared by value (1.50 == 1.5), JSON maps key by key."""
    if isinstance(value, dict):
        return {k: _normal(Decimal(str(v))) for k, v in value.items()}
    if isinstance(value, Decimal | float):
        return Decimal(str(value)).normalize()
    return value


def compare_headlines(url: str, day: date, sql_row: tuple) -> str:
    """`agree`, or where the hand-written SQL and what the pipeline published differ."""
    with connect(url) as conn:
        published = conn.execute(PUBLISHED_SQL, {"d": day}).fetchone()
    differ = [
        f"{name} sql={a} pipeline={b}"
        for name, a, b in zip(HEADLINE_NAMES, sql_row, published, strict=True)
        if _normal(a) != _normal(b)
    ]
    return "agree" if not differ else "DIFFER: " + "; ".join(differ)


def measure(pipeline: Pipeline, scale: Scale, repeat: int) -> None:
    """Run the scale's day `repeat` times; after each run with events, time the SQL."""
    for n in range(repeat):
        seconds, summary = pipeline.run(scale.day, scale.day + timedelta(days=1))
        run = DayRun(seconds, pipeline.step_groups(summary.run_id, seconds), summary.success)
        line = (
            f"  {scale.label} {scale.day} ({scale.events:,} events) run {n + 1}: "
            f"{seconds:.1f} s (raw staging {run.raw_seconds:.1f} s)"
        )
        if scale.events:
            run.sql_seconds, row = time_headline_sql(pipeline.warehouse, scale.day)
            verdict = compare_headlines(pipeline.warehouse, scale.day, row)
            if verdict != "agree":
                pipeline.failures.append(f"{scale.day}: headline metrics differ")
            line += f", SQL {run.sql_seconds:.3f} s, headline metrics {verdict}"
        scale.runs.append(run)
        say(line)


def reached_marts(pipeline: Pipeline, scale: Scale) -> None:
    """Every source event of the day is in marts.fct_events (none quarantined)."""
    with connect(pipeline.warehouse) as conn:
        facts = conn.execute(
            "select count(*) from marts.fct_events where event_date = %s", (scale.day,)
        ).fetchone()[0]
    say(f"  {facts:,} of the {scale.events:,} source events are in marts.fct_events")
    if facts != scale.events:
        pipeline.failures.append(f"{scale.day}: {scale.events - facts} events missing")


def part_one(pipeline: Pipeline, source: str, timeline: Timeline, options: Options) -> Scale:
    """The empty day, then the bench day at a quarter of its size and at its full size;
    prints and emits the per-million figures and returns the empty day."""
    leftovers = {t: n for t, n in source_day_counts(source, timeline.empty).items() if n}
    if leftovers:
        raise RuntimeError(f"the empty day {timeline.empty} has source rows: {leftovers}")
    empty = Scale("empty day", timeline.empty, 0)
    say(f"part 1: the empty day {timeline.empty}, {options.repeat} run(s)")
    measure(pipeline, empty, options.repeat)
    sizes = []
    for label, target in (("small", options.small_events), ("large", options.events_per_day)):
        began = time.perf_counter()
        added = top_up_day(source, timeline.bench, target)
        say(
            f"part 1: bench day {timeline.bench} {label}: {added:,} events added to the source "
            f"in {time.perf_counter() - began:.1f} s, {target:,} in all"
        )
        scale = Scale(f"{label} day", timeline.bench, target)
        measure(pipeline, scale, options.repeat)
        reached_marts(pipeline, scale)
        sizes.append(scale)
    report_part_one(empty, *sizes, options)
    return empty


def report_part_one(empty: Scale, small: Scale, large: Scale, options: Options) -> None:
    """The table of part 1 and its RESULT lines: medians per size, slopes per million."""
    per_million = 1e6 / (large.events - small.events)

    def slope(pick: Callable[[DayRun], float]) -> float:
        return (large.median(pick) - small.median(pick)) * per_million

    def total(r: DayRun) -> float:
        return r.seconds

    def rest(r: DayRun) -> float:
        return r.seconds - r.raw_seconds

    def sql(r: DayRun) -> float:
        return r.sql_seconds

    groups = list(dict.fromkeys(g for s in (empty, small, large) for r in s.runs for g in r.groups))
    rows: list[tuple[str, Callable[[DayRun], float]]] = [("pipeline run_range(d, d+1)", total)]
    rows += [(f"  {g}", lambda r, g=g: r.groups.get(g, 0.0)) for g in groups]
    rows += [("  all but raw staging", rest), ("hand-written SQL on raw", sql)]
    say("")
    say(f"one day, median of {options.repeat} run(s) (failed runs left out), seconds")
    say(f"{'':<34}{'empty day':>10}{'small day':>11}{'large day':>11}{'per M events':>14}")
    say(f"{'source events':<34}{0:>10,}{small.events:>11,}{large.events:>11,}")
    for name, pick in rows:
        cells = "".join(f"{s.median(pick):>10.2f}s" for s in (empty, small, large))
        say(f"{name:<34}{cells}{slope(pick):>13.2f}s")
    pipeline_slope, rest_slope, sql_slope = slope(total), slope(rest), slope(sql)
    raw_slope = slope(lambda r: r.raw_seconds)
    intercept = small.median(total) - pipeline_slope * small.events / 1e6
    say(f"pipeline / SQL per M events        {pipeline_slope / sql_slope:.2f}x (target <= 3x)")
    say(f"  all but raw staging / SQL        {rest_slope / sql_slope:.2f}x")
    say(
        f"fixed cost: empty day {empty.median(total):.1f} s; line through both sizes at 0 "
        f"events {intercept:.1f} s"
    )

    scales = f"{small.events}..{large.events} events/day, {options.users} users"
    emit("pipeline_s_per_million_events", pipeline_slope, "s", scales)
    emit("sql_s_per_million_events", sql_slope, "s", scales)
    emit("pipeline_vs_sql_per_million", pipeline_slope / sql_slope, "x", scales)
    emit("pipeline_without_staging_s_per_million_events", rest_slope, "s", scales)
    emit("pipeline_without_staging_vs_sql_per_million", rest_slope / sql_slope, "x", scales)
    emit("raw_staging_s_per_million_events", raw_slope, "s", scales)
    emit("empty_day_fixed_s", empty.median(total), "s", f"0 events, {options.users} users")
    emit("pipeline_intercept_s", intercept, "s", scales)
    for scale in (small, large):
        text = f"{scale.events} events/day, {options.users} users"
        name = scale.label.split()[0]
        emit(f"pipeline_{name}_day_s", scale.median(total), "s", text)
        emit(f"raw_staging_{name}_day_s", scale.median(lambda r: r.raw_seconds), "s", text)
        emit(f"sql_{name}_day_s", scale.median(sql), "s", text)


# --- part 2: a range as one run vs one run per day ------------------------------------


@dataclass
class RangeTimes:
    days: int
    events_per_day: int
    whole: float
    """run_range over the range: its daily run and its rollup runs."""
    daily: float
    """Its daily run: `whole` less the rollup runs."""
    singles: list[float]


def part_two(pipeline: Pipeline, timeline: Timeline, options: Options) -> RangeTimes:
    start, end = timeline.range_start, timeline.range_end
    say(f"part 2: [{start}, {end}) as one run_range, then as {timeline.range_days} runs")
    whole, summary = pipeline.run(start, end)
    rollups = sum(pipeline.run_seconds(r.run_id) for r in summary.runs[1:] if r.run_id)
    grains = ", ".join(f"{r.grain}s {r.keys}" for r in summary.runs)
    say(f"  one run_range: {whole:.1f} s ({grains}; the rollup runs {rollups:.1f} s)")
    singles = []
    for day in timeline.range:
        seconds, _ = pipeline.run(day, day + timedelta(days=1))
        singles.append(seconds)
        say(f"  {day} alone: {seconds:.1f} s")
    return RangeTimes(
        timeline.range_days, options.range_events_per_day, whole, whole - rollups, singles
    )


def report_part_two(times: RangeTimes, empty_day_s: float) -> None:
    n = times.days
    one = statistics.median(times.singles)
    separate = (sum(times.singles) - times.daily) / n
    single = (times.daily - empty_day_s - n * (one - empty_day_s)) / n
    say("")
    say(f"{n} days of {times.events_per_day:,} events, seconds")
    say(
        f"one run_range over the {n} days      {times.whole:8.1f} (its daily run {times.daily:.1f})"
    )
    say(f"{n} one-day runs                     {sum(times.singles):8.1f} (median {one:.1f})")
    say(f"overhead per partition of {n} runs   {separate:8.2f}")
    say(f"one run's overhead per partition   {single:8.2f} (target <= 0.5)")
    say(f"  (T_empty, the empty day's run: {empty_day_s:.1f})")
    scale = f"{n} days x {times.events_per_day} events/day"
    emit("separate_runs_overhead_s_per_partition", separate, "s", scale)
    emit("single_run_overhead_s_per_partition", single, "s", scale)
    emit("range_run_s", times.whole, "s", scale + ", with its rollup runs")
    emit("range_daily_run_s", times.daily, "s", scale)
    emit("separate_runs_total_s", sum(times.singles), "s", scale)
    emit("one_day_run_s", one, "s", f"median of {n} one-day runs, {times.events_per_day} events")


# --- main -----------------------------------------------------------------------------


def build_source(source: str, timeline: Timeline, options: Options) -> None:
    """The generated history, and the range's days built in SQL."""
    from demo_source.generator import GenerationSpec, generate

    end = timeline.range_start - timedelta(days=1)
    spec = GenerationSpec(users=options.users, days=options.base_days, end=end, seed=SEED)
    report = generate(source, spec)
    say(
        f"source: {report.total_rows:,} rows generated in {report.seconds:.1f} s "
        f"({options.users:,} users, {timeline.first} .. {end})"
    )
    began = time.perf_counter()
    for day in timeline.range:
        top_up_day(source, day, options.range_events_per_day)
    if timeline.range_days:
        say(
            f"source: {timeline.range_days} days of {options.range_events_per_day:,} events "
            f"built in {time.perf_counter() - began:.1f} s"
        )


def bench(options: Options) -> int:
    """Both parts on scratch databases; 0 when every run succeeded and every check held."""
    started = time.perf_counter()
    first = RANGE_START - timedelta(days=options.base_days)
    timeline = Timeline(first, RANGE_START, options.range_days)
    with scratch(options.server) as env:
        configure(env, first)
        build_source(env["src"], timeline, options)
        pipeline = Pipeline(env["wh"], Path(env["home"]) / "dagster.log")
        seconds, summary = pipeline.run(first, RANGE_START, daily_only=True)
        say(f"catch-up run of the history [{first}, {RANGE_START}): {seconds:.1f} s")
        if not summary.success:
            say(tail(pipeline.log))
            return 1
        times = part_two(pipeline, timeline, options) if timeline.range_days else None
        empty = part_one(pipeline, env["src"], timeline, options)
        if times is not None:
            report_part_two(times, empty.median(lambda r: r.seconds))
        say(f"the benchmark took {time.perf_counter() - started:.0f} s in all")
        if pipeline.failures:
            say("FAILED: " + "; ".join(pipeline.failures))
            say(tail(pipeline.log))
            return 1
    return 0


def main() -> None:
    sys.exit(bench(parse_options()))


if __name__ == "__main__":
    main()
