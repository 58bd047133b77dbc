"""The suite files: what they hold, what a loader refuses, and how a window becomes SQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.quality import day_window, suite

from analytics_assets.dbt.project import ensure_manifest
from analytics_assets.quality.runner import batch_query, gx_expectations, render_query
from analytics_assets.quality.suite import SuiteError, load_suites, parse_suite
from analytics_assets.source.tables import enum_values, source_tables


def expectations(name: str) -> list[dict]:
    return suite(name).document["expectations"]


def find(name: str, kind: str, **kwargs: object) -> dict:
    """The expectation of a suite with that type and those kwargs (exactly one)."""
    found = [
        e
        for e in expectations(name)
        if e["type"] == kind and all(e["kwargs"].get(k) == v for k, v in kwargs.items())
    ]
    assert len(found) == 1, f"{name}: {kind} {kwargs}: {len(found)} found"
    return found[0]


def rule(name: str, description: str) -> dict:
    return find(name, "unexpected_rows_expectation", description=description)


# What dbt's tests own on the marts (models/marts/**/_*.yml): not null, unique (of a column or
# of several), accepted values, relationships. The suites own the rest: ranges, formats,
# rules across columns, rows and tables, checked per partition.
DBT_OWNED = {
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_unique",
    "expect_compound_columns_to_be_unique",
    "expect_column_values_to_be_in_set",
}


def dbt_tests() -> set[tuple[str, str | None, str]]:
    """(model, column, generic test) of every dbt test that fails the build (severity error)."""
    nodes = json.loads(ensure_manifest().read_text())["nodes"]
    return {
        (nodes[n["attached_node"]]["name"], n["column_name"], n["test_metadata"]["name"])
        for n in nodes.values()
        if n["resource_type"] == "test"
        and "test_metadata" in n
        and n["config"]["severity"].lower() == "error"
    }


def test_no_suite_repeats_what_dbt_tests_own_on_the_marts():
    for checked in load_suites():
        if not checked.target.relation.startswith("marts."):
            continue
        for e in checked.document["expectations"]:
            assert e["type"] not in DBT_OWNED, (checked.name, e)
            assert " resolves to " not in e["kwargs"].get("description", ""), (checked.name, e)


def test_every_source_table_has_a_warning_suite_on_its_bad_row_share():
    for table in source_tables():
        raw = suite(f"raw_{table}")
        assert raw.target.relation == f"raw.{table}"
        assert raw.target.asset_key == ("raw", table)
        assert raw.target.window_column == "_partition"
        assert raw.target.after == (("quarantine", "quarantined_rows"),)
        assert raw.severities == {"warning"} and not raw.blocking
        assert raw.params == {"max_bad_share": 0.01}
        [share] = raw.document["expectations"]
        assert f"q.source_table = '{table}'" in share["kwargs"]["unexpected_rows_query"]


def test_the_issue_rules_each_have_a_critical_expectation():
    """Staging: keys, enums; marts: ranges (their keys, enums and foreign keys are dbt tests
    that fail the build); metrics: rates, NPS, DAU <= WAU <= MAU, grain, completeness,
    reconciliations. Each one critical."""
    assert {
        ("fct_events", "event_id", "not_null"),
        ("fct_events", "event_type", "accepted_values"),
        ("fct_payments", "user_id", "relationships"),
        ("fct_events", "session_id", "relationships"),
    } <= dbt_tests()
    found = [
        find("stg_users", "expect_column_values_to_be_unique", column="user_id"),
        find(
            "stg_users",
            "expect_column_values_to_be_in_set",
            column="role",
            value_set=list(enum_values("users", "role")),
        ),
        find(
            "fct_practice_attempts",
            "expect_column_values_to_be_between",
            column="score",
            min_value=0,
            max_value=100,
        ),
        find(
            "fct_reviews",
            "expect_column_values_to_be_between",
            column="rating",
            min_value=1,
            max_value=5,
        ),
        find(
            "fct_nps_responses",
            "expect_column_values_to_be_between",
            column="score",
            min_value=0,
            max_value=10,
        ),
        find(
            "fct_sessions",
            "expect_column_values_to_be_between",
            column="duration_seconds",
            min_value=0,
        ),
        find(
            "fct_practice_attempts",
            "expect_column_values_to_be_between",
            column="duration_seconds",
            min_value=0,
        ),
        find(
            "fct_mentor_sessions",
            "expect_column_values_to_be_between",
            column="duration_minutes",
            min_value=0,
        ),
        find(
            "fct_payments",
            "expect_column_values_to_be_between",
            column="amount_cents",
            min_value=0,
            strict_min=True,
        ),
        find(
            "fct_metric_engagement_active_users_daily",
            "expect_column_values_to_be_between",
            column="stickiness",
            min_value=0,
            max_value=1,
        ),
        find(
            "fct_metric_nps_summary_daily",
            "expect_column_values_to_be_between",
            column="nps",
            min_value=-100,
            max_value=100,
        ),
        rule("fct_metric_engagement_active_users_daily", "active_users <= wau <= mau"),
        rule(
            "fct_metric_engagement_active_users_daily",
            "active users never exceed users (users.growth total_users of the day)",
        ),
        rule(
            "fct_metric_revenue_summary_daily",
            "net revenue equals payments minus refunds in fct_payments",
        ),
        rule(
            "fct_metric_users_growth_daily",
            "a row for every day of the window (from the first signup)",
        ),
        find(
            "fct_metric_users_growth_daily",
            "expect_compound_columns_to_be_unique",
            column_list=["time_bucket", "dimension"],
        ),
    ]
    for grain in ("daily", "weekly", "monthly"):
        name = f"analytics_aggregates_{grain}"
        found += [
            find(
                name,
                "expect_compound_columns_to_be_unique",
                column_list=["metric_type", "grain", "time_bucket", "dimension"],
            ),
            rule(
                name,
                "rates in [0, 1], _pct values in [0, 100], nps in [-100, 100] (nested keys too)",
            ),
            rule(name, "active users never exceed users (users.growth total_users of the bucket)"),
            rule(name, "revenue: net revenue equals payments minus refunds in fct_payments"),
            rule(
                name,
                "every bucket of the window present: each platform total, and each "
                "currency or community series from its first bucket on",
            ),
        ]
    found.append(rule("analytics_aggregates_daily", "active_users <= wau <= mau"))
    assert {e["severity"] for e in found} == {"critical"}


def test_suites_have_unique_names_matching_their_files():
    suites = load_suites()
    assert len({s.name for s in suites}) == len(suites)
    assert all(s.path.name == f"{s.name}.json" for s in suites)


def test_every_suite_is_a_gx_suite_gx_accepts():
    """GX builds every expectation as written (types, kwargs, severities), windowed or not."""
    from great_expectations.core import ExpectationSuite

    window = day_window("2026-01-05")
    for checked in load_suites():
        for w in (window, None):
            built = ExpectationSuite(name=checked.name, expectations=gx_expectations(checked, w))
            assert len(built.expectations) == len(checked.document["expectations"])
            severities = {str(getattr(e.severity, "value", e.severity)) for e in built.expectations}
            assert severities == checked.severities


def write(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    return path


def a_suite(*expectations: dict, **target: object) -> dict:
    return {
        "name": "bad",
        "meta": {"target": {"relation": "marts.t", "asset_key": ["marts", "t"], **target}},
        "expectations": list(expectations),
    }


def rows_rule(query: str, severity: str = "critical", description: str = "r") -> dict:
    kwargs = {"unexpected_rows_query": query, "description": description}
    return {"type": "unexpected_rows_expectation", "kwargs": kwargs, "severity": severity}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"name": "bad", "meta": {}, "expectations": []}, "meta.target needs"),
        (a_suite(), "at least one expectation"),
        (a_suite(rows_rule("select 1 from {batch}", severity="fatal")), "unknown severity"),
        (a_suite(rows_rule("select 1 from {batch} where name like 'a%'")), "uses %"),
        (a_suite(rows_rule("select {nope} from {batch}")), r"unknown placeholders \['nope'\]"),
        (a_suite(rows_rule("select 1 from {batch}", description="")), "needs a description"),
        (
            a_suite(
                {
                    "type": "expect_column_values_to_be_in_set",
                    "kwargs": {"column": "role", "value_set": {"source_enum": "users.rank"}},
                }
            ),
            "names no enumeration of the source contract",
        ),
        (
            a_suite(rows_rule("select 1 from {batch}"), after=[["quarantine", "q"]]),
            "a blocking suite",
        ),
    ],
)
def test_a_suite_that_would_only_fail_when_run_is_refused_when_loaded(tmp_path, document, message):
    with pytest.raises(SuiteError, match=message):
        parse_suite(write(tmp_path, document))


def test_warning_suites_may_wait_for_other_assets(tmp_path):
    loaded = parse_suite(
        write(
            tmp_path,
            a_suite(
                rows_rule("select 1 from {batch}", severity="warning"), after=[["quarantine", "q"]]
            ),
        )
    )
    assert loaded.target.after == (("quarantine", "q"),)
    assert not loaded.blocking


def test_the_batch_is_the_window_of_the_window_column_in_utc():
    payments = suite("fct_payments")
    window = day_window("2026-01-05")
    assert batch_query(payments, window) == (
        "select * from marts.fct_payments where payment_date >= '2026-01-05T00:00:00+00:00' "
        "and payment_date < '2026-01-06T00:00:00+00:00'"
    )
    assert batch_query(payments, None) == "select * from marts.fct_payments"
    # a relation without a window column is validated whole
    assert batch_query(suite("dim_users"), window) == "select * from marts.dim_users"


def test_placeholders_are_the_window_bounds_and_the_params():
    raw = suite("raw_events")
    window = day_window("2026-01-05", "2026-01-06")
    query = "select {window_start}, {window_end}, {max_bad_share} from {batch}"
    assert render_query(query, raw, window) == (
        "select '2026-01-05T00:00:00+00:00', '2026-01-07T00:00:00+00:00', 0.01 from {batch}"
    )
    # without a window, the bounds are the extent of the batch's window column
    assert render_query(query, raw, None) == (
        "select (select min(_partition) from {batch}), (select max(_partition) from {batch}), "
        "0.01 from {batch}"
    )
    rendered = gx_expectations(raw, window)[0]["kwargs"]
    assert "{max_bad_share}" not in rendered["unexpected_rows_query"]
    assert rendered["description"] == "share of quarantined rows per partition at most 0.01"
