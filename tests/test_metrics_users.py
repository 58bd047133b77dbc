"""Users, activity, retention and segments metrics on hand-built mart rows.

Every expected number is worked out by hand in the comments next to it, from the rows here.
2026-03-02 is a Monday: the ISO weeks are Mar 2-8 and Mar 9-15.
"""

from __future__ import annotations

import pytest
from support.metrics import MetricsWarehouse, check, event, user, warehouse  # noqa: F401

# Users: 4 is an admin (counts nowhere); 5 is deleted on Mar 5; 1 is the oldest.
USERS = [
    user(1, "student", "2026-02-01 10:00", verified=True),
    user(2, "student", "2026-03-02 09:00"),
    user(3, "mentor", "2026-03-02 15:00", verified=True),
    user(4, "admin", "2026-03-02 12:00", verified=True),
    user(5, "student", "2026-03-03 08:00", deleted="2026-03-05 12:00"),
    user(6, "student", "2026-03-10 10:00"),
]
# Active days: 1: Feb 20, Mar 2, Mar 3, Mar 9. 2: Mar 2, Mar 3, Mar 9. 3: Mar 2. 5: Mar 3.
# The admin's events and an anonymous one fall on Mar 2 and Mar 4: Mar 4 has no active user.
EVENTS = [
    event(1, "2026-02-20 08:00"),
    event(1, "2026-03-02 10:00"),
    event(1, "2026-03-03 11:00", "click"),
    event(1, "2026-03-09 09:00"),
    event(2, "2026-03-02 09:30"),
    event(2, "2026-03-03 09:00"),
    event(2, "2026-03-09 10:00"),
    event(3, "2026-03-02 16:00"),
    event(4, "2026-03-02 13:00"),
    event(4, "2026-03-04 13:00"),
    event(None, "2026-03-04 14:00"),
    event(5, "2026-03-03 09:00"),
]

MODELS = [
    "fct_metric_users_growth_daily",
    "fct_metric_users_growth_weekly",
    "fct_metric_users_growth_monthly",
    "fct_metric_engagement_active_users_daily",
    "fct_metric_engagement_active_users_weekly",
    "fct_metric_engagement_active_users_monthly",
    "fct_metric_retention_cohort_daily",
    "fct_metric_retention_cohort_weekly",
    "fct_metric_retention_cohort_monthly",
]


@pytest.fixture(scope="module")
def users_run(warehouse: MetricsWarehouse) -> MetricsWarehouse:  # noqa: F811
    warehouse.load(dim_users=USERS, fct_events=EVENTS)
    warehouse.run(MODELS, "2026-03-02", "2026-03-16")
    return warehouse


def test_users_growth_daily(users_run: MetricsWarehouse) -> None:
    rows = users_run.metric("fct_metric_users_growth_daily")
    # One row per day of the window, with zeros on quiet days, none before it.
    assert list(rows) == [f"2026-03-{d:02d}" for d in range(2, 16)]
    # Mar 2: users 2 and 3 (the admin does not count); total: 1, 2, 3.
    check(
        rows["2026-03-02"], {"new_users": 2, "new_students": 1, "new_mentors": 1, "total_users": 3}
    )
    check(rows["2026-03-03"], {"new_users": 1, "new_students": 1, "total_users": 4})
    check(rows["2026-03-04"], {"new_users": 0, "total_users": 4})
    # User 5 is deleted during Mar 5: not there at its end.
    check(rows["2026-03-05"], {"new_users": 0, "total_users": 3})
    check(rows["2026-03-10"], {"new_users": 1, "new_students": 1, "total_users": 4})
    check(rows["2026-03-15"], {"new_users": 0, "total_users": 4})


def test_users_growth_weekly_and_monthly(users_run: MetricsWarehouse) -> None:
    weeks = users_run.metric("fct_metric_users_growth_weekly")
    assert list(weeks) == ["2026-03-02", "2026-03-09"]
    # Week of Mar 2: users 2, 3, 5 signed up; at its end 1, 2, 3 remain (5 was deleted).
    check(
        weeks["2026-03-02"], {"new_users": 3, "new_students": 2, "new_mentors": 1, "total_users": 3}
    )
    check(
        weeks["2026-03-09"], {"new_users": 1, "new_students": 1, "new_mentors": 0, "total_users": 4}
    )
    months = users_run.metric("fct_metric_users_growth_monthly")
    # The window starts mid-month: the whole of March is recomputed.
    assert list(months) == ["2026-03-01"]
    check(
        months["2026-03-01"],
        {"new_users": 4, "new_students": 3, "new_mentors": 1, "total_users": 4},
    )


