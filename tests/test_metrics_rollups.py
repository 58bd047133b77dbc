"""Every metric family at week and month grain, on the hand-built mart rows of
support/activity_marts.py (test_metrics_activity.py checks them at day grain).

One module fixture loads those rows once and runs the weekly models over Mar 2-16 (the ISO
weeks of Mar 2-8 and Mar 9-15; 2026-03-02 is a Monday) and the monthly models over Mar 1 -
May 1 (March and April; the funnel's one-month lookback adds February). The month window
reaches May 1 so that March has ended by the data horizon (its 7- and 14-day funnel windows,
ending Apr 8 and Apr 15, are known) and April is a month without activity: zeros and null
rates. Every expected number is worked out by hand in the comments next to it, from the rows
of support/activity_marts.py and METRICS.md. User 4 is an admin: none of its rows count,
except in the system metrics (errors, API).

Row recap (non-admin users): 1 student (Feb 1, verified), 7 mentor (Feb 2, verified),
2 student (Mar 2 09:00), 3 mentor (Mar 2 15:00, verified), 5 student (Mar 3, deleted Mar 5),
6 student (Mar 10).
"""

from __future__ import annotations

import hashlib
import math
import uuid
from typing import Any

import pytest
from support.activity_marts import ACTIVITY_MARTS
from support.metrics import MetricsWarehouse, warehouse  # noqa: F401

WEEK_WINDOW = ("2026-03-02", "2026-03-16")
MONTH_WINDOW = ("2026-03-01", "2026-05-01")
WEEKS = ["2026-03-02", "2026-03-09"]
MONTHS = ["2026-03-01", "2026-04-01"]
W1, W2 = WEEKS
MAR, APR = MONTHS


@pytest.fixture(scope="module")
def rollups(warehouse: MetricsWarehouse) -> MetricsWarehouse:  # noqa: F811
    """The activity rows, and one dbt run per grain over whole buckets."""
    warehouse.load(**ACTIVITY_MARTS)
    # A whole grain per run: each aggregates slice reads every typed model of its grain.
    warehouse.run(["path:metrics_models/weekly"], *WEEK_WINDOW)
    warehouse.run(["path:metrics_models/monthly"], *MONTH_WINDOW)
    return warehouse


def _same(got: Any, want: Any) -> bool:
    """got equals want, recursively through JSON objects and lists; numbers to 1e-9 (a
    numeric rate such as 2/3 comes back rounded to PostgreSQL's numeric scale)."""
    if isinstance(want, dict):
        return (
            isinstance(got, dict)
            and got.keys() == want.keys()
            and all(_same(got[k], v) for k, v in want.items())
        )
    if isinstance(want, list):
        return (
            isinstance(got, list)
            and len(got) == len(want)
            and all(_same(g, w) for g, w in zip(got, want, strict=True))
        )
    if want is None or isinstance(want, bool | str):
        return got == want
    return (
        got is not None
        and not isinstance(got, bool)
        and math.isclose(float(got), want, rel_tol=1e-9, abs_tol=1e-12)
    )


def check_all(row: dict[str, Any], expected: dict[str, Any]) -> None:
    """expected names every data key of the row (all columns but the bucket and dimension),
    and each value matches (None means SQL null)."""
    keys = set(row) - {"dimension"}
    assert keys == set(expected), sorted(keys ^ set(expected))
    for key, want in expected.items():
        assert _same(row[key], want), (key, row[key], want)


def _buckets(wh: MetricsWarehouse, model: str, dimension: str = "") -> dict[str, dict]:
    rows = wh.metric(model, dimension)
    assert rows, f"{model} has no row for dimension {dimension!r}"
    return rows


# Values shared by the week and month grains (everything of these families happens in the
# first ISO week, inside March).

