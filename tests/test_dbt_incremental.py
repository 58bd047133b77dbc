"""The marts do not depend on how days were run: the range as one Dagster run, the same range
again, or its days one by one in a shuffled order, each day loaded into raw just before its
dbt run (as `analytics run` does), all give identical marts.

The data is made so that order matters unless the incremental marts rebuild what a load
changes: parents loaded after their children (a user whose row lands on the last day, a
session and a community loaded late), a duplicate whose newer version arrives later, and
a user whose later version is invalid, which must take their earlier rows (the only API
request of a day) out of the marts again. An experiment's conversions move the same way: a
goal event that turns valid late is earlier than the one already counted, and the
assignment of the user who turns invalid leaves. A user deleted in the past, known late,
takes their progress rows after the deletion day out again.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from support.databases import scratch_database
from support.dbt import WAREHOUSE_MODELS, Dbt, time_window
from support.fingerprints import fingerprint, marts_fingerprint
from support.raw_tables import create_raw_tables, load_window

from analytics_assets.db import connect
from analytics_assets.dbt.assets import dbt_asset_definitions
from analytics_assets.dbt.resource import dbt_resource
from analytics_assets.jobs import day_keys, key_range_tags
from analytics_assets.resources import Databases, warehouse_resources
from analytics_assets.settings import DBT_PROJECT_DIR
from analytics_assets.window import Window

DAYS = [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)]
# Children before parents: the rows of 03-02 and 03-01 wait for 03-03, which brings their
# user, their session and their community, a newer version of a duplicated event of 03-01
# and the invalid version of a user who was valid on 03-01.
SHUFFLED = [date(2026, 3, 2), date(2026, 3, 1), date(2026, 3, 3)]
END = date(2026, 3, 4)
S1 = "00000000-0000-0000-0000-0000000000b1"
S2 = "00000000-0000-0000-0000-0000000000b2"


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def user(id_: int, created: str, updated: str, role: str = "student") -> dict:
    return {
        "id": id_,
        "email": f"u{id_}@example.org",
        "full_name": "X",
        "role": role,
        "country_code": "FR",
        "city": None,
        "is_verified": False,
        "created_at": ts(created),
        "updated_at": ts(updated),
    }


def event(
    id_: int, user_id: int, at: str, kind: str = "page_view", session: str | None = None
) -> dict:
    return {
        "id": id_,
        "user_id": user_id,
        "session_id": session,
        "event_type": kind,
        "event_name": kind,
        "page_url": "/",
        "properties": {},
        "occurred_at": ts(at),
        "received_at": ts(at) + timedelta(seconds=5),
    }


def dataset() -> dict[str, list[dict]]:
    return {
        "users": [
            user(1, "2026-03-01 08:00", "2026-03-03 08:00"),  # loaded last, active from 03-01
            user(2, "2026-03-02 08:00", "2026-03-02 08:00"),
            user(4, "2026-03-01 07:00", "2026-03-01 07:00"),  # valid on 03-01 ...
            user(4, "2026-03-01 07:00", "2026-03-03 07:00", role="robot"),  # ... not from 03-03
            user(5, "2026-02-25 08:00", "2026-03-01 05:00"),
            # Deleted on 03-01, known on 03-03: after the progress rows of 03-02 were built.
            user(5, "2026-02-25 08:00", "2026-03-03 05:00")
            | {"deleted_at": ts("2026-03-01 20:00")},
        ],
        "experiments": [
            {
                "id": 9,
                "key": "exp",
                "name": "E",
                "variants": ["a", "b"],
                "traffic_split": {"a": 0.5, "b": 0.5},
                "goal_event": "click",
                "started_at": ts("2026-02-20 00:00"),
                "ended_at": None,
                "updated_at": ts("2026-03-01 00:00"),
            },
        ],
        "experiment_assignments": [
            {"experiment_id": 9, "user_id": u, "variant": v, "assigned_at": ts(at)}
            for u, v, at in [
                (1, "a", "2026-03-01 08:30"),
                (4, "b", "2026-03-01 07:30"),  # leaves with user 4
                (5, "a", "2026-03-01 06:00"),
            ]
        ],
        "app_sessions": [
            {
                "id": S1,
                "user_id": 2,
                "device_type": "ios",
                "started_at": ts("2026-03-02 10:00"),
                "ended_at": ts("2026-03-02 10:30"),
                "country_code": "FR",
                "city": None,
                "ip_address": None,
                "updated_at": ts("2026-03-03 00:10"),
            },
            {  # arrives last: its event of 03-01 is user 5's first goal event
                "id": S2,
                "user_id": 5,
                "device_type": "web",
                "started_at": ts("2026-03-01 11:55"),
                "ended_at": ts("2026-03-01 12:30"),
                "country_code": "FR",
                "city": None,
                "ip_address": None,
                "updated_at": ts("2026-03-03 00:20"),
            },
        ],
        "events": [
            event(11, 1, "2026-03-01 09:00"),
            event(12, 1, "2026-03-02 09:00"),
            event(13, 1, "2026-03-03 09:00", "click"),
            event(21, 2, "2026-03-02 10:01", session=S1),
            event(22, 2, "2026-03-02 10:02", "conversion", S1),
            event(41, 4, "2026-03-01 10:00"),
            event(42, 4, "2026-03-01 11:00", "click"),
            # User 5's goal events: the first is valid only once its session arrives (03-03).
            event(51, 5, "2026-03-01 12:00", "click", S2),
            event(52, 5, "2026-03-02 12:00", "click"),
            # One key twice: the newer version (03-03) replaces the 03-01 one.
            event(50, 2, "2026-03-01 23:00", "search"),
            # No key, and a user who arrives on 03-03: quarantined as null_key, and as an
            # orphan only until the user arrives, whichever day runs last.
            event(None, 1, "2026-03-02 12:00"),
            event(50, 2, "2026-03-03 12:00", "login"),
        ],
        "communities": [
            {
                "id": 7,
                "name": "C",
                "is_geo_restricted": False,
                "allowed_countries": None,
                "created_at": ts("2026-02-01 00:00"),
                "updated_at": ts("2026-03-03 00:00"),
            },
        ],
        "community_activity": [
            {
                "id": 71,
                "community_id": 7,
                "user_id": 2,
                "activity_type": "post",
                "occurred_at": ts("2026-03-02 11:00"),
            },
        ],
        "api_requests": [
            # The only request of 03-01, by the user who turns invalid.
            {
                "id": 81,
                "method": "GET",
                "path": "/a",
                "status_code": 200,
                "response_ms": 5,
                "user_id": 4,
                "occurred_at": ts("2026-03-01 10:00"),
            },
            {
                "id": 82,
                "method": "GET",
                "path": "/b",
                "status_code": 503,
                "response_ms": 50,
                "user_id": 1,
                "occurred_at": ts("2026-03-02 10:00"),
            },
        ],
    }


def load_partition(conn: psycopg.Connection, day: date) -> None:
    """Stage one day like the raw loader."""
    load_window(conn, dataset(), day, day + timedelta(days=1))
    conn.commit()


def staging_fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Every checked staging table (chk_*), with its verdicts and reasons, less what
    depends on when a row was loaded or checked."""
    return fingerprint(url, "staging", "chk%", ("_loaded_at", "_checked_at"))


