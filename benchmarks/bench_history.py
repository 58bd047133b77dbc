"""The same daily run on a warehouse holding a short history and on one holding a long one.

    python -m benchmarks.bench_history [--long-days 180] [--short-days 10]
        [--events-per-day 50000] [--users 2000] [--repeat 3]
        [--server postgresql://postgres@127.0.0.1:5432/postgres] [--smoke]

Goal (issue 12): the long-history run costs at most 1.2x the short one. A daily run whose
cost follows its day, not the history, scores 1.0.

The sources. One source is built first: a small generated base (users, content,
communities, experiments, and a week of their activity), then `--long-days` days of
`--events-per-day` events each and the bench day, built in SQL (benchmarks/pipeline_source.py).
The short source is a copy of it (`create database ... template`) without the activity
older than `--short-days` days before the bench day: the same users and reference rows,
the same rows on the days both hold, the same bench day row for row.

The warehouses. Each is staged by one catch-up run of its days (ANALYTICS_START_DATE at
its first day, so its first partition also takes the older reference rows), then the bench
day is run `--repeat` times as the daily schedule runs it: the first run loads the day,
the others rerun it (idempotent). The worker for each warehouse is a process of its own
(the Dagster definitions read the start date once per process); it times the runs and
reads dbt's run_results.json of the last run for the slowest nodes.

Output: progress lines, tables, then `RESULT {json}` lines for benchmarks/run.py.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

from analytics_assets.db import connect, url_parts, with_database
from benchmarks.bench_pipeline import (
    DEFAULT_SERVER,
    SEED,
    Pipeline,
    configure,
    say,
    scratch,
    tail,
)
from benchmarks.pipeline_source import add_traffic
from benchmarks.run import result_line

BENCH_DAY = date(2026, 6, 2)
BASE_DAYS = 7
"""Days of the generated base before the built history: its users and reference rows."""
# Activity that a short history leaves out: append-only tables by their window column,
# and sessions by their start (the reference tables, users included, stay whole).
ACTIVITY = {
    "events": "occurred_at",
    "app_sessions": "started_at",
    "payments": "created_at",
    "reviews": "created_at",
    "nps_responses": "created_at",
    "experiment_assignments": "assigned_at",
    "community_activity": "occurred_at",
    "geo_access_attempts": "occurred_at",
    "api_requests": "occurred_at",
    "error_logs": "occurred_at",
    "practice_attempts": "started_at",
    "mentor_sessions": "scheduled_at",
}


@dataclass(frozen=True)
class Options:
    long_days: int
    short_days: int
    events_per_day: int
    users: int
    repeat: int
    server: str


@dataclass(frozen=True)
class WarehouseTimes:
    """What one worker measured."""

    history_days: int
    catch_up_s: float
    first_s: float
    reruns_s: list[float]
    slowest_nodes: list[tuple[str, float]]
    """(dbt node, seconds) of the last run, slowest first."""
    failed: bool

    @property
    def median_s(self) -> float:
        return statistics.median(self.reruns_s or [self.first_s])


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--long-days", type=int, default=180)
    parser.add_argument("--short-days", type=int, default=10)
    parser.add_argument("--events-per-day", type=int, default=50_000)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the bench day")
    parser.add_argument("--server", default=DEFAULT_SERVER, help="libpq URL of a server")
    parser.add_argument("--smoke", action="store_true", help="tiny scale, to prove it runs")
    args = parser.parse_args(argv)
    if args.smoke:
        args.long_days, args.short_days, args.events_per_day = 6, 2, 2_000
        args.users, args.repeat = 100, 1
    if not 1 <= args.short_days < args.long_days or min(args.events_per_day, args.users) < 1:
        parser.error("need 1 <= --short-days < --long-days, --events-per-day and --users >= 1")
    return Options(
        long_days=args.long_days,
        short_days=args.short_days,
        events_per_day=args.events_per_day,
        users=args.users,
        repeat=max(args.repeat, 1),
        server=args.server,
    )


# --- the sources ----------------------------------------------------------------------


def build_long_source(url: str, options: Options) -> None:
    """The generated base, then every history day and the bench day built in SQL."""
    from demo_source.generator import GenerationSpec, generate

    history_start = BENCH_DAY - timedelta(days=options.long_days)
    base_end = history_start - timedelta(days=1)
    generate(url, GenerationSpec(users=options.users, days=BASE_DAYS, end=base_end, seed=SEED))
    began = time.perf_counter()
    for n in range(options.long_days + 1):
        add_traffic(url, history_start + timedelta(days=n), options.events_per_day)
    say(
        f"source: {options.long_days + 1} days of {options.events_per_day:,} events built in "
        f"{time.perf_counter() - began:.0f} s"
    )


def copy_short_source(long_url: str, short_url: str, short_days: int) -> None:
    """The long source less the activity before the short history's first day."""
    first = BENCH_DAY - timedelta(days=short_days)
    server = with_database(long_url, "postgres")
    with connect(server, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{_name(short_url)}"')
        conn.execute(f'create database "{_name(short_url)}" template "{_name(long_url)}"')
    with connect(short_url) as conn:
        for table, column in ACTIVITY.items():
            conn.execute(f"delete from app.{table} where {column} < %s", (first,))
    with connect(short_url, autocommit=True) as conn:
        conn.execute("vacuum analyze")


def _name(url: str) -> str:
    return url_parts(url)["dbname"]


# --- one warehouse (a worker process) -------------------------------------------------


def work(env: dict[str, str], first: date, repeat: int) -> WarehouseTimes:
    """Catch up [first, BENCH_DAY), then run the bench day `repeat` times."""
    configure(env, first)
    pipeline = Pipeline(env["wh"], Path(env["home"]) / "dagster.log")
    catch_up, summary = pipeline.run(first, BENCH_DAY, daily_only=True)
    runs = []
    if summary.success:
        for _ in range(repeat):
            seconds, summary = pipeline.run(BENCH_DAY, BENCH_DAY + timedelta(days=1), True)
            runs.append(seconds)
    failed = bool(pipeline.failures)
    if failed:
        print(tail(pipeline.log), file=sys.stderr)
    return WarehouseTimes(
        history_days=(BENCH_DAY - first).days,
        catch_up_s=catch_up,
        first_s=runs[0] if runs else 0.0,
        reruns_s=runs[1:],
        slowest_nodes=slowest_nodes(summary.run_id) if runs else [],
        failed=failed,
    )


def slowest_nodes(run_id: str, top: int = 40) -> list[tuple[str, float]]:
    """dbt's own timing of every node of one Dagster run (its run_results.json files)."""
    from analytics_assets.dbt.project import target_dir

    target = target_dir()
    nodes: list[tuple[str, float]] = []
    for results in target.glob(f"*-{run_id[:7]}-*/run_results.json"):
        for result in json.loads(results.read_text())["results"]:
            nodes.append((result["unique_id"].split(".", 2)[-1], result["execution_time"]))
    return sorted(nodes, key=lambda node: -node[1])[:top]


def run_worker(env: dict[str, str], first: date, repeat: int) -> WarehouseTimes:
    """`work` in a process of its own; its result comes back as JSON on stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_history", "--worker", json.dumps(env),
         first.isoformat(), str(repeat)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith("WORKER ")]
    if done.returncode != 0 or not lines:
        say(done.stderr[-4000:])
        raise RuntimeError(f"the worker for {first} failed")
    data = json.loads(lines[-1].removeprefix("WORKER "))
    data["slowest_nodes"] = [tuple(node) for node in data["slowest_nodes"]]
    return WarehouseTimes(**data)


# --- the benchmark --------------------------------------------------------------------


def report(short: WarehouseTimes, long: WarehouseTimes, options: Options) -> None:
    scale = (
        f"{options.events_per_day:,} events a day, {options.users:,} users; "
        f"{long.history_days} vs {short.history_days} days of history"
    )
    ratio = long.median_s / short.median_s if short.median_s else float("nan")
    say(f"\nthe bench day ({scale}):")
    for label, times in (("short", short), ("long", long)):
        reruns = ", ".join(f"{s:.1f}" for s in times.reruns_s) or "none"
        say(
            f"  {label:5} {times.history_days:4} days: catch-up {times.catch_up_s:7.1f} s, "
            f"first run {times.first_s:6.1f} s, reruns {reruns} s (median {times.median_s:.1f})"
        )
    say(f"  long / short: {ratio:.2f}x (goal: at most 1.2x)")
    say("\nslowest dbt nodes of the last run, long history vs short:")
    short_nodes = dict(short.slowest_nodes)
    for node, seconds in long.slowest_nodes[:15]:
        other = short_nodes.get(node)
        against = f"{other:.2f} s" if other is not None else "not among its slowest"
        say(f"  {node:60} {seconds:6.2f} s  (short: {against})")
    say(result_line("history", "bench day, short history", short.median_s, "s", scale))
    say(result_line("history", "bench day, long history", long.median_s, "s", scale))
    if short.median_s:  # a failed short run measured nothing to divide by
        say(result_line("history", "long / short history", ratio, "x", scale))


def bench(options: Options) -> int:
    started = time.perf_counter()
    with scratch(options.server) as long_env, scratch(options.server) as short_env:
        build_long_source(long_env["src"], options)
        copy_short_source(long_env["src"], short_env["src"], options.short_days)
        first_short = BENCH_DAY - timedelta(days=options.short_days)
        first_long = BENCH_DAY - timedelta(days=options.long_days + BASE_DAYS)
        short = run_worker(short_env, first_short, options.repeat)
        long = run_worker(long_env, first_long, options.repeat)
        report(short, long, options)
    say(f"the benchmark took {time.perf_counter() - started:.0f} s in all")
    return 1 if short.failed or long.failed else 0


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        env, first, repeat = json.loads(sys.argv[2]), date.fromisoformat(sys.argv[3]), sys.argv[4]
        print("WORKER " + json.dumps(asdict(work(env, first, int(repeat)))), flush=True)
        return
    sys.exit(bench(parse_options()))


if __name__ == "__main__":
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    main()
