"""Check results of a ranged run, recorded under each partition of the range.

A single-run backfill checks its whole range in one step (`analytics run` over 30 days is
one GX validation of the 30 days, not 30). Dagster plans a partitioned check once per
partition of the range, but records an `AssetCheckResult` of a ranged step without a
partition (AssetCheckResult.to_asset_check_evaluation keeps the partition only when the
step has exactly one), so every planned partition stays unresolved and the UI's Partitions
tab shows each processed day as "Skipped". `per_partition` turns one result into one
evaluation per partition of the range, plus the (empty) output Dagster expects of the
check: what was checked once over the range is true of each of its days.

A check that can tell its days apart (the quarantine counts) passes `by_partition`, the
result of each day, instead of one result for all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

import dagster as dg

from analytics_assets.dagster_internals import TargetMaterialization
from analytics_assets.jobs import range_label
from analytics_assets.window import Window

CheckEvent = dg.AssetCheckResult | dg.AssetCheckEvaluation | dg.Output

PartitionResult = Callable[[dg.AssetCheckResult, str], dg.AssetCheckResult]
"""(the range's result, a partition key) -> that partition's result."""


def check_window(context: dg.AssetCheckExecutionContext) -> tuple[str | None, Window | None]:
    """(label, window) of what a check validates: its partition or range of partitions (a
    single-run backfill checks the whole range at once); for a check of an unpartitioned
    asset, the partitions of the run it is part of. (None, None) in a run without
    partitions: the whole relation is checked."""
    if not (context.has_partition_key or context.has_partition_key_range):
        return None, None
    return range_label(context.partition_key_range), Window.of(context.partition_time_window)


def per_partition(
    context: dg.AssetCheckExecutionContext,
    results: Iterable[dg.AssetCheckResult],
    by_partition: PartitionResult | None = None,
) -> Iterator[CheckEvent]:
    """The events that record `results` under each partition of the run's range; the results
    themselves when the run has one partition, none, or the check is not partitioned."""
    ranged = context.has_partition_key_range and not context.has_partition_key
    assets_def = context.op_execution_context.assets_def
    targets: dict[dg.AssetKey, dict[str, TargetMaterialization]] = {}
    for result in results:
        key = _check_key(context, result)
        spec = assets_def.get_spec_for_check_key(key)
        if not ranged or spec is None or spec.partitions_def is None:
            yield result
            continue
        if key.asset_key not in targets:
            targets[key.asset_key] = latest_materializations(
                context.instance, key.asset_key, context.partition_keys
            )
        for partition in context.partition_keys:
            one = by_partition(result, partition) if by_partition else result
            yield dg.AssetCheckEvaluation(
                asset_key=key.asset_key,
                check_name=key.name,
                passed=one.passed,
                metadata=one.metadata,
                severity=one.severity,
                description=one.description,
                blocking=spec.blocking,
                partition=partition,
                target_materialization_data=targets[key.asset_key].get(partition),
            )
        # The check's output: Dagster requires it of the step (its value is never read).
        yield dg.Output(None, output_name=assets_def.get_output_name_for_asset_check_key(key))


def latest_materializations(
    instance: dg.DagsterInstance, asset_key: dg.AssetKey, partitions: Sequence[str]
) -> dict[str, TargetMaterialization]:
    """The newest materialization of each partition: what each partition's evaluation
    checked. The UI shows a partition's check as current only when it names the partition's
    latest materialization (a check without one reads as "Missing")."""

    def newest(wanted: Sequence[str]) -> dict[str, TargetMaterialization]:
        found: dict[str, TargetMaterialization] = {}
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=asset_key, asset_partitions=list(wanted)),
            limit=len(wanted),
        ).records
        for record in records:  # newest first
            partition = record.partition_key
            if partition is not None and partition not in found:
                found[partition] = TargetMaterialization(
                    storage_id=record.storage_id, run_id=record.run_id, timestamp=record.timestamp
                )
        return found

    # One query when the run has just materialized every partition of its range (one
    # record each); a partition that query missed (older runs' records crowd it out) is
    # asked for on its own.
    found = newest(partitions)
    for partition in [p for p in partitions if p not in found]:
        found.update(newest([partition]))
    return found


def _check_key(
    context: dg.AssetCheckExecutionContext, result: dg.AssetCheckResult
) -> dg.AssetCheckKey:
    if result.asset_key is not None and result.check_name is not None:
        return dg.AssetCheckKey(result.asset_key, result.check_name)
    (spec,) = context.check_specs  # a single-check step: the result names neither
    return spec.key
