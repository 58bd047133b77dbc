"""The hand-built mart rows of the activity metrics (no tests here): sessions, funnel,
money, learning, mentoring, feedback, experiments, community, geo, errors and API, loaded
by test_metrics_activity.py and test_metrics_rollups.py, whose expected numbers are worked
out by hand from them. 2026-03-02 is a Monday: the ISO weeks are Mar 2-8 and Mar 9-15.
User 4 is an admin."""

from __future__ import annotations

import uuid

from support.metrics import event, ts, user

S1, S2, S3, S4, S5, S6 = (uuid.UUID(int=i) for i in range(1, 7))

USERS = [
    user(1, "student", "2026-02-01 10:00", verified=True),
    user(2, "student", "2026-03-02 09:00"),
    user(3, "mentor", "2026-03-02 15:00", verified=True),
    user(4, "admin", "2026-03-02 12:00", verified=True),
    user(5, "student", "2026-03-03 08:00", deleted="2026-03-05 12:00"),
    user(6, "student", "2026-03-10 10:00"),
    user(7, "mentor", "2026-02-02 09:00", verified=True),
]


def session(sid, uid, device, start, end=None):
    return {
        "session_id": sid,
        "user_id": uid,
        "device_type": device,
        "started_at": ts(start),
        "ended_at": ts(end) if end else None,
    }


SESSIONS = [
    session(S1, 1, "web", "2026-03-02 10:00:00", "2026-03-02 10:00:05"),  # 5 s, 2 page views
    session(S2, 2, "ios", "2026-03-02 09:30:00"),  # open: last event at +30 s
    session(S3, 3, "android", "2026-03-02 16:00:00", "2026-03-02 16:00:08"),  # 8 s, 1 view
    session(S4, 1, "web", "2026-03-02 20:00:00"),  # open, no event: 0 s
    session(S5, 4, "web", "2026-03-02 11:00:00", "2026-03-02 11:00:01"),  # the admin's
    session(S6, 2, "web", "2026-03-02 21:00:00", "2026-03-02 21:00:03"),  # 3 s, a conversion
]
EVENTS = [
    event(1, "2026-03-02 10:00:00", session=S1),
    event(1, "2026-03-02 10:00:02", session=S1),
    event(2, "2026-03-02 09:30:00", session=S2),
    event(2, "2026-03-02 09:30:30", "click", session=S2),
    event(3, "2026-03-02 16:00:01", session=S3),
    event(2, "2026-03-02 21:00:01", "conversion", session=S6),
    # experiment goal events (no session)
    event(1, "2026-03-02 09:00", "conversion", "purchase"),  # before user 1's assignment
    event(3, "2026-03-02 18:00", "conversion", "purchase"),
    event(2, "2026-03-03 12:00", "conversion", "purchase"),
]


def payment(pid, uid, kind, cents, currency, status, at):
    return {
        "payment_id": pid,
        "user_id": uid,
        "kind": kind,
        "amount_cents": cents,
        "currency": currency,
        "status": status,
        "created_at": ts(at),
    }


PAYMENTS = [
    payment(1, 2, "subscription", 1999, "USD", "succeeded", "2026-03-04 09:00"),
    payment(2, 1, "course", 5000, "EUR", "succeeded", "2026-03-04 10:00"),
    payment(3, 1, "course", 5000, "EUR", "refunded", "2026-03-06 10:00"),
    payment(4, 4, "subscription", 9999, "USD", "succeeded", "2026-03-04 09:00"),
    payment(5, 5, "subscription", 1000, "USD", "failed", "2026-03-04 12:00"),
    payment(6, 1, "mentor_session", 1000, "EUR", "succeeded", "2026-03-04 11:00"),
    payment(7, 3, "subscription", 1999, "USD", "succeeded", "2026-03-17 10:00"),
]


def subscription(sid, uid, plan, cents, currency, start, end=None):
    return {
        "subscription_id": sid,
        "user_id": uid,
        "plan": plan,
        "price_cents": cents,
        "currency": currency,
        "status": "cancelled" if end else "active",
        "started_at": ts(start),
        "ended_at": ts(end) if end else None,
    }


SUBSCRIPTIONS = [
    subscription(1, 2, "monthly", 1999, "USD", "2026-03-04 09:00"),
    subscription(2, 1, "annual", 12000, "EUR", "2026-02-10 00:00", "2026-03-06 12:00"),
    subscription(3, 5, "monthly", 1000, "USD", "2026-03-03 10:00", "2026-03-05 12:00"),
    subscription(4, 4, "monthly", 5000, "USD", "2026-03-02 10:00"),
    subscription(5, 2, "monthly", 500, "USD", "2026-03-05 08:00", "2026-03-05 10:00"),
]


def content(cid, kind, title, difficulty, created, published=True):
    return {
        "content_id": cid,
        "kind": kind,
        "title": title,
        "difficulty": difficulty,
        "skill_area": "sql",
        "is_published": published,
        "created_at": ts(created),
    }


