"""Two checks on every published metric table (the typed `fct_metric_*` models and the
analytics_aggregates slices, schema `analytics`), per partition of the run:

- `rows_present` (WARN, not blocking): the run's window holds at least one row. Most metrics
  write a platform-total row for every bucket, but some have rows only when something
  happened (an experiment running, a community active), and a quiet day on a small
  platform is legitimately empty: worth a look, not worth stopping the rollups;
- `key_unique` (ERROR, blocking): no key appears twice in the window. The key is the one the
  model declares (`metric_key`); a duplicate doubles a number on every dashboard and in the
  app's contract, so it must not flow on.

One step per grain checks all of its tables with one query (a `union all` of one grouped
count per table), each reading only the window's buckets through the table's unique index
on (time_bucket, dimension) or, for the slices, (metric_type, grain, time_bucket, ...): the
check costs the window, not the history.

A ranged run records each check under every partition of its range with that partition's
own counts (the query counts per bucket; check_partitions.per_partition).
"""

# No `from __future__ import annotations`: Dagster reads the context and resource
# annotations of the check function at definition time.
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dagster as dg
from psycopg import sql

from analytics_assets.check_partitions import CheckEvent, check_window, per_partition
from analytics_assets.db import connect
from analytics_assets.dbt.metric_assets import metric_assets_name
from analytics_assets.grains import GRAINS
from analytics_assets.resources import Databases
from analytics_assets.window import Window

ROWS_CHECK = "rows_present"
KEY_CHECK = "key_unique"
METRICS_FOLDER = "metrics"
DEFAULT_WINDOW_COLUMN = "time_bucket"


class UndeclaredKey(ValueError):
    """A metric model declares no key: it cannot be checked for duplicates."""


@dataclass(frozen=True)
class MetricTable:
    """One checked metric relation."""

    asset_key: dg.AssetKey
    schema: str
    relation: str
    key: tuple[str, ...]
    window_column: str
    metric_types: tuple[str, ...] = ()
    """For a slice of analytics_aggregates: its metric types, so the query's
    `metric_type = any(...)` lets the unique index serve the window's range."""


def metric_key(node: Mapping[str, Any], tests: Sequence[Mapping[str, Any]] = ()) -> tuple[str, ...]:
    """The key of a metric model, as its dbt project declares it, first found of:
    `unique_key` config; a unique index in the `indexes` config; a `unique` test of one
    column, or a `unique_combination_of_columns` test, among `tests` (the test nodes that
    depend on the model). Raises UndeclaredKey when there is none."""
    config = node.get("config") or {}
    unique_key = config.get("unique_key")
    if unique_key:
        return (unique_key,) if isinstance(unique_key, str) else tuple(unique_key)
    for index in config.get("indexes") or []:
        if index.get("unique") and index.get("columns"):
            return tuple(index["columns"])
    for test in tests:
        meta = test.get("test_metadata") or {}
        kwargs = meta.get("kwargs") or {}
        if meta.get("name") == "unique" and kwargs.get("column_name"):
            return (kwargs["column_name"],)
        if meta.get("name") == "unique_combination_of_columns" and kwargs.get(
            "combination_of_columns"
        ):
            return tuple(kwargs["combination_of_columns"])
    raise UndeclaredKey(
        f"{node.get('name')}: declare its key (unique_key config, a unique index or a "
        "unique test) so key_unique can check it"
    )


def window_column(node: Mapping[str, Any]) -> str:
    """The column that places a row in a partition: `meta.window_column`, else the metric
    tables' `time_bucket` (the bucket's first instant)."""
    meta = (node.get("config") or {}).get("meta") or node.get("meta") or {}
    return meta.get("window_column") or DEFAULT_WINDOW_COLUMN


