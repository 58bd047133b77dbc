"""Check results in the warehouse (`quality.check_results`), for BI tools to chart."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from analytics_assets.db import connect
from analytics_assets.quality.runner import SuiteResult

DDL = """
select pg_advisory_xact_lock(hashtext('quality.check_results'));
create schema if not exists quality;
create table if not exists quality.check_results (
  suite text not null,
  asset text not null,
  partition_key text,
  window_start timestamptz,
  window_end timestamptz,
  expectation text not null,
  severity text not null,
  success boolean not null,
  observed_value jsonb,
  unexpected_count bigint,
  sample jsonb,
  run_id text,
  checked_at timestamptz not null
);
create index if not exists check_results_suite_partition
  on quality.check_results (suite, partition_key, checked_at);
"""


def record(
    warehouse_url: str,
    result: SuiteResult,
    asset: str,
    partition_key: str | None,
    run_id: str | None,
) -> None:
    """Append one row per expectation; history is kept, the newest row is the current state."""
    record_many(warehouse_url, [(result, asset)], partition_key, run_id)


def record_many(
    warehouse_url: str,
    results: Sequence[tuple[SuiteResult, str]],
    partition_key: str | None,
    run_id: str | None,
) -> None:
    """record() for several (result, asset) pairs of one check run, in one transaction."""
    now = datetime.now(UTC)
    rows = [
        (
            result.suite,
            asset,
            partition_key,
            result.window.start if result.window else None,
            result.window.end if result.window else None,
            o.expectation,
            o.severity,
            o.success,
            json.dumps(o.observed_value),
            o.unexpected_count,
            json.dumps(o.sample),
            run_id,
            now,
        )
        for result, asset in results
        for o in result.outcomes
    ]
    with connect(warehouse_url) as conn:
        conn.execute(DDL)
        with conn.cursor() as cur:
            cur.executemany(
                "insert into quality.check_results values "
                "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