CONTENT = [
    content(10, "scenario", "Joins", "beginner", "2026-02-01 00:00"),
    content(11, "exam", "Final", "advanced", "2026-02-01 00:00"),
    content(12, "exam", "Quiz", "beginner", "2026-03-01 00:00"),
    content(20, "course", "SQL 101", "beginner", "2026-02-01 00:00"),
    content(21, "course", "Python", "beginner", "2026-03-10 00:00", published=False),
]


def attempt(aid, uid, cid, start, status, score, seconds):
    return {
        "attempt_id": aid,
        "user_id": uid,
        "content_id": cid,
        "started_at": ts(start),
        "status": status,
        "score": score,
        "duration_seconds": seconds,
    }


ATTEMPTS = [
    attempt(1, 2, 10, "2026-03-05 10:00", "completed", 100, 600),
    attempt(2, 1, 10, "2026-03-05 11:00", "completed", 80, 1200),
    attempt(3, 1, 11, "2026-03-05 12:00", "abandoned", None, 300),
    attempt(4, 5, 11, "2026-03-05 13:00", "in_progress", None, 60),
    attempt(5, 4, 10, "2026-03-05 14:00", "completed", 50, 100),
    attempt(6, 3, 10, "2026-03-10 16:00", "completed", 90, 900),
]


def enrollment(eid, uid, cid, at, progress, completed=None):
    return {
        "enrollment_id": eid,
        "user_id": uid,
        "content_id": cid,
        "enrolled_at": ts(at),
        "progress_pct": progress,
        "completed_at": ts(completed) if completed else None,
    }


ENROLLMENTS = [
    enrollment(1, 1, 20, "2026-03-03 10:00", 50),
    enrollment(2, 2, 20, "2026-03-04 10:00", 100, "2026-03-06 10:00"),
    enrollment(3, 4, 20, "2026-03-04 10:00", 100),
    enrollment(4, 6, 20, "2026-03-11 10:00", 10),
]


def review(rid, uid, rating, at, content_id=None, mentor_id=None):
    return {
        "review_id": rid,
        "user_id": uid,
        "content_id": content_id,
        "mentor_id": mentor_id,
        "rating": rating,
        "created_at": ts(at),
    }


REVIEWS = [
    review(1, 1, 4, "2026-03-07 10:00", content_id=20),
    review(2, 2, 5, "2026-03-12 10:00", content_id=20),
    review(3, 4, 1, "2026-03-07 10:00", content_id=20),
    review(4, 2, 2, "2026-03-07 11:00", mentor_id=3),
]


def mentor_session(mid, mentor, student, at, status, minutes, created="2026-03-01 00:00"):
    return {
        "mentor_session_id": mid,
        "mentor_id": mentor,
        "student_id": student,
        "scheduled_at": ts(at),
        "status": status,
        "duration_minutes": minutes,
        "created_at": ts(created),
    }


MENTOR_SESSIONS = [
    mentor_session(1, 3, 1, "2026-03-07 10:00", "completed", 60),
    mentor_session(2, 3, 2, "2026-03-07 11:00", "completed", 30),
    mentor_session(3, 7, 1, "2026-03-07 12:00", "completed", 45),
    mentor_session(4, 7, 2, "2026-03-07 13:00", "completed", 60),
    mentor_session(5, 3, 5, "2026-03-07 14:00", "scheduled", 60),
    mentor_session(6, 7, 1, "2026-03-07 15:00", "cancelled", 60),
    mentor_session(7, 3, 4, "2026-03-07 16:00", "completed", 60),
    mentor_session(8, 7, 2, "2026-03-09 10:00", "no_show", 30, created="2026-03-08 00:00"),
]


def nps(rid, uid, score, at):
    return {"response_id": rid, "user_id": uid, "score": score, "created_at": ts(at)}


NPS = [
    nps(1, 1, 10, "2026-03-08 09:00"),
    nps(2, 1, 3, "2026-03-08 18:00"),  # user 1's latest of the day and of the week
    nps(3, 2, 9, "2026-03-08 10:00"),
    nps(4, 3, 7, "2026-03-08 11:00"),
    nps(5, 4, 0, "2026-03-08 12:00"),
    nps(6, 5, 10, "2026-03-04 10:00"),
]

EXPERIMENTS = [
    {
        "experiment_id": 1,
        "experiment_key": "exp_a",
        "variants": ["control", "treat"],
        "traffic_split": {"control": 1, "treat": 1},
        "goal_event": "purchase",
        "started_at": ts("2026-03-02 00:00"),
        "ended_at": None,
    }
]
ASSIGNMENTS = [
    {"experiment_id": 1, "user_id": u, "variant": v, "assigned_at": ts(at)}
    for u, v, at in [
        (1, "control", "2026-03-02 10:00"),
        (2, "treat", "2026-03-02 10:00"),
        (3, "treat", "2026-03-02 17:00"),
        (5, "control", "2026-03-03 10:00"),
        (4, "treat", "2026-03-02 10:00"),
    ]
]