def test_active_users_daily(users_run: MetricsWarehouse) -> None:
    rows = users_run.metric("fct_metric_engagement_active_users_daily")
    # Mar 2: 1, 2, 3 active; WAU (Feb 24-Mar 2) and MAU (Jan 31-Mar 2) the same three.
    # Returning: only user 1 was active before (Feb 20).
    check(
        rows["2026-03-02"],
        {
            "active_users": 3,
            "wau": 3,
            "mau": 3,
            "stickiness": 1.0,
            "returning_users": 1,
            "return_rate": 1 / 3,
        },
    )
    # Mar 3: 1, 2, 5; 1 and 2 were active before.
    check(
        rows["2026-03-03"],
        {
            "active_users": 3,
            "wau": 4,
            "mau": 4,
            "returning_users": 2,
            "return_rate": 2 / 3,
            "stickiness": 3 / 4,
        },
    )
    # Mar 4: only the admin and an anonymous visitor: no active user, a null return rate.
    check(
        rows["2026-03-04"],
        {
            "active_users": 0,
            "wau": 4,
            "mau": 4,
            "stickiness": 0.0,
            "returning_users": 0,
            "return_rate": None,
        },
    )
    # Mar 9: 1 and 2; WAU Mar 3-9: 1, 2, 5; MAU Feb 8-Mar 9: 1, 2, 3, 5.
    check(
        rows["2026-03-09"],
        {
            "active_users": 2,
            "wau": 3,
            "mau": 4,
            "stickiness": 0.5,
            "returning_users": 2,
            "return_rate": 1.0,
        },
    )
    # Mar 15: WAU Mar 9-15: 1, 2.
    check(rows["2026-03-15"], {"active_users": 0, "wau": 2, "mau": 4, "stickiness": 0.0})


def test_active_users_weekly(users_run: MetricsWarehouse) -> None:
    rows = users_run.metric("fct_metric_engagement_active_users_weekly")
    # Week of Mar 2: 1, 2, 3, 5 active; DAU 3, 3, 0, 0, 0, 0, 0 -> mean 6/7;
    # stickiness (6/7)/4; returning: only 1 was active before Mar 2.
    check(
        rows["2026-03-02"],
        {
            "active_users": 4,
            "avg_dau": 6 / 7,
            "stickiness": 6 / 7 / 4,
            "returning_users": 1,
            "return_rate": 0.25,
        },
    )
    check(
        rows["2026-03-09"],
        {
            "active_users": 2,
            "avg_dau": 2 / 7,
            "stickiness": 1 / 7,
            "returning_users": 2,
            "return_rate": 1.0,
        },
    )
    assert "wau" not in rows["2026-03-02"] and "mau" not in rows["2026-03-02"]


def test_monthly_activity_and_retention(users_run: MetricsWarehouse) -> None:
    months = users_run.metric("fct_metric_engagement_active_users_monthly")
    # March: 1, 2, 3, 5 active; DAU 3 + 3 + 2 over 31 days; only 1 was active before Mar 1.
    check(
        months["2026-03-01"],
        {
            "active_users": 4,
            "avg_dau": 8 / 31,
            "stickiness": 2 / 31,
            "returning_users": 1,
            "return_rate": 0.25,
        },
    )
    cohorts = users_run.metric("fct_metric_retention_cohort_monthly")
    # One month of lookback: February (user 1) and March (2, 3, 5, 6). User 1 is active in
    # March, but March is not over by the data's end (Mar 16): m1 is not known yet.
    assert list(cohorts) == ["2026-02-01", "2026-03-01"]
    check(cohorts["2026-02-01"], {"cohort_size": 1, "m1_retained": None, "m1_rate": None})
    check(cohorts["2026-03-01"], {"cohort_size": 4, "m1_retained": None})


