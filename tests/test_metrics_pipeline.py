"""The metric groups in Dagster and the runs of `analytics run`, without a database: three
partitioned dbt definitions (daily, weekly from Monday, monthly), the weekly and monthly
rollups depending on the daily ones through time-window partition mappings, and which
runs a range of days needs (the days, then the weeks and months it completes).

Calendar used below (2026): Thursday 1 Jan (the first daily partition), Monday 5 Jan (the
first weekly partition), Sunday 1 Feb, Mondays 2, 9, 16 and 23 Feb, Sunday 1 Mar,
Monday 1 Jun, Wednesday 1 Jul.
"""

from __future__ import annotations

from datetime import date

import dagster as dg
import pytest

from analytics_assets.calendar import (
    daily_partitions,
    monthly_partitions,
    periods_within,
    weekly_partitions,
)
from analytics_assets.dbt.metric_assets import daily_counterpart
from analytics_assets.grains import DAILY, MONTHLY, WEEKLY
from analytics_assets.jobs import GRAIN_TAG
from analytics_assets.runner import PlannedRun, RunSummary, combine, plan_runs
from analytics_assets.window import Window

FEBRUARY = Window(date(2026, 2, 1), date(2026, 3, 1))
START = "dagster/asset_partition_range_start"
END = "dagster/asset_partition_range_end"


@pytest.fixture(autouse=True)
def default_settings(monkeypatch):
    monkeypatch.delenv("ANALYTICS_START_DATE", raising=False)


def key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["analytics", name])


def metric_definitions(defs: dg.Definitions) -> dict[str, dg.AssetsDefinition]:
    return {
        a.node_def.name: a
        for a in defs.resolve_asset_graph().assets_defs
        # the source tables are external assets, without a node
        if a.is_executable and a.node_def.name.startswith("dbt_metrics_")
    }


# --- the definitions ------------------------------------------------------------------


def test_one_partitioned_single_run_definition_per_grain(defs: dg.Definitions) -> None:
    metrics = metric_definitions(defs)
    assert set(metrics) == {"dbt_metrics_daily", "dbt_metrics_weekly", "dbt_metrics_monthly"}
    expected = {
        "dbt_metrics_daily": daily_partitions(),
        "dbt_metrics_weekly": weekly_partitions(),
        "dbt_metrics_monthly": monthly_partitions(),
    }
    for name, definition in metrics.items():
        assert definition.partitions_def == expected[name], name
        assert definition.backfill_policy == dg.BackfillPolicy.single_run(), name
        suffix = name.removeprefix("dbt_metrics_")
        names = {k.path[-1] for k in definition.keys}
        assert all(k.path[0] == "analytics" for k in definition.keys)
        assert all(n.endswith(f"_{suffix}") for n in names), name
        assert f"analytics_aggregates_{suffix}" in names
        assert f"fct_metric_users_growth_{suffix}" in names
    # METRICS.md: 20 metric types; content and courses performance exist at week and month
    # grain only, experiments results at day grain only. Plus one aggregates slice each.
    assert [len(metrics[f"dbt_metrics_{g}"].keys) for g in ("daily", "weekly", "monthly")] == [
        18 + 1,
        19 + 1,
        19 + 1,
    ]


def test_each_grain_is_its_own_group(graph: dg.AssetGraph) -> None:
    groups = {
        n.key.path[-1]: n.group_name for n in graph.asset_nodes if n.key.path[0] == "analytics"
    }
    assert groups["fct_metric_nps_summary_daily"] == "daily"
    assert groups["fct_metric_nps_summary_weekly"] == "weekly"
    assert groups["analytics_aggregates_monthly"] == "monthly"
    assert set(groups.values()) == {"daily", "weekly", "monthly"}


