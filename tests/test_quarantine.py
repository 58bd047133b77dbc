"""Quarantine: every kind of bad row, planted by hand in raw, is rejected by staging with its
reason; none reaches a mart; and raw = staging + quarantine for every table and partition.

One dbt build per server (the local PostgreSQL 15 over TCP and the embedded PostgreSQL 16
over its unix socket), shared by the tests of the module.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from support.databases import scratch_database
from support.dbt import WAREHOUSE_MODELS, Dbt
from support.raw_tables import load_raw

from analytics_assets.db import connect
from analytics_assets.source.bad_rows import BAD_ROW_KINDS
from analytics_assets.source.tables import source_tables

# A space and a quote: the key must survive PGOPTIONS and never be quoted into SQL.
PII_KEY = "k3y-with space'quote"
FIRST_PARTITION = date(2026, 2, 1)
S1 = "00000000-0000-0000-0000-000000000001"
S2 = "00000000-0000-0000-0000-000000000002"
S3 = "00000000-0000-0000-0000-000000000003"
S4 = "00000000-0000-0000-0000-000000000004"
NO_SESSION = "00000000-0000-0000-0000-0000000000ff"


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def user(id_: int | None, **overrides: object) -> dict:
    row = {
        "id": id_,
        "email": f"user{id_}@example.org",
        "full_name": f"User {id_}",
        "role": "student",
        "country_code": "FR",
        "city": "Lyon",
        "is_verified": True,
        "created_at": ts("2026-02-01 08:00"),
        "updated_at": ts("2026-02-01 09:00"),
    }
    return {**row, **overrides}


# Each bad row's expected reasons are written next to it: (table, source_key) -> reasons.
EXPECTED: dict[tuple[str, str | None], set[str]] = {}


def bad(table: str, key: str | None, *reasons: str) -> None:
    EXPECTED[(table, key)] = set(reasons)


def dataset() -> dict[str, list[dict]]:
    EXPECTED.clear()
    users = [
        user(1),
        user(2, role="mentor", country_code="DE"),
        # Duplicate key: the newest updated_at is kept, the older row is rejected.
        user(50, city="Old", updated_at=ts("2026-02-02 09:00")),
        user(50, city="New", updated_at=ts("2026-02-03 09:00")),
        user(None),
        user(60, role="superuser"),
        user(61, created_at=ts("2014-05-01 00:00")),
        user(62, country_code="U1"),
        user(63, last_login_at=ts("2026-02-10 00:00"), updated_at=ts("2026-02-05 00:00")),
    ]
    bad("users", "50", "duplicate_key")
    bad("users", None, "null_key")
    bad("users", "60", "invalid_enum")
    bad("users", "61", "before_platform")
    bad("users", "62", "invalid_country")
    bad("users", "63", "future_timestamp")

    def content(id_: int, **o: object) -> dict:
        return {
            "id": id_,
            "kind": "course",
            "title": f"C{id_}",
            "difficulty": "beginner",
            "skill_area": "sql",
            "mentor_id": 2,
            "is_published": True,
            "created_at": ts("2026-02-01 10:00"),
            "updated_at": ts("2026-02-01 10:00"),
            **o,
        }

    contents = [
        content(10),
        content(11, kind="scenario", mentor_id=None),
        content(12, difficulty="expert"),
        content(13, mentor_id=999),
    ]
    bad("content", "12", "invalid_enum")
    bad("content", "13", "orphan_fk")

    def sub(id_: int, **o: object) -> dict:
        return {
            "id": id_,
            "user_id": 1,
            "plan": "monthly",
            "price_cents": 1500,
            "currency": "EUR",
            "status": "active",
            "started_at": ts("2026-02-02 00:00"),
            "updated_at": ts("2026-02-02 00:00"),
            **o,
        }

    subscriptions = [
        sub(20),
        sub(21, price_cents=-100),
        sub(22, status="cancelled", ended_at=ts("2026-02-01 00:00")),
        sub(23, user_id=999),
    ]
    bad("subscriptions", "21", "negative_value")
    bad("subscriptions", "22", "end_before_start")
    bad("subscriptions", "23", "orphan_fk")

    def pay(id_: int, **o: object) -> dict:
        return {
            "id": id_,
            "user_id": 1,
            "subscription_id": 20,
            "kind": "subscription",
            "amount_cents": 1500,
            "currency": "EUR",
            "status": "succeeded",
            "created_at": ts("2026-02-02 00:05"),
            **o,
        }

    payments = [
        pay(30),
        pay(31, amount_cents=0),
        pay(32, kind="gift"),
        pay(33, subscription_id=999),
        # The user exists in the source but was rejected: not a valid parent.
        pay(34, user_id=60),
        pay(35, amount_cents=100, created_at=ts("2026-02-02 00:10")),
        pay(35, amount_cents=200, created_at=ts("2026-02-03 00:10")),
    ]
    bad("payments", "31", "negative_value")
    bad("payments", "32", "invalid_enum")
    bad("payments", "33", "orphan_fk")
    bad("payments", "34", "orphan_fk")
    bad("payments", "35", "duplicate_key")

    def session(id_: str, **o: object) -> dict:
        return {
            "id": id_,
            "user_id": 1,
            "device_type": "web",
            "started_at": ts("2026-02-02 10:00"),
            "ended_at": ts("2026-02-02 10:20"),
            "country_code": "FR",
            "city": "Lyon",
            "ip_address": "192.0.2.7",
            "updated_at": ts("2026-02-02 10:20"),
            **o,
        }

    sessions = [
        session(S1),
        session(S2, device_type="tv"),
        session(S3, country_code="u1"),
        session(S4, ended_at=ts("2026-02-02 09:00")),
    ]
    bad("app_sessions", S2, "invalid_enum")
    bad("app_sessions", S3, "invalid_country")
    bad("app_sessions", S4, "end_before_start")

    def event(id_: int, **o: object) -> dict:
        return {
            "id": id_,
            "user_id": 1,
            "session_id": S1,
            "event_type": "page_view",
            "event_name": "home",
            "page_url": "/",
            "properties": {"a": 1},
            "occurred_at": ts("2026-02-02 10:01"),
            "received_at": ts("2026-02-02 10:02"),
            **o,
        }

    events = [
        event(40),
        event(41, user_id=None, session_id=None),
        event(42, properties="text"),
        event(43, properties=[1, 2]),
        event(44, occurred_at=ts("2026-02-02 10:05")),
        event(45, session_id=NO_SESSION),
        event(46, event_type="hover"),
        event(47, user_id=61),
    ]
    bad("events", "42", "malformed_json")
    bad("events", "43", "malformed_json")
    bad("events", "44", "future_timestamp")
    bad("events", "45", "orphan_fk")
    bad("events", "46", "invalid_enum")
    bad("events", "47", "orphan_fk")

    def enrol(id_: int, **o: object) -> dict:
        return {
            "id": id_,
            "user_id": 1,
            "content_id": 10,
            "enrolled_at": ts("2026-02-03 00:00"),
            "progress_pct": 40,
            "updated_at": ts("2026-02-04 00:00"),
            **o,
        }

    enrollments = [
        enrol(70),
        enrol(71, progress_pct=120),
        enrol(72, completed_at=ts("2026-02-02 00:00")),
    ]
    bad("enrollments", "71", "out_of_range")
    bad("enrollments", "72", "end_before_start")

    def attempt(id_: int, **o: object) -> dict:
        return {
            "id": id_,
            "user_id": 1,
            "content_id": 11,
            "started_at": ts("2026-02-03 10:00"),
            "finished_at": ts("2026-02-03 10:30"),
            "status": "completed",
            "score": 90,
            "duration_seconds": 1800,
            "updated_at": ts("2026-02-03 10:30"),
            **o,
        }

    attempts = [
        attempt(80),
        attempt(81, score=140),
        attempt(82, score=-5),
        attempt(83, duration_seconds=-10),
        attempt(84, finished_at=ts("2026-02-03 09:00")),
        attempt(85, status="paused"),
    ]
    bad("practice_attempts", "81", "out_of_range")
    bad("practice_attempts", "82", "out_of_range")
    bad("practice_attempts", "83", "negative_value")
    bad("practice_attempts", "84", "end_before_start")
    bad("practice_attempts", "85", "invalid_enum")

    def mentoring(id_: int, **o: object) -> dict:
        return {
            "id": id_,
            "mentor_id": 2,
            "student_id": 1,
            "scheduled_at": ts("2026-02-05 15:00"),
            "status": "completed",
            "duration_minutes": 45,
            "price_cents": 4000,
            "currency": "EUR",
            "created_at": ts("2026-02-03 00:00"),
            "updated_at": ts("2026-02-05 16:00"),
            **o,
        }

    mentor_sessions = [
        mentoring(90),
        mentoring(91, status="done"),
        mentoring(92, duration_minutes=-30),
        mentoring(93, price_cents=-1),
    ]
    bad("mentor_sessions", "91", "invalid_enum")
    bad("mentor_sessions", "92", "negative_value")
    bad("mentor_sessions", "93", "negative_value")

    def review(id_: int, **o: object) -> dict:
        return {
            "id": id_,
            "user_id": 1,
            "content_id": 10,
            "mentor_id": None,
            "rating": 5,
            "body": "great",
            "created_at": ts("2026-02-04 00:00"),
            **o,
        }

    reviews = [
        review(100),
        review(101, rating=0),
        review(102, mentor_id=2),
        review(103, content_id=None),
    ]
    bad("reviews", "101", "out_of_range")
    bad("reviews", "102", "invalid_review_target")
    bad("reviews", "103", "invalid_review_target")

    def nps(id_: int, score: int) -> dict:
        return {
            "id": id_,
            "user_id": 1,
            "score": score,
            "comment": None,
            "created_at": ts("2026-02-04 00:00"),
        }

    nps_responses = [nps(110, 9), nps(111, 11), nps(112, -1)]
    bad("nps_responses", "111", "out_of_range")
    bad("nps_responses", "112", "out_of_range")

    def experiment(id_: int, **o: object) -> dict:
        return {
            "id": id_,
            "key": f"exp{id_}",
            "name": "E",
            "variants": ["control", "b"],
            "traffic_split": {"control": 0.5, "b": 0.5},
            "goal_event": "signup",
            "started_at": ts("2026-02-01 00:00"),
            "updated_at": ts("2026-02-01 00:00"),
            **o,
        }

    experiments = [experiment(120), experiment(121, traffic_split=[0.5, 0.5])]
    bad("experiments", "121", "malformed_json")

    def assign(exp: int, uid: int | None, variant: str = "b", at: str = "2026-02-02 00:00") -> dict:
        return {"experiment_id": exp, "user_id": uid, "variant": variant, "assigned_at": ts(at)}

    assignments = [
        assign(120, 1),
        assign(120, 2, "Z"),
        assign(120, 50, "control", "2026-02-02 00:00"),
        assign(120, 50, "b", "2026-02-03 00:00"),
        assign(120, None),
        assign(121, 1),
    ]
    bad("experiment_assignments", "[120, 2]", "invalid_enum")
    bad("experiment_assignments", "[120, 50]", "duplicate_key")
    bad("experiment_assignments", "[120, null]", "null_key")
    bad("experiment_assignments", "[121, 1]", "orphan_fk")

    communities = [
        {
            "id": 130,
            "name": "SQL",
            "is_geo_restricted": True,
            "allowed_countries": ["FR", "DE"],
            "created_at": ts("2026-02-01 00:00"),
            "updated_at": ts("2026-02-01 00:00"),
        },
        {
            "id": 131,
            "name": "Bad",
            "is_geo_restricted": True,
            "allowed_countries": ["FR", "fra"],
            "created_at": ts("2026-02-01 00:00"),
            "updated_at": ts("2026-02-01 00:00"),
        },
    ]
    bad("communities", "131", "invalid_country")
    memberships = [
        {
            "community_id": 130,
            "user_id": 1,
            "joined_at": ts("2026-02-02 00:00"),
            "updated_at": ts("2026-02-02 00:00"),
        },
        {
            "community_id": 130,
            "user_id": 2,
            "joined_at": ts("2026-02-02 00:00"),
            "left_at": ts("2026-02-01 00:00"),
            "updated_at": ts("2026-02-03 00:00"),
        },
    ]
    bad("community_memberships", "[130, 2]", "end_before_start")

    def activity(id_: int, **o: object) -> dict:
        return {
            "id": id_,
            "community_id": 130,
            "user_id": 1,
            "activity_type": "view",
            "occurred_at": ts("2026-02-02 12:00"),
            **o,
        }

    community_activity = [
        activity(140),
        activity(141, activity_type="dislike"),
        activity(142, community_id=999),
    ]
    bad("community_activity", "141", "invalid_enum")
    bad("community_activity", "142", "orphan_fk")

    def geo(id_: int, **o: object) -> dict:
        return {
            "id": id_,
            "user_id": 1,
            "community_id": 130,
            "country_code": "FR",
            "region": None,
            "city": "Lyon",
            "result": "allowed",
            "is_traveler": False,
            "occurred_at": ts("2026-02-02 12:00"),
            **o,
        }

    geo_attempts = [geo(150), geo(151, country_code="X"), geo(152, result="maybe")]
    bad("geo_access_attempts", "151", "invalid_country")
    bad("geo_access_attempts", "152", "invalid_enum")

    def error(id_: int, **o: object) -> dict:
        return {
            "id": id_,
            "user_id": 1,
            "level": "error",
            "message": "boom",
            "url": "/x",
            "method": "GET",
            "status_code": 500,
            "ip_address": "192.0.2.9",
            "user_agent": "Mozilla/5.0",
            "occurred_at": ts("2026-02-02 12:00"),
            "updated_at": ts("2026-02-02 12:00"),
            **o,
        }

    error_logs = [
        error(160),
        error(161, level="fatal"),
        error(162, resolved_at=ts("2026-02-02 11:00"), updated_at=ts("2026-02-02 13:00")),
    ]
    bad("error_logs", "161", "invalid_enum")
    bad("error_logs", "162", "end_before_start")

    def request(id_: int, **o: object) -> dict:
        return {
            "id": id_,
            "method": "GET",
            "path": "/api",
            "status_code": 200,
            "response_ms": 12.5,
            "user_id": 1,
            "occurred_at": ts("2026-02-02 12:00"),
            **o,
        }

    # Like the loader, the first partition takes rows dated before it.
    api_requests = [
        request(170),
        request(171, response_ms=-1),
        request(172, occurred_at=ts("2010-01-01 00:00"), _partition=FIRST_PARTITION),
    ]
    bad("api_requests", "171", "negative_value")
    bad("api_requests", "172", "before_platform")

    return {
        "users": users,
        "content": contents,
        "subscriptions": subscriptions,
        "payments": payments,
        "app_sessions": sessions,
        "events": events,
        "enrollments": enrollments,
        "practice_attempts": attempts,
        "mentor_sessions": mentor_sessions,
        "reviews": reviews,
        "nps_responses": nps_responses,
        "experiments": experiments,
        "experiment_assignments": assignments,
        "communities": communities,
        "community_memberships": memberships,
        "community_activity": community_activity,
        "geo_access_attempts": geo_attempts,
        "error_logs": error_logs,
        "api_requests": api_requests,
    }


@pytest.fixture(scope="module", params=["local", "embedded"])
def warehouse(
    request: pytest.FixtureRequest,
    dbt_workdir: Path,
    monkeypatch_module: pytest.MonkeyPatch,
) -> Iterator[str]:
    server = request.getfixturevalue(f"{request.param}_server_url")
    monkeypatch_module.setenv("ANALYTICS_PII_KEY", PII_KEY)
    with scratch_database(server) as url:
        with connect(url) as conn:
            load_raw(conn, dataset())
        BUILD_OUTPUT[url] = Dbt(url, dbt_workdir / request.param).build(WAREHOUSE_MODELS)
        yield url


# What each warehouse's build printed, by warehouse URL.
BUILD_OUTPUT: dict[str, str] = {}


@pytest.fixture(scope="module")
def dbt_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the module's dbt builds keep their target and logs."""
    return tmp_path_factory.mktemp("dbt")


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def rows(url: str, query: str) -> list[tuple]:
    with connect(url) as conn:
        return conn.execute(query).fetchall()


