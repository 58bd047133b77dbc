"""`make bench`: every benchmark of the project in one go, each printing its own ratios.

Scale with environment variables: BENCH_ROWS (events staged, default 1,000,000),
BENCH_USERS and BENCH_DAYS (generator, default 2000 x 90). `--smoke` runs a tiny scale,
only to show the harness works (CI); its timings mean nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys


def _commands(smoke: bool) -> list[list[str]]:
    rows = "20000" if smoke else os.environ.get("BENCH_ROWS", "1000000")
    users = "100" if smoke else os.environ.get("BENCH_USERS", "2000")
    days = "14" if smoke else os.environ.get("BENCH_DAYS", "90")
    repeat = "1" if smoke else "3"
    quality = ["--days", "3", "--rows-per-day", "2000", "--users", "500", "--sessions", "2000"]
    return [
        ["benchmarks.bench_generator", "--users", users, "--days", days, "--repeat", repeat],
        ["benchmarks.bench_staging", "--rows", rows, "--repeat", repeat],
        ["benchmarks.bench_quality", "--repeat", repeat, *(quality if smoke else [])],
    ]


def main() -> None:
    smoke = "--smoke" in sys.argv[1:]
    failed = 0
    for module, *args in _commands(smoke):
        print(f"\n== {module} {' '.join(args)}", flush=True)
        failed += subprocess.run([sys.executable, "-m", module, *args]).returncode != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
