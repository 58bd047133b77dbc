"""`make bench`: every benchmark of the project, each in its own process, then one table.

    python -m benchmarks.run [--smoke] [--only NAME ...] [--users N] [--days D]
                             [--events-per-day E] [--rows R] [--reads N] [--repeat K]

Each benchmark runs as a child process (`python -m benchmarks.bench_<name>`); its output
is streamed through as it comes (so progress shows) and its RESULT lines are collected.
The RESULT protocol, defined here (`result_line` writes one, `parse_result` reads one):
every benchmark prints at its end one line per measured comparison,

    RESULT {"bench": "...", "measure": "...", "value": <float>, "unit": "...", "scale": "..."}

the prefix `RESULT `, then one JSON object. The peak memory of each benchmark is the
maximum resident set size of its process, from os.wait4 on that one child (so per
benchmark, not cumulative over the run; Linux reports the largest of the child and of the
processes it waited for, e.g. a dbt subprocess, never their sum).

At the end it prints ONE table (benchmark, measure, value, unit, scale, peak RSS in MiB
and wall seconds per benchmark) and writes it as Markdown, with the date, nproc, total
memory, PostgreSQL version and the scale, to benchmarks/results/latest.md for the README
to quote. `--smoke` (CI) runs a tiny scale only to show that the harness and every
benchmark work; its timings mean nothing, so it writes benchmarks/results/smoke.md and
never overwrites latest.md; nor does a run of some benchmarks only (`--only`), which
writes partial.md. A benchmark module that does not exist (yet) is skipped with
a line saying so; one that fails makes the exit code 1 after the others have run.

Scale knobs: an argument, else an environment variable (so `BENCH_USERS=500 make bench`
works), else the default. `--smoke` overrides them all.

| argument           | environment            | default   | passed to                             |
|--------------------|------------------------|-----------|---------------------------------------|
| --users            | BENCH_USERS            | 2000      | bench_generator --users               |
| --days             | BENCH_DAYS             | 90        | bench_generator --days                |
| --events-per-day   | BENCH_EVENTS_PER_DAY   | 50000     | bench_quality --rows-per-day,         |
|                    |                        |           | bench_read --events-per-day           |
| --rows             | BENCH_ROWS             | 1000000   | bench_staging --rows (one partition)  |
| --reads            | BENCH_READS            | 30        | bench_read --reads                    |
| --repeat           | BENCH_REPEAT           | 3         | bench_generator, _staging, _quality   |

bench_pipeline and bench_history run at their own default scale (or with `--smoke`). At
the defaults, bench_read's marts side dominates: 30 reads of 20-45 s each on the 2-core
development machine, about 15 minutes; 200 reads would take well over an hour.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULT_PREFIX = "RESULT "
RESULT_KEYS = ("bench", "measure", "value", "unit", "scale")
RESULTS_DIR = Path(__file__).resolve().parent / "results"
SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"  # every benchmark's default
BENCHMARKS = ("generator", "staging", "quality", "read", "pipeline", "history")


# --- the RESULT protocol ------------------------------------------------------------------


def result_line(bench: str, measure: str, value: float, unit: str, scale: str) -> str:
    """One RESULT line (print it at the end of a benchmark)."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{bench} {measure}: value {value} is not a finite number")
    record = {"bench": bench, "measure": measure, "value": value, "unit": unit, "scale": scale}
    return RESULT_PREFIX + json.dumps(record)


def parse_result(line: str) -> dict[str, Any] | None:
    """The record of a RESULT line; None for any other line. Raises ValueError when the
    line has the prefix but not the protocol's object (a benchmark's bug, not noise)."""
    if not line.startswith(RESULT_PREFIX):
        return None
    try:
        record = json.loads(line[len(RESULT_PREFIX) :])
    except json.JSONDecodeError as err:
        raise ValueError(f"not JSON after the prefix: {err}") from None
    if not isinstance(record, dict) or set(record) != set(RESULT_KEYS):
        raise ValueError(f"expected the keys {', '.join(RESULT_KEYS)}")
    value = record["value"]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"value {value!r} is not a finite number")
    if not all(isinstance(record[k], str) for k in RESULT_KEYS if k != "value"):
        raise ValueError("bench, measure, unit and scale must be strings")
    return {**record, "value": float(value)}


# --- running the benchmarks ---------------------------------------------------------------


