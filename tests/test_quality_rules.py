"""Every critical expectation of every blocking suite, shown to catch what it guards against.

Each case builds, in a new database, the suite's relation (with the warehouse relation's
columns) and the parents its SQL reads, fills it with valid rows, and validates it: nothing
fails. Then it plants violations, each in rows of its own, and validates again: exactly
the planted expectations fail, each with the number of unexpected rows worked out by hand
next to its plant. A case also proves that every critical expectation of the suite was
planted. Rows outside the validated window break rules too: the window keeps them out.

Counting conventions of GX: a null value passes every column expectation but not_null;
a duplicated key makes every row of the duplicate group unexpected (2 for one duplicate).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from support.databases import pick_server
from support.quality import (
    VIEWS,
    columns,
    create_relation,
    day_window,
    errors,
    execute,
    failures,
    insert,
    run,
    suite,
    utc,
)
from support.quality_parents import PARENTS, S1, dim_user, payment

from analytics_assets.window import Window

NOT_NULL = "expect_column_values_to_not_be_null({})"
UNIQUE = "expect_column_values_to_be_unique({})"
IN_SET = "expect_column_values_to_be_in_set({})"
BETWEEN = "expect_column_values_to_be_between({})"
REGEX = "expect_column_values_to_match_regex({})"
COMPOUND = "expect_compound_columns_to_be_unique({})"
# 23:30 in New York on the 05 is 04:30 UTC on the 06: dated the 05, it is on the wrong day.
LATE_EVENING_NY = datetime.fromisoformat("2026-01-05 23:30:00-05:00")
DAY = day_window("2026-01-05")
TWO_DAYS = day_window("2026-01-05", "2026-01-06")


def utc_day(date_column: str, ts_column: str) -> str:
    return f"{date_column} is the UTC day of {ts_column}"


@dataclass
class Case:
    name: str
    suite: str
    relation: str
    window: Window | None
    clean: list[dict[str, Any]]
    plants: list[dict[str, Any]]
    expected: dict[str, int]
    """Failures after planting: expectation -> unexpected rows, counted by hand."""
    plant_sql: list[str] = field(default_factory=list)
    """Statements run after the planted rows are inserted (updates, deletes, parents)."""


def row_maker(base: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    return lambda **o: {**base, **o}


# --- staging and dimensions ---------------------------------------------------------------
stg_user = row_maker(
    {
        "email": "u@example.org",
        "full_name": "U",
        "role": "student",
        "country_code": "FR",
        "city": "Lyon",
        "is_verified": True,
        "created_at": utc("2026-01-05 08:00"),
        "updated_at": utc("2026-01-05 09:00"),
        "is_deleted": False,
        "is_internal": False,
        "_partition": "2026-01-05",
    }
)
STG_USERS = Case(
    "stg_users",
    "stg_users",
    "staging.stg_users",
    DAY,
    clean=[
        stg_user(user_id=1),
        stg_user(user_id=2, role="mentor"),
        stg_user(user_id=3, role="admin", is_internal=True),
        # loaded on another day: outside the window, its bad role is not looked at
        stg_user(user_id=9, role="superuser", _partition="2026-01-04"),
    ],
    plants=[
        stg_user(user_id=None),  # not_null(user_id): 1
        stg_user(user_id=1),  # a second user 1: both rows unexpected, 2
        stg_user(user_id=10, role="superuser"),  # role outside the set: 1
        stg_user(user_id=11, country_code="fr"),  # not two upper-case letters: 1
        stg_user(user_id=12, created_at=None),  # not_null(created_at): 1
        stg_user(user_id=13, is_internal=True),  # a student flagged internal: 1
    ],
    expected={
        NOT_NULL.format("user_id"): 1,
        UNIQUE.format("user_id"): 2,
        IN_SET.format("role"): 1,
        REGEX.format("country_code"): 1,
        NOT_NULL.format("created_at"): 1,
        "is_internal is true exactly for admins": 1,
    },
)

DIM_USERS = Case(
    "dim_users",
    "dim_users",
    "marts.dim_users",
    None,
    clean=PARENTS["marts.dim_users"],
    plants=[
        dim_user(21, country_code="FRA"),  # 1
        dim_user(23, email_hash="ann@example.org"),  # the email itself, not its hash: 1
        dim_user(24, created_at=LATE_EVENING_NY, signup_date="2026-01-05"),  # UTC Jan 6: 1
    ],
    expected={
        REGEX.format("country_code"): 1,
        REGEX.format("email_hash"): 1,
        utc_day("signup_date", "created_at"): 1,
    },
)

subscription = row_maker(
    {
        "user_id": 1,
        "plan": "monthly",
        "status": "active",
        "price_cents": 1000,
        "currency": "EUR",
        "started_at": utc("2026-01-02 10:00"),
    }
)
DIM_SUBSCRIPTIONS = Case(
    "dim_subscriptions",
    "dim_subscriptions",
    "marts.dim_subscriptions",
    None,
    clean=[
        *PARENTS["marts.dim_subscriptions"],
        subscription(subscription_id=21, status="cancelled", ended_at=utc("2026-01-04 10:00")),
    ],
    plants=[
        subscription(subscription_id=24, price_cents=-1),
        subscription(subscription_id=25, currency="eur"),
        subscription(subscription_id=28, ended_at=utc("2026-01-01 10:00")),  # ends before it starts
    ],
    expected={
        BETWEEN.format("price_cents"): 1,
        REGEX.format("currency"): 1,
        "ended_at is not before started_at": 1,
    },
)

# --- facts of one day ---------------------------------------------------------------------
event = row_maker(
    {
        "user_id": 1,
        "session_id": S1,
        "event_type": "page_view",
        "event_name": "home",
        "page_url": "/",
        "properties": {"k": 1},
        "occurred_at": utc("2026-01-05 10:01"),
        "received_at": utc("2026-01-05 10:01:05"),
        "event_date": "2026-01-05",
        "arrival_delay_seconds": 5,
    }
)
FCT_EVENTS = Case(
    "fct_events",
    "fct_events",
    "marts.fct_events",
    DAY,
    clean=[
        event(event_id=1),
        event(event_id=2, user_id=None, session_id=None),
        event(
            event_id=3,
            arrival_delay_seconds=-5,
            occurred_at=utc("2026-01-04 10:00"),
            event_date="2026-01-04",
        ),
    ],
    plants=[
        # no occurrence time: its event_date matches no UTC day (1)
        event(event_id=12, occurred_at=None, arrival_delay_seconds=None),
        event(event_id=13, arrival_delay_seconds=-5),  # received before it occurred
        event(event_id=14, occurred_at=LATE_EVENING_NY),  # dated Jan 5, UTC Jan 6
        event(event_id=15, properties=[]),
        event(event_id=16, properties=None),  # 2 not objects
    ],
    expected={
        BETWEEN.format("arrival_delay_seconds"): 1,
        utc_day("event_date", "occurred_at"): 2,
        "properties is a JSON object": 2,
    },
)


def sid(n: int) -> str:
    return f"00000000-0000-0000-0000-{n:012d}"


session = row_maker(PARENTS["marts.fct_sessions"][0])
FCT_SESSIONS = Case(
    "fct_sessions",
    "fct_sessions",
    "marts.fct_sessions",
    DAY,
    clean=[
        session(),
        session(session_id=sid(2), device_type="ios"),
        session(
            session_id=sid(3),
            duration_seconds=-9,
            session_date="2026-01-04",
            started_at=utc("2026-01-04 10:00"),
            ended_at=utc("2026-01-04 10:05"),
        ),
    ],
    plants=[
        session(session_id=sid(11), duration_seconds=-1),
        session(session_id=sid(13), started_at=LATE_EVENING_NY, ended_at=None),
        session(session_id=sid(14), ended_at=utc("2026-01-05 09:00")),
        session(session_id=sid(15), page_views=5),  # 5 page views out of 3 events
    ],
    expected={
        BETWEEN.format("duration_seconds"): 1,
        utc_day("session_date", "started_at"): 1,
        "ended_at is not before started_at": 1,
        "page views and conversions are among the session's events": 1,
    },
)

FCT_PAYMENTS = Case(
    "fct_payments",
    "fct_payments",
    "marts.fct_payments",
    DAY,
    clean=[
        *PARENTS["marts.fct_payments"],
        payment(9, amount_cents=-5, created_at=utc("2026-01-04 09:00"), payment_date="2026-01-04"),
    ],
    plants=[
        payment(12, amount_cents=0, net_amount_cents=0),  # must be > 0
        payment(13, currency="EURO"),
        payment(15, created_at=LATE_EVENING_NY),
        payment(16, net_amount_cents=999),  # succeeded 1000 but adds 999
    ],
    expected={
        BETWEEN.format("amount_cents"): 1,
        REGEX.format("currency"): 1,
        utc_day("payment_date", "created_at"): 1,
        "net_amount_cents is +amount when succeeded, -amount when refunded, 0 when failed": 1,
    },
)

attempt = row_maker(
    {
        "user_id": 1,
        "content_id": 11,
        "content_kind": "scenario",
        "skill_area": "sql",
        "difficulty": "beginner",
        "status": "completed",
        "score": 80,
        "is_perfect": False,
        "duration_seconds": 600,
        "started_at": utc("2026-01-05 10:00"),
        "finished_at": utc("2026-01-05 10:10"),
        "attempt_date": "2026-01-05",
        "updated_at": utc("2026-01-05 10:10"),
    }
)
FCT_PRACTICE_ATTEMPTS = Case(
    "fct_practice_attempts",
    "fct_practice_attempts",
    "marts.fct_practice_attempts",
    DAY,
    clean=[
        attempt(attempt_id=1),
        attempt(attempt_id=2, status="in_progress", score=None, finished_at=None),
        attempt(
            attempt_id=3, score=140, attempt_date="2026-01-04", started_at=utc("2026-01-04 10:00")
        ),
    ],
    plants=[
        attempt(attempt_id=11, score=140),
        attempt(attempt_id=12, score=-5),  # 2 out of 0-100
        attempt(attempt_id=13, duration_seconds=-1),
        attempt(attempt_id=16, started_at=LATE_EVENING_NY, finished_at=None),
        attempt(attempt_id=17, finished_at=utc("2026-01-05 09:00")),
    ],
    expected={
        BETWEEN.format("score"): 2,
        BETWEEN.format("duration_seconds"): 1,
        utc_day("attempt_date", "started_at"): 1,
        "finished_at is not before started_at": 1,
    },
)

enrollment = row_maker(
    {
        "user_id": 1,
        "content_id": 10,
        "enrolled_at": utc("2026-01-05 10:00"),
        "enrollment_date": "2026-01-05",
        "progress_pct": 40,
        "is_completed": False,
    }
)
FCT_ENROLLMENTS = Case(
    "fct_enrollments",
    "fct_enrollments",
    "marts.fct_enrollments",
    DAY,
    clean=[
        enrollment(enrollment_id=1),
        enrollment(enrollment_id=2, progress_pct=100),
        enrollment(
            enrollment_id=3,
            progress_pct=250,
            enrollment_date="2026-01-06",
            enrolled_at=utc("2026-01-06 10:00"),
        ),
    ],
    plants=[
        enrollment(enrollment_id=11, progress_pct=101),
        enrollment(enrollment_id=14, enrolled_at=LATE_EVENING_NY),
    ],
    expected={
        BETWEEN.format("progress_pct"): 1,
        utc_day("enrollment_date", "enrolled_at"): 1,
    },
)

booking = row_maker(
    {
        "mentor_id": 2,
        "student_id": 1,
        "status": "completed",
        "scheduled_at": utc("2026-01-05 15:00"),
        "scheduled_date": "2026-01-05",
        "duration_minutes": 60,
        "price_cents": 5000,
        "currency": "EUR",
    }
)
FCT_MENTOR_SESSIONS = Case(
    "fct_mentor_sessions",
    "fct_mentor_sessions",
    "marts.fct_mentor_sessions",
    DAY,
    clean=[booking(mentor_session_id=1), booking(mentor_session_id=2, status="no_show")],
    plants=[
        booking(mentor_session_id=11, duration_minutes=-30),
        booking(mentor_session_id=12, price_cents=-1),
        booking(mentor_session_id=13, currency="E"),
        booking(mentor_session_id=16, scheduled_at=LATE_EVENING_NY),
    ],
    expected={
        BETWEEN.format("duration_minutes"): 1,
        BETWEEN.format("price_cents"): 1,
        REGEX.format("currency"): 1,
        utc_day("scheduled_date", "scheduled_at"): 1,
    },
)

review = row_maker(
    {
        "user_id": 1,
        "content_id": 10,
        "mentor_id": None,
        "target_type": "content",
        "rating": 4,
        "created_at": utc("2026-01-05 10:00"),
        "review_date": "2026-01-05",
    }
)
FCT_REVIEWS = Case(
    "fct_reviews",
    "fct_reviews",
    "marts.fct_reviews",
    DAY,
    clean=[
        review(review_id=1),
        review(review_id=2, content_id=None, mentor_id=2, target_type="mentor", rating=5),
    ],
    plants=[
        review(review_id=11, rating=0),
        review(review_id=14, created_at=LATE_EVENING_NY),
        review(review_id=15, mentor_id=2),  # both a content and a mentor
        review(review_id=16, content_id=None),  # neither
    ],
    expected={
        BETWEEN.format("rating"): 1,
        utc_day("review_date", "created_at"): 1,
        "exactly one of content_id and mentor_id": 2,
    },
)

nps = row_maker(
    {
        "user_id": 1,
        "score": 9,
        "category": "promoter",
        "has_comment": False,
        "created_at": utc("2026-01-05 10:00"),
        "response_date": "2026-01-05",
    }
)
CATEGORY_RULE = "category is promoter for 9-10, passive for 7-8, detractor for 0-6"
FCT_NPS_RESPONSES = Case(
    "fct_nps_responses",
    "fct_nps_responses",
    "marts.fct_nps_responses",
    DAY,
    clean=[
        nps(response_id=1),
        nps(response_id=2, score=7, category="passive"),
        nps(response_id=3, score=0, category="detractor"),
    ],
    plants=[
        # a missing score falls to the `else` of the rule: detractor (not_null is dbt's)
        nps(response_id=10, score=None, category="detractor"),
        nps(response_id=11, score=11),  # promoter by the rule, but out of 0-10: 1
        nps(response_id=12, category="fan"),  # not a category, so not the score's either: 1
        nps(response_id=13, score=3),  # a 3 is a detractor, not a promoter: 1
        nps(response_id=15, created_at=LATE_EVENING_NY),
    ],
    expected={
        BETWEEN.format("score"): 1,
        CATEGORY_RULE: 2,
        utc_day("response_date", "created_at"): 1,
    },
)

request_row = row_maker(
    {
        "method": "GET",
        "path": "/api",
        "status_code": 200,
        "response_ms": 12.5,
        "user_id": 1,
        "occurred_at": utc("2026-01-05 10:00"),
        "request_date": "2026-01-05",
    }
)
FCT_API_REQUESTS = Case(
    "fct_api_requests",
    "fct_api_requests",
    "marts.fct_api_requests",
    DAY,
    clean=[request_row(request_id=1), request_row(request_id=2, user_id=None, status_code=503)],
    plants=[
        request_row(request_id=11, status_code=42),
        request_row(request_id=12, response_ms=-1),
        request_row(request_id=13, occurred_at=LATE_EVENING_NY),
    ],
    expected={
        BETWEEN.format("status_code"): 1,
        BETWEEN.format("response_ms"): 1,
        utc_day("request_date", "occurred_at"): 1,
    },
)

error_row = row_maker(
    {
        "user_id": 1,
        "level": "error",
        "message": "boom",
        "occurred_at": utc("2026-01-05 10:00"),
        "error_date": "2026-01-05",
    }
)
FCT_ERROR_LOGS = Case(
    "fct_error_logs",
    "fct_error_logs",
    "marts.fct_error_logs",
    DAY,
    clean=[error_row(error_id=1), error_row(error_id=2, user_id=None, level="critical")],
    plants=[error_row(error_id=11, occurred_at=LATE_EVENING_NY)],
    expected={utc_day("error_date", "occurred_at"): 1},
)

geo = row_maker(
    {
        "user_id": 1,
        "community_id": 30,
        "country_code": "FR",
        "result": "allowed",
        "is_blocked": False,
        "is_traveler": False,
        "occurred_at": utc("2026-01-05 10:00"),
        "attempt_date": "2026-01-05",
    }
)
FCT_GEO_ACCESS_ATTEMPTS = Case(
    "fct_geo_access_attempts",
    "fct_geo_access_attempts",
    "marts.fct_geo_access_attempts",
    DAY,
    clean=[geo(access_attempt_id=1), geo(access_attempt_id=2, result="blocked", country_code="US")],
    plants=[
        geo(access_attempt_id=11, country_code="F1"),
        geo(access_attempt_id=12, occurred_at=LATE_EVENING_NY),
    ],
    expected={
        REGEX.format("country_code"): 1,
        utc_day("attempt_date", "occurred_at"): 1,
    },
)

activity = row_maker(
    {
        "community_id": 30,
        "user_id": 1,
        "activity_type": "post",
        "is_interaction": True,
        "occurred_at": utc("2026-01-05 10:00"),
        "activity_date": "2026-01-05",
        "activity_hour": 10,
    }
)
FCT_COMMUNITY_ACTIVITY = Case(
    "fct_community_activity",
    "fct_community_activity",
    "marts.fct_community_activity",
    DAY,
    clean=[activity(activity_id=1), activity(activity_id=2, activity_type="view")],
    plants=[activity(activity_id=11, occurred_at=LATE_EVENING_NY)],
    expected={utc_day("activity_date", "occurred_at"): 1},
)

assignment = row_maker(
    {
        "experiment_id": 40,
        "experiment_key": "exp-a",
        "variant": "control",
        "is_control": True,
        "assigned_at": utc("2026-01-05 10:00"),
    }
)
VARIANT_RULE = "variant is one of its experiment's variants"
FCT_EXPERIMENT_ASSIGNMENTS = Case(
    "fct_experiment_assignments",
    "fct_experiment_assignments",
    "marts.fct_experiment_assignments",
    DAY,
    clean=[
        assignment(user_id=1),
        assignment(user_id=2, variant="treatment", is_control=False),
        assignment(user_id=4, variant="bogus", assigned_at=utc("2026-01-04 10:00")),
    ],
    plants=[
        # no variant is no wrong variant, an unknown experiment no variant list (dbt's tests)
        assignment(user_id=4, variant=None),
        assignment(user_id=2, experiment_id=999),
        assignment(user_id=5, variant="blue"),  # not a variant of exp-a: 1
    ],
    expected={VARIANT_RULE: 1},
)


# --- metrics of the day grain ---------------------------------------------------------------
EVERY_DAY = "a row for every day of the window (from the first signup)"
DELETE_JAN_6 = "delete from analytics.{} where time_bucket = '2026-01-06' and dimension = ''"


def metric_case(
    family: str,
    clean: list[dict[str, Any]],
    plants: list[dict[str, Any]],
    expected: dict[str, int],
    every_day: bool = True,
    plant_sql: list[str] | None = None,
) -> Case:
    """A day-grain metric table over two days, 2026-01-05 and 06. Its plants always hold a
    second row of the 05 (2 unexpected) and a row without dimension (1); with every_day,
    the 06's platform total is deleted: 1 bucket missing."""
    name = f"fct_metric_{family}_daily"
    first = clean[0]
    statements = [*(plant_sql or []), *([DELETE_JAN_6.format(name)] if every_day else [])]
    expected = {
        COMPOUND.format("time_bucket, dimension"): 2,
        NOT_NULL.format("dimension"): 1,
        **expected,
        **({EVERY_DAY: 1} if every_day else {}),
    }
    zero = zeros(first)
    return Case(
        name,
        name,
        f"analytics.{name}",
        TWO_DAYS,
        clean=clean,
        plants=[dict(first), {**zero, "time_bucket": "2026-01-05", "dimension": None}, *plants],
        expected=expected,
        plant_sql=statements,
    )