def test_every_planted_bad_row_is_quarantined_with_its_reasons(warehouse: str) -> None:
    quarantined = {
        (table, key, frozenset(reasons))
        for table, key, reasons in rows(
            warehouse, "select source_table, source_key, reasons from quarantine.quarantined_rows"
        )
    }
    expected = {(table, key, frozenset(reasons)) for (table, key), reasons in EXPECTED.items()}
    assert quarantined == expected


def test_the_planted_rows_cover_every_kind_of_bad_row(warehouse: str) -> None:
    used = set().union(*EXPECTED.values())
    assert used == set(BAD_ROW_KINDS)
    summary = rows(warehouse, "select distinct reason from quarantine.quarantine_summary")
    seen = {reason for (reason,) in summary}
    assert seen == set(BAD_ROW_KINDS)


def test_a_duplicate_keeps_its_newest_version(warehouse: str) -> None:
    assert rows(warehouse, "select city from marts.dim_users where user_id = 50") == [("New",)]
    assert rows(warehouse, "select amount_cents from marts.fct_payments where payment_id = 35") == [
        (200,)
    ]
    assert rows(
        warehouse,
        "select row_data->>'city' from quarantine.quarantined_rows "
        "where source_table = 'users' and source_key = '50'",
    ) == [("Old",)]


