"""Sessions, funnel, money, learning, mentoring, feedback, experiments, community, geo, errors,
API and platform metrics, and the analytics_aggregates table, on hand-built mart rows.

Every expected number is worked out by hand in the comments next to it, from the rows of
support/activity_marts.py.
2026-03-02 is a Monday: the ISO weeks are Mar 2-8 and Mar 9-15. User 4 is an admin: none of
its rows count, except in the system metrics (errors, API).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

import pytest
from psycopg.types.json import Jsonb
from scipy.stats import chi2, norm
from support.activity_marts import ACTIVITY_MARTS, payment
from support.metrics import (  # noqa: F401
    MetricsWarehouse,
    check,
    event,
    ts,
    user,
    warehouse,
)

from analytics_assets.db import connect


@pytest.fixture(scope="module")
def run(warehouse: MetricsWarehouse) -> MetricsWarehouse:  # noqa: F811
    warehouse.load(**ACTIVITY_MARTS)
    warehouse.run(["path:metrics_models"], "2026-03-02", "2026-03-16")
    return warehouse


def test_sessions(run: MetricsWarehouse) -> None:
    rows = run.metric("fct_metric_engagement_sessions_daily")
    # Mar 2: S1, S2, S3, S4, S6 (S5 is the admin's) of users 1, 2, 3. Durations 5, 30 (last
    # event), 8, 0 (no event), 3: mean 46/5, median 5. Bounces: S3 (1 view, 8 s) and S4
    # (nothing); not S1 (2 views), S2 (30 s) or S6 (a conversion).
    check(
        rows["2026-03-02"],
        {
            "sessions": 5,
            "users": 3,
            "avg_duration_seconds": 9.2,
            "median_duration_seconds": 5.0,
            "bounce_rate": 0.4,
            "by_device": {"web": 3, "ios": 1, "android": 1},
        },
    )
    check(
        rows["2026-03-03"],
        {
            "sessions": 0,
            "users": 0,
            "avg_duration_seconds": None,
            "median_duration_seconds": None,
            "bounce_rate": None,
            "by_device": {"web": 0, "ios": 0, "android": 0},
        },
    )


def test_funnel_until_known(run: MetricsWarehouse) -> None:
    rows = run.metric("fct_metric_conversion_funnel_daily")
    # Mar 2 cohort: 2 and 3. 2 made an attempt on Mar 5 (within 7 days), 3 only on Mar 10
    # (7 days and an hour after signup). Conversion needs 14 days after Mar 3: not known yet.
    check(
        rows["2026-03-02"],
        {
            "signups": 2,
            "activated_7d": 1,
            "activation_rate": 0.5,
            "paid_14d": None,
            "conversion_rate": None,
            "median_hours_to_convert": None,
        },
    )
    # Mar 3 cohort: user 5, whose in-progress attempt counts as an attempt.
    check(rows["2026-03-03"], {"signups": 1, "activated_7d": 1, "activation_rate": 1.0})
    # Mar 9: the activation window ends Mar 17, after the data.
    check(rows["2026-03-09"], {"signups": 0, "activated_7d": None, "activation_rate": None})
    # An empty, finished cohort (the lookback reaches Feb 15): zeros and null rates.
    check(
        rows["2026-02-15"],
        {
            "signups": 0,
            "activated_7d": 0,
            "activation_rate": None,
            "paid_14d": 0,
            "conversion_rate": None,
        },
    )
    weeks = run.metric("fct_metric_conversion_funnel_weekly")
    # Week of Mar 2: 2, 3, 5; activated 2 and 5; the week ends Mar 9, +7 days = Mar 16: known.
    check(
        weeks["2026-03-02"],
        {"signups": 3, "activated_7d": 2, "activation_rate": 2 / 3, "paid_14d": None},
    )


def test_revenue(run: MetricsWarehouse) -> None:
    usd = run.metric("fct_metric_revenue_summary_daily", "USD")
    eur = run.metric("fct_metric_revenue_summary_daily", "EUR")
    # No payment before Mar 4: no currency rows before.
    assert min(usd) == min(eur) == "2026-03-04"
    # USD Mar 4: 19.99 (the admin's 99.99 and user 5's failed payment do not count).
    check(
        usd["2026-03-04"],
        {
            "gross_revenue": 19.99,
            "refunds": 0.0,
            "net_revenue": 19.99,
            "transactions": 1,
            "avg_transaction": 19.99,
            "paying_users": 1,
        },
    )
    # EUR Mar 4: 50.00 + 10.00 by user 1.
    check(
        eur["2026-03-04"],
        {"gross_revenue": 60.0, "transactions": 2, "avg_transaction": 30.0, "paying_users": 1},
    )
    # Mar 6: the refund of 50.00; no sale, so no average.
    check(
        eur["2026-03-06"],
        {
            "gross_revenue": 0.0,
            "refunds": 50.0,
            "net_revenue": -50.0,
            "transactions": 0,
            "avg_transaction": None,
            "paying_users": 0,
        },
    )
    check(usd["2026-03-06"], {"gross_revenue": 0.0, "transactions": 0})
    weeks = run.metric("fct_metric_revenue_summary_weekly", "EUR")
    check(
        weeks["2026-03-02"],
        {
            "gross_revenue": 60.0,
            "refunds": 50.0,
            "net_revenue": 10.0,
            "transactions": 2,
            "avg_transaction": 30.0,
        },
    )


def test_subscriptions(run: MetricsWarehouse) -> None:
    usd = run.metric("fct_metric_subscriptions_summary_daily", "USD")
    eur = run.metric("fct_metric_subscriptions_summary_daily", "EUR")
    # EUR: user 1's annual 120.00 (10.00 a month) from Feb 10 until Mar 6 12:00.
    check(
        eur["2026-03-02"],
        {"active_subscriptions": 1, "new_subscriptions": 0, "mrr": 10.0, "churn_rate": 0.0},
    )
    check(
        eur["2026-03-06"],
        {"active_subscriptions": 0, "cancelled_subscriptions": 1, "mrr": 0.0, "churn_rate": 1.0},
    )
    # Nothing active at the start of Mar 7: churn has no denominator.
    check(eur["2026-03-07"], {"active_subscriptions": 0, "churn_rate": None})
    # USD: user 5's 10.00 from Mar 3 to Mar 5 noon; user 2's 19.99 from Mar 4 (not the
    # admin's); user 2's 5.00 only on Mar 5, 8:00 to 10:00.
    assert min(usd) == "2026-03-03"
    check(
        usd["2026-03-03"],
        {"active_subscriptions": 1, "new_subscriptions": 1, "mrr": 10.0, "churn_rate": None},
    )
    check(
        usd["2026-03-04"],
        {"active_subscriptions": 2, "new_subscriptions": 1, "mrr": 29.99, "churn_rate": 0.0},
    )
    # Mar 5: 2 active at its start (19.99, 10.00), of which one ended; the 5.00 started and
    # ended inside the day: cancelled, but not churn of the subscriptions the day began with.
    check(
        usd["2026-03-05"],
        {
            "active_subscriptions": 1,
            "new_subscriptions": 1,
            "cancelled_subscriptions": 2,
            "mrr": 19.99,
            "churn_rate": 0.5,
        },
    )
    weeks = run.metric("fct_metric_subscriptions_summary_weekly", "USD")
    check(
        weeks["2026-03-02"],
        {
            "active_subscriptions": 1,
            "new_subscriptions": 3,
            "cancelled_subscriptions": 2,
            "mrr": 19.99,
            "churn_rate": None,
        },
    )
    months = run.metric("fct_metric_subscriptions_summary_monthly", "EUR")
    check(
        months["2026-03-01"],
        {"active_subscriptions": 0, "cancelled_subscriptions": 1, "churn_rate": 1.0},
    )


def test_learning_attempts(run: MetricsWarehouse) -> None:
    rows = run.metric("fct_metric_learning_attempts_daily")
    # Mar 5: attempts 1-4 (5 is the admin's): 2 completed (100, 80), 1 abandoned, 1 running.
    # Minutes: (600 + 1200 + 300 + 60) / 60 = 36.
    check(
        rows["2026-03-05"],
        {
            "attempts": 4,
            "completed": 2,
            "abandoned": 1,
            "completion_rate": 2 / 3,
            "avg_score": 90.0,
            "perfect_scores": 1,
            "practice_minutes": 36.0,
            "learners": 3,
        },
    )
    check(
        rows["2026-03-06"],
        {
            "attempts": 0,
            "completion_rate": None,
            "avg_score": None,
            "practice_minutes": 0.0,
            "learners": 0,
        },
    )


def test_content_and_courses(run: MetricsWarehouse) -> None:
    scenario = run.metric("fct_metric_content_performance_weekly", "10")
    exam = run.metric("fct_metric_content_performance_weekly", "11")
    unused = run.metric("fct_metric_content_performance_weekly", "12")
    check(
        scenario["2026-03-02"],
        {
            "title": "Joins",
            "kind": "scenario",
            "difficulty": "beginner",
            "usage_count": 2,
            "completion_rate": 1.0,
            "avg_score": 90.0,
            "avg_completion_seconds": 900.0,
        },
    )
    check(
        exam["2026-03-02"],
        {
            "usage_count": 2,
            "completion_rate": 0.0,
            "avg_score": None,
            "avg_completion_seconds": None,
        },
    )
    check(unused["2026-03-02"], {"usage_count": 0, "completion_rate": None})
    # Courses are not practice content.
    assert run.metric("fct_metric_content_performance_weekly", "20") == {}
    course = run.metric("fct_metric_courses_performance_weekly", "20")
    new_course = run.metric("fct_metric_courses_performance_weekly", "21")
    # As of Mar 9: enrollments of 1 (50%) and 2 (100%, completed Mar 6); review 1 (4 stars).
    check(
        course["2026-03-02"],
        {
            "title": "SQL 101",
            "enrollments": 2,
            "avg_progress": 75.0,
            "completed": 1,
            "completion_rate": 0.5,
            "avg_rating": 4.0,
        },
    )
    # As of Mar 16: user 6 enrolled (10%); review 2 (5 stars).
    check(
        course["2026-03-09"],
        {
            "enrollments": 3,
            "avg_progress": 160 / 3,
            "completed": 1,
            "completion_rate": 1 / 3,
            "avg_rating": 4.5,
        },
    )
    # Course 21 exists from Mar 10: no row before, zeros and nulls after.
    assert list(new_course) == ["2026-03-09"]
    check(
        new_course["2026-03-09"],
        {
            "enrollments": 0,
            "avg_progress": None,
            "completed": 0,
            "completion_rate": None,
            "avg_rating": None,
        },
    )


def test_mentoring_and_ties(run: MetricsWarehouse) -> None:
    rows = run.metric("fct_metric_mentoring_sessions_daily")
    # Mar 7: sessions 1-6 (7 is the admin's): 4 completed (60, 30, 45, 60 min), 1 scheduled,
    # 1 cancelled: rate 4 / (6 - 1). Mentors 3 and 7 both completed 2: the lower id first.
    check(
        rows["2026-03-07"],
        {
            "total": 6,
            "scheduled": 1,
            "completed": 4,
            "cancelled": 1,
            "no_show": 0,
            "completion_rate": 0.8,
            "avg_duration_minutes": 48.75,
            "top_mentors": [{"mentor_id": 3, "sessions": 2}, {"mentor_id": 7, "sessions": 2}],
        },
    )
    check(
        rows["2026-03-09"],
        {
            "total": 1,
            "no_show": 1,
            "completion_rate": 0.0,
            "avg_duration_minutes": None,
            "top_mentors": [],
        },
    )
    check(rows["2026-03-08"], {"total": 0, "completion_rate": None, "top_mentors": []})


def test_reviews_and_nps(run: MetricsWarehouse) -> None:
    reviews = run.metric("fct_metric_reviews_summary_daily")
    # Mar 7: review 1 (course, 4) and 4 (mentor, 2); not the admin's.
    check(
        reviews["2026-03-07"],
        {"reviews": 2, "average_rating": 3.0, "content_reviews": 1, "mentor_reviews": 1},
    )
    check(reviews["2026-03-08"], {"reviews": 0, "average_rating": None})
    scores = run.metric("fct_metric_nps_summary_daily")
    # Mar 8: 1's latest is 3 (detractor), 2: 9 (promoter), 3: 7 (passive): (1 - 1) / 3.
    check(
        scores["2026-03-08"],
        {"responses": 3, "promoters": 1, "passives": 1, "detractors": 1, "nps": 0.0},
    )
    check(scores["2026-03-04"], {"responses": 1, "promoters": 1, "nps": 100.0})
    check(scores["2026-03-05"], {"responses": 0, "nps": None})
    weeks = run.metric("fct_metric_nps_summary_weekly")
    # The week adds user 5's 10: promoters 2, detractors 1 of 4: 25.0.
    check(
        weeks["2026-03-02"],
        {"responses": 4, "promoters": 2, "passives": 1, "detractors": 1, "nps": 25.0},
    )


def _pooled_p(x1: int, n1: int, x2: int, n2: int) -> float:
    pooled = (x1 + x2) / (n1 + n2)
    se = (pooled * (1 - pooled) * (1 / n1 + 1 / n2)) ** 0.5
    return 2 * norm.sf(abs(x1 / n1 - x2 / n2) / se)


def test_experiment_small(run: MetricsWarehouse) -> None:
    rows = run.metric("fct_metric_experiments_results_daily", "exp_a")
    assert min(rows) == "2026-03-02"  # the day it started
    # Mar 2: control 1 assigned (user 1's purchase came before the assignment), treat 2
    # assigned, user 3 converted. Pooled p = 1/3, se = sqrt(1/3 * 2/3 * 3/2), z = 0.866.
    # SRM: 1 vs 2 against 1.5 each: chi2 = 2 * 0.25 / 1.5 = 1/3 on 1 dof.
    check(
        rows["2026-03-02"],
        {
            "variants": [
                {"variant": "control", "assigned": 1, "converted": 0, "conversion_rate": 0},
                {"variant": "treat", "assigned": 2, "converted": 1, "conversion_rate": 0.5},
            ],
            "control": "control",
            "best_variant": "treat",
            "lift_pct": None,
            "p_value": _pooled_p(1, 2, 0, 1),
            "srm_p_value": chi2.sf(1 / 3, 1),
            "significant": False,
            "winner": None,
        },
    )
    # Mar 3: user 5 joins control, user 2 converts: 0/2 vs 2/2; z = 1 / 0.5 = 2.
    check(
        rows["2026-03-03"],
        {
            "p_value": 2 * norm.sf(2.0),
            "srm_p_value": 1.0,
            "significant": False,
            "best_variant": "treat",
        },
    )
    assert abs(rows["2026-03-03"]["p_value"] - 0.0455002639) < 1e-9


def test_community_activity(run: MetricsWarehouse) -> None:
    total = run.metric("fct_metric_community_activity_daily", "")
    alpha = run.metric("fct_metric_community_activity_daily", "1")
    beta = run.metric("fct_metric_community_activity_daily", "2")
    gamma = run.metric("fct_metric_community_activity_daily", "3")
    hours = [0] * 24
    hours[9], hours[14] = 3, 2
    # Mar 3: one of each activity type (the admin's view does not count), joins of 1 and 2
    # in Alpha; members 1, 2, 3; 09:xx three times, 14:xx twice.
    check(
        total["2026-03-03"],
        {
            "views": 1,
            "posts": 1,
            "comments": 1,
            "likes": 1,
            "shares": 1,
            "joins": 2,
            "active_members": 3,
            "hourly": hours,
            "peak_hour": 9,
        },
    )
    check(
        alpha["2026-03-03"],
        {"views": 1, "posts": 1, "likes": 1, "joins": 2, "active_members": 2, "peak_hour": 9},
    )
    # Beta: one at 09:05, one at 14:30: a tie goes to the lower hour.
    check(
        beta["2026-03-03"],
        {"comments": 1, "shares": 1, "joins": 0, "active_members": 2, "peak_hour": 9},
    )
    check(
        beta["2026-03-02"], {"joins": 1, "active_members": 0, "hourly": [0] * 24, "peak_hour": None}
    )
    # Gamma exists from Mar 10.
    assert min(gamma) == "2026-03-10"


def test_geo_access(run: MetricsWarehouse) -> None:
    total = run.metric("fct_metric_geo_access_daily", "")
    beta = run.metric("fct_metric_geo_access_daily", "2")
    # Mar 4: 6 attempts (not the admin's), 1 allowed, 5 blocked, 1 traveler. Blocked places:
    # DE/Berlin 2, FR/Paris 2 (a tie: DE first), DE/no city 1.
    check(
        total["2026-03-04"],
        {
            "attempts": 6,
            "allowed": 1,
            "blocked": 5,
            "traveler_attempts": 1,
            "blocked_pct": 500 / 6,
            "top_blocked": [
                {"country_code": "DE", "city": "Berlin", "attempts": 2},
                {"country_code": "FR", "city": "Paris", "attempts": 2},
                {"country_code": "DE", "city": None, "attempts": 1},
            ],
        },
    )
    # Beta: FR/Paris 2, then DE/Berlin 1 before DE/no city 1.
    check(
        beta["2026-03-04"],
        {
            "attempts": 5,
            "blocked": 4,
            "blocked_pct": 80.0,
            "top_blocked": [
                {"country_code": "FR", "city": "Paris", "attempts": 2},
                {"country_code": "DE", "city": "Berlin", "attempts": 1},
                {"country_code": "DE", "city": None, "attempts": 1},
            ],
        },
    )
    check(total["2026-03-05"], {"attempts": 0, "blocked_pct": None, "top_blocked": []})


def test_errors_and_api(run: MetricsWarehouse) -> None:
    errors = run.metric("fct_metric_errors_summary_daily")
    # Mar 5: 9 logs, the admin's and anonymous ones included. Unresolved at the day's end:
    # 2 (resolved Mar 6), 3, 4, 6. Top urls: /a 2, /b 2, then /c, /d, /e of the 1s (/f is 6th).
    check(
        errors["2026-03-05"],
        {
            "total": 9,
            "by_level": {"warning": 5, "error": 3, "critical": 1},
            "unresolved": 4,
            "top_urls": [
                {"url": u, "errors": n}
                for u, n in [("/a", 2), ("/b", 2), ("/c", 1), ("/d", 1), ("/e", 1)]
            ],
        },
    )
    # At the week's end, log 2 is resolved.
    weeks = run.metric("fct_metric_errors_summary_weekly")
    check(weeks["2026-03-02"], {"total": 9, "unresolved": 3})
    api = run.metric("fct_metric_system_api_daily")
    # Mar 6: 10, 20, 30, 40, 100 ms; p95 at rank 0.95 * 4 = 3.8: 40 + 0.8 * 60 = 88.
    check(
        api["2026-03-06"],
        {
            "requests": 5,
            "avg_response_ms": 40.0,
            "p95_response_ms": 88.0,
            "server_error_rate": 0.4,
            "client_error_rate": 0.2,
        },
    )
    check(
        api["2026-03-07"],
        {
            "requests": 0,
            "avg_response_ms": None,
            "p95_response_ms": None,
            "server_error_rate": None,
        },
    )


def test_platform_overview(run: MetricsWarehouse) -> None:
    rows = run.metric("fct_metric_platform_overview_daily")
    # As of Mar 8: users 1, 2, 3, 7 (5 deleted, 6 not yet): 2 students, 2 mentors, 3 verified.
    # Mentor sessions booked by then: 1-6 (8 on Mar 8): 4 completed, 1 scheduled.
    # Courses: 20 only, with enrollments 1 and 2. Reviews 1 and 4: (4 + 2) / 2.
    check(
        rows["2026-03-07"],
        {
            "users": {
                "total": 4,
                "students": 2,
                "mentors": 2,
                "verified": 3,
                "verification_rate": 0.75,
            },
            "mentor_sessions": {"total": 6, "completed": 4, "scheduled": 1, "completion_rate": 0.8},
            "courses": {
                "total": 1,
                "published": 1,
                "enrollments": 2,
                "avg_enrollments_per_course": 2.0,
            },
            "reviews": {"total": 2, "average_rating": 3.0},
        },
    )
    # As of Mar 11: user 6, session 8 and course 21 (unpublished) are there; enrollment 4
    # (Mar 11) is not yet.
    day = rows["2026-03-10"]
    assert day["users"]["total"] == 5 and day["users"]["students"] == 3
    assert float(day["users"]["verification_rate"]) == pytest.approx(0.6)
    assert day["mentor_sessions"]["total"] == 7
    assert float(day["mentor_sessions"]["completion_rate"]) == pytest.approx(4 / 6)
    assert day["courses"] == {
        "total": 2,
        "published": 1,
        "enrollments": 2,
        "avg_enrollments_per_course": 1,
    }


# --- the aggregates table -------------------------------------------------------------------


def _expected_id(metric_type: str, grain: str, bucket: str, dimension: str) -> uuid.UUID:
    text = f"{metric_type}|{grain}|{bucket}T00:00:00.000000|{dimension}"
    return uuid.UUID(hashlib.md5(text.encode()).hexdigest())


def test_aggregates_table_shape(run: MetricsWarehouse) -> None:
    columns = run.query(
        "select column_name, data_type, character_maximum_length from information_schema.columns"
        " where table_schema = 'analytics' and table_name = 'analytics_aggregates'"
        " order by ordinal_position"
    )
    assert [(c["column_name"], c["data_type"], c["character_maximum_length"]) for c in columns] == [
        ("id", "uuid", None),
        ("metric_type", "character varying", 50),
        ("grain", "character varying", 5),
        ("time_bucket", "timestamp without time zone", None),
        ("dimension", "text", None),
        ("data", "jsonb", None),
        ("created_at", "timestamp without time zone", None),
    ]
    unique = run.query(
        "select pg_get_indexdef(indexrelid) as ddl from pg_index"
        " where indrelid = 'analytics.analytics_aggregates'::regclass and indisunique"
    )
    assert any("(metric_type, grain, time_bucket, dimension)" in u["ddl"] for u in unique)
    # Every metric type of the catalog, at the grains it exists at.
    types = run.query(
        "select grain, count(distinct metric_type) as n from analytics.analytics_aggregates"
        " group by grain order by grain"
    )
    assert {t["grain"]: t["n"] for t in types} == {"day": 18, "week": 19, "month": 19}


def test_aggregates_rows_and_rerun(run: MetricsWarehouse) -> None:
    def revenue() -> dict:
        return run.query(
            "select * from analytics.analytics_aggregates where metric_type = 'revenue.summary'"
            " and grain = 'day' and time_bucket = '2026-03-04' and dimension = 'USD'"
        )[0]

    first = revenue()
    assert first["id"] == _expected_id("revenue.summary", "day", "2026-03-04", "USD")
    assert first["data"] == {
        "gross_revenue": 19.99,
        "refunds": 0.00,
        "net_revenue": 19.99,
        "transactions": 1,
        "avg_transaction": first["data"]["avg_transaction"],
        "paying_users": 1,
    }
    assert float(first["data"]["avg_transaction"]) == pytest.approx(19.99)
    # The app's query uses the unique index.
    assert "analytics_aggregates_metric_bucket_key" in _plan(run)
    # A late refund of user 2's payment, then a rerun of that day: same id, first created_at,
    # new data; the week and month slices are untouched by a daily run.
    weekly_before = run.query(
        "select id, created_at, data from analytics.analytics_aggregates where grain = 'week'"
        " and metric_type = 'revenue.summary' and dimension = 'USD'"
        " and time_bucket = '2026-03-02'"
    )[0]
    run.insert(
        "fct_payments", [payment(8, 2, "subscription", 1999, "USD", "refunded", "2026-03-04 18:00")]
    )
    run.run(
        ["fct_metric_revenue_summary_daily", "analytics_aggregates_daily"],
        "2026-03-04",
        "2026-03-05",
    )
    second = revenue()
    assert second["id"] == first["id"]
    assert second["created_at"] == first["created_at"]
    assert float(second["data"]["refunds"]) == pytest.approx(19.99)
    assert float(second["data"]["net_revenue"]) == 0
    weekly_after = run.query(
        "select id, created_at, data from analytics.analytics_aggregates where grain = 'week'"
        " and metric_type = 'revenue.summary' and dimension = 'USD'"
        " and time_bucket = '2026-03-02'"
    )[0]
    assert weekly_after == weekly_before
    # Days outside the rerun's window keep their rows.
    days = run.query(
        "select count(*) as n from analytics.analytics_aggregates"
        " where grain = 'day' and metric_type = 'users.growth'"
    )
    assert days[0]["n"] == 14


def _plan(wh: MetricsWarehouse) -> str:
    """The plan of the app's query on analytics_aggregates, with sequential scans off so the
    plan shows whether an index can serve it at all (a tiny table would be scanned)."""
    with connect(wh.url) as conn:
        conn.execute("set enable_seqscan = off")
        rows = conn.execute(
            "explain select * from analytics.analytics_aggregates where metric_type = %s"
            " and grain = %s and time_bucket >= %s and time_bucket < %s",
            ("revenue.summary", "day", datetime(2026, 3, 1), datetime(2026, 4, 1)),
        ).fetchall()
    return "\n".join(r[0] for r in rows)


def test_rate_range_check(run: MetricsWarehouse) -> None:
    """The dbt test on each slice passes on real rows and fails on a rate above 1."""
    assert run.passes_tests(["analytics_aggregates_daily"], "2026-03-02", "2026-03-16")
    with connect(run.url, autocommit=True) as conn:
        conn.execute(
            "update analytics.analytics_aggregates set data = data || '{\"bounce_rate\": 1.5}'"
            " where metric_type = 'engagement.sessions' and grain = 'day'"
            " and time_bucket = '2026-03-02'"
        )
    assert not run.passes_tests(["analytics_aggregates_daily"], "2026-03-02", "2026-03-16")


# --- an experiment big enough to decide (loads its own data: keep it last) -------------------


def test_experiment_significance_winner_and_srm(warehouse: MetricsWarehouse) -> None:  # noqa: F811
    users = [user(u, "student", "2026-03-01 00:00") for u in range(1, 401)]
    experiments = [
        # An array split, in variant order; ran Mar 9 to Mar 10 noon.
        {
            "experiment_id": 2,
            "experiment_key": "exp_b",
            "variants": ["a", "b"],
            "traffic_split": Jsonb([1, 1]),
            "goal_event": "signup_done",
            "started_at": ts("2026-03-09 00:00"),
            "ended_at": ts("2026-03-10 12:00"),
        },
        # Meant 50/50, assigned 150/50: a sample ratio mismatch.
        {
            "experiment_id": 3,
            "experiment_key": "exp_c",
            "variants": ["x", "y"],
            "traffic_split": {"x": 50, "y": 50},
            "goal_event": "signup_done",
            "started_at": ts("2026-03-09 00:00"),
            "ended_at": None,
        },
    ]
    assigned = [(2, u, "a" if u <= 100 else "b") for u in range(1, 201)]
    assigned += [(3, u, "x" if u <= 350 else "y") for u in range(201, 401)]
    assignments = [
        {"experiment_id": x, "user_id": u, "variant": v, "assigned_at": ts("2026-03-09 08:00")}
        for x, u, v in assigned
    ]
    # exp_b: 10 of a's 100, 30 of b's 100 convert. exp_c: 15 of x's 150, 20 of y's 50.
    converters = [*range(1, 11), *range(101, 131), *range(201, 216), *range(351, 371)]
    events = [event(u, "2026-03-09 12:00", "signup", "signup_done") for u in converters]
    warehouse.load(
        dim_users=users,
        fct_events=events,
        dim_experiments=experiments,
        fct_experiment_assignments=assignments,
    )
    warehouse.run(["fct_metric_experiments_results_daily"], "2026-03-08", "2026-03-12")

    exp_b = warehouse.metric("fct_metric_experiments_results_daily", "exp_b")
    # It ran on Mar 9 and Mar 10 only (ended Mar 10 noon).
    assert list(exp_b) == ["2026-03-09", "2026-03-10"]
    # b: 0.3 vs a: 0.1: lift 200 %; pooled 0.2, se = sqrt(0.2 * 0.8 * 0.02), z = 3.5355;
    # 100 vs 100 on 1:1: chi2 = 0, srm p = 1. Every variant >= 50 assigned and >= 5 converted.
    check(
        exp_b["2026-03-09"],
        {
            "control": "a",
            "best_variant": "b",
            "lift_pct": 200.0,
            "p_value": 2 * norm.sf(0.2 / (0.2 * 0.8 * 0.02) ** 0.5),
            "srm_p_value": 1.0,
            "significant": True,
            "winner": "b",
        },
    )
    assert exp_b["2026-03-09"]["p_value"] < 0.001
    check(exp_b["2026-03-10"], {"winner": "b"})

    exp_c = warehouse.metric("fct_metric_experiments_results_daily", "exp_c")
    # y: 20/50 = 0.4 vs x: 15/150 = 0.1: lift 300 %, significant; but chi2 =
    # (150 - 100)^2 / 100 + (50 - 100)^2 / 100 = 50 on 1 dof: p ~ 1.5e-12 < 0.001, no winner.
    check(
        exp_c["2026-03-09"],
        {
            "best_variant": "y",
            "lift_pct": 300.0,
            "p_value": _pooled_p(20, 50, 15, 150),
            "srm_p_value": chi2.sf(50.0, 1),
            "significant": True,
            "winner": None,
        },
    )
    # It has not ended: a row for every day of the window from its start.
    assert list(exp_c) == ["2026-03-09", "2026-03-10", "2026-03-11"]