def test_weeks_start_on_monday() -> None:
    weekly = weekly_partitions()
    assert weekly.get_first_partition_key() == "2026-01-05"
    window = Window.of(weekly.time_window_for_partition_key("2026-02-09"))
    assert window == Window(date(2026, 2, 9), date(2026, 2, 16))
    month = Window.of(monthly_partitions().time_window_for_partition_key("2026-02-01"))
    assert month.dbt_env() == {
        "ANALYTICS_WINDOW_START": "2026-02-01",
        "ANALYTICS_WINDOW_END": "2026-03-01",
    }


def test_daily_counterpart() -> None:
    assert daily_counterpart("fct_metric_nps_summary_weekly") == "fct_metric_nps_summary_daily"
    assert daily_counterpart("analytics_aggregates_monthly") == "analytics_aggregates_daily"
    assert daily_counterpart("fct_metric_nps_summary_daily") is None
    assert daily_counterpart("dim_users") is None


def test_weekly_and_monthly_rollups_depend_on_the_daily_ones(graph: dg.AssetGraph) -> None:
    daily = key("fct_metric_nps_summary_daily")
    weekly = key("fct_metric_nps_summary_weekly")
    monthly = key("fct_metric_nps_summary_monthly")
    assert daily in graph.get(weekly).parent_keys
    assert daily in graph.get(monthly).parent_keys
    assert (
        key("analytics_aggregates_daily")
        in graph.get(key("analytics_aggregates_weekly")).parent_keys
    )
    assert isinstance(graph.get_partition_mapping(weekly, daily), dg.TimeWindowPartitionMapping)
    # no daily counterpart: content.performance is a week and month metric only
    content = graph.get(key("fct_metric_content_performance_weekly")).parent_keys
    assert not any(k.path[-1].endswith("_daily") for k in content)

    # the week of Monday 2 Feb is the days 2..8 Feb; February is its 28 days
    week_days = graph.get_parent_partition_keys_for_child("2026-02-02", daily, weekly)
    assert list(week_days.partitions_subset.get_partition_keys()) == [
        f"2026-02-0{d}" for d in range(2, 9)
    ]
    month_days = graph.get_parent_partition_keys_for_child("2026-02-01", daily, monthly)
    assert len(list(month_days.partitions_subset.get_partition_keys())) == 28
    # so a re-materialized day makes its week and its month stale (what the UI shows)
    assert graph.get_child_partition_keys_of_parent("2026-02-08", daily, weekly) == ["2026-02-02"]
    assert graph.get_child_partition_keys_of_parent("2026-02-09", daily, weekly) == ["2026-02-09"]
    assert graph.get_child_partition_keys_of_parent("2026-02-28", daily, monthly) == ["2026-02-01"]


def test_the_pipeline_job_runs_the_days_and_the_rollup_jobs_their_grain(
    defs: dg.Definitions, graph: dg.AssetGraph
) -> None:
    def groups(job_name: str) -> set[str]:
        job = defs.resolve_job_def(job_name)
        return {graph.get(k).group_name for k in job.asset_layer.asset_graph.executable_asset_keys}

    assert groups(DAILY.job) == {"raw", "staging", "marts", "daily"}
    assert groups("weekly_metrics") == {"weekly"}
    assert groups("monthly_metrics") == {"monthly"}
    assert defs.resolve_job_def("weekly_metrics").partitions_def == weekly_partitions()