COMMUNITIES = [
    {"community_id": c, "name": n, "is_geo_restricted": g, "created_at": ts(at)}
    for c, n, g, at in [
        (1, "Alpha", False, "2026-02-01 00:00"),
        (2, "Beta", True, "2026-02-01 00:00"),
        (3, "Gamma", False, "2026-03-10 00:00"),
    ]
]
MEMBERSHIPS = [
    {"community_id": c, "user_id": u, "joined_at": ts(at)}
    for c, u, at in [
        (1, 1, "2026-03-03 08:00"),
        (1, 2, "2026-03-03 13:00"),
        (2, 2, "2026-03-02 10:00"),
        (2, 4, "2026-03-03 10:00"),
    ]
]
COMMUNITY_ACTIVITY = [
    {"activity_id": i, "community_id": c, "user_id": u, "activity_type": t, "occurred_at": ts(at)}
    for i, (c, u, t, at) in enumerate(
        [
            (1, 1, "view", "2026-03-03 09:15"),
            (1, 1, "post", "2026-03-03 09:45"),
            (1, 2, "like", "2026-03-03 14:00"),
            (2, 2, "comment", "2026-03-03 14:30"),
            (2, 3, "share", "2026-03-03 09:05"),
            (1, 4, "view", "2026-03-03 09:00"),
        ],
        start=1,
    )
]
GEO = [
    {
        "access_attempt_id": i,
        "user_id": u,
        "community_id": c,
        "country_code": cc,
        "city": city,
        "result": r,
        "is_traveler": trav,
        "occurred_at": ts(at),
    }
    for i, (u, c, cc, city, r, trav, at) in enumerate(
        [
            (1, 2, "FR", "Paris", "blocked", False, "2026-03-04 10:00"),
            (2, 2, "FR", "Paris", "blocked", False, "2026-03-04 11:00"),
            (3, 2, "DE", "Berlin", "blocked", True, "2026-03-04 12:00"),
            (1, 2, "US", None, "allowed", False, "2026-03-04 13:00"),
            (2, 1, "DE", "Berlin", "blocked", False, "2026-03-04 14:00"),
            (4, 2, "FR", "Paris", "blocked", False, "2026-03-04 14:30"),
            (5, 2, "DE", None, "blocked", False, "2026-03-04 15:00"),
        ],
        start=1,
    )
]
ERRORS = [
    {
        "error_id": i,
        "user_id": u,
        "level": lvl,
        "url": url,
        "status_code": 500,
        "occurred_at": ts(at),
        "resolved_at": ts(res) if res else None,
    }
    for i, (u, lvl, url, at, res) in enumerate(
        [
            (1, "error", "/a", "2026-03-05 10:00", "2026-03-05 12:00"),
            (2, "error", "/a", "2026-03-05 11:00", "2026-03-06 09:00"),
            (None, "critical", "/b", "2026-03-05 12:00", None),
            (4, "warning", None, "2026-03-05 13:00", None),
            (None, "warning", "/c", "2026-03-05 14:00", "2026-03-05 15:00"),
            (None, "error", "/b", "2026-03-05 15:00", None),
            (None, "warning", "/d", "2026-03-05 16:00", "2026-03-05 16:30"),
            (None, "warning", "/e", "2026-03-05 16:00", "2026-03-05 16:30"),
            (None, "warning", "/f", "2026-03-05 16:00", "2026-03-05 16:30"),
        ],
        start=1,
    )
]
API = [
    {
        "request_id": i,
        "method": "GET",
        "path": "/x",
        "status_code": code,
        "response_ms": ms,
        "user_id": u,
        "occurred_at": ts("2026-03-06 12:00"),
    }
    for i, (code, ms, u) in enumerate(
        [(200, 10.0, 1), (200, 20.0, None), (404, 30.0, 2), (500, 40.0, None), (503, 100.0, 4)],
        start=1,
    )
]


# Every mart the metric models read, with its hand-built rows.
ACTIVITY_MARTS: dict[str, list[dict]] = dict(
    dim_users=USERS,
    fct_events=EVENTS,
    fct_sessions=SESSIONS,
    fct_payments=PAYMENTS,
    dim_subscriptions=SUBSCRIPTIONS,
    dim_content=CONTENT,
    fct_practice_attempts=ATTEMPTS,
    fct_enrollments=ENROLLMENTS,
    fct_reviews=REVIEWS,
    fct_mentor_sessions=MENTOR_SESSIONS,
    fct_nps_responses=NPS,
    dim_experiments=EXPERIMENTS,
    fct_experiment_assignments=ASSIGNMENTS,
    dim_communities=COMMUNITIES,
    fct_community_memberships=MEMBERSHIPS,
    fct_community_activity=COMMUNITY_ACTIVITY,
    fct_geo_access_attempts=GEO,
    fct_error_logs=ERRORS,
    fct_api_requests=API,
)
