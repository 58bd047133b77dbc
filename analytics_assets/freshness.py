"""How fresh the raw and aggregate assets must be: Dagster 1.13 freshness policies.

A cron freshness policy says "by this deadline, the asset has been materialized since
that instant". The deadlines follow the schedules (schedules.py) with about three hours
for the run to finish:

- raw (daily schedule at 03:00 UTC): materialized since midnight by 06:00 UTC;
- daily metric rollups (same run, after dbt): since midnight by 07:00 UTC;
- weekly rollups (Monday 05:00): since Monday midnight by Monday 08:00 UTC;
- monthly rollups (the 1st, 05:30): since midnight of the 1st by 08:00 UTC.

Why policies and not freshness asset checks (`build_time_partition_freshness_checks`,
superseded in 1.13): an asset check of a raw asset is selected by every job that selects
the raw group, so it would run, and fail, inside every `analytics run` over past days. A
policy runs in no job: the freshness daemon (on by default with `dagster dev`, so with
`analytics ui`) evaluates it every 30 s on the instance, and the UI shows each asset's
freshness (Pass / Fail / Unknown before its first materialization) in its health.
"""

from __future__ import annotations

import warnings
from datetime import timedelta

import dagster as dg

RAW_GROUP = "raw"
AGGREGATE_GROUPS = ("daily", "weekly", "monthly")


def freshness_policies() -> dict[str, dg.FreshnessPolicy]:
    """Asset group -> its freshness policy (the raw group and the rollup groups)."""
    return {
        RAW_GROUP: dg.FreshnessPolicy.cron(
            deadline_cron="0 6 * * *", lower_bound_delta=timedelta(hours=6), timezone="UTC"
        ),
        "daily": dg.FreshnessPolicy.cron(
            deadline_cron="0 7 * * *", lower_bound_delta=timedelta(hours=7), timezone="UTC"
        ),
        "weekly": dg.FreshnessPolicy.cron(
            deadline_cron="0 8 * * 1", lower_bound_delta=timedelta(hours=8), timezone="UTC"
        ),
        "monthly": dg.FreshnessPolicy.cron(
            deadline_cron="0 8 1 * *", lower_bound_delta=timedelta(hours=8), timezone="UTC"
        ),
    }


def freshness_policy_for(group: str | None) -> dg.FreshnessPolicy | None:
    """The policy of an asset group, or None for groups without one (staging, marts)."""
    return freshness_policies().get(group) if group else None


def with_freshness_policy(spec: dg.AssetSpec) -> dg.AssetSpec:
    """The spec with its group's policy, unless it has a policy of its own already."""
    policy = freshness_policy_for(spec.group_name)
    if policy is None:
        return spec
    return dg.apply_freshness_policy(spec, policy, overwrite_existing=False)


def with_freshness_policies(defs: dg.Definitions) -> dg.Definitions:
    """The definitions with every raw and rollup asset carrying its group's policy."""
    with warnings.catch_warnings():
        # "preview" in Dagster 1.13, and the way its docs attach policies to built assets.
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return defs.map_asset_specs(func=with_freshness_policy)