# --- which runs a range needs ---------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "weeks"),
    [
        (date(2026, 2, 2), date(2026, 2, 9), (date(2026, 2, 2), date(2026, 2, 2))),
        (date(2026, 2, 1), date(2026, 3, 1), (date(2026, 2, 2), date(2026, 2, 16))),
        (date(2026, 2, 3), date(2026, 2, 16), (date(2026, 2, 9), date(2026, 2, 9))),
        (date(2026, 2, 2), date(2026, 2, 8), None),  # Monday..Saturday
        (date(2026, 2, 3), date(2026, 2, 10), None),  # Tuesday..Monday
        (date(2026, 1, 1), date(2026, 1, 12), (date(2026, 1, 5), date(2026, 1, 5))),
        # the week of Monday 29 Dec 2025 is before the first weekly partition
        (date(2025, 12, 29), date(2026, 1, 5), None),
    ],
)
def test_complete_weeks(start: date, end: date, weeks: tuple[date, date] | None) -> None:
    assert periods_within(weekly_partitions(), Window(start, end)) == key_range(weeks)


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2026, 2, 1), date(2026, 3, 1), (date(2026, 2, 1), date(2026, 2, 1))),
        (date(2026, 2, 2), date(2026, 3, 1), None),
        (date(2026, 2, 1), date(2026, 2, 28), None),
        (date(2026, 1, 15), date(2026, 4, 2), (date(2026, 2, 1), date(2026, 3, 1))),
        (date(2026, 6, 1), date(2026, 7, 6), (date(2026, 6, 1), date(2026, 6, 1))),
        (date(2025, 12, 1), date(2026, 1, 1), None),  # before the first monthly partition
    ],
)
def test_complete_months(start: date, end: date, months: tuple[date, date] | None) -> None:
    assert periods_within(monthly_partitions(), Window(start, end)) == key_range(months)


def key_range(first_last: tuple[date, date] | None) -> dg.PartitionKeyRange | None:
    if first_last is None:
        return None
    return dg.PartitionKeyRange(first_last[0].isoformat(), first_last[1].isoformat())


def test_a_range_is_the_days_then_the_weeks_and_months_it_completes() -> None:
    runs = plan_runs(FEBRUARY)
    assert runs == [
        PlannedRun(DAILY, dg.PartitionKeyRange("2026-02-01", "2026-02-28")),
        PlannedRun(WEEKLY, dg.PartitionKeyRange("2026-02-02", "2026-02-16")),
        PlannedRun(MONTHLY, dg.PartitionKeyRange("2026-02-01", "2026-02-01")),
    ]
    assert runs[1].tags() == {START: "2026-02-02", END: "2026-02-16", GRAIN_TAG: "week"}
    assert runs[0].tags()[END] == "2026-02-28"
    # a few days complete nothing coarser: one run
    assert plan_runs(Window(date(2026, 2, 3), date(2026, 2, 6))) == [
        PlannedRun(DAILY, dg.PartitionKeyRange("2026-02-03", "2026-02-05")),
    ]


def summary(run_id: str, success: bool, **fields) -> RunSummary:
    return RunSummary(success, run_id, FEBRUARY, 1.0, **fields)


def test_the_summary_of_a_range_succeeds_only_when_every_run_did() -> None:
    plan = plan_runs(FEBRUARY)
    ran = [
        summary("d", True, rows={"raw/events": 10}, failed_checks=("raw/events:gx (warn)",)),
        summary("w", False, failed_steps=("dbt_metrics_weekly: boom",)),
        summary("m", True),
    ]
    combined = combine(plan, ran, FEBRUARY, 9.0)
    assert not combined.success
    assert combined.run_id == "d" and combined.run_ids == ("d", "w", "m")
    assert combined.rows == {"raw/events": 10}
    assert combined.failed_steps == ("dbt_metrics_weekly: boom",)
    assert combined.failed_checks == ("raw/events:gx (warn)",)
    assert combined.render().splitlines()[:3] == [
        "run d FAILED in 9.0 s: [2026-02-01, 2026-03-01), 28 days",
        "  weeks 2026-02-02...2026-02-16: run w FAILED",
        "  months 2026-02-01: run m succeeded",
    ]
    assert combine(plan, [ran[0], summary("w", True), ran[2]], FEBRUARY, 9.0).success


def test_rollups_do_not_run_after_a_failed_day_run() -> None:
    plan = plan_runs(FEBRUARY)
    combined = combine(plan, [summary("d", False)], FEBRUARY, 2.0)
    assert not combined.success
    assert combined.run_ids == ("d",)
    assert [r.run_id for r in combined.runs] == ["d", None, None]
    assert "  weeks 2026-02-02...2026-02-16: not run: the daily run failed" in combined.render()