MART_KEYS = {
    "dim_users": ("user_id", {1, 2, 50}),
    "dim_content": ("content_id", {10, 11}),
    "dim_subscriptions": ("subscription_id", {20}),
    "fct_payments": ("payment_id", {30, 35}),
    "fct_sessions": ("session_id::text", {S1}),
    "fct_events": ("event_id", {40, 41}),
    "fct_enrollments": ("enrollment_id", {70}),
    "fct_practice_attempts": ("attempt_id", {80}),
    "fct_mentor_sessions": ("mentor_session_id", {90}),
    "fct_reviews": ("review_id", {100}),
    "fct_nps_responses": ("response_id", {110}),
    "dim_experiments": ("experiment_id", {120}),
    "fct_experiment_assignments": ("user_id", {1, 50}),
    "dim_communities": ("community_id", {130}),
    "fct_community_memberships": ("user_id", {1}),
    "fct_community_activity": ("activity_id", {140}),
    "fct_geo_access_attempts": ("access_attempt_id", {150}),
    "fct_error_logs": ("error_id", {160}),
    "fct_api_requests": ("request_id", {170}),
}


@pytest.mark.parametrize("mart", sorted(MART_KEYS))
def test_only_valid_rows_reach_the_marts(warehouse: str, mart: str) -> None:
    column, valid = MART_KEYS[mart]
    assert {key for (key,) in rows(warehouse, f"select {column} from marts.{mart}")} == valid