def two_days(base: dict[str, Any]) -> list[dict[str, Any]]:
    """The platform total of 05 and 06, and an out-of-window 04 that breaks every rule."""
    jan4 = {k: (999 if isinstance(v, int | float) else v) for k, v in base.items()}
    return [
        {**base, "time_bucket": "2026-01-05", "dimension": ""},
        {**base, "time_bucket": "2026-01-06", "dimension": ""},
        {**jan4, "time_bucket": "2026-01-04", "dimension": "x"},
    ]


def zeros(base: dict[str, Any]) -> dict[str, Any]:
    """The columns of `base`, numbers as 0 and the rest null: a row that breaks no rule."""
    return {k: (0 if isinstance(v, int | float) else None) for k, v in base.items()}


def p(dimension: str, base: dict[str, Any], **values: Any) -> dict[str, Any]:
    """A planted row of 05 in a dimension of its own, zeros but for `values`."""
    return {**zeros(base), "time_bucket": "2026-01-05", "dimension": dimension, **values}


ACTIVE = {
    "active_users": 2,
    "wau": 3,
    "mau": 3,
    "stickiness": 0.6667,
    "returning_users": 1,
    "return_rate": 0.5,
}
ACTIVE_USERS = metric_case(
    "engagement_active_users",
    two_days(ACTIVE),
    plants=[
        p("p1", ACTIVE, stickiness=1.5),
        p("p2", ACTIVE, return_rate=-0.1),
        p("p3", ACTIVE, wau=2, mau=1),  # WAU above MAU
        p("p4", ACTIVE, returning_users=1),  # returning, yet not active
        # 2 active against the 1 user of users.growth's dimension p5
        p("p5", ACTIVE, active_users=2, wau=2, mau=2),
    ],
    expected={
        BETWEEN.format("stickiness"): 1,
        BETWEEN.format("return_rate"): 1,
        "active_users <= wau <= mau": 1,
        "returning_users <= active_users": 1,
        "active users never exceed users (users.growth total_users of the day)": 1,
    },
)