# Sessions S1 (5 s), S2 (open: last event +30 s), S3 (8 s), S4 (open, no event: 0 s), S6 (3 s)
# of users 1, 2, 3, all on Mar 2; S5 is the admin's. Mean 46 / 5, median of 0, 3, 5, 8, 30.
# Bounces: S3 (1 view, 8 s) and S4 (nothing); S1 has 2 views, S2 lasts 30 s, S6 converts.
SESSIONS_MAR_2 = {
    "sessions": 5,
    "users": 3,
    "avg_duration_seconds": 46 / 5,
    "median_duration_seconds": 5.0,
    "bounce_rate": 2 / 5,
    "by_device": {"web": 3, "ios": 1, "android": 1},
}
SESSIONS_EMPTY = {
    "sessions": 0,
    "users": 0,
    "avg_duration_seconds": None,
    "median_duration_seconds": None,
    "bounce_rate": None,
    "by_device": {"web": 0, "ios": 0, "android": 0},
}


def test_engagement_sessions_week_and_month(rollups: MetricsWarehouse) -> None:
    # The lookback of one bucket (a session's duration can come from events after its
    # bucket ends) adds the bucket before each window: the week of Feb 23, February.
    weeks = _buckets(rollups, "fct_metric_engagement_sessions_weekly")
    assert list(weeks) == ["2026-02-23", *WEEKS]
    check_all(weeks["2026-02-23"], SESSIONS_EMPTY)
    check_all(weeks[W1], SESSIONS_MAR_2)
    # Mar 9-15: no session: a row of zeros and null averages and rate.
    check_all(weeks[W2], SESSIONS_EMPTY)
    months = _buckets(rollups, "fct_metric_engagement_sessions_monthly")
    assert list(months) == ["2026-02-01", *MONTHS]
    check_all(months["2026-02-01"], SESSIONS_EMPTY)
    check_all(months[MAR], SESSIONS_MAR_2)
    check_all(months[APR], SESSIONS_EMPTY)


# --- community.activity ----------------------------------------------------------------------

ZERO_HOURS = [0] * 24


def _hours(**counts: int) -> list[int]:
    """24 hourly counts: _hours(h9=3, h14=2)."""
    out = [0] * 24
    for name, n in counts.items():
        out[int(name[1:])] = n
    return out


# All on Mar 3 (admin's view of 09:00 and admin's Beta join left out):
#   Alpha: view 09:15 (u1), post 09:45 (u1), like 14:00 (u2); joins of u1 and u2 (Mar 3).
#   Beta: share 09:05 (u3), comment 14:30 (u2); join of u2 (Mar 2).
COMMUNITY_TOTAL_MAR = {
    # One of each type; joins 2 (Alpha) + 1 (Beta) = 3; members 1, 2, 3; 09:xx three times
    # (09:05, 09:15, 09:45), 14:xx twice: peak 9.
    "views": 1,
    "posts": 1,
    "comments": 1,
    "likes": 1,
    "shares": 1,
    "joins": 3,
    "active_members": 3,
    "hourly": _hours(h9=3, h14=2),
    "peak_hour": 9,
}
COMMUNITY_ALPHA_MAR = {
    # Members 1 and 2; 09:xx twice, 14:xx once.
    "views": 1,
    "posts": 1,
    "comments": 0,
    "likes": 1,
    "shares": 0,
    "joins": 2,
    "active_members": 2,
    "hourly": _hours(h9=2, h14=1),
    "peak_hour": 9,
}
COMMUNITY_BETA_MAR = {
    # Members 2 and 3; one at 09:05, one at 14:30: the tie goes to the lower hour.
    "views": 0,
    "posts": 0,
    "comments": 1,
    "likes": 0,
    "shares": 1,
    "joins": 1,
    "active_members": 2,
    "hourly": _hours(h9=1, h14=1),
    "peak_hour": 9,
}
COMMUNITY_EMPTY = {
    "views": 0,
    "posts": 0,
    "comments": 0,
    "likes": 0,
    "shares": 0,
    "joins": 0,
    "active_members": 0,
    "hourly": ZERO_HOURS,
    "peak_hour": None,
}


