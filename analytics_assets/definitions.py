"""The Dagster code location: every asset, check, job and schedule of the project."""

from __future__ import annotations

import dagster as dg


def build_definitions() -> dg.Definitions:
    return dg.Definitions(assets=[], asset_checks=[], jobs=[], schedules=[], resources={})


defs = build_definitions()