GROWTH = {"new_users": 1, "new_students": 1, "new_mentors": 0, "total_users": 3}
USERS_GROWTH = metric_case(
    "users_growth",
    two_days(GROWTH),
    plants=[
        p("p1", GROWTH, new_users=-1, new_students=-1),
        p("p2", GROWTH, total_users=-1),
        p("p3", GROWTH, new_users=2, new_students=1),
    ],
    expected={
        BETWEEN.format("new_users"): 1,
        BETWEEN.format("total_users"): 1,
        "new_users = new_students + new_mentors (admins count in no metric)": 1,
    },
)

# 2026-01-05, EUR, non-admin: succeeded 1000, refunded 200 (PARENTS' payments): net 8.00.
REVENUE = {
    "gross_revenue": 10.0,
    "refunds": 2.0,
    "net_revenue": 8.0,
    "transactions": 1,
    "avg_transaction": 10.0,
    "paying_users": 1,
}
REVENUE_RULE = "net revenue equals payments minus refunds in fct_payments"
REVENUE_SUMMARY = metric_case(
    "revenue_summary",
    [
        {**REVENUE, "time_bucket": "2026-01-05", "dimension": "EUR"},
        # 04 is outside the window: its net disagrees with the 7.00 paid that day
        {**REVENUE, "time_bucket": "2026-01-04", "dimension": "EUR", "net_revenue": 99},
    ],
    plants=[
        p("eur", REVENUE, gross_revenue=0, refunds=0, net_revenue=0),  # lower case: 1
        p("GBP", REVENUE, gross_revenue=-1, refunds=-1, net_revenue=0),  # both below 0: 1 + 1
        p("USD", REVENUE, gross_revenue=0, refunds=0, net_revenue=0, transactions=-1),
        p("CHF", REVENUE, gross_revenue=1, refunds=0, net_revenue=0),  # 1 - 0 is not 0
        p("JPY", REVENUE, gross_revenue=5, refunds=0, net_revenue=5),  # no JPY was paid
    ],
    expected={
        REGEX.format("dimension"): 1,
        BETWEEN.format("gross_revenue"): 1,
        BETWEEN.format("refunds"): 1,
        BETWEEN.format("transactions"): 1,
        "net_revenue = gross_revenue - refunds": 1,
        # JPY has revenue without payments; SEK has a payment without revenue
        REVENUE_RULE: 2,
    },
    every_day=False,
    plant_sql=[
        "insert into marts.fct_payments (payment_id, user_id, status, amount_cents, "
        "net_amount_cents, currency, created_at, payment_date) values (60, 1, "
        "'succeeded', 100, 100, 'SEK', '2026-01-05 10:00+00', '2026-01-05')"
    ],
)

