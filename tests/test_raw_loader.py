"""The raw loader against real PostgreSQL: windows, reruns, late rows, the newest-wins
upsert, contract drift, concurrency and a load killed in the middle of its COPY.

Every expected count is worked out by hand from the rows each test inserts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from support.databases import Databases, make_databases
from support.raw import at, by_day, day, execute, fetch, fingerprint, insert, load

from analytics_assets.db import url_parts, with_database
from analytics_assets.raw.contract import ContractDrift
from analytics_assets.settings import PROJECT_ROOT


def _events(url):
    rows = [
        {"id": 1, "occurred_at": at(31, 23, month=12, year=2025)},  # before the first day
        {"id": 2, "occurred_at": None},  # undated
        {"id": 3, "occurred_at": at(1, 0)},
        {"id": 4, "occurred_at": at(1, 23, 59)},  # already Jan 2 in the session's zone
        {"id": 5, "occurred_at": at(2, 0)},
        {"id": 5, "occurred_at": at(2, 10)},  # a duplicate key
        {"id": None, "occurred_at": at(2, 11)},  # a null key
        {"id": 6, "occurred_at": at(3, 23, 30)},
        {"id": 7, "occurred_at": at(4, 0)},  # outside every window loaded below
    ]
    insert(url, "events", [{**r, "event_type": "click", "properties": None} for r in rows])


def pick_server_url(database_url):
    """The server of a database's URL (its `postgres` database)."""
    return with_database(database_url, "postgres")


def _raw_ids(dbs, table="events"):
    return Counter(fetch(dbs.warehouse, f"select id, _partition from raw.{table}"))


def test_append_only_window_takes_its_days_and_the_first_partition_older_rows(dbs):
    _events(dbs.source)

    later = load(dbs, "events", day(2), day(4))
    assert by_day(later) == {day(2): (3, 3, 0, 0, 0), day(3): (1, 1, 0, 0, 0)}
    first = load(dbs, "events", day(1), day(2))
    assert by_day(first) == {day(1): (4, 4, 0, 0, 0)}

    assert _raw_ids(dbs) == Counter(
        {
            (1, day(1)): 1,
            (2, day(1)): 1,
            (3, day(1)): 1,
            (4, day(1)): 1,
            (5, day(2)): 2,
            (None, day(2)): 1,
            (6, day(3)): 1,
        }
    )
    loaded_at = fetch(dbs.warehouse, "select count(*) from raw.events where _loaded_at is null")
    assert loaded_at == [(0,)]


def test_rerun_leaves_an_identical_table_and_reports_no_change(dbs):
    _events(dbs.source)
    load(dbs, "events", day(1), day(4))
    before = fingerprint(dbs.warehouse, "events")
    assert before[0] == 8

    again = load(dbs, "events", day(1), day(4))
    assert by_day(again) == {
        day(1): (4, 0, 0, 0, 0),
        day(2): (3, 0, 0, 0, 0),
        day(3): (1, 0, 0, 0, 0),
    }
    assert fingerprint(dbs.warehouse, "events") == before


def test_a_late_row_lands_when_its_day_is_loaded_again_and_is_counted(dbs):
    _events(dbs.source)
    load(dbs, "events", day(1), day(4))
    insert(dbs.source, "events", [{"id": 8, "occurred_at": at(2, 15), "received_at": at(6)}])
    execute(dbs.source, "delete from app.events where id = 6")  # gone from the source too

    assert by_day(load(dbs, "events", day(2), day(3))) == {day(2): (4, 1, 0, 0, 0)}
    assert by_day(load(dbs, "events", day(3), day(4))) == {day(3): (0, 0, 1, 0, 0)}
    assert _raw_ids(dbs)[(8, day(2))] == 1
    assert fingerprint(dbs.warehouse, "events")[0] == 8 + 1 - 1