def test_community_activity_week(rollups: MetricsWarehouse) -> None:
    model = "fct_metric_community_activity_weekly"
    check_all(_buckets(rollups, model, "")[W1], COMMUNITY_TOTAL_MAR)
    check_all(_buckets(rollups, model, "1")[W1], COMMUNITY_ALPHA_MAR)
    check_all(_buckets(rollups, model, "2")[W1], COMMUNITY_BETA_MAR)
    # Mar 9-15: nothing happens anywhere.
    check_all(_buckets(rollups, model, "")[W2], COMMUNITY_EMPTY)
    check_all(_buckets(rollups, model, "2")[W2], COMMUNITY_EMPTY)
    # Gamma is created Mar 10: a row of zeros in its first week, none before.
    gamma = _buckets(rollups, model, "3")
    assert list(gamma) == [W2]
    check_all(gamma[W2], COMMUNITY_EMPTY)


def test_community_activity_month(rollups: MetricsWarehouse) -> None:
    model = "fct_metric_community_activity_monthly"
    total = _buckets(rollups, model, "")
    assert list(total) == MONTHS
    # March holds all of it: the same sums as the first week.
    check_all(total[MAR], COMMUNITY_TOTAL_MAR)
    check_all(_buckets(rollups, model, "1")[MAR], COMMUNITY_ALPHA_MAR)
    check_all(_buckets(rollups, model, "2")[MAR], COMMUNITY_BETA_MAR)
    # Gamma (created Mar 10, before March ends) has March and April rows, both empty.
    gamma = _buckets(rollups, model, "3")
    assert list(gamma) == MONTHS
    check_all(gamma[MAR], COMMUNITY_EMPTY)
    check_all(total[APR], COMMUNITY_EMPTY)


# --- geo.access --------------------------------------------------------------------------------

# All on Mar 4; the admin's attempt (6) left out. 1: FR/Paris blocked (Beta), 2: FR/Paris
# blocked (Beta), 3: DE/Berlin blocked, traveler (Beta), 4: US allowed (Beta), 5: DE/Berlin
# blocked (Alpha), 7: DE/no city blocked (Beta).
GEO_TOTAL_MAR = {
    # 6 attempts, 1 allowed, 5 blocked, 1 traveler: 5 / 6 x 100 %. Blocked places:
    # DE/Berlin 2 (3, 5), FR/Paris 2 (1, 2): a tie, DE first; DE/no city 1.
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
}
GEO_ALPHA_MAR = {
    # Attempt 5 only.
    "attempts": 1,
    "allowed": 0,
    "blocked": 1,
    "traveler_attempts": 0,
    "blocked_pct": 100.0,
    "top_blocked": [{"country_code": "DE", "city": "Berlin", "attempts": 1}],
}
GEO_BETA_MAR = {
    # Attempts 1, 2, 3, 4, 7: 4 blocked of 5 = 80 %; FR/Paris 2, then DE/Berlin before
    # DE/no city (a null city last).
    "attempts": 5,
    "allowed": 1,
    "blocked": 4,
    "traveler_attempts": 1,
    "blocked_pct": 80.0,
    "top_blocked": [
        {"country_code": "FR", "city": "Paris", "attempts": 2},
        {"country_code": "DE", "city": "Berlin", "attempts": 1},
        {"country_code": "DE", "city": None, "attempts": 1},
    ],
}
GEO_EMPTY = {
    "attempts": 0,
    "allowed": 0,
    "blocked": 0,
    "traveler_attempts": 0,
    "blocked_pct": None,
    "top_blocked": [],
}


def test_geo_access_week_and_month(rollups: MetricsWarehouse) -> None:
    for model, first, empty in [
        ("fct_metric_geo_access_weekly", W1, W2),
        ("fct_metric_geo_access_monthly", MAR, APR),
    ]:
        total = _buckets(rollups, model, "")
        check_all(total[first], GEO_TOTAL_MAR)
        check_all(_buckets(rollups, model, "1")[first], GEO_ALPHA_MAR)
        check_all(_buckets(rollups, model, "2")[first], GEO_BETA_MAR)
        # The next week / month: no attempt, a null blocked_pct, an empty top list.
        check_all(total[empty], GEO_EMPTY)
        check_all(_buckets(rollups, model, "3")[empty], GEO_EMPTY)


# --- learning.attempts -------------------------------------------------------------------------