NPS = {"responses": 4, "promoters": 2, "passives": 1, "detractors": 1, "nps": 25.0}
NPS_SUMMARY = metric_case(
    "nps_summary",
    two_days(NPS),
    plants=[
        p("p1", NPS, nps=120),
        p("p2", NPS, nps=-101),
        p("p3", NPS, responses=3, promoters=1, passives=1),
    ],
    expected={BETWEEN.format("nps"): 2, "promoters + passives + detractors = responses": 1},
)

LEARNING = {
    "attempts": 3,
    "completed": 2,
    "abandoned": 1,
    "completion_rate": 0.6667,
    "avg_score": 75.0,
    "perfect_scores": 0,
    "practice_minutes": 30.0,
    "learners": 2,
}
LEARNING_ATTEMPTS = metric_case(
    "learning_attempts",
    two_days(LEARNING),
    plants=[
        p("p1", LEARNING, completion_rate=1.2),
        p("p2", LEARNING, avg_score=101),
        # -1 attempts, and -1 completed so that completed + abandoned stays within it
        p("p3", LEARNING, attempts=-1, completed=-1),
        p("p4", LEARNING, attempts=1, completed=1, abandoned=1),
    ],
    expected={
        BETWEEN.format("completion_rate"): 1,
        BETWEEN.format("avg_score"): 1,
        BETWEEN.format("attempts"): 1,
        "completed + abandoned <= attempts": 1,
    },
)