def check_sql(tables: Sequence[MetricTable], window: Window | None) -> Any:
    """One query: per table and bucket in the window, (asset, the bucket's day, rows, rows
    whose key repeats, keys that repeat); a table without rows has none. Without bounds (a
    run without partitions), the whole tables."""
    parts = []
    for table in tables:
        conditions = []
        if window is not None:
            # The buckets are UTC `timestamp`s (or dates): a date bound is its midnight.
            column = sql.Identifier(table.window_column)
            conditions.append(
                sql.SQL("{} >= {} and {} < {}").format(
                    column, sql.Literal(window.start), column, sql.Literal(window.end)
                )
            )
        if table.metric_types:
            conditions.append(
                sql.SQL("metric_type = any({})").format(sql.Literal(list(table.metric_types)))
            )
        where = (
            sql.SQL(" where ") + sql.SQL(" and ").join(conditions) if conditions else sql.SQL("")
        )
        # The key holds the bucket (its window column), so a repeated key is one bucket's.
        parts.append(
            sql.SQL(
                "select {}::text, bucket::date::text, sum(n)::bigint, "
                "coalesce(sum(n) filter (where n > 1), 0)::bigint, "
                "count(*) filter (where n > 1) "
                "from (select {} as bucket, count(*) as n from {}{} group by {}) as g "
                "group by bucket"
            ).format(
                sql.Literal(table.asset_key.to_user_string()),
                sql.Identifier(table.window_column),
                sql.Identifier(table.schema, table.relation),
                where,
                sql.SQL(", ").join(sql.Identifier(c) for c in table.key),
            )
        )
    return sql.SQL(" union all ").join(parts)


@dataclass(frozen=True)
class WindowCounts:
    rows: int = 0
    duplicate_rows: int = 0
    duplicate_keys: int = 0

    def __add__(self, other: "WindowCounts") -> "WindowCounts":
        return WindowCounts(
            self.rows + other.rows,
            self.duplicate_rows + other.duplicate_rows,
            self.duplicate_keys + other.duplicate_keys,
        )


CountsByBucket = dict[dg.AssetKey, dict[str, WindowCounts]]
"""asset -> the first day of a bucket (its partition key) -> what the bucket holds."""


def window_counts(
    warehouse_url: str,
    tables: Sequence[MetricTable],
    window: Window | None,
) -> CountsByBucket:
    if not tables:
        return {}
    with connect(warehouse_url) as conn:
        rows = conn.execute(check_sql(tables, window)).fetchall()
    counts: CountsByBucket = {}
    for asset, bucket, n, dup_rows, dup_keys in rows:
        key = dg.AssetKey.from_user_string(asset)
        counts.setdefault(key, {})[bucket] = WindowCounts(int(n), int(dup_rows), int(dup_keys))
    return counts


def total(buckets: Mapping[str, WindowCounts]) -> WindowCounts:
    return sum(buckets.values(), WindowCounts())


def rows_result(table: MetricTable, counts: WindowCounts, label: str | None) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=table.asset_key,
        check_name=ROWS_CHECK,
        passed=counts.rows > 0,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{counts.rows} rows in the window"
            if counts.rows
            else "no row in the window: a quiet period, or the model wrote nothing"
        ),
        metadata={"partitions": label or "all", "rows": counts.rows},
    )


def key_result(table: MetricTable, counts: WindowCounts, label: str | None) -> dg.AssetCheckResult:
    key = ", ".join(table.key)
    return dg.AssetCheckResult(
        asset_key=table.asset_key,
        check_name=KEY_CHECK,
        passed=counts.duplicate_keys == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        description=(
            f"{counts.duplicate_keys} keys ({key}) appear more than once "
            f"({counts.duplicate_rows} rows) in the window"
            if counts.duplicate_keys
            else f"every key ({key}) appears once in the window"
        ),
        metadata={
            "partitions": label or "all",
            "key": key,
            "rows": counts.rows,
            "duplicate_keys": counts.duplicate_keys,
            "duplicate_rows": counts.duplicate_rows,
        },
    )


def _results(
    tables: Sequence[MetricTable],
    counts: CountsByBucket,
    selected: set[dg.AssetCheckKey],
    label: str | None,
) -> Iterator[dg.AssetCheckResult]:
    """Every result of one step over its whole window, yielded here only."""
    for table in tables:
        found = total(counts.get(table.asset_key, {}))
        if dg.AssetCheckKey(table.asset_key, ROWS_CHECK) in selected:
            yield rows_result(table, found, label)
        if dg.AssetCheckKey(table.asset_key, KEY_CHECK) in selected:
            yield key_result(table, found, label)


def partition_result(
    tables: Sequence[MetricTable], counts: CountsByBucket
) -> Callable[[dg.AssetCheckResult, str], dg.AssetCheckResult]:
    """The result of one partition of a ranged run, from its own bucket's counts: a day
    without rows warns on that day only."""
    by_key = {table.asset_key: table for table in tables}

    def for_partition(result: dg.AssetCheckResult, partition: str) -> dg.AssetCheckResult:
        assert result.asset_key is not None
        table = by_key[result.asset_key]
        found = counts.get(table.asset_key, {}).get(partition, WindowCounts())
        make = rows_result if result.check_name == ROWS_CHECK else key_result
        return make(table, found, partition)

    return for_partition