def test_learning_attempts_week_and_month(rollups: MetricsWarehouse) -> None:
    weeks = _buckets(rollups, "fct_metric_learning_attempts_weekly")
    assert list(weeks) == WEEKS
    # Mar 2-8: attempts 1-4 on Mar 5 (5 is the admin's): 1 completed 100 (u2, 600 s),
    # 2 completed 80 (u1, 1200 s), 3 abandoned (u1, 300 s), 4 in progress (u5, 60 s).
    # Rate 2 / (2 + 1); minutes (600 + 1200 + 300 + 60) / 60 = 36; learners 1, 2, 5.
    check_all(
        weeks[W1],
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
    # Mar 9-15: attempt 6 (u3, completed 90, 900 s = 15 min).
    check_all(
        weeks[W2],
        {
            "attempts": 1,
            "completed": 1,
            "abandoned": 0,
            "completion_rate": 1.0,
            "avg_score": 90.0,
            "perfect_scores": 0,
            "practice_minutes": 15.0,
            "learners": 1,
        },
    )
    months = _buckets(rollups, "fct_metric_learning_attempts_monthly")
    assert list(months) == MONTHS
    # March: both weeks. Completed 100, 80, 90: mean 90; rate 3 / (3 + 1);
    # minutes (600 + 1200 + 300 + 60 + 900) / 60 = 51; learners 1, 2, 3, 5.
    check_all(
        months[MAR],
        {
            "attempts": 5,
            "completed": 3,
            "abandoned": 1,
            "completion_rate": 0.75,
            "avg_score": 90.0,
            "perfect_scores": 1,
            "practice_minutes": 51.0,
            "learners": 4,
        },
    )
    check_all(
        months[APR],
        {
            "attempts": 0,
            "completed": 0,
            "abandoned": 0,
            "completion_rate": None,
            "avg_score": None,
            "perfect_scores": 0,
            "practice_minutes": 0.0,
            "learners": 0,
        },
    )


# --- content.performance and courses.performance (week and month only) -----------------------


def test_content_performance_month(rollups: MetricsWarehouse) -> None:
    model = "fct_metric_content_performance_monthly"
    joins = _buckets(rollups, model, "10")
    final = _buckets(rollups, model, "11")
    quiz = _buckets(rollups, model, "12")
    # Content 10 (Joins): attempts 1 (100, 600 s), 2 (80, 1200 s), 6 (90, 900 s), all
    # completed (5 is the admin's). Mean score 270 / 3, mean time 2700 / 3.
    check_all(
        joins[MAR],
        {
            "title": "Joins",
            "kind": "scenario",
            "difficulty": "beginner",
            "usage_count": 3,
            "completion_rate": 1.0,
            "avg_score": 90.0,
            "avg_completion_seconds": 900.0,
        },
    )
    # Content 11 (Final): attempt 3 abandoned, 4 in progress: 0 completed of 1 finished.
    check_all(
        final[MAR],
        {
            "title": "Final",
            "kind": "exam",
            "difficulty": "advanced",
            "usage_count": 2,
            "completion_rate": 0.0,
            "avg_score": None,
            "avg_completion_seconds": None,
        },
    )
    # Content 12 (Quiz, created Mar 1): never attempted.
    unused = {
        "title": "Quiz",
        "kind": "exam",
        "difficulty": "beginner",
        "usage_count": 0,
        "completion_rate": None,
        "avg_score": None,
        "avg_completion_seconds": None,
    }
    check_all(quiz[MAR], unused)
    # April: nobody practises.
    check_all(joins[APR], {**unused, "title": "Joins", "kind": "scenario"})
    # Courses are not practice content.
    assert rollups.metric(model, "20") == {}


def test_courses_performance_month(rollups: MetricsWarehouse) -> None:
    model = "fct_metric_courses_performance_monthly"
    sql101 = _buckets(rollups, model, "20")
    python = _buckets(rollups, model, "21")
    # As of Apr 1: enrollments 1 (u1, 50 %), 2 (u2, 100 %, completed Mar 6), 4 (u6, 10 %);
    # 3 is the admin's. Progress (50 + 100 + 10) / 3; 1 completed of 3. Reviews of course 20:
    # 1 (4 stars), 2 (5 stars); 3 is the admin's: 9 / 2.
    march = {
        "title": "SQL 101",
        "enrollments": 3,
        "avg_progress": 160 / 3,
        "completed": 1,
        "completion_rate": 1 / 3,
        "avg_rating": 4.5,
    }
    check_all(sql101[MAR], march)
    # As of May 1 nothing has changed: the running sums carry over a quiet month.
    check_all(sql101[APR], march)
    # Course 21 (created Mar 10, unpublished): no enrollment, no review.
    check_all(
        python[MAR],
        {
            "title": "Python",
            "enrollments": 0,
            "avg_progress": None,
            "completed": 0,
            "completion_rate": None,
            "avg_rating": None,
        },
    )


# --- mentoring.sessions ------------------------------------------------------------------------


def test_mentoring_sessions_week_and_month(rollups: MetricsWarehouse) -> None:
    weeks = _buckets(rollups, "fct_metric_mentoring_sessions_weekly")
    # Mar 2-8: sessions 1-6 on Mar 7 (7 has the admin as student). Completed 1 (60 min, m3),
    # 2 (30, m3), 3 (45, m7), 4 (60, m7); 5 scheduled; 6 cancelled. Rate 4 / (6 - 1);
    # minutes (60 + 30 + 45 + 60) / 4 = 48.75; m3 and m7 both 2: the lower id first.
    first_week = {
        "total": 6,
        "scheduled": 1,
        "completed": 4,
        "cancelled": 1,
        "no_show": 0,
        "completion_rate": 0.8,
        "avg_duration_minutes": 48.75,
        "top_mentors": [{"mentor_id": 3, "sessions": 2}, {"mentor_id": 7, "sessions": 2}],
    }
    check_all(weeks[W1], first_week)
    # Mar 9-15: session 8 (Mar 9), a no-show: 0 completed of 1 decided.
    check_all(
        weeks[W2],
        {
            "total": 1,
            "scheduled": 0,
            "completed": 0,
            "cancelled": 0,
            "no_show": 1,
            "completion_rate": 0.0,
            "avg_duration_minutes": None,
            "top_mentors": [],
        },
    )
    months = _buckets(rollups, "fct_metric_mentoring_sessions_monthly")
    # March: sessions 1-6 and 8: 7 in all, 4 completed of 7 - 1 scheduled.
    check_all(months[MAR], {**first_week, "total": 7, "no_show": 1, "completion_rate": 4 / 6})
    check_all(
        months[APR],
        {
            "total": 0,
            "scheduled": 0,
            "completed": 0,
            "cancelled": 0,
            "no_show": 0,
            "completion_rate": None,
            "avg_duration_minutes": None,
            "top_mentors": [],
        },
    )


# --- reviews.summary ---------------------------------------------------------------------------


def test_reviews_summary_week_and_month(rollups: MetricsWarehouse) -> None:
    weeks = _buckets(rollups, "fct_metric_reviews_summary_weekly")
    # Mar 2-8: review 1 (course, 4) and 4 (mentor, 2), both Mar 7; 3 is the admin's.
    check_all(
        weeks[W1],
        {"reviews": 2, "average_rating": 3.0, "content_reviews": 1, "mentor_reviews": 1},
    )
    # Mar 9-15: review 2 (course, 5) on Mar 12.
    check_all(
        weeks[W2],
        {"reviews": 1, "average_rating": 5.0, "content_reviews": 1, "mentor_reviews": 0},
    )
    months = _buckets(rollups, "fct_metric_reviews_summary_monthly")
    # March: 1, 2, 4: (4 + 5 + 2) / 3.
    check_all(
        months[MAR],
        {"reviews": 3, "average_rating": 11 / 3, "content_reviews": 2, "mentor_reviews": 1},
    )
    check_all(
        months[APR],
        {"reviews": 0, "average_rating": None, "content_reviews": 0, "mentor_reviews": 0},
    )


# --- system.api and errors.summary (every request and log counts, the admin's too) ---------

# Mar 6: 10, 20, 30, 40, 100 ms; codes 200, 200, 404, 500, 503. Mean 200 / 5; p95 at rank
# 0.95 x 4 = 3.8 between 40 and 100: 40 + 0.8 x 60 = 88; 2 of 5 are 5xx, 1 of 5 is 4xx.
API_MAR_6 = {
    "requests": 5,
    "avg_response_ms": 40.0,
    "p95_response_ms": 88.0,
    "server_error_rate": 0.4,
    "client_error_rate": 0.2,
}
API_EMPTY = {
    "requests": 0,
    "avg_response_ms": None,
    "p95_response_ms": None,
    "server_error_rate": None,
    "client_error_rate": None,
}


def test_system_api_week_and_month(rollups: MetricsWarehouse) -> None:
    weeks = _buckets(rollups, "fct_metric_system_api_weekly")
    check_all(weeks[W1], API_MAR_6)
    check_all(weeks[W2], API_EMPTY)
    months = _buckets(rollups, "fct_metric_system_api_monthly")
    check_all(months[MAR], API_MAR_6)
    check_all(months[APR], API_EMPTY)


def test_errors_summary_month(rollups: MetricsWarehouse) -> None:
    months = _buckets(rollups, "fct_metric_errors_summary_monthly")
    # March: the 9 logs of Mar 5: warnings 4, 5, 7, 8, 9; errors 1, 2, 6; critical 3.
    # Unresolved at Apr 1: 3, 4, 6 (never resolved; 2 was resolved Mar 6). Urls: /a 2 (1, 2),
    # /b 2 (3, 6), then the 1s by url: /c, /d, /e (/f is sixth; 4 has no url).
    check_all(
        months[MAR],
        {
            "total": 9,
            "by_level": {"warning": 5, "error": 3, "critical": 1},
            "unresolved": 3,
            "top_urls": [
                {"url": u, "errors": n}
                for u, n in [("/a", 2), ("/b", 2), ("/c", 1), ("/d", 1), ("/e", 1)]
            ],
        },
    )
    check_all(
        months[APR],
        {
            "total": 0,
            "by_level": {"warning": 0, "error": 0, "critical": 0},
            "unresolved": 0,
            "top_urls": [],
        },
    )


# --- money and the funnel ----------------------------------------------------------------------


def test_revenue_summary_month(rollups: MetricsWarehouse) -> None:
    usd = _buckets(rollups, "fct_metric_revenue_summary_monthly", "USD")
    eur = _buckets(rollups, "fct_metric_revenue_summary_monthly", "EUR")
    assert list(usd) == list(eur) == MONTHS
    # USD in March: payment 1 (u2, 19.99, Mar 4) and 7 (u3, 19.99, Mar 17) succeeded; 4 is the
    # admin's, 5 failed. 39.98 over 2 sales by 2 users.
    check_all(
        usd[MAR],
        {
            "gross_revenue": 39.98,
            "refunds": 0.0,
            "net_revenue": 39.98,
            "transactions": 2,
            "avg_transaction": 19.99,
            "paying_users": 2,
        },
    )
    # EUR in March, all user 1: 50.00 + 10.00 succeeded, 50.00 refunded (Mar 6).
    check_all(
        eur[MAR],
        {
            "gross_revenue": 60.0,
            "refunds": 50.0,
            "net_revenue": 10.0,
            "transactions": 2,
            "avg_transaction": 30.0,
            "paying_users": 1,
        },
    )
    # April: both currencies keep a row, with zeros and no average.
    quiet = {
        "gross_revenue": 0.0,
        "refunds": 0.0,
        "net_revenue": 0.0,
        "transactions": 0,
        "avg_transaction": None,
        "paying_users": 0,
    }
    check_all(usd[APR], quiet)
    check_all(eur[APR], quiet)


def test_conversion_funnel_month(rollups: MetricsWarehouse) -> None:
    rows = _buckets(rollups, "fct_metric_conversion_funnel_monthly")
    # A one-month lookback: February is recomputed too.
    assert list(rows) == ["2026-02-01", MAR, APR]
    # February: users 1 (Feb 1) and 7 (Feb 2). 1's first attempt is Mar 5 (> 7 days), 7 has
    # none; neither has a subscription payment (1's are a course and a mentor session).
    # Known: Mar 1 + 14 days <= the horizon (May 1).
    check_all(
        rows["2026-02-01"],
        {
            "signups": 2,
            "activated_7d": 0,
            "paid_14d": 0,
            "activation_rate": 0.0,
            "conversion_rate": 0.0,
            "median_hours_to_convert": None,
        },
    )
    # March: 2 (Mar 2 09:00), 3 (Mar 2 15:00), 5 (Mar 3 08:00), 6 (Mar 10); 4 is the admin.
    # Activated: 2 (attempt Mar 5) and 5 (in-progress attempt Mar 5); 3's attempt (Mar 10
    # 16:00) is past Mar 9 15:00; 6 has none. Paid: 2's subscription on Mar 4 09:00, 48 h
    # after signup; 3's (Mar 17 10:00) is past Mar 16 15:00; 5's failed. March ended Apr 1:
    # Apr 8 and Apr 15 are within the data (May 1), so both windows are known.
    check_all(
        rows[MAR],
        {
            "signups": 4,
            "activated_7d": 2,
            "paid_14d": 1,
            "activation_rate": 0.5,
            "conversion_rate": 0.25,
            "median_hours_to_convert": 48.0,
        },
    )
    # April: no signup, and its windows (May 8, May 15) end after the data: not known yet.
    check_all(
        rows[APR],
        {
            "signups": 0,
            "activated_7d": None,
            "paid_14d": None,
            "activation_rate": None,
            "conversion_rate": None,
            "median_hours_to_convert": None,
        },
    )


# --- segments.users ----------------------------------------------------------------------------


def test_segments_users_month(rollups: MetricsWarehouse) -> None:
    rows = _buckets(rollups, "fct_metric_segments_users_monthly")
    assert list(rows) == MONTHS
    # March, as of d = Mar 31: users 1, 2, 3, 6, 7 (5 deleted Mar 5; 4 the admin). Nobody was
    # created Mar 25-31: no one new. Active days: 1 Mar 2, 2 Mar 2 and Mar 3, 3 Mar 2; 6 and 7
    # never: churned. d - 29 = Mar 2, so 1, 2, 3 have activity in the window, and their last
    # active day is on or before d - 14 = Mar 17: at risk.
    check_all(
        rows[MAR],
        {"new": 0, "churned": 2, "at_risk": 3, "power": 0, "active": 0, "users": 5},
    )
    # April, as of Apr 30: no activity in Apr 1-30: all five churned.
    check_all(
        rows[APR],
        {"new": 0, "churned": 5, "at_risk": 0, "power": 0, "active": 0, "users": 5},
    )


# --- platform.overview -------------------------------------------------------------------------

# As of Mar 9: users 1, 2, 3, 7 (5 deleted Mar 5, 6 not yet): students 1, 2; mentors 3, 7;
# verified 1, 3, 7. Mentor sessions booked by then: 1-6 (Mar 1) and 8 (Mar 8), 7 is the
# admin's: 4 completed, 1 scheduled, rate 4 / (7 - 1). Courses: 20 (published); enrollments
# 1, 2 (3 is the admin's). Reviews 1 (4) and 4 (2).
PLATFORM_MAR_9 = {
    "users": {"total": 4, "students": 2, "mentors": 2, "verified": 3, "verification_rate": 0.75},
    "mentor_sessions": {"total": 7, "completed": 4, "scheduled": 1, "completion_rate": 4 / 6},
    "courses": {"total": 1, "published": 1, "enrollments": 2, "avg_enrollments_per_course": 2.0},
    "reviews": {"total": 2, "average_rating": 3.0},
}
# From Mar 16 on (nothing happens after Mar 12): user 6 (student) joins: 5 users, 3 verified;
# course 21 (unpublished, Mar 10) and enrollment 4 (Mar 11): 3 enrollments over 2 courses;
# review 2 (5): (4 + 2 + 5) / 3.
PLATFORM_LATER = {
    "users": {"total": 5, "students": 3, "mentors": 2, "verified": 3, "verification_rate": 0.6},
    "mentor_sessions": {"total": 7, "completed": 4, "scheduled": 1, "completion_rate": 4 / 6},
    "courses": {"total": 2, "published": 1, "enrollments": 3, "avg_enrollments_per_course": 1.5},
    "reviews": {"total": 3, "average_rating": 11 / 3},
}


def test_platform_overview_week_and_month(rollups: MetricsWarehouse) -> None:
    weeks = _buckets(rollups, "fct_metric_platform_overview_weekly")
    assert list(weeks) == WEEKS
    check_all(weeks[W1], PLATFORM_MAR_9)
    check_all(weeks[W2], PLATFORM_LATER)
    months = _buckets(rollups, "fct_metric_platform_overview_monthly")
    assert list(months) == MONTHS
    # As of Apr 1 and May 1: the state of Mar 16, carried over a quiet April.
    check_all(months[MAR], PLATFORM_LATER)
    check_all(months[APR], PLATFORM_LATER)


# --- the aggregates table ----------------------------------------------------------------------


def _aggregate(wh: MetricsWarehouse, metric_type: str, grain: str, bucket: str, dim: str) -> dict:
    rows = wh.query(
        "select id, data from analytics.analytics_aggregates where metric_type = %s"
        " and grain = %s and time_bucket = %s and dimension = %s",
        (metric_type, grain, bucket, dim),
    )
    assert len(rows) == 1, (metric_type, grain, bucket, dim, rows)
    # The id is md5(metric_type|grain|bucket|dimension) as a uuid: a rerun keeps it.
    text = f"{metric_type}|{grain}|{bucket}T00:00:00.000000|{dim}"
    assert rows[0]["id"] == uuid.UUID(hashlib.md5(text.encode()).hexdigest())
    return rows[0]["data"]


def _check_data(data: dict[str, Any], expected: dict[str, Any]) -> None:
    """The JSON `data` has exactly the expected keys and values (JSON null is None)."""
    assert set(data) == set(expected), sorted(set(data) ^ set(expected))
    for key, want in expected.items():
        assert _same(data[key], want), (key, data[key], want)


def test_aggregates_rows(rollups: MetricsWarehouse) -> None:
    # Empty buckets keep their rows in the app's table, with zeros and JSON nulls.
    _check_data(_aggregate(rollups, "system.api", "week", W2, ""), API_EMPTY)
    _check_data(_aggregate(rollups, "geo.access", "month", APR, ""), GEO_EMPTY)
    _check_data(_aggregate(rollups, "geo.access", "month", APR, "3"), GEO_EMPTY)
    _check_data(_aggregate(rollups, "engagement.sessions", "month", APR, ""), SESSIONS_EMPTY)
    # Not known yet is null in the JSON too.
    funnel = _aggregate(rollups, "conversion.funnel", "month", APR, "")
    _check_data(
        funnel,
        {
            "signups": 0,
            "activated_7d": None,
            "paid_14d": None,
            "activation_rate": None,
            "conversion_rate": None,
            "median_hours_to_convert": None,
        },
    )
    # Buckets with values: the same numbers as the typed models (worked out above).
    _check_data(_aggregate(rollups, "community.activity", "week", W1, ""), COMMUNITY_TOTAL_MAR)
    _check_data(_aggregate(rollups, "platform.overview", "month", MAR, ""), PLATFORM_LATER)
    revenue = _aggregate(rollups, "revenue.summary", "month", MAR, "USD")
    _check_data(
        revenue,
        {
            "gross_revenue": 39.98,
            "refunds": 0.0,
            "net_revenue": 39.98,
            "transactions": 2,
            "avg_transaction": 19.99,
            "paying_users": 2,
        },
    )
    # Each grain's slice holds only its own buckets: weeks start on Mondays, months on the 1st.
    starts = rollups.query(
        "select grain, array_agg(distinct time_bucket::date::text order by"
        " time_bucket::date::text) as buckets from analytics.analytics_aggregates"
        " where metric_type = 'system.api' group by grain order by grain"
    )
    assert {r["grain"]: r["buckets"] for r in starts} == {"month": MONTHS, "week": WEEKS}