SESSIONS = {
    "sessions": 4,
    "users": 2,
    "avg_duration_seconds": 120.0,
    "median_duration_seconds": 90.0,
    "bounce_rate": 0.25,
    "by_device": None,
}
ENGAGEMENT_SESSIONS = metric_case(
    "engagement_sessions",
    two_days(SESSIONS),
    plants=[
        p("p1", SESSIONS, bounce_rate=1.1),
        p("p2", SESSIONS, avg_duration_seconds=-1),
        p("p3", SESSIONS, median_duration_seconds=-1),
        p("p4", SESSIONS, sessions=-1),
    ],
    expected={
        BETWEEN.format("bounce_rate"): 1,
        BETWEEN.format("avg_duration_seconds"): 1,
        BETWEEN.format("median_duration_seconds"): 1,
        BETWEEN.format("sessions"): 1,
    },
)

RETENTION = {
    "cohort_size": 4,
    "d1_retained": 2,
    "d1_rate": 0.5,
    "d7_retained": 1,
    "d7_rate": 0.25,
    "d30_retained": None,
    "d30_rate": None,
}
RETENTION_COHORT = metric_case(
    "retention_cohort",
    two_days(RETENTION),
    plants=[
        p("p1", RETENTION, d1_rate=2),
        p("p2", RETENTION, d7_rate=-1),
        p("p3", RETENTION, d30_rate=1.01),
        p("p4", RETENTION, cohort_size=1, d1_retained=2),
    ],
    expected={
        BETWEEN.format("d1_rate"): 1,
        BETWEEN.format("d7_rate"): 1,
        BETWEEN.format("d30_rate"): 1,
        "retained users are members of the cohort": 1,
    },
)

