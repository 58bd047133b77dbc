"""Great Expectations suites as partitioned Dagster asset checks.

One check per suite file in `quality/suites` (named `gx_<suite>`), partitioned like the
asset it checks, and blocking when the suite has a critical expectation: a failure stops
that partition's downstream assets and fails `analytics run`. Warnings are reported, never
blocking. GX is imported inside the check, never when the definitions load.
"""

# No `from __future__ import annotations`: Dagster reads the context and resource
# annotations of the check functions at definition time.
import warnings
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import dagster as dg

from analytics_assets.check_partitions import CheckEvent, check_window, per_partition
from analytics_assets.quality.suite import SuiteFile, load_suites
from analytics_assets.resources import Databases

if TYPE_CHECKING:
    from analytics_assets.quality.runner import ExpectationOutcome, SuiteResult

CHECK_PREFIX = "gx_"
DESCRIPTION_LIMIT = 1_000


def check_name(suite: SuiteFile) -> str:
    return f"{CHECK_PREFIX}{suite.name}"


def build_suite_check(
    suite: SuiteFile,
    partitions_def: dg.PartitionsDefinition | None,
    after: Sequence[dg.AssetKey] = (),
) -> dg.AssetChecksDefinition:
    """The check of one suite. `after`: assets the check waits for when they run in the same
    run (the relations its SQL reads besides its own asset's)."""
    asset_key = dg.AssetKey(list(suite.target.asset_key))

    @dg.asset_check(
        asset=asset_key,
        name=check_name(suite),
        description=_check_description(suite),
        blocking=suite.blocking,
        partitions_def=partitions_def,
        additional_deps=list(after) or None,
        metadata={"suite_file": f"analytics_assets/quality/suites/{suite.path.name}"},
    )
    def _check(
        context: dg.AssetCheckExecutionContext, databases: Databases
    ) -> Iterator[CheckEvent]:
        from analytics_assets.quality.results import record
        from analytics_assets.quality.runner import validate

        label, window = check_window(context)
        result = validate(suite, databases.warehouse_url(), window)
        asset = asset_key.to_user_string()
        record(databases.warehouse_url(), result, asset, label, context.run.run_id)
        # One validation of the whole range, recorded under each of its partitions.
        yield from per_partition(context, [suite_check_result(result, label)])

    return _check


def suite_check_result(result: "SuiteResult", label: str | None) -> dg.AssetCheckResult:
    """What Dagster shows of a suite's run: the failed expectations with their unexpected
    counts and samples; ERROR severity only when a critical expectation failed."""
    failed = result.critical_failures + result.warnings
    severity = (
        dg.AssetCheckSeverity.ERROR if result.critical_failures else dg.AssetCheckSeverity.WARN
    )
    return dg.AssetCheckResult(
        passed=not failed,
        severity=severity,
        description=describe(result)[:DESCRIPTION_LIMIT],
        metadata={
            "relation": result.relation,
            "window": result.window.label() if result.window else "whole relation",
            "partitions": label or "none",
            "expectations": len(result.outcomes),
            "failed_critical": len(result.critical_failures),
            "failed_warning": len(result.warnings),
            "failed_expectations": dg.MetadataValue.md(failure_table(result)),
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


def describe(result: "SuiteResult") -> str:
    """One line per failed expectation, critical first, e.g.
    `critical: expect_column_values_to_be_between(score): 3 unexpected, e.g. [140, -5]`."""
    failed = result.critical_failures + result.warnings
    if not failed:
        return f"all {len(result.outcomes)} expectations passed"
    lines = []
    for o in failed:
        if _errored(o):
            lines.append(f"{o.severity}: {o.expectation}: could not run ({o.observed_value})")
            continue
        count = o.unexpected_count if o.unexpected_count is not None else o.observed_value
        example = f", e.g. {o.sample[:2]}" if o.sample else ""
        lines.append(f"{o.severity}: {o.expectation}: {count} unexpected{example}")
    return "\n".join(lines)


def failure_table(result: "SuiteResult") -> str:
    """The failed expectations as a Markdown table (the Dagster UI renders it)."""
    failed = result.critical_failures + result.warnings
    if not failed:
        return f"All {len(result.outcomes)} expectations passed."
    rows = ["| severity | expectation | unexpected | sample |", "|---|---|---|---|"]
    for o in failed:
        count = "error" if _errored(o) else o.unexpected_count
        sample = o.observed_value if _errored(o) else o.sample
        cells = [o.severity, o.expectation, str(count), str(sample)[:200]]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)


def _errored(outcome: "ExpectationOutcome") -> bool:
    value = outcome.observed_value
    return isinstance(value, str) and value.startswith("error:")


def _check_description(suite: SuiteFile) -> str:
    kind = "blocking (critical expectations)" if suite.blocking else "warning only"
    return (
        f"Great Expectations suite analytics_assets/quality/suites/{suite.path.name} on "
        f"{suite.target.relation}, {kind}. {suite.description}"
    ).strip()


def build_quality_checks(
    assets: Sequence[dg.AssetsDefinition],
) -> list[dg.AssetChecksDefinition]:
    """A check for every suite whose asset is among `assets`, partitioned like it.

    A suite whose asset is not (yet) defined is skipped with a warning rather than breaking
    the code location; tests/test_quality_definitions.py requires every suite's asset in the
    project's definitions.
    """
    partitions = {key: a.partitions_def for a in assets for key in a.keys}
    checks = []
    for suite in load_suites():
        key = dg.AssetKey(list(suite.target.asset_key))
        if key not in partitions:
            warnings.warn(
                f"{suite.path.name}: no asset {key.to_user_string()}; its check is left out",
                stacklevel=2,
            )
            continue
        after = [dg.AssetKey(list(k)) for k in suite.target.after]
        checks.append(
            build_suite_check(suite, partitions[key], [k for k in after if k in partitions])
        )
    return checks


def missing_suite_assets(assets: Sequence[dg.AssetsDefinition]) -> list[str]:
    """Suite files whose asset is not among `assets`."""
    keys = {key for a in assets for key in a.keys}
    return [s.path.name for s in load_suites() if dg.AssetKey(list(s.target.asset_key)) not in keys]
