"""How fresh the raw and aggregate assets must be: Dagster 1.13 freshness policies.

A cron freshness policy says "by this deadline, the asset has been materialized since
that instant". The deadlines are in the grain table (grains.py) and follow the schedules
with about three hours for the run to finish:

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

from datetime import timedelta

import dagster as dg

from analytics_assets.grains import GRAINS, RAW_FRESHNESS, RAW_GROUP, Deadline


def _policy(deadline: Deadline) -> dg.FreshnessPolicy:
    return dg.FreshnessPolicy.cron(
        deadline_cron=deadline.cron,
        lower_bound_delta=timedelta(hours=deadline.hours),
        timezone="UTC",
    )


def freshness_policies() -> dict[str, dg.FreshnessPolicy]:
    """Asset group -> its freshness policy (the raw group and the rollup groups)."""
    deadlines = {RAW_GROUP: RAW_FRESHNESS, **{g.group: g.freshness for g in GRAINS}}
    return {group: _policy(deadline) for group, deadline in deadlines.items()}


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
    return defs.map_asset_specs(func=with_freshness_policy)