FUNNEL = {
    "signups": 4,
    "activated_7d": 2,
    "paid_14d": 1,
    "activation_rate": 0.5,
    "conversion_rate": 0.25,
    "median_hours_to_convert": 30.0,
}
CONVERSION_FUNNEL = metric_case(
    "conversion_funnel",
    two_days(FUNNEL),
    plants=[
        p("p1", FUNNEL, activation_rate=1.5),
        p("p2", FUNNEL, conversion_rate=-0.5),
        p("p3", FUNNEL, signups=1, paid_14d=2),
    ],
    expected={
        BETWEEN.format("activation_rate"): 1,
        BETWEEN.format("conversion_rate"): 1,
        "activated and paid users are signups of the cohort": 1,
    },
)

# --- analytics_aggregates, per grain -----------------------------------------------------------
PLATFORM_TOTALS = [
    "users.growth",
    "engagement.active_users",
    "engagement.sessions",
    "retention.cohort",
    "conversion.funnel",
    "learning.attempts",
    "mentoring.sessions",
    "reviews.summary",
    "nps.summary",
    "segments.users",
    "community.activity",
    "geo.access",
    "errors.summary",
    "system.api",
    "platform.overview",
]
BUCKETS = {  # grain -> (the validated bucket, the bucket before it, the window)
    "day": ("2026-01-05", "2026-01-04", DAY),
    "week": ("2026-01-05", "2025-12-29", day_window("2026-01-05", "2026-01-11")),
    "month": ("2026-01-01", "2025-12-01", day_window("2026-01-01", "2026-01-31")),
}
# Non-admin EUR net of the bucket: the 05 alone (800 cents) for a day or a week (the week of
# Monday 05 holds no other payment); January also holds the 700 of the 04.
EUR_NET = {"day": 8.0, "week": 8.0, "month": 15.0}
SUFFIX = {"day": "daily", "week": "weekly", "month": "monthly"}