def fetch(url: str, query: str) -> list[tuple]:
    with connect(url) as conn:
        return conn.execute(query).fetchall()


def run_dagster_range(url: str, start: date, end: date) -> dg.ExecuteInProcessResult:
    """The staging and marts groups over [start, end) as one single-run backfill."""
    job = dg.define_asset_job("dbt_layers", selection=dg.AssetSelection.groups("staging", "marts"))
    defs = dg.Definitions(
        assets=dbt_asset_definitions(),
        jobs=[job],
        resources={
            "dbt": dbt_resource(),
            **warehouse_resources(Databases(warehouse_database_url=url, source_database_url=url)),
        },
    )
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("dbt_layers").execute_in_process(
            instance=instance,
            tags=key_range_tags(day_keys(Window(start, end))),
            raise_on_error=False,
        )
    # dagster-dbt keeps a target directory per invocation (<op>-<run id>-<uuid>): drop ours.
    for leftover in (DBT_PROJECT_DIR / "target").glob(f"*-{result.run_id[:7]}-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    return result


@pytest.fixture(scope="module")
def reference(local_server_url: str) -> Iterator[tuple[str, dg.ExecuteInProcessResult]]:
    """Every day loaded, then the whole range as one Dagster run."""
    with scratch_database(local_server_url) as url:
        with connect(url) as conn:
            create_raw_tables(conn)
            for day in DAYS:
                load_partition(conn, day)
        yield url, run_dagster_range(url, DAYS[0], END)


def test_the_range_is_one_run_of_dbt_assets_with_their_checks(
    reference: tuple[str, dg.ExecuteInProcessResult],
) -> None:
    _, result = reference
    assert result.success
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {
        "staging/stg_events",
        "quarantine/quarantined_rows",
        "marts/fct_events",
        "marts/user_summary",
        "snapshots/users_snapshot",
    } <= materialized
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
    assert dg.AssetKey(["marts", "fct_events"]) in {c.asset_key for c in checks}


def test_the_range_reads_every_late_row_right(
    reference: tuple[str, dg.ExecuteInProcessResult],
) -> None:
    url, _ = reference
    # Hand-worked: user 1's three events, user 2's two session events and the newer
    # version of event 50 (a login on 03-03), user 5's clicks; user 4 is invalid, so events
    # 41 and 42 are not there.
    assert fetch(
        url, "select event_id, event_type, event_date from marts.fct_events order by event_id"
    ) == [
        (11, "page_view", date(2026, 3, 1)),
        (12, "page_view", date(2026, 3, 2)),
        (13, "click", date(2026, 3, 3)),
        (21, "page_view", date(2026, 3, 2)),
        (22, "conversion", date(2026, 3, 2)),
        (50, "login", date(2026, 3, 3)),
        (51, "click", date(2026, 3, 1)),
        (52, "click", date(2026, 3, 2)),
    ]
    # Each remaining assignment's first click after it; user 4's assignment left with them.
    assert fetch(
        url,
        "select user_id, variant, converted_at from intermediate.int_experiment_conversions "
        "order by user_id",
    ) == [(1, "a", ts("2026-03-03 09:00")), (5, "a", ts("2026-03-01 12:00"))]
    # User 4's request of 03-01 is gone with user 4: only user 1's remains.
    assert fetch(url, "select request_id from marts.fct_api_requests") == [(82,)]
    assert fetch(
        url,
        "select user_id, activity_date, sessions, community_interactions "
        "from marts.user_daily_activity where user_id = 2 "
        "order by activity_date",
    ) == [(2, date(2026, 3, 2), 1, 1), (2, date(2026, 3, 3), 0, 0)]


def test_the_same_range_again_gives_the_same_marts(
    reference: tuple[str, dg.ExecuteInProcessResult], tmp_path: Path
) -> None:
    url, _ = reference
    once = marts_fingerprint(url)
    # The models the Dagster assets build, again over [03-01, 03-04) (their tests passed).
    Dbt(url, tmp_path).models(WAREHOUSE_MODELS, window=time_window(DAYS[0], END))
    assert marts_fingerprint(url) == once


def test_the_range_checks_every_row_once(
    reference: tuple[str, dg.ExecuteInProcessResult],
) -> None:
    url, _ = reference
    # The keyless event of user 1 is rejected for its key only: user 1 arrived in the range.
    assert fetch(
        url,
        "select source_table, source_key, reasons from quarantine.quarantined_rows "
        "order by source_table, source_key",
    ) == [
        ("api_requests", "81", ["orphan_fk"]),
        ("events", "41", ["orphan_fk"]),
        ("events", "42", ["orphan_fk"]),
        ("events", "50", ["duplicate_key"]),
        ("events", None, ["null_key"]),
        ("experiment_assignments", "[9, 4]", ["orphan_fk"]),
        ("users", "4", ["invalid_enum"]),  # raw keeps its newer version only
    ]


def test_days_one_by_one_in_any_order_give_the_same_marts(
    reference: tuple[str, dg.ExecuteInProcessResult], local_server_url: str, tmp_path: Path
) -> None:
    expected = marts_fingerprint(reference[0])
    expected_staging = staging_fingerprint(reference[0])
    with scratch_database(local_server_url) as url:
        dbt = Dbt(url, tmp_path)
        with connect(url) as conn:
            create_raw_tables(conn)
        for day in SHUFFLED:
            with connect(url) as conn:
                load_partition(conn, day)
            dbt.models(WAREHOUSE_MODELS, window=time_window(day, day + timedelta(days=1)))
        assert staging_fingerprint(url) == expected_staging
        assert marts_fingerprint(url) == expected