@dataclass
class Outcome:
    """One benchmark's run: its RESULT records, exit code, peak RSS and wall time."""

    name: str
    command: list[str]
    results: list[dict[str, Any]] = field(default_factory=list)
    returncode: int | None = None  # None: skipped
    peak_rss_mib: float | None = None
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.returncode not in (0, None) or bool(self.problems)


@dataclass(frozen=True)
class Scale:
    """The knobs of the module docstring's table, as this run resolved them."""

    users: int
    days: int
    events_per_day: int
    rows: int
    reads: int
    repeat: int
    smoke: bool

    def label(self) -> str:
        if self.smoke:
            return "smoke (tiny, timings meaningless)"
        return (
            f"users={self.users} days={self.days} events_per_day={self.events_per_day} "
            f"rows={self.rows} reads={self.reads} repeat={self.repeat}"
        )


def commands(scale: Scale) -> dict[str, list[str]]:
    """Benchmark name -> its module and arguments at this scale."""
    if scale.smoke:
        quality = ["--days", "3", "--rows-per-day", "2000", "--users", "500", "--sessions", "2000"]
        return {
            "generator": ["--users", "100", "--days", "14", "--repeat", "1"],
            "staging": ["--rows", "20000", "--repeat", "1"],
            "quality": ["--repeat", "1", *quality],
            "read": ["--smoke"],
            "pipeline": ["--smoke"],
            "history": ["--smoke"],
        }
    repeat = str(scale.repeat)
    return {
        "generator": ["--users", str(scale.users), "--days", str(scale.days), "--repeat", repeat],
        "staging": ["--rows", str(scale.rows), "--repeat", repeat],
        "quality": ["--rows-per-day", str(scale.events_per_day), "--repeat", repeat],
        "read": ["--events-per-day", str(scale.events_per_day), "--reads", str(scale.reads)],
        "pipeline": [],
        "history": [],
    }


def max_rss_mib(usage: Any) -> float:
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    kib = usage.ru_maxrss / 1024 if sys.platform == "darwin" else usage.ru_maxrss
    return kib / 1024


def run_one(name: str, args: list[str]) -> Outcome:
    """Run benchmarks.bench_<name>, streaming its output, collecting its RESULT lines."""
    module = f"benchmarks.bench_{name}"
    outcome = Outcome(name, [sys.executable, "-m", module, *args])
    print(f"\n== {module} {' '.join(args)}", flush=True)
    if importlib.util.find_spec(module) is None:
        print(f"== {module}: skipped, the module does not exist (yet)", flush=True)
        return outcome
    # Unbuffered, so that the child's progress reaches the pipe (and the screen) as it goes.
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    began = time.perf_counter()
    child = subprocess.Popen(
        outcome.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env
    )
    assert child.stdout is not None
    for raw in child.stdout:
        line = raw.decode("utf-8", errors="replace")
        sys.stdout.write(line)
        sys.stdout.flush()
        try:
            record = parse_result(line.rstrip("\r\n"))
        except ValueError as err:
            outcome.problems.append(f"malformed RESULT line ({err}): {line.strip()}")
            continue
        if record is not None:
            outcome.results.append(record)
    child.stdout.close()
    # wait4 rather than Popen.wait: it also returns the rusage of this one child.
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    outcome.returncode = child.returncode
    outcome.seconds = time.perf_counter() - began
    outcome.peak_rss_mib = max_rss_mib(usage)
    if outcome.returncode == 0 and not outcome.results:
        outcome.problems.append("it printed no RESULT line")
    for problem in outcome.problems:
        print(f"== {module}: {problem}", flush=True)
    print(
        f"== {module}: exit {outcome.returncode}, {outcome.seconds:.1f} s, "
        f"peak RSS {outcome.peak_rss_mib:.0f} MiB",
        flush=True,
    )
    return outcome


# --- the table ----------------------------------------------------------------------------

HEADER = ("benchmark", "measure", "value", "unit", "scale", "peak RSS (MiB)", "wall (s)")
FOOTNOTE = (
    "Peak RSS: maximum resident set size of the benchmark's Python process (os.wait4 of "
    "that child process: per benchmark, not cumulative; the largest of it and any process "
    "it waited for, never a sum). The PostgreSQL server's memory is not measured: the "
    "Python side streams rows to and from it (COPY, cursors), and the server's memory is "
    "set by its own configuration (shared_buffers, work_mem), not by these programs."
)


