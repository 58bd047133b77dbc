"""A demo source with 2 % bad rows, through the whole pipeline (`run_range`): every
critical check passes (staging quarantined the bad rows, so nothing bad reaches the marts
or the metrics), and the raw layer warns about its share of bad rows.

Small: 200 users over the 14 days 2026-01-01 .. 14, the first partitions of the project.
"""

from datetime import date

import dagster as dg
import pytest

from analytics_assets.quality_checks import CHECK_PREFIX
from analytics_assets.quarantine_checks import CHECK_NAME
from demo_source.generator import GenerationSpec, generate

SPEC = GenerationSpec(users=200, days=14, end=date(2026, 1, 14), seed=7, bad_rate=0.02)
START, END = date(2026, 1, 1), date(2026, 1, 15)
# Layers the run must reach for the checks to mean anything: the marts BI reads and the
# day-grain metrics.
REQUIRED_GROUPS = ("raw", "staging", "marts", "daily")


def check_evaluations(run_ids: tuple[str, ...]) -> dict[str, dg.AssetCheckEvaluation]:
    """`asset:check` -> its evaluation, for every check of the runs (the daily run, then the
    weekly and monthly rollups of the range)."""
    evaluations = []
    with dg.DagsterInstance.get() as instance:
        for run_id in run_ids:
            records = instance.get_records_for_run(
                run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=10_000
            ).records
            evaluations += [r.event_log_entry.dagster_event.event_specific_data for r in records]
    return {f"{e.asset_key.to_user_string()}:{e.check_name}": e for e in evaluations}


@pytest.mark.slow
def test_a_demo_source_passes_every_critical_check_and_warns_on_raw(env):
    from analytics_assets.definitions import defs
    from analytics_assets.grains import DAILY
    from analytics_assets.runner import run_range

    job_groups = {
        defs.resolve_asset_graph().get(key).group_name
        for key in defs.resolve_job_def(DAILY.job).asset_layer.asset_graph.get_all_asset_keys()
        if defs.resolve_asset_graph().has(key)
    }
    missing = sorted(set(REQUIRED_GROUPS) - job_groups)
    assert not missing, f"the pipeline job does not run the groups {missing} yet"

    report = generate(env.source, SPEC)
    assert sum(report.bad_rows.values()) > 0
    summary = run_range(START, END)
    evaluations = check_evaluations(summary.run_ids)

    # every critical check passed, so the run succeeded
    blocking_failures = [k for k, e in evaluations.items() if not e.passed and e.blocking]
    assert blocking_failures == [], summary.render()
    assert summary.success, summary.render()
    gx_checks = {k for k in evaluations if k.split(":")[1].startswith(CHECK_PREFIX)}
    assert {k for k in gx_checks if k.startswith("marts/")}, "the marts suites ran"
    assert {k for k in gx_checks if k.startswith("analytics/")}, "the metric suites ran"
    # the range completes the week of Monday 2026-01-05: its rollup was checked too
    assert f"analytics/analytics_aggregates_weekly:{CHECK_PREFIX}analytics_aggregates_weekly" in (
        gx_checks
    )

    # the raw layer warns: events, the biggest table, had ~2 % of its rows quarantined
    events = evaluations[f"raw/events:{CHECK_PREFIX}raw_events"]
    assert not events.passed and events.severity == dg.AssetCheckSeverity.WARN
    [share] = events.metadata["failures"].value
    assert share["sample"], "the warning lists partitions over the threshold"
    assert all(row["bad_share"] > 0.01 for row in share["sample"])
    # and so does the staging quarantine count
    quarantine = evaluations[f"staging/stg_events:{CHECK_NAME}"]
    assert not quarantine.passed and quarantine.metadata["quarantined_rows"].value > 0
    warned = [k for k, e in evaluations.items() if not e.passed]
    assert all(evaluations[k].severity == dg.AssetCheckSeverity.WARN for k in warned)