def aggregate(
    metric_type: str | None,
    dimension: str | None,
    data: Any,
    bucket: str,
    grain: str = "day",
    **o: Any,
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "metric_type": metric_type,
        "grain": grain,
        "time_bucket": bucket,
        "dimension": dimension,
        "data": data,
        **o,
    }


def aggregates_case(grain: str) -> Case:
    bucket, before, window = BUCKETS[grain]
    noon = bucket + " 12:00"

    def a(metric_type: str | None, dimension: str | None, data: Any = None, **o: Any) -> dict:
        row = aggregate(metric_type, dimension, {} if data is None else data, bucket, grain)
        return {**row, **o}

    data = {
        "users.growth": {"new_users": 0, "total_users": 3},
        "engagement.active_users": {
            "active_users": 2,
            "stickiness": 0.6667,
            **({"wau": 3, "mau": 3} if grain == "day" else {}),
        },
        "nps.summary": {"nps": 25.0},
        "learning.attempts": {"completion_rate": 0.5},
        "geo.access": {"blocked_pct": 50},
        "platform.overview": {"users": {"total": 3, "verification_rate": 0.5}},
    }
    clean = [a(m, "", data.get(m, {})) for m in PLATFORM_TOTALS]
    growth_id = clean[0]["id"]
    eur = EUR_NET[grain]
    clean += [
        a("revenue.summary", "EUR", {"gross_revenue": eur + 2, "refunds": 2, "net_revenue": eur}),
        a("subscriptions.summary", "EUR", {"churn_rate": 0}),
        a("community.activity", "30"),
        a("geo.access", "30"),
        # community 30 started a bucket earlier: its series must go on in this one
        aggregate("community.activity", "30", {}, before, grain),
        # out of the window, and wrong in every way
        aggregate(
            "engagement.active_users", "", {"active_users": 9, "stickiness": 7}, before, grain
        ),
    ]
    if grain == "day":  # lift_pct has no bound; a variant's conversion_rate is a rate
        clean.append(
            a(
                "experiments.results",
                "exp-a",
                {"lift_pct": 500, "variants": [{"conversion_rate": 0.1}]},
            )
        )
    else:
        clean.append(a("content.performance", "11", {"completion_rate": 1}))
    plants = [
        a("segments.users", ""),  # the same metric, grain, bucket and dimension twice: 2
        a("mentoring.sessions", "d1", id=growth_id),  # the id of users.growth: 2
        a("mentoring.sessions", "n1", id=None),
        a(None, "n2"),
        a("mentoring.sessions", None),
        a("system.api", "g1", grain="hour"),
        a("unknown.metric", "m1"),
        aggregate("reviews.summary", "t1", {}, noon, grain),  # not the start of a bucket
        a("errors.summary", "j1", []),
        aggregate("errors.summary", "j2", None, bucket, grain),
        a("revenue.summary", "JPY", {"gross_revenue": 1, "refunds": 1, "net_revenue": 1}),
        a("revenue.summary", "GBP", {"gross_revenue": 5, "refunds": 0, "net_revenue": 5}),
        # community 31 only in the bucket before: missing from this one
        aggregate("community.activity", "31", {}, before, grain),
    ]
    statements = [
        # 100 JPY cents paid: the JPY metric (net 1) reconciles, but 1 - 1 is not 1
        "insert into marts.fct_payments (payment_id, user_id, status, amount_cents, "
        "net_amount_cents, currency, created_at, payment_date) values (61, 1, 'succeeded', "
        f"100, 100, 'JPY', '{bucket} 10:00+00', '{bucket}')",
        # out of range: a rate, a nested rate, an NPS and a _pct value: 4
        f"update analytics.analytics_aggregates set data = '{{\"completion_rate\": 1.5}}' "
        f"where metric_type = 'learning.attempts' and dimension = '' and time_bucket = '{bucket}'",
        "update analytics.analytics_aggregates set data = "
        "'{\"users\": {\"verification_rate\": 2}}' where metric_type = 'platform.overview' "
        f"and dimension = '' and time_bucket = '{bucket}'",
        "update analytics.analytics_aggregates set data = '{\"nps\": 120}' where metric_type = "
        f"'nps.summary' and dimension = '' and time_bucket = '{bucket}'",
        "update analytics.analytics_aggregates set data = '{\"blocked_pct\": 101}' where "
        f"metric_type = 'geo.access' and dimension = '' and time_bucket = '{bucket}'",
        # 2 active users, but only 1 user: 1
        "update analytics.analytics_aggregates set data = '{\"total_users\": 1}' where "
        f"metric_type = 'users.growth' and dimension = '' and time_bucket = '{bucket}'",
        # the bucket loses its reviews.summary platform total: missing, 1 (+ community 31)
        "delete from analytics.analytics_aggregates where metric_type = 'reviews.summary' and "
        f"dimension = '' and time_bucket = '{bucket}'",
    ]
    expected = {
        COMPOUND.format("metric_type, grain, time_bucket, dimension"): 2,
        UNIQUE.format("id"): 2,
        NOT_NULL.format("id"): 1,
        NOT_NULL.format("metric_type"): 1,
        NOT_NULL.format("dimension"): 1,
        IN_SET.format("grain"): 1,
        IN_SET.format("metric_type"): 1,
        f"time_bucket is the start of its {grain}": 1,
        "data is a JSON object": 2,
        "rates in [0, 1], _pct values in [0, 100], nps in [-100, 100] (nested keys too)": 4,
        "active users never exceed users (users.growth total_users of the bucket)": 1,
        "revenue: net_revenue = gross_revenue - refunds": 1,
        "revenue: net revenue equals payments minus refunds in fct_payments": 1,
        "every bucket of the window present: each platform total, and each currency or "
        "community series from its first bucket on": 2,
    }
    if grain == "day":
        plants.append(a("engagement.active_users", "p", {"active_users": 0, "wau": 2, "mau": 1}))
        expected["active_users <= wau <= mau"] = 1
    name = f"analytics_aggregates_{SUFFIX[grain]}"
    return Case(
        name, name, "analytics.analytics_aggregates", window, clean, plants, expected, statements
    )


