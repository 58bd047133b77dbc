"""Contract drift: type spellings, and the check against a live source table."""

from __future__ import annotations

import pytest
from support.databases import make_databases, pick_server
from support.raw import execute

from analytics_assets.db import connect
from analytics_assets.raw.contract import ContractDrift, check_source, drift, normalize_type
from analytics_assets.source.tables import source_tables


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("timestamptz", "timestamp with time zone"),
        ("char(2)", "character(2)"),
        ("CHAR( 3 )", "character(3)"),
        ("numeric(5, 2)", "numeric(5,2)"),
        ("text[]", "text[]"),
        ("int", "integer"),
        ("bool", "boolean"),
        ("bigint", "bigint"),
        ("jsonb", "jsonb"),
        ("timestamp with time zone", "timestamp with time zone"),
    ],
)
def test_normalize_type(spelling, canonical):
    assert normalize_type(spelling) == canonical


def test_drift_names_missing_and_changed_columns_and_ignores_extra_ones():
    expected = [("id", "bigint"), ("score", "numeric(5,2)"), ("at", "timestamptz")]
    actual = [("id", "bigint"), ("score", "text"), ("new_col", "text")]
    assert drift(expected, actual) == [
        "column score has type text, the contract says numeric(5,2)",
        "column at (timestamp with time zone) is missing",
    ]
    assert (
        drift(
            expected,
            [("at", "timestamp with time zone"), ("score", "numeric(5,2)"), ("id", "bigint")],
        )
        == []
    )


@pytest.fixture
def source(make_database, request) -> str:
    return make_databases(make_database, pick_server(request), pick_server(request)).source


def test_every_table_of_a_fresh_source_matches_the_contract(source):
    with connect(source) as conn:
        for table in source_tables().values():
            check_source(conn, table)  # raises on any mismatch


def test_a_changed_type_a_dropped_column_and_a_missing_table_are_drift(source):
    execute(source, "alter table app.practice_attempts alter column score type text")
    execute(source, "alter table app.practice_attempts drop column status")
    execute(source, "drop table app.nps_responses")
    with connect(source) as conn:
        with pytest.raises(ContractDrift) as err:
            check_source(conn, source_tables()["practice_attempts"])
        assert str(err.value) == (
            "source table app.practice_attempts no longer matches the contract: "
            "column status (text) is missing; "
            "column score has type text, the contract says numeric(5,2)"
        )
        with pytest.raises(ContractDrift, match=r"app\.nps_responses does not exist"):
            check_source(conn, source_tables()["nps_responses"])