def test_raw_equals_staging_plus_quarantine_per_table_and_partition(warehouse: str) -> None:
    with connect(warehouse) as conn:
        for table in source_tables():
            raw = dict(
                conn.execute(f"select _partition, count(*) from raw.{table} group by 1").fetchall()
            )
            staged = dict(
                conn.execute(
                    f"select _partition, count(*) from staging.stg_{table} group by 1"
                ).fetchall()
            )
            rejected = dict(
                conn.execute(
                    "select _partition, count(*) from quarantine.quarantined_rows "
                    "where source_table = %s group by 1",
                    (table,),
                ).fetchall()
            )
            for partition in raw.keys() | staged.keys() | rejected.keys():
                assert raw.get(partition, 0) == staged.get(partition, 0) + rejected.get(
                    partition, 0
                ), (table, partition)
            assert sum(raw.values()) > 0
    reconciliation = rows(warehouse, "select is_balanced from quarantine.row_reconciliation")
    assert reconciliation and all(balanced for (balanced,) in reconciliation)


def test_no_pii_reaches_the_marts(warehouse: str) -> None:
    pii = {"email", "full_name", "ip_address", "user_agent"}
    columns = {
        c
        for (c,) in rows(
            warehouse,
            "select column_name from information_schema.columns where table_schema = 'marts'",
        )
    }
    assert columns and not (columns & pii)
    # The email survives only as a keyed hash: HMAC-SHA256 with the PII key, hex.
    expected = hmac.new(PII_KEY.encode(), b"user1@example.org", hashlib.sha256).hexdigest()
    assert rows(warehouse, "select email_hash from marts.dim_users where user_id = 1") == [
        (expected,)
    ]


