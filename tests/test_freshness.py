"""Freshness policies on the raw and rollup assets, and how Dagster's freshness daemon
judges them against the materializations recorded on a PostgreSQL instance."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import dagster as dg
import pytest

from analytics_assets.freshness import (
    freshness_policy_for,
    with_freshness_policy,
)


def cron(policy: dg.FreshnessPolicy | None) -> tuple[str, timedelta]:
    assert policy is not None
    return policy.deadline_cron, policy.lower_bound_delta


def test_each_grain_must_be_refreshed_after_its_schedule():
    # daily schedule 03:00: raw by 06:00 and the daily rollups by 07:00, both since midnight
    assert cron(freshness_policy_for("raw")) == ("0 6 * * *", timedelta(hours=6))
    assert cron(freshness_policy_for("daily")) == ("0 7 * * *", timedelta(hours=7))
    # weekly on Monday 05:00, monthly on the 1st at 05:30: by 08:00, since that midnight
    assert cron(freshness_policy_for("weekly")) == ("0 8 * * 1", timedelta(hours=8))
    assert cron(freshness_policy_for("monthly")) == ("0 8 1 * *", timedelta(hours=8))
    for group in ("staging", "marts", None):
        assert freshness_policy_for(group) is None


def test_a_policy_set_on_an_asset_itself_is_kept():
    own = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=2))
    spec = dg.AssetSpec("x", group_name="raw", freshness_policy=own)
    assert with_freshness_policy(spec).freshness_policy == own
    bare = dg.AssetSpec("y", group_name="raw")
    assert cron(with_freshness_policy(bare).freshness_policy) == ("0 6 * * *", timedelta(hours=6))


def test_the_code_location_carries_the_policies():
    from analytics_assets.definitions import defs

    graph = defs.resolve_asset_graph()
    by_group: dict[str, set] = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        by_group.setdefault(node.group_name, set()).add(
            None if node.freshness_policy is None else cron(node.freshness_policy)
        )
    assert by_group["raw"] == {("0 6 * * *", timedelta(hours=6))}
    assert len([k for k in graph.get_all_asset_keys() if graph.get(k).group_name == "raw"]) == 19
    for group in ("staging", "marts"):
        assert by_group.get(group, {None}) == {None}
    assert by_group["daily"] == {("0 7 * * *", timedelta(hours=7))}
    assert by_group["weekly"] == {("0 8 * * 1", timedelta(hours=8))}
    assert by_group["monthly"] == {("0 8 1 * *", timedelta(hours=8))}


@pytest.fixture
def instance(make_database, request, monkeypatch, tmp_path):
    from support.databases import pick_server

    from analytics_assets.instance import ensure_dagster_home

    server = pick_server(request)
    monkeypatch.setenv("WAREHOUSE_DATABASE_URL", make_database(server))
    monkeypatch.setenv("SOURCE_DATABASE_URL", make_database(server))
    monkeypatch.setenv("DAGSTER_DATABASE_URL", make_database(server))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    ensure_dagster_home()
    with dg.DagsterInstance.get() as instance:
        yield instance


def evaluate(instance: dg.DagsterInstance, key: dg.AssetKey):
    """What the freshness daemon computes for the asset on this instance, now."""
    from dagster._core.definitions.freshness_evaluator import FRESHNESS_EVALUATORS_BY_POLICY_TYPE
    from dagster._core.loader import LoadingContextForTest

    from analytics_assets.definitions import defs

    node = defs.resolve_asset_graph().get(key)
    evaluator = FRESHNESS_EVALUATORS_BY_POLICY_TYPE[type(node.freshness_policy)]()
    return asyncio.run(evaluator.evaluate_freshness(LoadingContextForTest(instance), node))


def materialize(instance: dg.DagsterInstance, key: dg.AssetKey, timestamp: float) -> None:
    """Record a materialization of the asset at the given time."""
    from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
    from dagster._core.instance.utils import RUNLESS_JOB_NAME, RUNLESS_RUN_ID

    event = DagsterEvent(
        event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
        event_specific_data=StepMaterializationData(dg.AssetMaterialization(key)),
        job_name=RUNLESS_JOB_NAME,
    )
    instance.report_dagster_event(event, run_id=RUNLESS_RUN_ID, timestamp=timestamp)


def test_the_daemon_judges_raw_by_its_last_materialization(instance):
    from dagster._core.definitions.freshness import FreshnessState

    key = dg.AssetKey(["raw", "events"])
    assert evaluate(instance, key) == FreshnessState.UNKNOWN  # never materialized

    # Two days ago is before any window the policy can look at: the latest 06:00 deadline
    # is at most 24 h ago, and the window opens 6 h before it.
    materialize(instance, key, time.time() - 2 * 86400)
    assert evaluate(instance, key) == FreshnessState.FAIL

    materialize(instance, key, time.time())  # a run just now: fresh whatever the hour
    assert evaluate(instance, key) == FreshnessState.PASS