def test_mutable_rows_upsert_by_key_and_an_older_version_never_wins(dbs):
    insert(
        dbs.source,
        "users",
        [
            {"id": 1, "email": "a1", "updated_at": at(3, 10)},
            {"id": 2, "email": "b1", "updated_at": at(2, 8)},
            {"id": 3, "email": "c1", "updated_at": at(3, 9)},
            {"id": 3, "email": "c2", "updated_at": at(3, 11)},  # a duplicate key: both kept
            {"id": None, "email": "n1", "updated_at": at(3, 12)},
            {"id": None, "email": "n2", "updated_at": at(3, 13)},
        ],
    )
    first = load(dbs, "users", day(2), day(4))
    # day 3: keys 1 and 3 are new, and two null-key rows
    assert by_day(first) == {day(2): (1, 1, 0, 0, 0), day(3): (5, 4, 0, 0, 0)}

    # An older version of user 1 arrives late; user 2 gets a newer version; n2 goes away.
    execute(
        dbs.source, "update app.users set email = 'a0', updated_at = %s where id = 1", (at(2, 7),)
    )
    execute(
        dbs.source, "update app.users set email = 'b2', updated_at = %s where id = 2", (at(3, 14),)
    )
    execute(dbs.source, "delete from app.users where email = 'n2'")
    # A duplicate of user 3 shows up, not newer than the version raw has: still a change.
    insert(dbs.source, "users", [{"id": 3, "email": "c3", "updated_at": at(3, 10)}])

    assert by_day(load(dbs, "users", day(2), day(3))) == {day(2): (1, 0, 0, 0, 1)}
    # day 3: user 2 newer and user 3's rows changed (updated 2), n2 gone (removed 1)
    assert by_day(load(dbs, "users", day(3), day(4))) == {day(3): (5, 0, 1, 2, 0)}
    expected = [
        (1, "a1", day(3)),
        (2, "b2", day(3)),
        (3, "c1", day(3)),
        (3, "c2", day(3)),
        (3, "c3", day(3)),
        (None, "n1", day(3)),
    ]
    rows = fetch(dbs.warehouse, "select id, email, _partition from raw.users order by id, email")
    assert rows == expected

    settled = fingerprint(dbs.warehouse, "users")
    again = load(dbs, "users", day(2), day(4))
    assert by_day(again) == {day(2): (1, 0, 0, 0, 1), day(3): (5, 0, 0, 0, 0)}
    assert fingerprint(dbs.warehouse, "users") == settled


def test_a_mutable_load_catches_up_on_the_older_rows_raw_does_not_hold(dbs, make_database):
    insert(
        dbs.source,
        "users",
        [
            {"id": 1, "email": "before the first day", "updated_at": at(31, month=12, year=2025)},
            {"id": 2, "email": "undated", "updated_at": None},
            {"id": 3, "email": "day 1", "updated_at": at(1)},
            {"id": 4, "email": "day 3", "updated_at": at(3)},
            {"id": 5, "email": "day 5", "updated_at": at(5)},
            {"id": None, "email": "keyless, day 2", "updated_at": at(2)},
            {"id": 6, "email": "day 7, after the window", "updated_at": at(7)},
        ],
    )
    # A first load of a later window: every older row comes too, in its own day.
    first = load(dbs, "users", day(5), day(6))
    assert by_day(first) == {day(5): (1, 1, 0, 0, 0)}
    assert first.caught_up == 5
    partitions = "select id, _partition from raw.users order by id nulls last"
    assert fetch(dbs.warehouse, partitions) == [
        (1, day(1)),
        (2, day(1)),
        (3, day(1)),
        (4, day(3)),
        (5, day(5)),
        (None, day(2)),
    ]
    # Rows written since, and a gap before the next window: the gap's rows come along
    # (newer than the newest raw holds, day 5); a late row older than that does not (the
    # daily lookback re-stages it), nor does anything after the window.
    insert(
        dbs.source,
        "users",
        [
            {"id": 7, "email": "day 4, late", "updated_at": at(4)},
            {"id": 8, "email": "day 6", "updated_at": at(6)},
            {"id": None, "email": "keyless, day 6", "updated_at": at(6, 13)},
        ],
    )
    after_gap = load(dbs, "users", day(8), day(9))
    assert by_day(after_gap) == {day(8): (0, 0, 0, 0, 0)}
    assert after_gap.caught_up == 3  # users 6 and 8 and the keyless row of day 6
    assert fetch(dbs.warehouse, "select count(*) from raw.users where id = 7") == [(0,)]

    # Loaded again, in another order or in one window, raw ends the same.
    settled = fingerprint(dbs.warehouse, "users")
    assert load(dbs, "users", day(8), day(9)).caught_up == 0
    assert fingerprint(dbs.warehouse, "users") == settled
    server = pick_server_url(dbs.warehouse)
    other = Databases(dbs.source, make_databases(make_database, server, server).warehouse)
    load(other, "users", day(1), day(9))
    without_late_row = fingerprint(dbs.warehouse, "users")
    load(dbs, "users", day(4), day(5))  # the lookback takes the late row
    assert fingerprint(dbs.warehouse, "users") != without_late_row
    assert fingerprint(dbs.warehouse, "users") == fingerprint(other.warehouse, "users")