def test_retention_daily(users_run: MetricsWarehouse) -> None:
    rows = users_run.metric("fct_metric_retention_cohort_daily")
    # The lookback recomputes the cohorts a window can finish: from Jan 31 (30 days before the
    # window), but no earlier than the first signup (Feb 1).
    assert min(rows) == "2026-02-01"
    # Feb 1: user 1; active Mar 3 = day 30, not days 1 (Feb 2) or 7 (Feb 8).
    check(
        rows["2026-02-01"],
        {
            "cohort_size": 1,
            "d1_retained": 0,
            "d1_rate": 0.0,
            "d7_retained": 0,
            "d30_retained": 1,
            "d30_rate": 1.0,
        },
    )
    # Mar 2: users 2 and 3 (not the admin); 2 is back on Mar 3 and Mar 9. Day 30 (Apr 1) is
    # after the data: not known yet.
    check(
        rows["2026-03-02"],
        {
            "cohort_size": 2,
            "d1_retained": 1,
            "d1_rate": 0.5,
            "d7_retained": 1,
            "d7_rate": 0.5,
            "d30_retained": None,
            "d30_rate": None,
        },
    )
    # Mar 8: an empty cohort: 0 retained, a null rate; day 7 (Mar 15) is the window's last day.
    check(
        rows["2026-03-08"],
        {"cohort_size": 0, "d1_retained": 0, "d1_rate": None, "d7_retained": 0, "d7_rate": None},
    )
    # Mar 9: day 7 is Mar 16, after the window: null.
    check(rows["2026-03-09"], {"d1_retained": 0, "d7_retained": None, "d7_rate": None})
    check(rows["2026-03-10"], {"cohort_size": 1, "d1_retained": 0, "d1_rate": 0.0})
    check(rows["2026-03-15"], {"d1_retained": None, "d1_rate": None})


def test_retention_weekly(users_run: MetricsWarehouse) -> None:
    rows = users_run.metric("fct_metric_retention_cohort_weekly")
    # Four weeks of lookback: Feb 2 to Mar 9.
    assert list(rows) == [
        "2026-02-02",
        "2026-02-09",
        "2026-02-16",
        "2026-02-23",
        "2026-03-02",
        "2026-03-09",
    ]
    # Week of Mar 2: 2, 3, 5; active in the week of Mar 9: 2. Week 4 (Mar 30) is not known.
    check(
        rows["2026-03-02"],
        {
            "cohort_size": 3,
            "w1_retained": 1,
            "w1_rate": 1 / 3,
            "w4_retained": None,
            "w4_rate": None,
        },
    )
    # Week of Feb 2: nobody signed up; weeks 1 and 4 (Mar 2) are over: 0 and null rates.
    check(
        rows["2026-02-02"],
        {"cohort_size": 0, "w1_retained": 0, "w1_rate": None, "w4_retained": 0, "w4_rate": None},
    )
    check(rows["2026-03-09"], {"cohort_size": 1, "w1_retained": None})


def test_late_event_and_known_later(users_run: MetricsWarehouse) -> None:
    """A late event for Mar 4 and a later window: rerunning recomputes the day, and the
    cohort of Mar 9 gets its day 7 once Mar 16 is in the data."""
    users_run.insert("fct_events", [event(3, "2026-03-04 20:00"), event(6, "2026-03-16 08:00")])
    users_run.run(
        ["fct_metric_engagement_active_users_daily", "fct_metric_retention_cohort_daily"],
        "2026-03-04",
        "2026-03-05",
    )
    rows = users_run.metric("fct_metric_engagement_active_users_daily")
    # User 3's late event makes Mar 4 an active day; 3 was active before (Mar 2).
    check(rows["2026-03-04"], {"active_users": 1, "returning_users": 1, "return_rate": 1.0})
    # Other days keep their rows.
    check(rows["2026-03-09"], {"active_users": 2, "wau": 3})
    retention = users_run.metric("fct_metric_retention_cohort_daily")
    # Mar 2's d1/d7 are unchanged by the rerun (user 3's day 2 does not count).
    check(retention["2026-03-02"], {"d1_retained": 1, "d7_retained": 1, "d30_retained": None})
    # The data now reaches Mar 16 (user 6's event), so a rerun of an old window does not
    # forget what is known: day 1 of the Mar 3 cohort stays 0 (user 5 was not back on Mar 4).
    check(retention["2026-03-03"], {"cohort_size": 1, "d1_retained": 0, "d1_rate": 0.0})
    users_run.run(["fct_metric_retention_cohort_daily"], "2026-03-16", "2026-03-17")
    retention = users_run.metric("fct_metric_retention_cohort_daily")
    # Mar 15's day 1 is Mar 16: now known (0 retained of an empty cohort, null rate).
    check(retention["2026-03-15"], {"cohort_size": 0, "d1_retained": 0, "d1_rate": None})
    # User 6 (cohort Mar 10) is not back on day 7 = Mar 17: not known yet, data ends Mar 16.
    check(retention["2026-03-10"], {"d1_retained": 0, "d7_retained": None})


