"""Quarantine counts per partition as checks on each staging model.

Staging rejects the raw rows that break the source contract into quarantine
(dbt_project/models/staging/quarantine). Every staging model `staging/stg_<table>` gets:
- a non-blocking check `quarantined_rows`: it passes when no row of its table was
  quarantined in the run's partitions, and otherwise warns with the count per partition
  and per reason and a sample of rejected keys;
- a blocking check `quarantine_share`: it fails when one reason rejected more than
  ANALYTICS_QUARANTINE_MAX_SHARE (20%) of the table's rows in the run's partitions, and at
  least QUARANTINE_MIN_ROWS rows. A few bad rows are the source's business; a fifth of a
  table rejected for one reason is a broken load, a missing parent table or a changed
  contract, and its numbers must not be published as if nothing happened.
One step counts every table with one query over quarantine.quarantined_rows (the union of
the tables' checked views) and one over the checked tables (rows per table).
"""

# No `from __future__ import annotations`: Dagster reads the context and resource
# annotations of the check function at definition time.
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import dagster as dg
from psycopg import sql

from analytics_assets.check_partitions import check_window
from analytics_assets.db import connect
from analytics_assets.resources import Databases
from analytics_assets.settings import get_settings
from analytics_assets.source.tables import source_tables
from analytics_assets.window import Window

CHECK_NAME = "quarantined_rows"
SHARE_CHECK_NAME = "quarantine_share"
QUARANTINE_RELATION = "quarantine.quarantined_rows"
CHECKED_SCHEMA = "staging"
SAMPLE_SIZE = 5
QUARANTINE_MIN_ROWS = 10
"""Below this many rows a share says little (a hand-made test day, a quiet table)."""

LIKELY_CAUSES = {
    "orphan_fk": (
        "their parent rows are not in staging: was the parent table loaded for these days "
        "(a failed or skipped raw load), or were the parents themselves quarantined?"
    ),
    "duplicate_key": "the source wrote rows twice, or a load of raw was repeated by hand",
    "missing_required": "the source stopped filling a required column (a contract change?)",
}
"""Reason -> what usually causes a large share of it."""


def staging_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["staging", f"stg_{table}"])


def _check_key(table: str, name: str) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(staging_key(table), name)


@dataclass
class QuarantineCount:
    """What quarantine holds of one source table over a window."""

    table: str
    rows: int = 0
    by_partition: Counter[str] = field(default_factory=Counter)
    by_reason: Counter[str] = field(default_factory=Counter)
    """A row with two reasons counts under each."""
    sample_keys: list[str] = field(default_factory=list)


def count_sql(window: Window | None) -> tuple[str, tuple[object, ...]]:
    """Quarantined rows grouped by table, partition and reasons; few groups, one scan."""
    sql = (
        "select source_table, _partition, reasons, count(*) as rows, "
        "(array_agg(source_key order by source_key) filter (where source_key is not null))"
        f"[1:{SAMPLE_SIZE}] as sample_keys "
        f"from {QUARANTINE_RELATION}"
    )
    params: tuple[object, ...] = ()
    if window is not None:
        sql += " where _partition >= %s and _partition < %s"
        params = (window.start, window.end)
    return sql + " group by source_table, _partition, reasons", params


def quarantine_counts(warehouse_url: str, window: Window | None) -> dict[str, QuarantineCount]:
    """Per source table (every table of the contract, zero when none was rejected)."""
    counts = {name: QuarantineCount(name) for name in source_tables()}
    sql, params = count_sql(window)
    with connect(warehouse_url) as conn:
        for table, partition, reasons, rows, keys in conn.execute(sql, params):
            count = counts.setdefault(table, QuarantineCount(table))
            count.rows += rows
            count.by_partition[partition.isoformat()] += rows
            for reason in reasons or ["unknown"]:
                count.by_reason[reason] += rows
            # sorted over every group, so the sample does not depend on the groups' order
            count.sample_keys = sorted([*count.sample_keys, *(keys or [])])[:SAMPLE_SIZE]
    return counts


def window_rows(warehouse_url: str, window: Window | None) -> dict[str, int]:
    """Rows checked per source table in the window: every raw row, valid or not, is in its
    checked table (staging.chk_<table>), whose `_partition` index finds the window's."""
    where = sql.SQL("")
    if window is not None:
        where = sql.SQL(" where _partition >= {} and _partition < {}").format(
            sql.Literal(window.start),
            sql.Literal(window.end),
        )
    with connect(warehouse_url) as conn:
        present = [
            table
            for (table,) in conn.execute(
                "select t from unnest(%s::text[]) as t where to_regclass(%s || t) is not null",
                (list(source_tables()), f"{CHECKED_SCHEMA}.chk_"),
            )
        ]
        if not present:
            return {}
        counts = sql.SQL(" union all ").join(
            sql.SQL("select {}::text, count(*) from {}{}").format(
                sql.Literal(t), sql.Identifier(CHECKED_SCHEMA, f"chk_{t}"), where
            )
            for t in present
        )
        return {t: int(n) for t, n in conn.execute(counts)}