def test_composite_key_upsert(dbs):
    insert(
        dbs.source,
        "community_memberships",
        [
            {"community_id": 1, "user_id": 1, "updated_at": at(2)},
            {"community_id": 1, "user_id": 2, "updated_at": at(2)},
            {"community_id": 2, "user_id": 1, "updated_at": at(2)},
            {"community_id": 2, "user_id": None, "updated_at": at(2)},
        ],
    )
    assert by_day(load(dbs, "community_memberships", day(2), day(3))) == {day(2): (4, 4, 0, 0, 0)}
    execute(
        dbs.source,
        "update app.community_memberships set left_at = %s, updated_at = %s "
        "where community_id = 1 and user_id = 2",
        (at(3), at(3)),
    )
    assert by_day(load(dbs, "community_memberships", day(3), day(4))) == {day(3): (1, 0, 0, 1, 0)}
    rows = fetch(
        dbs.warehouse,
        "select community_id, user_id, left_at is not null, _partition "
        "from raw.community_memberships order by 1, 2",
    )
    assert rows == [
        (1, 1, False, day(2)),
        (1, 2, True, day(3)),
        (2, 1, False, day(2)),
        (2, None, False, day(2)),
    ]


@pytest.mark.parametrize("table", ["events", "users"])
def test_two_loads_of_the_same_window_at_once_take_turns(dbs, table):
    column = "occurred_at" if table == "events" else "updated_at"
    execute(
        dbs.source,
        f"insert into app.{table} (id, {column}) "
        "select g, '2026-01-02 00:00+00'::timestamptz + g * interval '1 second' "
        "from generate_series(1, 30000) g",
    )
    gate = threading.Barrier(2)
    results, errors = [], []

    def run():
        gate.wait()
        try:
            results.append(load(dbs, table, day(2), day(3)))
        except Exception as err:  # reported below, not lost in the thread
            errors.append(err)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # Serialized: the second load found the first one's rows and changed nothing.
    assert sorted(r.rows_added for r in results) == [0, 30000]
    assert [r.rows_copied for r in results] == [30000, 30000]
    together = fingerprint(dbs.warehouse, table)
    assert together[0] == 30000
    load(dbs, table, day(2), day(3))
    assert fingerprint(dbs.warehouse, table) == together


def test_contract_drift_fails_naming_table_and_column_and_leaves_raw_alone(dbs):
    _events(dbs.source)
    load(dbs, "events", day(1), day(4))
    before = fingerprint(dbs.warehouse, "events")
    insert(dbs.source, "events", [{"id": 9, "occurred_at": at(2)}])  # would change day 2

    execute(dbs.source, "alter table app.events drop column page_url")
    with pytest.raises(ContractDrift, match=r"app\.events .*column page_url \(text\) is missing"):
        load(dbs, "events", day(2), day(3))
    assert fingerprint(dbs.warehouse, "events") == before

    execute(dbs.source, "alter table app.events add column page_url text")  # back, at the end
    execute(dbs.source, "alter table app.events alter column user_id type text")
    with pytest.raises(ContractDrift, match=r"app\.events .*column user_id has type text"):
        load(dbs, "events", day(2), day(3))
    assert fingerprint(dbs.warehouse, "events") == before

    execute(
        dbs.source, "alter table app.events alter column user_id type bigint using user_id::bigint"
    )
    assert by_day(load(dbs, "events", day(2), day(3))) == {day(2): (4, 1, 0, 0, 0)}


