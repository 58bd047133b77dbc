"""The demo source generator vs a bare COPY of the very same rows.

    python -m benchmarks.bench_generator --users 2000 --days 90

In two scratch databases on the server: times `generate()` into the first (model,
encoding and COPY, one transaction); dumps every app table of it with COPY TO into
memory; then times a COPY FROM of those buffers into the freshly created, empty tables of
the second database, also in one transaction (truncate, copy, commit), which is the floor
any generator writing through COPY can reach. Prints rows, seconds and rows/s of both
(best of --repeat runs) and their ratio, then drops the databases.
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import date

from analytics_assets.db import connect, drop_database, ensure_database, with_database
from analytics_assets.source.tables import SOURCE_SCHEMA, source_tables
from benchmarks.run import result_line
from demo_source.ddl import init_source
from demo_source.generator import GenerationSpec, generate, table_checksums, write_order

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def dump(url: str) -> dict[str, bytes]:
    """Every app table as COPY text, one buffer per table (kept in memory)."""
    out: dict[str, bytes] = {}
    with connect(url) as conn:
        for name in write_order():
            columns = ", ".join(source_tables()[name].column_names)
            with conn.cursor().copy(f"copy {SOURCE_SCHEMA}.{name} ({columns}) to stdout") as cp:
                out[name] = b"".join(bytes(block) for block in cp)  # (a block is a row)
    return out


def bare_copy(url: str, buffers: dict[str, bytes]) -> float:
    """Seconds to load the dumped buffers, in one transaction like generate()."""
    began = time.perf_counter()
    with connect(url) as conn:
        conn.execute("truncate " + ", ".join(f"{SOURCE_SCHEMA}.{t}" for t in buffers))
        for name, data in buffers.items():
            columns = ", ".join(source_tables()[name].column_names)
            with conn.cursor().copy(f"copy {SOURCE_SCHEMA}.{name} ({columns}) from stdin") as cp:
                cp.write(data)
        conn.commit()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 6, 30))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bad-rate", type=float, default=0.02)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    parser.add_argument("--server-url", default=DEFAULT_SERVER)
    args = parser.parse_args()

    spec = GenerationSpec(
        users=args.users, days=args.days, end=args.end, seed=args.seed, bad_rate=args.bad_rate
    )
    tag = uuid.uuid4().hex[:8]
    generated = with_database(args.server_url, f"bench_gen_{tag}")
    copied = with_database(args.server_url, f"bench_copy_{tag}")
    try:
        for url in (generated, copied):
            ensure_database(url)
        init_source(copied)
        runs = [generate(generated, spec) for _ in range(args.repeat)]
        report = min(runs, key=lambda r: r.seconds)
        buffers = dump(generated)
        rows = report.total_rows
        floor = min(bare_copy(copied, buffers) for _ in range(args.repeat))
        same = table_checksums(generated) == table_checksums(copied)
    finally:
        drop_database(generated)
        drop_database(copied)

    print(report.render())
    print()
    print(f"{'':<16}{'rows':>12}{'seconds':>10}{'rows/s':>12}")
    print(f"{'generate()':<16}{rows:>12,}{report.seconds:>10.2f}{rows / report.seconds:>12,.0f}")
    print(f"{'bare COPY':<16}{rows:>12,}{floor:>10.2f}{rows / floor:>12,.0f}")
    print(
        f"generate() takes {report.seconds / floor:.2f}x the time of a bare COPY of its rows "
        f"(best of {args.repeat}; same rows: {same})"
    )
    scale = f"{args.users:,} users x {args.days} days, {rows:,} rows, best of {args.repeat}"
    for measure, value, unit in (
        ("generate() / bare COPY", report.seconds / floor, "x"),
        ("generate() rows/s", rows / report.seconds, "rows/s"),
        ("bare COPY rows/s", rows / floor, "rows/s"),
    ):
        print(result_line("generator", measure, value, unit, scale))


if __name__ == "__main__":
    main()
