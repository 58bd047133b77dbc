"""The source of the pipeline benchmark: a generated history, then days built in SQL.

The demo generator makes a realistic source (every table, ~5-10k events a day for 2,000
users) but not a million events a day, and it is a snapshot of its last day: a user's row
carries its last `updated_at`, so a day run before that one would find the user's events
orphaned. The benchmark therefore generates only the history and builds every later day
here, with generate_series (`add_traffic`): sessions of existing non-admin users and
events in them (type, name, page and properties copied from a sample of the generated
events, so the mix stays the generator's), plus a few signups, payments and NPS responses
in proportion. Every row is valid under the source contract: existing user ids, session
ids of sessions that exist, values from the vocabularies, times inside the day (an added
session ends, and is updated, on its day; an event falls inside its session and is
received a few seconds later), fresh ids. So all of them must reach the marts.

`source_day_counts` says how many rows each table holds on a day (by the column that
places a row in a daily partition): the benchmark proves with it that its empty day is
empty, and counts the events it measures.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

from psycopg import sql

from analytics_assets.db import connect
from analytics_assets.source.tables import source_tables

EVENTS_PER_SESSION = 12
"""Added events per added session: the generator's sessions have 12-14 events each."""
EVENTS_PER_SIGNUP = 2_000
EVENTS_PER_PAYMENT = 1_000
EVENTS_PER_NPS_RESPONSE = 5_000
SPREAD = 84_600
"""Added rows start in the first 23.5 hours of the day; a session lasts at most 1,620 s,
so it ends, and is updated, on the same day."""

