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

from collections.abc import Callable, Iterable, Iterator

import dagster as dg

CheckEvent = dg.AssetCheckResult | dg.AssetCheckEvaluation | dg.Output
PartitionResult = Callable[[dg.AssetCheckResult, str], dg.AssetCheckResult]
"""(the range's result, a partition key) -> that partition's result."""


def per_partition(
    context: dg.AssetCheckExecutionContext,
    results: Iterable[dg.AssetCheckResult],
    by_partition: PartitionResult | None = None,
) -> Iterator[CheckEvent]:
    """The events that record `results` under each partition of the run's range; the results
    themselves when the run has one partition, none, or the check is not partitioned."""
    ranged = context.has_partition_key_range and not context.has_partition_key
    assets_def = context.op_execution_context.assets_def
    for result in results:
        key = _check_key(context, result)
        spec = assets_def.get_spec_for_check_key(key)
        if not ranged or spec is None or spec.partitions_def is None:
            yield result
            continue
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
            )
        # The check's output: Dagster requires it of the step (its value is never read).
        yield dg.Output(None, output_name=assets_def.get_output_name_for_asset_check_key(key))


def _check_key(
    context: dg.AssetCheckExecutionContext, result: dg.AssetCheckResult
) -> dg.AssetCheckKey:
    if result.asset_key is not None and result.check_name is not None:
        return dg.AssetCheckKey(result.asset_key, result.check_name)
    (spec,) = context.check_specs  # a single-check step: the result names neither
    return spec.key
