"""A daily run's staging and incremental marts read their day, not the history: on a
warehouse holding N days and on one holding 2N, the same new day reads about as many rows.

What is read is counted by PostgreSQL itself (pg_stat_user_tables: rows returned by
sequential scans plus rows fetched through indexes) over every table of schemas raw,
staging and marts, around one real `dbt run` for the new day of the checked staging tables
and the incremental marts (fct_events, fct_api_requests, fct_sessions,
user_daily_activity, user_progress_daily, int_experiment_conversions). No timing: rows
read. Not in it: the full-refresh marts, and int_platform_day_totals, which reads the 30
days of user_daily_activity before a rebuilt day (weekly and monthly active users):
bounded by 30 days, which both histories here are shorter than.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from support.dbt import WAREHOUSE_MODELS, Dbt, time_window

from analytics_assets.db import connect
from analytics_assets.raw.ddl import ensure_raw_tables

DAILY_RUN = (
    "path:models/staging path:models/intermediate path:models/marts,config.materialized:incremental"
)
NOT_BOUNDED_HERE = "int_platform_day_totals"
"""Reads 30 days of user_daily_activity (see above)."""
FIRST = date(2026, 1, 1)
# Big enough beside one day that the planner's choices are the ones it makes in production.
# The new day is lighter than the history's days, so that it is as small beside the history
# as a day is beside months of it.
USERS = 2000
EVENTS_PER_DAY = 20_000
NEW_DAY_EVENTS = 2_000
LOGINS_PER_DAY = 200
"""Users whose row is loaded again each day (a login changes updated_at)."""


def add_day(conn, day: date, events: int = EVENTS_PER_DAY) -> None:
    """One day of raw rows: new users, logins (a newer version of older users, as the raw
    loader's upsert leaves it), sessions and events, a few of them bad."""
    params = {"day": day, "n": (day - FIRST).days}
    # Users 1..USERS exist from the first day; each later day re-loads LOGINS_PER_DAY of them.
    if day == FIRST:
        conn.execute(
            "insert into raw.users (id, email, full_name, role, country_code, is_verified, "
            "created_at, updated_at, _partition) "
            "select u, 'u' || u || '@example.org', 'X', 'student', 'FR', true, "
            "%(day)s::timestamptz + interval '1 hour', %(day)s::timestamptz + interval '1 hour', "
            "%(day)s from generate_series(1, " + str(USERS) + ") as u",
            params,
        )
    else:
        logins = (
            f"select 1 + mod(%(n)s * {LOGINS_PER_DAY} + g, {USERS}) as id "
            f"from generate_series(0, {LOGINS_PER_DAY - 1}) as g"
        )
        conn.execute(
            f"delete from raw.users where id in ({logins})",
            params,
        )
        conn.execute(
            "insert into raw.users (id, email, full_name, role, country_code, is_verified, "
            "created_at, updated_at, last_login_at, _partition) "
            "select l.id, 'u' || l.id || '@example.org', 'X', 'student', 'FR', true, "
            "%(day)s::timestamptz - interval '1 day' * %(n)s, "
            "%(day)s::timestamptz + interval '2 hours', %(day)s::timestamptz + interval '2 hours', "
            f"%(day)s from ({logins}) as l",
            params,
        )
    conn.execute(
        "insert into raw.app_sessions (id, user_id, device_type, started_at, ended_at, "
        "updated_at, _partition) "
        "select md5(%(day)s::text || s)::uuid, 1 + mod(s, " + str(USERS) + "), 'web', "
        "%(day)s::timestamptz + interval '3 hours', %(day)s::timestamptz + interval '4 hours', "
        "%(day)s::timestamptz + interval '4 hours', %(day)s "
        "from generate_series(1, 1000) as s",
        params,
    )
    conn.execute(
        "insert into raw.events (id, user_id, session_id, event_type, event_name, page_url, "
        "properties, occurred_at, received_at, _partition) "
        "select %(n)s * " + str(EVENTS_PER_DAY) + " + e, "
        # every 100th event names a user who does not exist: an orphan
        "case when mod(e, 100) = 0 then 999999 else 1 + mod(e, " + str(USERS) + ") end, "
        "md5(%(day)s::text || (1 + mod(e, 1000)))::uuid, 'page_view', 'view', '/', '{}'::jsonb, "
        "%(day)s::timestamptz + interval '3 hours' + interval '1 second' * e, "
        "%(day)s::timestamptz + interval '3 hours' + interval '1 second' * (e + 1), %(day)s "
        "from generate_series(1, " + str(events) + ") as e",
        params,
    )


def rows_read(url: str) -> int:
    """Rows read so far from every table of raw, staging and marts (sequential and index
    reads)."""
    with connect(url) as conn:
        conn.execute("select pg_stat_clear_snapshot()")
        (total,) = conn.execute(
            "select coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0) "
            "from pg_stat_user_tables where schemaname in ('raw', 'staging', 'marts')"
        ).fetchone()
    return int(total)


def reads_of_a_new_day(url: str, history_days: int, workdir: Path) -> tuple[int, int]:
    """Build a warehouse with `history_days` days checked, add one day, check it alone:
    (rows read by that run, raw rows the warehouse holds)."""
    dbt = Dbt(url, workdir)
    with connect(url, autocommit=True) as conn:
        ensure_raw_tables(conn)  # as the raw loader makes them, with their indexes
    with connect(url) as conn:
        for n in range(history_days):
            add_day(conn, FIRST + timedelta(days=n))
        conn.commit()
    dbt.models(WAREHOUSE_MODELS)  # the history, in a first build
    day = FIRST + timedelta(days=history_days)
    with connect(url) as conn:
        add_day(conn, day, NEW_DAY_EVENTS)
        conn.commit()
    with connect(url, autocommit=True) as conn:
        # What the raw loader and autovacuum leave: BRIN ranges summarised, statistics.
        conn.execute("vacuum analyze")
        (held,) = conn.execute(
            "select sum(n_live_tup) from pg_stat_user_tables where schemaname = 'raw'"
        ).fetchone()
    before = rows_read(url)
    window = time_window(day, day + timedelta(days=1))
    dbt.models(DAILY_RUN, window=window, exclude=NOT_BOUNDED_HERE)
    # The server publishes a backend's counters when it ends: dbt's have ended.
    return rows_read(url) - before, int(held)


def test_a_day_reads_the_day_not_the_history(
    server_url: str, make_database, tmp_path: Path
) -> None:
    short, short_held = reads_of_a_new_day(make_database(server_url), 8, tmp_path / "short")
    long, long_held = reads_of_a_new_day(make_database(server_url), 16, tmp_path / "long")

    assert long_held > 1.8 * short_held  # the history really doubled
    # The day's own rows are read a few times (raw, the re-check of its keys, their
    # parents); the history only through indexes, for the rows the day can change.
    assert long < 1.2 * short, (short, long)
    assert short < short_held, (short, short_held)