CASES = [
    STG_USERS,
    DIM_USERS,
    DIM_SUBSCRIPTIONS,
    FCT_EVENTS,
    FCT_SESSIONS,
    FCT_PAYMENTS,
    FCT_PRACTICE_ATTEMPTS,
    FCT_ENROLLMENTS,
    FCT_MENTOR_SESSIONS,
    FCT_REVIEWS,
    FCT_NPS_RESPONSES,
    FCT_API_REQUESTS,
    FCT_ERROR_LOGS,
    FCT_GEO_ACCESS_ATTEMPTS,
    FCT_COMMUNITY_ACTIVITY,
    FCT_EXPERIMENT_ASSIGNMENTS,
    ACTIVE_USERS,
    USERS_GROWTH,
    REVENUE_SUMMARY,
    NPS_SUMMARY,
    LEARNING_ATTEMPTS,
    ENGAGEMENT_SESSIONS,
    RETENTION_COHORT,
    CONVERSION_FUNNEL,
    aggregates_case("day"),
    aggregates_case("week"),
    aggregates_case("month"),
]


def build(url: str, case: Case) -> None:
    """The case's relation with its clean rows, and every parent but itself."""
    for relation, rows in PARENTS.items():
        if relation != case.relation:
            create_relation(url, relation)
            insert(url, relation, rows)
    create_relation(url, case.relation)
    insert(url, case.relation, case.clean)
    view = f"analytics.{case.suite}"
    if view in VIEWS:
        create_relation(url, view)


def plant(url: str, case: Case) -> None:
    insert(url, case.relation, case.plants)
    for statement in case.plant_sql:
        execute(url, statement)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_critical_expectation_catches_its_violation(case, make_database, request):
    url = make_database(pick_server(request))
    build(url, case)
    checked = suite(case.suite)
    assert checked.blocking  # a critical failure stops the partition's downstream

    clean = run(case.suite, url, case.window)
    assert errors(clean) == []
    assert failures(clean) == {}, "valid rows must pass"
    critical = {o.expectation for o in clean.outcomes if o.severity == "critical"}
    assert set(case.expected) == critical, "every critical expectation is planted"

    plant(url, case)
    planted = run(case.suite, url, case.window)
    assert errors(planted) == []
    assert failures(planted) == case.expected
    assert not planted.passed
    assert {o.expectation for o in planted.critical_failures} == set(case.expected)


def test_cases_cover_every_blocking_suite():
    from analytics_assets.quality.suite import load_suites

    blocking = {s.name for s in load_suites() if s.blocking}
    assert {c.suite for c in CASES} == blocking
    assert all(columns(c.relation) for c in CASES)
