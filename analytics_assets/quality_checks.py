"""Great Expectations suites as partitioned Dagster asset checks.

One check per suite file in `quality/suites`, partitioned like the asset it checks, and
blocking when the suite has a critical expectation: a failure stops that partition's
downstream assets and fails `analytics run`. Warnings are reported, never blocking.
"""

from __future__ import annotations

from collections.abc import Sequence
import dagster as dg

from analytics_assets.resources import Databases
from quality.suite import SuiteFile, load_suites


def _window(context: dg.AssetCheckExecutionContext) -> tuple[str | None, object]:
    """The partition (or range of partitions, in a single-run backfill) being checked."""
    from quality.runner import Window

    if not context.has_partition_key_range:
        return None, None
    keys = context.partition_key_range
    start, end = context.partition_time_window
    label = keys.start if keys.start == keys.end else f"{keys.start}...{keys.end}"
    return label, Window(start, end)


def build_suite_check(
    suite: SuiteFile, partitions_def: dg.PartitionsDefinition | None
) -> dg.AssetChecksDefinition:
    asset_key = dg.AssetKey(list(suite.target.asset_key))

    @dg.asset_check(
        asset=asset_key,
        name=f"gx_{suite.name}",
        description=f"Great Expectations suite {suite.path.name} on {suite.target.relation}.",
        blocking=suite.blocking,
        partitions_def=partitions_def,
    )
    def _check(
        context: dg.AssetCheckExecutionContext, databases: Databases
    ) -> dg.AssetCheckResult:
        from quality.results import record
        from quality.runner import validate

        key, window = _window(context)
        result = validate(suite, databases.warehouse_url(), window)
        record(databases.warehouse_url(), result, asset_key.to_user_string(), key, context.run_id)
        failed = result.critical_failures + result.warnings
        severity = (
            dg.AssetCheckSeverity.ERROR if result.critical_failures else dg.AssetCheckSeverity.WARN
        )
        return dg.AssetCheckResult(
            passed=not failed,
            severity=severity,
            description=_describe(result),
            metadata={
                "expectations": len(result.outcomes),
                "failed_critical": len(result.critical_failures),
                "failed_warning": len(result.warnings),
                "failures": dg.MetadataValue.json(
                    [
                        {
                            "expectation": o.expectation,
                            "severity": o.severity,
                            "unexpected_count": o.unexpected_count,
                            "observed_value": o.observed_value,
                            "sample": o.sample,
                        }
                        for o in failed
                    ]
                ),
            },
        )

    return _check


def _describe(result: object) -> str:
    from quality.runner import SuiteResult

    assert isinstance(result, SuiteResult)
    failed = result.critical_failures + result.warnings
    if not failed:
        return f"all {len(result.outcomes)} expectations passed"
    return "; ".join(
        f"{o.severity}: {o.expectation} ({o.unexpected_count or o.observed_value} unexpected)"
        for o in failed
    )


def build_quality_checks(
    assets: Sequence[dg.AssetsDefinition],
) -> list[dg.AssetChecksDefinition]:
    """A check for every suite whose asset is among `assets`, partitioned like it."""
    partitions = {key: a.partitions_def for a in assets for key in a.keys}
    checks = []
    for suite in load_suites():
        key = dg.AssetKey(list(suite.target.asset_key))
        if key not in partitions:
            raise ValueError(f"{suite.path.name}: no asset {key.to_user_string()} to check")
        checks.append(build_suite_check(suite, partitions[key]))
    return checks
