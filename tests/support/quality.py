"""Helpers shared by the quality tests (no tests here): hand-built relations with the
columns of the warehouse's (the models' from their dbt YAML), rows given as dicts, and a
suite's failures by expectation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from analytics_assets.db import connect
from analytics_assets.quality.runner import SuiteResult, validate
from analytics_assets.quality.suite import SuiteFile, load_suites
from analytics_assets.window import Window
from support.manifest import declared_columns

# The metric tables the suites read, as dbt builds them. The warehouse's own models (marts,
# staging, quarantine) declare their columns' types in their YAML: theirs come from the
# manifest (support.manifest.declared_columns), never from a copy here.
METRIC_COLUMNS: dict[str, str] = {
    "analytics.fct_metric_engagement_active_users_daily": (
        "time_bucket timestamp, dimension text, active_users bigint, wau bigint, mau bigint, "
        "stickiness numeric, returning_users bigint, return_rate numeric"
    ),
    "analytics.fct_metric_users_growth_daily": (
        "time_bucket timestamp, dimension text, new_users bigint, new_students bigint, "
        "new_mentors bigint, total_users bigint"
    ),
    "analytics.fct_metric_revenue_summary_daily": (
        "time_bucket timestamp, dimension text, gross_revenue numeric, refunds numeric, "
        "net_revenue numeric, transactions bigint, avg_transaction numeric, paying_users bigint"
    ),
    "analytics.fct_metric_nps_summary_daily": (
        "time_bucket timestamp, dimension text, responses bigint, promoters bigint, "
        "passives bigint, detractors bigint, nps numeric"
    ),
    "analytics.fct_metric_learning_attempts_daily": (
        "time_bucket timestamp, dimension text, attempts bigint, completed bigint, "
        "abandoned bigint, completion_rate numeric, avg_score numeric, perfect_scores bigint, "
        "practice_minutes numeric, learners bigint"
    ),
    "analytics.fct_metric_engagement_sessions_daily": (
        "time_bucket timestamp, dimension text, sessions bigint, users bigint, "
        "avg_duration_seconds numeric, median_duration_seconds numeric, bounce_rate numeric, "
        "by_device jsonb"
    ),
    "analytics.fct_metric_retention_cohort_daily": (
        "time_bucket timestamp, dimension text, cohort_size bigint, d1_retained bigint, "
        "d1_rate numeric, d7_retained bigint, d7_rate numeric, d30_retained bigint, "
        "d30_rate numeric"
    ),
    "analytics.fct_metric_conversion_funnel_daily": (
        "time_bucket timestamp, dimension text, signups bigint, activated_7d bigint, "
        "paid_14d bigint, activation_rate numeric, conversion_rate numeric, "
        "median_hours_to_convert numeric"
    ),
    "analytics.analytics_aggregates": (
        "id uuid, metric_type varchar(50), grain varchar(5), time_bucket timestamp, "
        "dimension text, data jsonb, created_at timestamp"
    ),
}
# The real analytics_aggregates_<grain> are views of the shared table; here the view keeps
# every grain, so that a row of the wrong grain can be planted.
VIEWS = {
    f"analytics.analytics_aggregates_{suffix}": "select * from analytics.analytics_aggregates"
    for suffix in ("daily", "weekly", "monthly")
}


def utc(text: str) -> datetime:
    """'2026-01-05 10:00' -> that instant in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def day_window(first: str, last: str | None = None) -> Window:
    """The window of the days first..last (UTC), like a partition or a range of partitions."""
    last_day = date.fromisoformat(last or first)
    return Window(date.fromisoformat(first), last_day + timedelta(days=1))


def columns(relation: str) -> str:
    """The column list of a relation the suites read: a model's as its dbt YAML declares it,
    a metric table's from METRIC_COLUMNS."""
    return METRIC_COLUMNS.get(relation) or declared_columns(relation)


def create_relation(url: str, relation: str) -> None:
    schema, name = relation.split(".")
    with connect(url) as conn:
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        if relation in VIEWS:
            create_relation_sql = sql.SQL("create view {}.{} as " + VIEWS[relation])
        else:
            create_relation_sql = sql.SQL("create table {}.{} (" + columns(relation) + ")")
        conn.execute(create_relation_sql.format(sql.Identifier(schema), sql.Identifier(name)))


def _adapt(value: Any) -> Any:
    return Jsonb(value) if isinstance(value, dict | list) and not _is_text_array(value) else value


def _is_text_array(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value) and bool(value)


def insert(url: str, relation: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert dicts of columns (missing columns are null); a dict or a list of non-strings
    goes in as JSON, a list of strings as an array."""
    schema, name = relation.split(".")
    with connect(url) as conn, conn.cursor() as cur:
        for row in rows:
            cur.execute(
                sql.SQL("insert into {}.{} ({}) values ({})").format(
                    sql.Identifier(schema),
                    sql.Identifier(name),
                    sql.SQL(", ").join(sql.Identifier(c) for c in row),
                    sql.SQL(", ").join(sql.Placeholder() for _ in row),
                ),
                [_adapt(v) for v in row.values()],
            )


def execute(url: str, statement: str, params: tuple[Any, ...] = ()) -> None:
    with connect(url) as conn:
        conn.execute(statement, params)


def fetch(url: str, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with connect(url) as conn:
        return conn.execute(query, params).fetchall()


def suite(name: str) -> SuiteFile:
    return next(s for s in load_suites() if s.name == name)


def run(name: str, url: str, window: Window | None) -> SuiteResult:
    return validate(suite(name), url, window)


def failures(result: SuiteResult) -> dict[str, int | None]:
    """expectation -> unexpected count, of every expectation that did not pass."""
    return {o.expectation: o.unexpected_count for o in result.outcomes if not o.success}


def errors(result: SuiteResult) -> list[str]:
    """Expectations that could not run (bad SQL, missing relation): never a pass."""
    return [
        f"{o.expectation}: {o.observed_value}"
        for o in result.outcomes
        if isinstance(o.observed_value, str) and o.observed_value.startswith("error:")
    ]