def excessive_reasons(
    count: QuarantineCount, total: int, max_share: float, min_rows: int = QUARANTINE_MIN_ROWS
) -> list[tuple[str, int]]:
    """The reasons that rejected more than max_share of the table's `total` rows (and at
    least min_rows), most first."""
    if total <= 0:
        return []
    return [
        (reason, rows)
        for reason, rows in by_count(count.by_reason)
        if rows >= min_rows and rows / total > max_share
    ]


def share_check_result(
    key: dg.AssetKey, count: QuarantineCount, total: int, max_share: float, label: str | None
) -> dg.AssetCheckResult:
    excessive = excessive_reasons(count, total, max_share)
    problems = [
        f"{rows} of {total} {count.table} rows ({rows / total:.0%}) quarantined as {reason}, "
        f"more than ANALYTICS_QUARANTINE_MAX_SHARE={max_share:g}; likely cause: "
        + LIKELY_CAUSES.get(reason, "a change in the source; see quarantine.quarantined_rows")
        for reason, rows in excessive
    ]
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=SHARE_CHECK_NAME,
        passed=not excessive,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(problems)
        or f"no reason rejected more than {max_share:.0%} of {count.table}'s rows",
        metadata={
            "partitions": label or "all",
            "rows": total,
            "max_share": max_share,
            "shares": dg.MetadataValue.json(
                {r: round(n / total, 4) for r, n in by_count(count.by_reason)} if total else {}
            ),
        },
    )


def by_count(counter: Counter[str]) -> list[tuple[str, int]]:
    """Most first, ties by name: a stable order for descriptions and metadata."""
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def quarantine_check_result(
    key: dg.AssetKey, count: QuarantineCount, label: str | None
) -> dg.AssetCheckResult:
    reasons = ", ".join(f"{r} {n}" for r, n in by_count(count.by_reason))
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=CHECK_NAME,
        passed=count.rows == 0,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{count.rows} {count.table} rows quarantined ({reasons})"
            if count.rows
            else f"no {count.table} row quarantined"
        ),
        metadata={
            "partitions": label or "all",
            "quarantined_rows": count.rows,
            "by_partition": dg.MetadataValue.json(dict(sorted(count.by_partition.items()))),
            "by_reason": dg.MetadataValue.json(dict(by_count(count.by_reason))),
            "sample_keys": dg.MetadataValue.json(count.sample_keys),
        },
    )


def _record(
    warehouse_url: str,
    counts: Sequence[QuarantineCount],
    window: Window | None,
    label: str | None,
    run_id: str,
) -> None:
    """The counts as rows of quality.check_results, beside the GX suites' results."""
    from analytics_assets.quality.results import record_many
    from analytics_assets.quality.runner import ExpectationOutcome, SuiteResult

    results = []
    for count in counts:
        outcome = ExpectationOutcome(
            expectation="no row quarantined",
            severity="warning",
            success=count.rows == 0,
            observed_value=dict(count.by_reason),
            unexpected_count=count.rows,
            sample=list(count.sample_keys),
        )
        result = SuiteResult("quarantine", QUARANTINE_RELATION, window, [outcome])
        results.append((result, staging_key(count.table).to_user_string()))
    record_many(warehouse_url, results, label, run_id)


def build_quarantine_checks(
    assets: Sequence[dg.AssetsDefinition],
) -> list[dg.AssetChecksDefinition]:
    """One multi-asset check with a `quarantined_rows` check per staging model in `assets`."""
    present = {key for a in assets for key in a.keys}
    keys = [staging_key(t) for t in source_tables() if staging_key(t) in present]
    if not keys:
        return []
    specs = [
        dg.AssetCheckSpec(
            CHECK_NAME,
            asset=key,
            blocking=False,
            description=(
                "Warns when staging quarantined rows of this table in the run's partitions: "
                "counts per partition and per reason, sample keys (quarantine.quarantined_rows)."
            ),
        )
        for key in keys
    ]
    specs += [
        dg.AssetCheckSpec(
            SHARE_CHECK_NAME,
            asset=key,
            blocking=True,
            description=(
                "Fails when one reason quarantined more than ANALYTICS_QUARANTINE_MAX_SHARE "
                f"(default 20%) of this table's rows in the run's partitions (at least "
                f"{QUARANTINE_MIN_ROWS} rows), naming the reason and its likely cause."
            ),
        )
        for key in keys
    ]

    @dg.multi_asset_check(
        specs=specs,
        name="quarantine_counts",
        can_subset=True,
        description="Rows staging quarantined, counted per staging model and partition.",
    )
    def quarantine_counts_check(
        context: dg.AssetCheckExecutionContext, databases: Databases
    ) -> Iterator[dg.AssetCheckResult]:
        label, window = check_window(context)
        counts = quarantine_counts(databases.warehouse_url(), window)
        selected = set(context.selected_asset_check_keys)
        tables = [t for t in source_tables() if _check_key(t, CHECK_NAME) in selected]
        url = databases.warehouse_url()
        _record(url, [counts[t] for t in tables], window, label, context.run.run_id)
        for table in tables:
            yield quarantine_check_result(staging_key(table), counts[table], label)
        shared = [t for t in source_tables() if _check_key(t, SHARE_CHECK_NAME) in selected]
        if shared:
            totals = window_rows(url, window)
            max_share = get_settings().quarantine_max_share
            for table in shared:
                total = totals.get(table, 0)
                yield share_check_result(staging_key(table), counts[table], total, max_share, label)

    return [quarantine_counts_check]
