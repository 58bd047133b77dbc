"""How dbt resources become Dagster assets: sources line up with the raw assets, models
fall into the staging and marts groups, dbt tests become asset checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from analytics_assets.settings import asset_owners

RAW_SCHEMA = "raw"

# The dbt folder under models/ (the second part of a node's fqn) -> its Dagster group.
LAYER_GROUPS = {"staging": "staging", "intermediate": "staging", "marts": "marts"}
# Metric models live in models/metrics/<grain>/: one group per grain.
METRIC_GRAINS = ("daily", "weekly", "monthly")


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
        return "marts"
    if len(fqn) < 3:
        return None
    if fqn[1] == "metrics":
        return fqn[2] if fqn[2] in METRIC_GRAINS else "metrics"
    return LAYER_GROUPS.get(fqn[1])
