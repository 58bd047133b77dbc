"""The per-user marts (METRICS.md) over a small source built by hand, every expected value
worked out by hand in the comments: user_summary, user_lifetime_value, user_progress_daily,
user_daily_activity, and a few day totals of daily_platform.

The last processed day (the latest raw partition) is 2026-03-31. The cast:
  1 Alice   student since 2026-01-10: practice, mentoring, courses, a refund, 18 active days
  2 Bob     student who signed up on 2026-03-31, the last day
  3 Root    admin (internal): active, but counts in no user metric
  4 Dana    student deleted on 2026-03-10
  5 Eve     student without any activity
  6 Max     mentor, last active 2026-03-10 (at risk)
  7 Carl    student active on three days, one of them only in UTC
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from itertools import count
from pathlib import Path

import pytest
from support.databases import scratch_database
from support.dbt import WAREHOUSE_MODELS, Dbt, time_window
from support.fingerprints import marts_fingerprint
from support.manifest import declared_models
from support.raw_tables import create_raw_tables, load_raw, load_window

from analytics_assets.db import connect
from analytics_assets.dbt.event_metadata import postgres_column_types

AS_OF = date(2026, 3, 31)
_ids = count(1000)


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def d(text: str) -> date:
    return date.fromisoformat(text)


def days(first: str, last: str) -> list[date]:
    start, end = d(first), d(last)
    return [start + timedelta(n) for n in range((end - start).days + 1)]


def user(id_: int, role: str, created: str, **o: object) -> dict:
    return {
        "id": id_,
        "email": f"u{id_}@example.org",
        "full_name": f"U {id_}",
        "role": role,
        "country_code": "FR",
        "city": "Paris",
        "is_verified": True,
        "created_at": ts(created),
        "updated_at": o.pop("updated_at", ts(created)),
        **o,
    }


def event(
    user_id: int | None, at: datetime, kind: str = "page_view", session: str | None = None
) -> dict:
    return {
        "id": next(_ids),
        "user_id": user_id,
        "session_id": session,
        "event_type": kind,
        "event_name": kind,
        "page_url": "/",
        "properties": {},
        "occurred_at": at,
        "received_at": at + timedelta(seconds=1),
    }


def attempt(
    user_id: int, content: int, status: str, score: int | None, seconds: int, started: str
) -> dict:
    start = ts(started)
    end = None if status == "in_progress" else start + timedelta(seconds=seconds)
    return {
        "id": next(_ids),
        "user_id": user_id,
        "content_id": content,
        "status": status,
        "score": score,
        "duration_seconds": seconds,
        "started_at": start,
        "finished_at": end,
        "updated_at": end or start,
    }


def session(id_: str, user_id: int, started: str, ended: str | None) -> dict:
    start = ts(started)
    stop = ts(ended) if ended else None
    return {
        "id": id_,
        "user_id": user_id,
        "device_type": "web",
        "started_at": start,
        "ended_at": stop,
        "country_code": "FR",
        "city": "Paris",
        "ip_address": "192.0.2.1",
        "updated_at": stop or start,
    }


def payment(user_id: int, currency: str, status: str, cents: int, at: str) -> dict:
    return {
        "id": next(_ids),
        "user_id": user_id,
        "subscription_id": None,
        "kind": "course",
        "amount_cents": cents,
        "currency": currency,
        "status": status,
        "created_at": ts(at),
    }


SA1 = "00000000-0000-0000-0000-0000000000a1"
SA2 = "00000000-0000-0000-0000-0000000000a2"
SA3 = "00000000-0000-0000-0000-0000000000a3"

ALICE_MARCH_DAYS = (
    days("2026-03-02", "2026-03-09")
    + days("2026-03-15", "2026-03-20")
    + [d("2026-03-30"), d("2026-03-31")]
)
ALICE_ACTIVE_DAYS = [d("2026-02-10"), d("2026-02-20"), *ALICE_MARCH_DAYS]


def dataset() -> dict[str, list[dict]]:
    global _ids  # the same ids on every call: two warehouses built from it compare equal
    _ids = count(1000)
    users = [
        user(1, "student", "2026-01-10 08:00"),
        user(2, "student", "2026-03-31 09:00"),
        user(3, "admin", "2026-01-01 00:00"),
        user(
            4,
            "student",
            "2026-02-01 10:00",
            deleted_at=ts("2026-03-10 12:00"),
            updated_at=ts("2026-03-10 12:00"),
        ),
        user(5, "student", "2026-01-01 00:00"),
        user(6, "mentor", "2025-06-01 00:00"),
        user(7, "student", "2026-01-20 00:00"),
    ]
    content = [
        {
            "id": cid,
            "kind": kind,
            "title": f"C{cid}",
            "difficulty": "beginner",
            "skill_area": skill,
            "mentor_id": 6,
            "is_published": True,
            "created_at": ts("2025-12-01 00:00"),
            "updated_at": ts("2025-12-01 00:00"),
        }
        for cid, kind, skill in [
            (10, "scenario", "sql"),
            (11, "exam", "python"),
            (12, "scenario", "stats"),
            (13, "course", "sql"),
            (14, "course", "python"),
        ]
    ]
    events = []
    # Alice: one page view at 09:00 on every active day except 2026-03-20, detailed below.
    for day in ALICE_ACTIVE_DAYS:
        if day != d("2026-03-20"):
            events.append(event(1, datetime(day.year, day.month, day.day, 9, tzinfo=UTC)))
    events[-1]["occurred_at"] = ts("2026-03-31 18:00")  # her last event of all
    events[-1]["received_at"] = ts("2026-03-31 18:00:01")
    # 2026-03-20: three sessions. SA1 600 s (3 page views, a click), SA2 open with events
    # 120 s apart (a conversion, a click), SA3 9 s with one page view: a bounce (< 10 s).
    events += [
        event(1, ts("2026-03-20 10:00"), session=SA1),
        event(1, ts("2026-03-20 10:01"), session=SA1),
        event(1, ts("2026-03-20 10:02"), session=SA1),
        event(1, ts("2026-03-20 10:03"), "click", SA1),
        event(1, ts("2026-03-20 14:00"), "conversion", SA2),
        event(1, ts("2026-03-20 14:02"), "click", SA2),
        event(1, ts("2026-03-20 20:00:01"), session=SA3),
    ]
    sessions = [
        session(SA1, 1, "2026-03-20 10:00", "2026-03-20 10:10"),
        session(SA2, 1, "2026-03-20 14:00", None),
        session(SA3, 1, "2026-03-20 20:00", "2026-03-20 20:00:09"),
    ]
    events.append(event(2, ts("2026-03-31 10:00")))  # Bob, signup day
    events.append(event(3, ts("2026-03-20 11:00")))  # the admin
    events += [event(4, ts("2026-02-05 10:00")), event(4, ts("2026-03-05 10:00"))]  # Dana
    events.append(event(6, ts("2026-03-10 10:00")))  # Max
    minus_five = timezone(timedelta(hours=-5))
    events += [
        event(7, datetime(2026, 3, 20, 23, 30, tzinfo=minus_five)),  # 03-21 04:30 UTC
        event(7, ts("2026-03-25 12:00")),
        event(7, ts("2026-03-26 12:00")),
    ]

    attempts = [
        attempt(1, 10, "completed", 80, 600, "2026-02-10 10:00"),
        attempt(1, 10, "completed", 90, 600, "2026-03-02 10:00"),
        attempt(1, 10, "completed", 100, 600, "2026-03-03 10:00"),
        attempt(1, 11, "completed", 95, 900, "2026-03-04 10:00"),
        attempt(1, 11, "completed", 85, 900, "2026-03-05 10:00"),
        attempt(1, 11, "completed", 99, 900, "2026-03-05 11:00"),
        attempt(1, 12, "completed", 100, 300, "2026-03-06 10:00"),
        attempt(1, 12, "completed", 100, 300, "2026-03-07 10:00"),
        attempt(1, 10, "abandoned", None, 120, "2026-03-08 10:00"),
        attempt(1, 11, "in_progress", None, 60, "2026-03-31 10:00"),
        attempt(3, 10, "completed", 100, 999, "2026-03-20 10:00"),  # the admin
        attempt(4, 10, "completed", 70, 1200, "2026-03-05 10:00"),  # Dana
    ]
    mentor_sessions = [
        {
            "id": next(_ids),
            "mentor_id": 6,
            "student_id": 1,
            "status": status,
            "scheduled_at": ts(f"2026-02-{n + 1:02d} 15:00"),
            "duration_minutes": 45,
            "price_cents": 4000,
            "currency": "EUR",
            "created_at": ts("2026-01-15 00:00"),
            "updated_at": ts(f"2026-02-{n + 1:02d} 16:00"),
        }
        for n, status in enumerate(["completed"] * 12 + ["cancelled"])
    ]
    enrollments = [
        {
            "id": 70,
            "user_id": 1,
            "content_id": 13,
            "enrolled_at": ts("2026-02-01 00:00"),
            "progress_pct": 50,
            "completed_at": None,
            "updated_at": ts("2026-03-01 00:00"),
        },
        {
            "id": 71,
            "user_id": 1,
            "content_id": 14,
            "enrolled_at": ts("2026-02-01 00:00"),
            "progress_pct": 100,
            "completed_at": ts("2026-03-01 00:00"),
            "updated_at": ts("2026-03-01 00:00"),
        },
    ]
    reviews = [
        {
            "id": 80,
            "user_id": 1,
            "content_id": 13,
            "mentor_id": None,
            "rating": 4,
            "body": "good",
            "created_at": ts("2026-03-10 00:00"),
        }
    ]
    payments = [
        payment(1, "USD", "succeeded", 1000, "2026-02-10 12:00"),
        payment(1, "USD", "succeeded", 2000, "2026-03-01 12:00"),
        payment(1, "USD", "refunded", 500, "2026-03-05 12:00"),
        payment(1, "USD", "failed", 700, "2026-03-06 12:00"),
        payment(1, "EUR", "succeeded", 1500, "2026-03-07 12:00"),
        payment(3, "USD", "succeeded", 999_00, "2026-03-07 12:00"),  # the admin
    ]
    communities = [
        {
            "id": 90,
            "name": "SQL",
            "is_geo_restricted": True,
            "allowed_countries": ["DE"],
            "created_at": ts("2025-12-01 00:00"),
            "updated_at": ts("2025-12-01 00:00"),
        }
    ]

    def community(kind: str, at: str) -> dict:
        return {
            "id": next(_ids),
            "community_id": 90,
            "user_id": 1,
            "activity_type": kind,
            "occurred_at": ts(at),
        }

    def geo(country: str, result: str, traveler: bool) -> dict:
        return {
            "id": next(_ids),
            "user_id": 1,
            "community_id": 90,
            "country_code": country,
            "region": None,
            "city": None,
            "result": result,
            "is_traveler": traveler,
            "occurred_at": ts("2026-03-20 12:00"),
        }

    activity = [
        community("view", "2026-03-20 12:00"),
        community("view", "2026-03-20 12:05"),
        community("post", "2026-03-20 12:10"),
        community("like", "2026-03-20 12:15"),
        # Alice has no event on 03-21: this view is no active day of hers.
        community("view", "2026-03-21 12:00"),
    ]
    geo_attempts = [
        geo("FR", "blocked", False),
        geo("DE", "allowed", True),
        geo("FR", "blocked", False),
    ]
    return {
        "users": users,
        "content": content,
        "events": events,
        "app_sessions": sessions,
        "practice_attempts": attempts,
        "mentor_sessions": mentor_sessions,
        "enrollments": enrollments,
        "reviews": reviews,
        "payments": payments,
        "communities": communities,
        "community_activity": activity,
        "geo_access_attempts": geo_attempts,
    }


@pytest.fixture(scope="module")
def warehouse(local_server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_database(local_server_url) as url:
        with connect(url) as conn:
            load_raw(conn, dataset())
        Dbt(url, tmp_path_factory.mktemp("dbt")).build(WAREHOUSE_MODELS)
        yield url


def query(url: str, sql: str) -> list[dict]:
    with connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql)
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def test_every_mart_is_built_with_the_columns_its_yaml_declares(warehouse: str) -> None:
    """The YAML's data_type of each column is the type the build gives it, in the build's
    order, for every mart (and the others that declare theirs): tests that stand in for a
    model with a table of their own create it from the declarations (dbt_runner)."""
    with connect(warehouse) as conn:
        built = postgres_column_types(conn)
        marts = conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema = 'marts'"
        ).fetchall()
        assert {m for (m,) in marts} <= set(declared_models())
        for relation, (_, columns) in declared_models().items():
            assert built(*relation.split(".")) == columns, relation


@pytest.fixture(scope="module")
def summary(warehouse: str) -> dict[int, dict]:
    return {r["user_id"]: r for r in query(warehouse, "select * from marts.user_summary")}


def test_summary_has_one_row_per_non_admin_user(summary: dict[int, dict]) -> None:
    assert sorted(summary) == [1, 2, 4, 5, 6, 7]
    assert {r["as_of_date"] for r in summary.values()} == {AS_OF}


def test_alice_practice_results(summary: dict[int, dict]) -> None:
    alice = summary[1]
    # 8 completed: 80 90 100 95 85 99 100 100 -> 749 / 8 = 93.625, unrounded.
    assert alice["total_tests"] == 8
    assert alice["avg_score"] == Decimal("93.625")
    assert alice["perfect_tests"] == 3
    # 3 x 600 + 3 x 900 + 2 x 300 + 120 (abandoned) + 60 (in progress)
    assert alice["practice_seconds"] == 5280
    # sql 90 (3 attempts), python 93 (3 attempts), stats 100 but only 2 attempts.
    assert alice["strongest_skill"] == "python"


def test_alice_engagement_score_rounds_half_up(summary: dict[int, dict]) -> None:
    alice = summary[1]
    # min(30, 3 x 12 mentor sessions) + min(25, 5 x 2 enrollments)
    # + min(30, 0.3 x avg(50, 100)) + min(15, 5 x 1 review) = 30 + 10 + 22.5 + 5 = 67.5
    assert (alice["completed_mentor_sessions"], alice["enrollments"], alice["reviews_written"]) == (
        12,
        2,
        1,
    )
    assert alice["engagement_score"] == 68


def test_alice_lifetime_value_is_net_per_currency(summary: dict[int, dict], warehouse: str) -> None:
    # USD: 10.00 + 20.00 succeeded - 5.00 refunded (the failed 7.00 counts for nothing).
    assert summary[1]["lifetime_value"] == {"USD": 25.0, "EUR": 15.0}
    ltv = query(warehouse, "select * from marts.user_lifetime_value order by user_id, currency")
    assert [
        (
            r["user_id"],
            r["currency"],
            r["succeeded_payments"],
            r["refunds"],
            r["gross_amount"],
            r["refunded_amount"],
            r["net_amount"],
        )
        for r in ltv
    ] == [
        (1, "EUR", 1, 0, Decimal("15.00"), Decimal("0.00"), Decimal("15.00")),
        (1, "USD", 2, 1, Decimal("30.00"), Decimal("5.00"), Decimal("25.00")),
    ]


def test_alice_activity_frequency_and_segment(summary: dict[int, dict]) -> None:
    alice = summary[1]
    # 2 days in February + 16 in March; 80 days from 2026-01-10 to 2026-03-31:
    # 18 / 80 = 0.225 -> occasional. 16 active days in 03-02..03-31 -> power.
    assert alice["days_active"] == 18
    assert alice["login_frequency"] == "occasional"
    assert alice["segment"] == "power"
    assert alice["last_active_at"] == ts("2026-03-31 18:00")


def test_a_user_on_the_signup_day(summary: dict[int, dict]) -> None:
    bob = summary[2]
    assert bob["login_frequency"] == "unknown"
    assert bob["segment"] == "new"
    assert (bob["days_active"], bob["total_tests"], bob["practice_seconds"]) == (1, 0, 0)
    assert bob["avg_score"] is None and bob["strongest_skill"] is None
    assert bob["lifetime_value"] == {} and bob["engagement_score"] == 0


def test_a_deleted_user_keeps_a_row_without_segment(summary: dict[int, dict]) -> None:
    dana = summary[4]
    assert dana["is_deleted"] is True and dana["segment"] is None
    # 2 active days over the 58 days since 2026-02-01: 0.034 -> rare.
    assert (dana["days_active"], dana["login_frequency"]) == (2, "rare")
    assert (dana["total_tests"], dana["avg_score"], dana["practice_seconds"]) == (
        1,
        Decimal("70"),
        1200,
    )


def test_a_user_without_activity(summary: dict[int, dict]) -> None:
    eve = summary[5]
    assert (eve["days_active"], eve["login_frequency"], eve["segment"]) == (0, "rare", "churned")
    assert (eve["total_tests"], eve["practice_seconds"], eve["engagement_score"]) == (0, 0, 0)
    assert eve["last_active_at"] is None and eve["lifetime_value"] == {}


def test_at_risk_and_active_segments(summary: dict[int, dict]) -> None:
    # Max: last active 03-10, on or before 03-31 - 14 = 03-17, but within 30 days.
    assert summary[6]["segment"] == "at_risk"
    # Carl: 3 active days, the last on 03-26: neither churned, at risk nor power.
    assert summary[7]["segment"] == "active"
    assert summary[7]["days_active"] == 3


@pytest.fixture(scope="module")
def progress(warehouse: str) -> dict[tuple[int, date], dict]:
    rows = query(warehouse, "select * from marts.user_progress_daily")
    return {(r["user_id"], r["activity_date"]): r for r in rows}


def test_progress_rows_run_from_first_activity_to_the_last_day(
    progress: dict[tuple[int, date], dict],
) -> None:
    per_user: dict[int, list[date]] = {}
    for user_id, day in progress:
        per_user.setdefault(user_id, []).append(day)
    # Alice 02-10..03-31 (19 + 31 days); Bob 03-31; Dana 02-05..03-10, her deletion day
    # (24 + 10); Max 03-10..03-31 (22); Carl from 03-21 in UTC (11). No admin, no Eve.
    assert {u: len(v) for u, v in per_user.items()} == {1: 50, 2: 1, 4: 34, 6: 22, 7: 11}
    assert min(per_user[1]) == d("2026-02-10") and max(per_user[1]) == AS_OF
    assert max(per_user[4]) == d("2026-03-10")
    assert min(per_user[7]) == d("2026-03-21")


@pytest.mark.parametrize(
    ("user_id", "day", "completed", "average", "minutes", "last_active"),
    [
        (1, "2026-02-10", 1, "80.00", "10.00", "2026-02-10"),
        (1, "2026-02-11", 1, "80.00", "10.00", "2026-02-10"),
        # 80 90 100 95 85 99 -> 549 / 6 = 91.50; 3 x 600 + 3 x 900 = 4500 s = 75 min.
        (1, "2026-03-05", 6, "91.50", "75.00", "2026-03-05"),
        # + 100 100 -> 749 / 8 = 93.625; + 600 s + 120 s (abandoned) = 5220 s = 87 min.
        (1, "2026-03-08", 8, "93.63", "87.00", "2026-03-08"),
        (1, "2026-03-12", 8, "93.63", "87.00", "2026-03-09"),
        (1, "2026-03-31", 8, "93.63", "88.00", "2026-03-31"),
        (4, "2026-03-04", 0, None, "0.00", "2026-02-05"),
        (4, "2026-03-05", 1, "70.00", "20.00", "2026-03-05"),
        (4, "2026-03-10", 1, "70.00", "20.00", "2026-03-05"),
        (2, "2026-03-31", 0, None, "0.00", "2026-03-31"),
    ],
)
def test_progress_snapshots(
    progress: dict[tuple[int, date], dict],
    user_id: int,
    day: str,
    completed: int,
    average: str | None,
    minutes: str,
    last_active: str,
) -> None:
    row = progress[(user_id, d(day))]
    assert row["sessions_completed"] == completed
    assert row["average_score"] == (Decimal(average) if average else None)
    assert row["practice_minutes"] == Decimal(minutes)
    assert row["last_active"] == d(last_active)


# Windows out of order, as a backfill after a gap runs them. The source is the one above
# with Dana known first undeleted (her signup) and then, from 03-15, deleted on 03-01: the
# first window builds her rows to 03-04, the second must take out 03-02..03-04 (before its
# own days), the third rebuilds every user from 03-05 on the running totals of 03-04.
WINDOWS = [("2025-01-01", "2026-03-05"), ("2026-03-11", "2026-04-01"), ("2026-03-05", "2026-03-11")]


def late_deletion_dataset() -> dict[str, list[dict]]:
    rows = dataset()
    dana = next(u for u in rows["users"] if u["id"] == 4)
    rows["users"].remove(dana)
    rows["users"] += [
        dana | {"deleted_at": None, "updated_at": dana["created_at"]},
        dana | {"deleted_at": ts("2026-03-01 12:00"), "updated_at": ts("2026-03-15 12:00")},
    ]
    return rows


def test_marts_built_window_by_window_equal_the_whole_build(
    local_server_url: str, tmp_path: Path
) -> None:
    fingerprints = []
    for windows in ([("2025-01-01", "2026-04-01")], WINDOWS):
        with scratch_database(local_server_url) as url:
            with connect(url) as conn:
                create_raw_tables(conn)
            dbt = Dbt(url, tmp_path / str(len(windows)))
            for start, end in windows:
                with connect(url) as conn:
                    load_window(conn, late_deletion_dataset(), d(start), d(end))
                dbt.models(WAREHOUSE_MODELS, window=time_window(start, end))
            fingerprints.append(marts_fingerprint(url))
    whole, by_window = fingerprints
    assert by_window == whole


@pytest.fixture(scope="module")
def activity(warehouse: str) -> dict[tuple[int, date], dict]:
    rows = query(warehouse, "select * from marts.user_daily_activity")
    return {(r["user_id"], r["activity_date"]): r for r in rows}


def test_daily_activity_has_a_row_per_active_day(activity: dict[tuple[int, date], dict]) -> None:
    expected = {(1, day) for day in ALICE_ACTIVE_DAYS}
    expected |= {(2, AS_OF), (4, d("2026-02-05")), (4, d("2026-03-05")), (6, d("2026-03-10"))}
    expected |= {(7, d("2026-03-21")), (7, d("2026-03-25")), (7, d("2026-03-26"))}
    assert set(activity) == expected


def test_a_busy_day_of_activity(activity: dict[tuple[int, date], dict]) -> None:
    row = activity[(1, d("2026-03-20"))]
    # 4 page views + 2 clicks + 1 conversion; sessions of 600, 120 and 9 seconds;
    # community: 2 views, a post and a like; geo: FR blocked twice, DE allowed travelling.
    # The last event is SA3's at 20:00:01.
    assert {k: v for k, v in row.items() if k not in {"user_id", "activity_date"}} == {
        "page_views": 4,
        "actions": 7,
        "last_event_at": ts("2026-03-20 20:00:01"),
        "sessions": 3,
        "time_spent_seconds": Decimal("729"),
        "community_views": 2,
        "community_interactions": 2,
        "geo_blocked_attempts": 2,
        "countries": 2,
        "travel_detected": True,
    }


def test_a_quiet_day_of_activity(activity: dict[tuple[int, date], dict]) -> None:
    row = activity[(1, d("2026-03-02"))]
    assert (row["page_views"], row["actions"], row["sessions"], row["time_spent_seconds"]) == (
        1,
        1,
        0,
        0,
    )
    assert (row["community_views"], row["countries"], row["travel_detected"]) == (0, 0, False)


def test_sessions_carry_duration_and_bounce(warehouse: str) -> None:
    rows = query(
        warehouse,
        "select session_id::text as id, duration_seconds, is_bounce "
        "from marts.fct_sessions order by started_at",
    )
    assert [(r["id"], r["duration_seconds"], r["is_bounce"]) for r in rows] == [
        (SA1, Decimal("600"), False),
        (SA2, Decimal("120"), False),
        (SA3, Decimal("9"), True),
    ]


@pytest.fixture(scope="module")
def platform(warehouse: str) -> dict[date, dict]:
    return {r["date_day"]: r for r in query(warehouse, "select * from marts.daily_platform")}


def test_daily_platform_has_every_day_of_the_range(platform: dict[date, dict]) -> None:
    # The earliest raw partition is Max's signup on 2025-06-01 (users load by updated_at).
    assert min(platform) == d("2025-06-01") and max(platform) == AS_OF
    assert len(platform) == (AS_OF - d("2025-06-01")).days + 1
    quiet = platform[d("2026-03-12")]
    assert (quiet["new_users"], quiet["active_users"], quiet["sessions"]) == (0, 0, 0)
    assert quiet["bounce_rate"] is None and quiet["return_rate"] is None


def test_daily_platform_on_the_last_day(platform: dict[date, dict]) -> None:
    last = platform[AS_OF]
    # Bob signed up; Alice, Bob, Eve, Max, Carl exist (Dana was deleted, Root is internal).
    assert (last["new_users"], last["new_students"], last["total_users"]) == (1, 1, 5)
    # Active: Alice and Bob; in 03-25..03-31 also Carl; in 03-02..03-31 also Max and Dana.
    assert (last["active_users"], last["wau"], last["mau"]) == (2, 3, 5)
    assert last["stickiness"] == Decimal("0.4000")
    # Alice was active before; Bob is new.
    assert (last["returning_users"], last["return_rate"]) == (1, Decimal("0.5000"))


def test_daily_platform_on_a_busy_day(platform: dict[date, dict]) -> None:
    busy = platform[d("2026-03-20")]
    # Alice only (the admin is internal, Carl's evening is 03-21 in UTC).
    assert busy["active_users"] == 1
    # Sessions of 600, 120 and 9 s: mean 243, median 120, one bounce in three.
    assert (busy["sessions"], busy["avg_session_seconds"], busy["median_session_seconds"]) == (
        3,
        Decimal("243.00"),
        Decimal("120.00"),
    )
    assert busy["bounce_rate"] == Decimal("0.3333")
