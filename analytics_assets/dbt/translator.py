"""How dbt resources become Dagster assets: sources line up with the raw assets, models
fall into the staging and marts groups, dbt tests become asset checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from analytics_assets.grains import GRAINS, MARTS_GROUP, STAGING_GROUP
from analytics_assets.raw.ddl import RAW_SCHEMA
from analytics_assets.settings import asset_owners

# The dbt folder under models/ (the second part of a node's fqn) -> its Dagster group.
LAYER_GROUPS = {"staging": STAGING_GROUP, "intermediate": STAGING_GROUP, "marts": MARTS_GROUP}
# Metric models live in models/metrics/<grain>/ (Grain.dbt_folder): one group per grain.
METRIC_GROUPS = {grain.name: grain.group for grain in GRAINS}


class WarehouseDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        # dbt source raw.<table> is the raw/<table> asset the loader materializes: one
        # lineage from the source tables to the marts in the UI.
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([RAW_SCHEMA, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        # The project's owners on every dbt asset (settings.asset_owners), after any a model
        # declares itself (meta.dagster.owners).
        spec = super().get_asset_spec(manifest, unique_id, project)
        owners = [*spec.owners, *(o for o in asset_owners() if o not in spec.owners)]
        return spec.replace_attributes(owners=owners)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        explicit = super().get_group_name(dbt_resource_props)  # meta.dagster.group, dbt group
        if explicit:
            return explicit
        return group_for(dbt_resource_props["resource_type"], dbt_resource_props.get("fqn", []))


def group_for(resource_type: str, fqn: list[str]) -> str | None:
    """The Dagster group of a dbt node from its type and fqn (project, folder, ..., name)."""
    if resource_type == "snapshot":
        return MARTS_GROUP
    if len(fqn) < 3:
        return None
    if fqn[1] == "metrics":
        return METRIC_GROUPS.get(fqn[2], "metrics")
    return LAYER_GROUPS.get(fqn[1])