# Users who may act on the day: non-admin (admins count in no metric, so their traffic
# would not be traffic), created before the day, not deleted by its end.
_PEOPLE = """
create temp table bench_people on commit drop as
select row_number() over (order by id) as n, id, country_code, city
from app.users
where role <> 'admin' and created_at < %(lo)s and (deleted_at is null or deleted_at >= %(hi)s)
"""
# A fixed sample of generated events, in id order: the added events cycle through it,
# which keeps the generator's mix of types, names, pages and properties.
_TEMPLATES = """
create temp table bench_templates on commit drop as
select row_number() over (order by id) as n, event_type, event_name, page_url, properties
from (select * from app.events where user_id is not null order by id limit 5000) e
"""
# Session s (1..k): a user picked by a multiplicative hash of s, a start spread over the
# day, a duration of 120..1619 s. _EVENTS recomputes the same start and duration from s.
_SESSIONS = """
insert into app.app_sessions
    (id, user_id, device_type, started_at, ended_at, country_code, city, ip_address, updated_at)
select md5(%(tag)s || s)::uuid, p.id, (array['web', 'ios', 'android'])[s %% 3 + 1],
       t.started_at, t.started_at + t.duration, p.country_code, p.city, null,
       t.started_at + t.duration
from generate_series(1, %(sessions)s::bigint) s
cross join lateral (
    select %(lo)s::timestamptz + ((s - 1) * %(spread)s / %(sessions)s) * interval '1 second'
               as started_at,
           (120 + (s * 7919) %% 1500) * interval '1 second' as duration
) t
join bench_people p on p.n = 1 + (s * 7919) %% %(people)s
"""
# Event g belongs to session s = 1 + (g - 1) % k, at an offset inside that session.
_EVENTS = """
insert into app.events
select %(first_event)s + g, p.id, md5(%(tag)s || k.s)::uuid,
       tpl.event_type, tpl.event_name, tpl.page_url, tpl.properties,
       t.occurred_at, t.occurred_at + (g %% 5) * interval '1 second'
from generate_series(1, %(events)s::bigint) g
cross join lateral (select 1 + (g - 1) %% %(sessions)s as s) k
cross join lateral (
    select %(lo)s::timestamptz + ((k.s - 1) * %(spread)s / %(sessions)s) * interval '1 second'
           + (((g - 1) / %(sessions)s * 37) %% (120 + (k.s * 7919) %% 1500))
             * interval '1 second' as occurred_at
) t
join bench_people p on p.n = 1 + (k.s * 7919) %% %(people)s
join bench_templates tpl on tpl.n = 1 + (g * 31) %% %(templates)s
"""
# Students who sign up on the day: created and updated then, so the day stages them.
_SIGNUPS = """
insert into app.users
select %(first_user)s + u, 'bench' || (%(first_user)s + u) || '@example.com',
       'Bench User ' || (%(first_user)s + u), 'student', 'US', 'New York', u %% 2 = 0,
       t.at, t.at, t.at, null
from generate_series(1, %(signups)s::bigint) u
cross join lateral (
    select %(lo)s::timestamptz + (u * %(spread)s / (%(signups)s + 1)) * interval '1 second' as at
) t
"""
# One payment in ten fails and one in ten is a refund; three currencies.
_PAYMENTS = """
insert into app.payments
select %(first_payment)s + x, p.id, null, (array['course', 'mentor_session'])[x %% 2 + 1],
       1000 + (x * 389) %% 4000, (array['USD', 'EUR', 'GBP'])[x %% 3 + 1],
       case x %% 10 when 0 then 'failed' when 1 then 'refunded' else 'succeeded' end,
       %(lo)s::timestamptz + (x * %(spread)s / (%(payments)s + 1)) * interval '1 second'
from generate_series(1, %(payments)s::bigint) x
join bench_people p on p.n = 1 + (x * 104729) %% %(people)s
"""
_NPS = """
insert into app.nps_responses
select %(first_nps)s + r, p.id, (r * 7) %% 11, null,
       %(lo)s::timestamptz + (r * %(spread)s / (%(responses)s + 1)) * interval '1 second'
from generate_series(1, %(responses)s::bigint) r
join bench_people p on p.n = 1 + (r * 15485863) %% %(people)s
"""
_NEXT_IDS = """
select (select coalesce(max(id), 0) from app.events),
       (select coalesce(max(id), 0) from app.users),
       (select coalesce(max(id), 0) from app.payments),
       (select coalesce(max(id), 0) from app.nps_responses)
"""


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[00:00, 24:00) of the UTC day."""
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


def source_events(url: str, day: date) -> int:
    """Events the source holds on the UTC day (by occurred_at)."""
    return source_day_counts(url, day)["events"]


def source_day_counts(url: str, day: date) -> dict[str, int]:
    """Rows per source table whose window column falls on the UTC day."""
    lo, hi = day_bounds(day)
    counts = {}
    with connect(url) as conn:
        for table in source_tables().values():
            query = sql.SQL("select count(*) from app.{} where {} >= %s and {} < %s").format(
                sql.Identifier(table.name),
                sql.Identifier(table.window_column),
                sql.Identifier(table.window_column),
            )
            counts[table.name] = conn.execute(query, (lo, hi)).fetchone()[0]
    return counts


def top_up_day(url: str, day: date, target_events: int) -> int:
    """Add traffic on `day` until the source holds `target_events` events on it (nothing
    when it already does); returns the events added."""
    missing = target_events - source_events(url, day)
    if missing > 0:
        add_traffic(url, day, missing)
    return max(missing, 0)


def add_traffic(url: str, day: date, events: int) -> None:
    """Add `events` events on `day` in new sessions, with signups, payments and NPS
    responses in proportion, in one transaction."""
    lo, hi = day_bounds(day)
    with connect(url) as conn:
        conn.execute(_PEOPLE, {"lo": lo, "hi": hi})
        conn.execute(_TEMPLATES)
        people = conn.execute("select count(*) from bench_people").fetchone()[0]
        templates = conn.execute("select count(*) from bench_templates").fetchone()[0]
        if not people or not templates:
            raise RuntimeError(f"no users or events before {day} to build its traffic from")
        first_event, first_user, first_payment, first_nps = conn.execute(_NEXT_IDS).fetchone()
        params = {
            # Session ids are md5(tag || n): unique per day and per batch of that day.
            "tag": f"bench-{day.isoformat()}-{first_event}-",
            "lo": lo,
            "spread": SPREAD,
            "people": people,
            "templates": templates,
            "events": events,
            "sessions": math.ceil(events / EVENTS_PER_SESSION),
            "signups": math.ceil(events / EVENTS_PER_SIGNUP),
            "payments": math.ceil(events / EVENTS_PER_PAYMENT),
            "responses": math.ceil(events / EVENTS_PER_NPS_RESPONSE),
            "first_event": first_event,
            "first_user": first_user,
            "first_payment": first_payment,
            "first_nps": first_nps,
        }
        for statement in (_SESSIONS, _EVENTS, _SIGNUPS, _PAYMENTS, _NPS):
            conn.execute(statement, params)
    with connect(url, autocommit=True) as conn:
        for table in ("events", "app_sessions", "users", "payments", "nps_responses"):
            conn.execute(sql.SQL("analyze app.{}").format(sql.Identifier(table)))