def format_value(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def table_rows(outcomes: list[Outcome]) -> list[tuple[str, ...]]:
    """One row per RESULT record; peak RSS and wall time on each benchmark's first row."""
    rows: list[tuple[str, ...]] = []
    for o in outcomes:
        rss = "" if o.peak_rss_mib is None else f"{o.peak_rss_mib:,.0f}"
        wall = "" if o.returncode is None else f"{o.seconds:,.1f}"
        lines = [
            (r["bench"], r["measure"], format_value(r["value"]), r["unit"], r["scale"])
            for r in o.results
        ]
        if o.returncode is None:
            lines.append((o.name, "(skipped: module missing)", "", "", ""))
        elif o.returncode != 0:
            lines.append((o.name, f"(FAILED: exit code {o.returncode})", "", "", ""))
        elif o.problems:
            lines.append((o.name, f"(FAILED: {o.problems[0]})", "", "", ""))
        for n, line in enumerate(lines):
            rows.append((*line, rss, wall) if n == 0 else (*line, "", ""))
    return rows


def render_text(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    numeric = {2, 5, 6}  # right-aligned columns

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(HEADER), "  ".join("-" * w for w in widths), *map(line, rows)])


def render_markdown(rows: list[tuple[str, ...]], machine: dict[str, str], scale: Scale) -> str:
    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    align = tuple("---:" if i in (2, 5, 6) else "---" for i in range(len(HEADER)))
    parts = [
        "# Benchmark results",
        "",
        "Written by `python -m benchmarks.run` (`make bench`); see benchmarks/run.py.",
        "",
        *(f"- {key}: {value}" for key, value in machine.items()),
        f"- scale: {scale.label()}",
        "",
        line(HEADER),
        line(align),
        *map(line, rows),
        "",
        FOOTNOTE,
        "",
    ]
    return "\n".join(parts)


def machine_info() -> dict[str, str]:
    """Date, CPUs, memory and PostgreSQL version, for the results file's header."""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(len(os.sched_getaffinity(0))),
        "total memory": _total_memory(),
        "python": platform.python_version(),
        "PostgreSQL": _postgres_version(),
    }


def _total_memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _postgres_version() -> str:
    try:
        from analytics_assets.db import connect

        with connect(SERVER_URL) as conn:
            row = conn.execute("select version()").fetchone()
        return f"{row[0]} at 127.0.0.1:5432" if row else "unknown"
    except Exception as err:  # the table is still worth writing without it
        return f"unknown ({type(err).__name__})"


# --- command line -------------------------------------------------------------------------


def _knob(env: str, default: int) -> int:
    """The default of a scale argument: the environment variable, else the built-in one."""
    raw = os.environ.get(env, str(default))
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{env} must be a whole number, got {raw!r}") from None


def parse_args(argv: list[str]) -> tuple[Scale, list[str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny scale, for CI")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS))
    parser.add_argument("--users", type=int, default=_knob("BENCH_USERS", 2000))
    parser.add_argument("--days", type=int, default=_knob("BENCH_DAYS", 90))
    parser.add_argument("--events-per-day", type=int, default=_knob("BENCH_EVENTS_PER_DAY", 50_000))
    parser.add_argument("--rows", type=int, default=_knob("BENCH_ROWS", 1_000_000))
    parser.add_argument("--reads", type=int, default=_knob("BENCH_READS", 30))
    parser.add_argument("--repeat", type=int, default=_knob("BENCH_REPEAT", 3))
    args = parser.parse_args(argv)
    scale = Scale(
        args.users, args.days, args.events_per_day, args.rows, args.reads, args.repeat, args.smoke
    )
    return scale, [name for name in BENCHMARKS if name in args.only]


def results_file(scale: Scale, names: list[str]) -> str:
    """latest.md only for a full run at a real scale: the file the README quotes."""
    if scale.smoke:
        return "smoke.md"
    return "latest.md" if list(names) == list(BENCHMARKS) else "partial.md"


def main() -> None:
    scale, names = parse_args(sys.argv[1:])
    by_name = commands(scale)
    outcomes = [run_one(name, by_name[name]) for name in names]

    rows = table_rows(outcomes)
    print("\n" + render_text(rows))
    print("\n" + FOOTNOTE)
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / results_file(scale, names)
    path.write_text(render_markdown(rows, machine_info(), scale))
    print(f"\nwritten to {path}")
    sys.exit(1 if any(o.failed for o in outcomes) else 0)


if __name__ == "__main__":
    main()