def metric_tables(assets_def: dg.AssetsDefinition) -> list[MetricTable]:
    """The checked tables of one metric `@dbt_assets` definition, from its manifest."""
    from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets

    manifest, translator, project = get_manifest_and_translator_from_dbt_assets([assets_def])
    nodes = manifest.get("nodes", {})
    tests_of: dict[str, list[Mapping[str, Any]]] = {}
    for node in nodes.values():
        if node.get("resource_type") == "test":
            for parent in (node.get("depends_on") or {}).get("nodes", []):
                tests_of.setdefault(parent, []).append(node)
    models = {
        translator.get_asset_spec(manifest, uid, project).key: node
        for uid, node in nodes.items()
        if node.get("resource_type") == "model" and _in_metrics(node)
    }
    tables = []
    for key in sorted(assets_def.keys, key=lambda k: k.to_user_string()):
        node = models.get(key)
        if node is None:
            continue
        is_slice = node["config"].get("materialized") == "analytics_aggregates_slice"
        grain = (node["config"].get("meta") or {}).get("grain")
        tables.append(
            MetricTable(
                asset_key=key,
                schema=node["schema"],
                relation=node.get("alias") or node["name"],
                key=metric_key(node, tests_of.get(node["unique_id"], [])),
                window_column=window_column(node),
                metric_types=_metric_types(models.values(), grain) if is_slice else (),
            )
        )
    return tables


def _in_metrics(node: Mapping[str, Any]) -> bool:
    fqn = node.get("fqn") or []
    return len(fqn) > 1 and fqn[1] == METRICS_FOLDER


def _metric_types(nodes: Any, grain: str | None) -> tuple[str, ...]:
    """The metric types of a grain: what its slice of analytics_aggregates holds."""
    found = set()
    for node in nodes:
        meta = node["config"].get("meta") or {}
        if meta.get("metric_type") and meta.get("grain") == grain:
            found.add(meta["metric_type"])
    return tuple(sorted(found))


def build_metric_check(assets_def: dg.AssetsDefinition) -> dg.AssetChecksDefinition | None:
    """One multi-asset check (both checks of every table) for one metric definition,
    partitioned like it."""
    tables = metric_tables(assets_def)
    if not tables:
        return None
    partitions = assets_def.partitions_def
    specs = [_spec for table in tables for _spec in _specs(table, partitions)]

    @dg.multi_asset_check(
        specs=specs,
        name=f"metric_tables_{assets_def.node_def.name.removeprefix('dbt_metrics_')}",
        can_subset=True,
        description="Rows present and keys unique in the window, every metric table of the "
        "grain in one query.",
    )
    def _check(
        context: dg.AssetCheckExecutionContext, databases: Databases
    ) -> Iterator[CheckEvent]:
        label, window = check_window(context)
        selected = set(context.selected_asset_check_keys)
        checked = [
            t
            for t in tables
            if {dg.AssetCheckKey(t.asset_key, n) for n in (ROWS_CHECK, KEY_CHECK)} & selected
        ]
        counts = window_counts(databases.warehouse_url(), checked, window)
        results = _results(checked, counts, selected, label)
        yield from per_partition(context, results, partition_result(checked, counts))

    return _check


def _specs(
    table: MetricTable, partitions: dg.PartitionsDefinition | None
) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            ROWS_CHECK,
            asset=table.asset_key,
            blocking=False,
            partitions_def=partitions,
            description="Warns when the run's window holds no row of this table (a quiet "
            "period may legitimately be empty).",
        ),
        dg.AssetCheckSpec(
            KEY_CHECK,
            asset=table.asset_key,
            blocking=True,
            partitions_def=partitions,
            description=f"Fails when a key ({', '.join(table.key)}) appears more than once "
            "in the run's window.",
        ),
    ]


def build_metric_checks(assets: Sequence[dg.AssetsDefinition]) -> list[dg.AssetChecksDefinition]:
    """The metric table checks of every metric definition among `assets`."""
    names = {metric_assets_name(grain) for grain in GRAINS}
    built = [build_metric_check(a) for a in assets if a.is_executable and a.node_def.name in names]
    return [check for check in built if check is not None]