def test_a_raw_table_of_another_layout_is_refused(dbs):
    _events(dbs.source)
    load(dbs, "events", day(2), day(3))
    execute(dbs.warehouse, "alter table raw.events add column extra int")
    with pytest.raises(ContractDrift, match=r"raw\.events .*column extra is not in the contract"):
        load(dbs, "events", day(2), day(3))


_KILLABLE = """
import sys
from datetime import date
from analytics_assets.raw.loader import load_window
from analytics_assets.window import Window
from analytics_assets.source.tables import source_tables
load_window(sys.argv[1], sys.argv[2], source_tables()["events"],
            Window(date(2026, 1, 2), date(2026, 1, 3)), date(2026, 1, 1))
"""


def _copy_progress(dbs):
    name = url_parts(dbs.warehouse)["dbname"]
    rows = fetch(
        dbs.warehouse,
        "select tuples_processed from pg_stat_progress_copy "
        "where datname = %s and command = 'COPY FROM'",
        (name,),
    )
    return rows[0][0] if rows else None


def test_a_load_killed_mid_copy_leaves_the_day_as_it_was_and_the_next_run_completes(dbs):
    _events(dbs.source)
    load(dbs, "events", day(2), day(3))
    before = fingerprint(dbs.warehouse, "events")
    assert before[0] == 3
    execute(
        dbs.source,
        "insert into app.events (id, occurred_at, properties) "
        "select g, '2026-01-02 00:00+00'::timestamptz + (g % 86400) * interval '1 second', "
        "'{\"k\": 1}'::jsonb from generate_series(100, 400099) g",
    )

    child = subprocess.Popen(
        [sys.executable, "-c", _KILLABLE, dbs.source, dbs.warehouse], cwd=PROJECT_ROOT
    )
    deadline = time.monotonic() + 60
    while (_copy_progress(dbs) or 0) < 1000:
        assert child.poll() is None, "the load ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    # The server rolls the load back when it notices the client is gone.
    while _copy_progress(dbs) is not None:
        assert time.monotonic() < deadline
        time.sleep(0.02)

    assert fingerprint(dbs.warehouse, "events") == before
    result = load(dbs, "events", day(2), day(3))
    assert by_day(result) == {day(2): (400003, 400000, 0, 0, 0)}
    assert fingerprint(dbs.warehouse, "events")[0] == 400003


def test_raw_tables_get_their_indexes_even_when_made_elsewhere(dbs):
    # raw.users made by hand without indexes (as a test fixture might), raw.events by the loader
    execute(dbs.warehouse, "create schema raw")
    execute(
        dbs.warehouse,
        "create table raw.users (id bigint, email text, full_name text, "
        "role text, country_code char(2), city text, is_verified boolean, "
        "created_at timestamptz, updated_at timestamptz, last_login_at timestamptz, "
        "deleted_at timestamptz, _loaded_at timestamptz not null default now(), "
        "_partition date not null)",
    )
    load(dbs, "users", day(2), day(3))
    load(dbs, "events", day(2), day(3))
    indexes = fetch(
        dbs.warehouse,
        "select tablename, indexname, indexdef from pg_indexes "
        "where schemaname = 'raw' order by 1, 2",
    )
    assert [(t, i) for t, i, _ in indexes] == [
        ("events", "events_window_brin"),
        ("users", "users_key"),
        ("users", "users_version"),
        ("users", "users_window_brin"),
    ]
    assert "USING brin (_partition, occurred_at)" in indexes[0][2]
    assert "USING btree (id)" in indexes[1][2]
    assert "USING btree (updated_at)" in indexes[2][2]
