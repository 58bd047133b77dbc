"""The project's definitions hold the quality checks: a GX check per suite on its asset,
partitioned like it and blocking as its severities say; dbt tests as asset checks; a
quarantine check on every staging model; and loading them does not import GX."""

from __future__ import annotations

import subprocess
import sys
import warnings

import dagster as dg
import pytest

from analytics_assets.quality.suite import load_suites
from analytics_assets.quality_checks import check_name, missing_suite_assets
from analytics_assets.quarantine_checks import CHECK_NAME, staging_key
from analytics_assets.settings import PROJECT_ROOT
from analytics_assets.source.tables import source_tables


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from analytics_assets.definitions import defs
    return defs


def check_specs(definitions: dg.Definitions) -> dict[dg.AssetCheckKey, dg.AssetCheckSpec]:
    graph = definitions.resolve_asset_graph()
    return {key: graph.get_check_spec(key) for key in graph.asset_check_keys}


def test_every_suite_has_its_asset_in_the_definitions(definitions):
    assets = list(definitions.resolve_asset_graph().assets_defs)
    assert missing_suite_assets(assets) == []


def test_each_suite_is_a_check_partitioned_like_its_asset(definitions):
    graph = definitions.resolve_asset_graph()
    specs = check_specs(definitions)
    for checked in load_suites():
        asset = dg.AssetKey(list(checked.target.asset_key))
        if not graph.has(asset):
            continue  # reported by the test above
        spec = specs[dg.AssetCheckKey(asset, check_name(checked))]
        assert spec.blocking == checked.blocking, checked.name
        assert spec.partitions_def == graph.get(asset).partitions_def, checked.name
        for key in checked.target.after:
            if graph.has(dg.AssetKey(list(key))):
                assert dg.AssetKey(list(key)) in {d.asset_key for d in spec.additional_deps}


def test_raw_checks_warn_and_wait_for_the_quarantine(definitions):
    specs = check_specs(definitions)
    for table in source_tables():
        spec = specs[dg.AssetCheckKey(dg.AssetKey(["raw", table]), f"gx_raw_{table}")]
        assert not spec.blocking
        assert {d.asset_key for d in spec.additional_deps} == {
            dg.AssetKey(["quarantine", "quarantined_rows"])
        }


def test_dbt_tests_are_asset_checks(definitions):
    keys = {(k.asset_key.to_user_string(), k.name) for k in check_specs(definitions)}
    assert ("marts/fct_events", "unique_fct_events_event_id") in keys
    assert ("marts/fct_payments", "not_null_fct_payments_payment_id") in keys
    dbt_checks = {k for k in keys if not k[1].startswith("gx_") and k[1] != CHECK_NAME}
    assert len(dbt_checks) > 50


def test_every_staging_model_has_a_quarantine_warning(definitions):
    specs = check_specs(definitions)
    for table in source_tables():
        spec = specs[dg.AssetCheckKey(staging_key(table), CHECK_NAME)]
        assert not spec.blocking


def test_the_pipeline_job_runs_the_checks_of_its_assets(definitions):
    job = definitions.resolve_job_def("analytics_pipeline")
    selected = job.asset_layer.asset_graph.asset_check_keys
    assert dg.AssetCheckKey(dg.AssetKey(["raw", "events"]), "gx_raw_events") in selected


def test_loading_the_definitions_does_not_import_great_expectations():
    code = (
        "import sys, warnings; warnings.simplefilter('ignore'); "
        "import analytics_assets.definitions; "
        "print('great_expectations' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"
