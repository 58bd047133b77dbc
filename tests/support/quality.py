"""Helpers shared by the quality tests (no tests here): hand-built relations with the
columns of the warehouse's, rows given as dicts, and a suite's failures by expectation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from analytics_assets.db import connect
from quality.runner import SuiteResult, Window, validate
from quality.suite import SuiteFile, load_suites

# The columns of the warehouse relations the suites read, as dbt builds them.
COLUMNS: dict[str, str] = {
    "staging.stg_users": (
        "user_id bigint, email text, full_name text, role text, country_code text, city text, "
        "is_verified boolean, created_at timestamptz, updated_at timestamptz, "
        "last_login_at timestamptz, deleted_at timestamptz, is_deleted boolean, "
        "is_internal boolean, _partition date, _loaded_at timestamptz"
    ),
    "marts.dim_users": (
        "user_id bigint, email_hash text, role text, is_internal boolean, country_code text, "
        "city text, is_verified boolean, created_at timestamptz, signup_date date, "
        "last_login_at timestamptz, deleted_at timestamptz, is_deleted boolean, "
        "updated_at timestamptz"
    ),
    "marts.dim_content": (
        "content_id bigint, kind text, title text, difficulty text, skill_area text, "
        "mentor_id bigint, is_published boolean, created_at timestamptz, updated_at timestamptz"
    ),
    "marts.dim_subscriptions": (
        "subscription_id bigint, user_id bigint, plan text, status text, price_cents integer, "
        "currency text, monthly_price_cents numeric, started_at timestamptz, "
        "ended_at timestamptz, updated_at timestamptz"
    ),
    "marts.dim_communities": (
        "community_id bigint, name text, is_geo_restricted boolean, allowed_countries text[], "
        "members_ever bigint, current_members bigint, created_at timestamptz, "
        "updated_at timestamptz"
    ),
    "marts.dim_experiments": (
        "experiment_id bigint, experiment_key text, name text, variants text[], "
        "control_variant text, traffic_split jsonb, goal_event text, started_at timestamptz, "
        "ended_at timestamptz, updated_at timestamptz"
    ),
    "marts.fct_events": (
        "event_id bigint, user_id bigint, session_id uuid, event_type text, event_name text, "
        "page_url text, properties jsonb, occurred_at timestamptz, received_at timestamptz, "
        "event_date date, arrival_delay_seconds numeric"
    ),
    "marts.fct_sessions": (
        "session_id uuid, user_id bigint, device_type text, started_at timestamptz, "
        "ended_at timestamptz, session_date date, duration_seconds numeric, events bigint, "
        "page_views bigint, conversions bigint, is_bounce boolean, country_code text, city text"
    ),
    "marts.fct_payments": (
        "payment_id bigint, user_id bigint, subscription_id bigint, kind text, status text, "
        "amount_cents integer, amount numeric, currency text, net_amount_cents integer, "
        "created_at timestamptz, payment_date date"
    ),
    "marts.fct_practice_attempts": (
        "attempt_id bigint, user_id bigint, content_id bigint, content_kind text, "
        "skill_area text, difficulty text, status text, score numeric, is_perfect boolean, "
        "duration_seconds integer, started_at timestamptz, finished_at timestamptz, "
        "attempt_date date, updated_at timestamptz"
    ),
    "marts.fct_enrollments": (
        "enrollment_id bigint, user_id bigint, content_id bigint, enrolled_at timestamptz, "
        "enrollment_date date, progress_pct numeric, completed_at timestamptz, "
        "is_completed boolean, updated_at timestamptz"
    ),
    "marts.fct_mentor_sessions": (
        "mentor_session_id bigint, mentor_id bigint, student_id bigint, status text, "
        "scheduled_at timestamptz, scheduled_date date, duration_minutes integer, "
        "price_cents integer, currency text, created_at timestamptz, updated_at timestamptz"
    ),
    "marts.fct_reviews": (
        "review_id bigint, user_id bigint, content_id bigint, mentor_id bigint, "
        "target_type text, rating smallint, created_at timestamptz, review_date date"
    ),
    "marts.fct_nps_responses": (
        "response_id bigint, user_id bigint, score smallint, category text, "
        "has_comment boolean, created_at timestamptz, response_date date"
    ),
    "marts.fct_api_requests": (
        "request_id bigint, method text, path text, status_code integer, response_ms numeric, "
        "user_id bigint, occurred_at timestamptz, request_date date, is_server_error boolean, "
        "is_client_error boolean"
    ),
    "marts.fct_error_logs": (
        "error_id bigint, user_id bigint, level text, message text, url text, method text, "
        "status_code integer, occurred_at timestamptz, error_date date, "
        "resolved_at timestamptz, is_resolved boolean, updated_at timestamptz"
    ),
    "marts.fct_geo_access_attempts": (
        "access_attempt_id bigint, user_id bigint, community_id bigint, country_code text, "
        "region text, city text, result text, is_blocked boolean, is_traveler boolean, "
        "occurred_at timestamptz, attempt_date date"
    ),
    "marts.fct_community_activity": (
        "activity_id bigint, community_id bigint, user_id bigint, activity_type text, "
        "is_interaction boolean, occurred_at timestamptz, activity_date date, "
        "activity_hour integer"
    ),
    "marts.fct_experiment_assignments": (
        "experiment_id bigint, experiment_key text, user_id bigint, variant text, "
        "is_control boolean, assigned_at timestamptz"
    ),
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
    "quarantine.quarantined_rows": (
        "source_table text, source_key text, _partition date, reasons text[], row_data jsonb, "
        "_loaded_at timestamptz"
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
    return Window(utc(f"{first} 00:00"), utc(f"{last or first} 00:00") + timedelta(days=1))


def create_relation(url: str, relation: str) -> None:
    schema, name = relation.split(".")
    with connect(url) as conn:
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        if relation in VIEWS:
            create_relation_sql = sql.SQL("create view {}.{} as " + VIEWS[relation])
        else:
            create_relation_sql = sql.SQL("create table {}.{} (" + COLUMNS[relation] + ")")
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