def key_encodings(key: str) -> list[bytes]:
    """The key as dbt's files could hold it: a distinctive part of it (in clear, SQL- or
    JSON-quoted, PGOPTIONS- or URL-escaped, all keep it), its hex and its base64."""
    raw = key.encode()
    return [
        key.split()[0].encode(),
        raw.hex().encode(),
        raw.hex().upper().encode(),
        base64.b64encode(raw),
        base64.urlsafe_b64encode(raw),
    ]


def test_the_pii_key_is_in_no_file_dbt_writes(warehouse: str, dbt_workdir: Path) -> None:
    # dbt's compiled SQL, manifest, run results, logs and parse state of this module's
    # builds, and the project's own target (the manifest, Dagster's invocation directories).
    target = Path(__file__).resolve().parent.parent / "dbt_project" / "target"
    files = [f for root in (dbt_workdir, target) for f in root.rglob("*") if f.is_file()]
    assert any(f.name == "run_results.json" for f in files)
    compiled = [f for f in files if f.match("*/dim_users.sql") and "run" in f.parts]
    assert compiled and "analytics.pii_key" in compiled[0].read_text()
    for path in files:
        content = path.read_bytes()
        for encoding in key_encodings(PII_KEY):
            assert encoding not in content, (path, encoding)


def test_a_quarantined_row_keeps_the_source_row(warehouse: str) -> None:
    [(row_data, partition)] = rows(
        warehouse,
        "select row_data, _partition from quarantine.quarantined_rows "
        "where source_table = 'nps_responses' and source_key = '111'",
    )
    assert row_data["score"] == 11 and row_data["user_id"] == 1
    assert "_loaded_at" not in row_data and "_partition" not in row_data
    assert partition == date(2026, 2, 4)


def test_snapshots_do_not_warn_of_their_timestamp_type(warehouse: str) -> None:
    # dbt-postgres took "now" as timestamp, the snapshotted updated_at is timestamptz
    # (macros/utils/snapshot_time.sql).
    assert "users_snapshot" in BUILD_OUTPUT[warehouse]
    assert "Data type of snapshot table timestamp columns" not in BUILD_OUTPUT[warehouse]