# --- segments ---------------------------------------------------------------------------------


def _daily(uid: int, first_day: int, last_day: int, month: str = "02") -> list[dict]:
    return [event(uid, f"2026-{month}-{d:02d} 12:00") for d in range(first_day, last_day + 1)]


SEGMENT_USERS = [
    user(1, "student", "2026-01-10 09:00"),  # never active: churned
    user(2, "student", "2026-01-12 09:00"),  # active Feb 1-15 (15 days)
    user(3, "student", "2026-01-14 09:00"),  # active Feb 13-27 (15 days)
    user(4, "student", "2026-03-05 09:00"),  # new, never active
    user(5, "student", "2026-03-02 10:00"),  # active Mar 8
    user(6, "admin", "2026-01-01 09:00"),  # active every day of February: counts nowhere
    user(7, "student", "2026-01-20 09:00", deleted="2026-03-09 08:00"),
    user(8, "student", "2026-03-10 09:00"),
]
SEGMENT_EVENTS = (
    _daily(2, 1, 15) + _daily(3, 13, 27) + _daily(6, 1, 28) + [event(5, "2026-03-08 12:00")]
)


def test_segments(warehouse: MetricsWarehouse) -> None:  # noqa: F811
    warehouse.load(dim_users=SEGMENT_USERS, fct_events=SEGMENT_EVENTS)
    warehouse.run(
        ["fct_metric_segments_users_daily", "fct_metric_segments_users_weekly"],
        "2026-03-01",
        "2026-03-10",
    )
    rows = warehouse.metric("fct_metric_segments_users_daily")
    # d = Mar 1: users 1, 2, 3, 7 exist. 2: 15 active days in Jan 31-Mar 1 but last active
    # Feb 15 = d-14: at_risk comes first. 3: 15 days, last Feb 27: power. 1, 7: churned.
    check(
        rows["2026-03-01"],
        {"new": 0, "churned": 2, "at_risk": 1, "power": 1, "active": 0, "users": 4},
    )
    # d = Mar 8: 4 (Mar 5) and 5 (Mar 2 = d-6) are new, new before anything else.
    # 2: last active Feb 15 <= Feb 22: at_risk. 3: 15 days in Feb 7-Mar 8, last Feb 27: power.
    check(
        rows["2026-03-08"],
        {"new": 2, "churned": 2, "at_risk": 1, "power": 1, "active": 0, "users": 6},
    )
    # d = Mar 9: 7 was deleted that morning; 5 (created d-7) is no longer new: active (Mar 8).
    # 3 still has 15 active days in Feb 8-Mar 9 (Feb 13-27): power.
    check(
        rows["2026-03-09"],
        {"new": 1, "churned": 1, "at_risk": 1, "power": 1, "active": 1, "users": 5},
    )
    weeks = warehouse.metric("fct_metric_segments_users_weekly")
    # The week of Mar 2 as of its last day, Mar 8; the week of Feb 23 as of Mar 1.
    check(weeks["2026-03-02"], {"new": 2, "churned": 2, "at_risk": 1, "power": 1, "users": 6})
    check(weeks["2026-02-23"], {"new": 0, "churned": 2, "at_risk": 1, "power": 1, "users": 4})
