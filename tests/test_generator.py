"""The demo source generator, against a real PostgreSQL.

The bad-row rules below are written here, independently of the generator, as SQL over the
generated tables: each (table, kind) predicate must match exactly the rows the report
counts, no row may match two, and with bad_rate 0 none may match at all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date
from decimal import Decimal

import pytest
from support.databases import scratch_database

from analytics_assets.db import connect
from analytics_assets.source.bad_rows import BAD_ROW_KINDS
from analytics_assets.source.tables import source_tables
from demo_source.defects import defect_catalog
from demo_source.generator import (
    GenerationReport,
    GenerationSpec,
    generate,
    table_checksums,
)

END = date(2026, 6, 30)
SMALL = GenerationSpec(users=300, days=21, end=END, seed=11)
# The period of SMALL: 2026-06-10 .. 2026-06-30 inclusive.
PERIOD = ("2026-06-10 00:00:00+00", "2026-07-01 00:00:00+00")


def _count(url: str, query: str) -> float:
    """The one value a query returns (numeric as float)."""
    with connect(url) as conn:
        conn.execute("set timezone = 'UTC'")
        value = conn.execute(query).fetchone()[0]
    return float(value) if isinstance(value, Decimal) else value


@pytest.fixture(scope="module")
def scratch(local_server_url: str) -> Iterator:
    """make(name) -> URL of a new database on the local server, dropped after the module."""
    with ExitStack() as databases:
        yield lambda name: databases.enter_context(scratch_database(local_server_url))


@pytest.fixture(scope="module")
def clean(scratch) -> tuple[str, GenerationReport]:
    url = scratch("clean")
    return url, generate(url, SMALL)


@pytest.fixture(scope="module")
def large(scratch) -> str:
    """Enough users for rarer events (refunds) and for an experiment to show its lift."""
    url = scratch("large")
    generate(url, GenerationSpec(users=1500, days=30, end=END, seed=2))
    return url


@pytest.fixture(scope="module")
def dirty(scratch) -> tuple[str, GenerationReport]:
    url = scratch("dirty")
    spec = GenerationSpec(users=300, days=21, end=END, seed=11, bad_rate=0.02)
    return url, generate(url, spec)


# --- the rules a quarantine applies (written independently of the generator) -------------

_ENUMS = {
    ("users", "role"): ("student", "mentor", "admin"),
    ("subscriptions", "plan"): ("monthly", "annual"),
    ("subscriptions", "status"): ("active", "cancelled", "expired"),
    ("payments", "kind"): ("subscription", "mentor_session", "course"),
    ("payments", "status"): ("succeeded", "failed", "refunded"),
    ("app_sessions", "device_type"): ("web", "ios", "android"),
    ("events", "event_type"): ("page_view", "click", "conversion", "signup", "login", "search"),
    ("content", "kind"): ("course", "scenario", "exam"),
    ("content", "difficulty"): ("beginner", "intermediate", "advanced"),
    ("practice_attempts", "status"): ("completed", "abandoned", "in_progress"),
    ("mentor_sessions", "status"): ("scheduled", "completed", "cancelled", "no_show"),
    ("community_activity", "activity_type"): ("view", "post", "comment", "like", "share"),
    ("geo_access_attempts", "result"): ("allowed", "blocked"),
    ("error_logs", "level"): ("warning", "error", "critical"),
}
_PARENTS = {  # foreign key -> parent table (id)
    "user_id": "users",
    "student_id": "users",
    "mentor_id": "users",
    "content_id": "content",
    "subscription_id": "subscriptions",
    "community_id": "communities",
    "experiment_id": "experiments",
    "session_id": "app_sessions",
}
_FKS = {
    "subscriptions": ("user_id",),
    "payments": ("user_id", "subscription_id"),
    "app_sessions": ("user_id",),
    "events": ("user_id", "session_id"),
    "content": ("mentor_id",),
    "enrollments": ("user_id", "content_id"),
    "practice_attempts": ("user_id", "content_id"),
    "mentor_sessions": ("mentor_id", "student_id"),
    "reviews": ("user_id", "content_id", "mentor_id"),
    "nps_responses": ("user_id",),
    "experiment_assignments": ("experiment_id", "user_id"),
    "community_memberships": ("community_id", "user_id"),
    "community_activity": ("community_id", "user_id"),
    "geo_access_attempts": ("user_id", "community_id"),
    "error_logs": ("user_id",),
    "api_requests": ("user_id",),
}
_PAIRS = {  # (start, end) columns
    "subscriptions": [("started_at", "ended_at")],
    "app_sessions": [("started_at", "ended_at")],
    "enrollments": [("enrolled_at", "completed_at")],
    "practice_attempts": [("started_at", "finished_at")],
    "experiments": [("started_at", "ended_at")],
    "community_memberships": [("joined_at", "left_at")],
    "error_logs": [("occurred_at", "resolved_at")],
}
_RANGES = {
    "enrollments": "progress_pct not between 0 and 100",
    "practice_attempts": "score not between 0 and 100",
    "reviews": "rating not between 1 and 5",
    "nps_responses": "score not between 0 and 10",
}
_NEGATIVE = {
    "subscriptions": "price_cents < 0",
    "payments": "amount_cents <= 0",
    "practice_attempts": "duration_seconds < 0",
    "mentor_sessions": "price_cents < 0 or duration_minutes < 0",
    "api_requests": "response_ms < 0",
}
_COUNTRIES = {
    "users": "country_code !~ '^[A-Z]{2}$'",
    "app_sessions": "country_code !~ '^[A-Z]{2}$'",
    "geo_access_attempts": "country_code !~ '^[A-Z]{2}$'",
    "communities": "exists (select from unnest(allowed_countries) c where c !~ '^[A-Z]{2}$')",
}
# Timestamps that must not be after updated_at (mentor_sessions.scheduled_at may be: a
# booked appointment lies ahead of the booking's last update).
_WRITTEN_AFTER = {
    "users": ("created_at", "last_login_at", "deleted_at"),
    "subscriptions": ("started_at", "ended_at"),
    "app_sessions": ("started_at", "ended_at"),
    "content": ("created_at",),
    "enrollments": ("enrolled_at", "completed_at"),
    "practice_attempts": ("started_at", "finished_at"),
    "mentor_sessions": ("created_at",),
    "experiments": ("started_at", "ended_at"),
    "communities": ("created_at",),
    "community_memberships": ("joined_at", "left_at"),
    "error_logs": ("occurred_at", "resolved_at"),
}


def _timestamps(table: str) -> list[str]:
    return [c.name for c in source_tables()[table].columns if c.type == "timestamptz"]


def rules(table: str) -> dict[str, str]:
    """kind -> SQL predicate of a bad row of `table` (duplicate_key is counted apart)."""
    t = source_tables()[table]
    out = {"null_key": " or ".join(f"{k} is null" for k in t.key)}
    enums = [
        f"{col} not in ({', '.join(repr(v) for v in values)})"
        for (tab, col), values in _ENUMS.items()
        if tab == table
    ]
    if table == "experiment_assignments":
        # (judged only where the experiment exists: else the row is an orphan)
        enums.append(
            "exists (select from app.experiments x where x.id = experiment_id) and "
            "not exists (select from app.experiments x where x.id = experiment_id "
            "and variant = any(x.variants))"
        )
    if enums:
        out["invalid_enum"] = " or ".join(enums)
    if table in _RANGES:
        out["out_of_range"] = _RANGES[table]
    if table in _NEGATIVE:
        out["negative_value"] = _NEGATIVE[table]
    if table in _PAIRS:
        out["end_before_start"] = " or ".join(f"{b} < {a}" for a, b in _PAIRS[table])
    if table in _WRITTEN_AFTER:
        out["future_timestamp"] = " or ".join(f"{c} > updated_at" for c in _WRITTEN_AFTER[table])
    if table == "events":
        out["future_timestamp"] = "occurred_at > received_at"
    old = [c for c in _timestamps(table) if c != t.window_column]
    if old:
        out["before_platform"] = " or ".join(f"{c} < '2015-01-01'" for c in old)
    if table in _FKS:
        out["orphan_fk"] = " or ".join(
            f"({fk} is not null and not exists (select from app.{_PARENTS[fk]} p "
            f"where p.id = {fk}))"
            for fk in _FKS[table]
        )
    if table == "events":
        out["malformed_json"] = "jsonb_typeof(properties) <> 'object'"
    if table in _COUNTRIES:
        out["invalid_country"] = _COUNTRIES[table]
    if table == "reviews":
        out["invalid_review_target"] = "(content_id is null) = (mentor_id is null)"
    return out


def duplicate_rows(url: str, table: str) -> int:
    """Rows beyond the first of each non-null key."""
    key = ", ".join(source_tables()[table].key)
    not_null = " and ".join(f"{k} is not null" for k in source_tables()[table].key)
    return _count(
        url, f"select count(*) - count(distinct ({key})) from app.{table} where {not_null}"
    )


def measured(url: str, table: str) -> dict[str, int]:
    found = {
        kind: _count(url, f"select count(*) from app.{table} where coalesce({p}, false)")
        for kind, p in rules(table).items()
    }
    found["duplicate_key"] = duplicate_rows(url, table)
    return {k: v for k, v in found.items() if v}


def _defects_per_row(url: str, table: str) -> int:
    """Most rule matches of any one row."""
    hits = " + ".join(f"(coalesce({p}, false))::int" for p in rules(table).values())
    return _count(url, f"select coalesce(max({hits}), 0) from app.{table}")


# --- tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("users", 0), ("days", 0), ("bad_rate", -0.01), ("bad_rate", 0.51), ("users", 2.5)],
)
def test_spec_rejects_bad_arguments_naming_them(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        GenerationSpec(**{field: value})


def test_spec_rejects_a_period_before_the_platform_existed() -> None:
    with pytest.raises(ValueError, match=r"end 2015-02-10 and days 5 .* 2015-03-02 or later"):
        GenerationSpec(end=date(2015, 2, 10), days=5)


def test_every_kind_has_a_table_and_every_table_its_kinds():
    catalog = defect_catalog()
    assert set(catalog) == set(source_tables())
    assert {kind for kinds in catalog.values() for kind in kinds} == set(BAD_ROW_KINDS)
    assert all({"null_key", "duplicate_key"} <= set(kinds) for kinds in catalog.values())


def test_same_spec_gives_identical_tables_and_another_seed_does_not(server_url, make_database):
    spec = GenerationSpec(users=60, days=5, end=END, seed=3, bad_rate=0.05)
    first, second = make_database(server_url), make_database(server_url)
    generate(first, spec)
    generate(second, GenerationSpec(users=60, days=5, end=END, seed=4, bad_rate=0.05))
    other = table_checksums(second)
    generate(second, spec)  # a rerun replaces whatever was there
    sums = table_checksums(first)
    assert sums == table_checksums(second)
    changed = {t for t, s in other.items() if s != sums[t]}
    assert {"users", "app_sessions", "events", "api_requests"} <= changed


def test_clean_source_has_no_bad_row(clean):
    url, report = clean
    assert report.bad_rows == {}
    for table in source_tables():
        assert measured(url, table) == {}, table


def test_every_bad_kind_is_injected_and_counted_exactly(dirty):
    url, report = dirty
    assert set(report.bad_by_kind()) == set(BAD_ROW_KINDS)
    assert all(count > 0 for count in report.bad_by_kind().values())
    for table in source_tables():
        expected = {k: c for (t, k), c in report.bad_rows.items() if t == table}
        assert measured(url, table) == expected, table
        assert _defects_per_row(url, table) <= 1, f"{table}: a row with two defects"


def test_spot_checks_of_reported_counts(dirty):
    url, report = dirty
    bad = report.bad_rows
    assert (
        _count(url, "select count(*) from app.events where occurred_at > received_at")
        == (bad[("events", "future_timestamp")])
    )
    assert (
        _count(url, "select count(*) from app.nps_responses where score > 10 or score < 0")
        == (bad[("nps_responses", "out_of_range")])
    )
    assert (
        _count(url, "select count(*) from app.events where jsonb_typeof(properties) <> 'object'")
        == bad[("events", "malformed_json")]
    )
    assert (
        _count(url, "select count(*) from app.events where id is null")
        == (bad[("events", "null_key")])
    )


def test_bad_rows_are_about_the_requested_share(clean, dirty):
    (_, good), (_, mixed) = clean, dirty
    bad = sum(mixed.bad_rows.values())
    # The same seed builds the same good rows; bad rows come on top of them.
    assert mixed.total_rows - bad == good.total_rows
    assert 0.015 < bad / good.total_rows < 0.025


@pytest.mark.parametrize("which", ["clean", "dirty"])
def test_every_window_column_is_inside_the_period(which, request):
    url, _ = request.getfixturevalue(which)
    for table in source_tables().values():
        outside = _count(
            url,
            f"select count(*) from app.{table.name} where "
            f"{table.window_column} < '{PERIOD[0]}' or "
            f"{table.window_column} >= '{PERIOD[1]}' or "
            f"{table.window_column} is null",
        )
        assert outside == 0, table.name


def test_report_renders_every_kind_with_its_count(dirty):
    _, report = dirty
    text = report.render()
    for kind, count in report.bad_by_kind().items():
        assert f"{kind} {count:,}" in text
    assert f"{report.total_rows:,} rows" in text


def _previous(url: str) -> dict[str, str]:
    generate(url, GenerationSpec(users=40, days=3, end=END, seed=5))
    return table_checksums(url)


def test_a_failure_mid_generation_leaves_the_previous_contents(local_server_url, make_database):
    url = make_database(local_server_url)
    before = _previous(url)
    seen = []

    def interrupt(table: str) -> None:
        seen.append(table)
        if table == "events":
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        generate(url, SMALL, after_table=interrupt)
    assert "users" in seen and "events" in seen
    assert table_checksums(url) == before


def test_a_killed_generation_leaves_the_previous_contents(local_server_url, make_database):
    url = make_database(local_server_url)
    before = _previous(url)
    code = (
        "import sys; from datetime import date\n"
        "from demo_source.generator import GenerationSpec, generate\n"
        "generate(sys.argv[1], GenerationSpec(users=3000, days=120, end=date(2026, 6, 30)))\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code, url], env=os.environ.copy())
    dbname = url.rsplit("/", 1)[1]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # kill it while it copies the events
            copying = _count(
                local_server_url,
                "select count(*) from pg_stat_activity where "
                f"datname = '{dbname}' and query like "
                "'copy app.events%'",
            )
            if copying or child.poll() is not None:
                break
            time.sleep(0.02)
        assert child.poll() is None, "the generation ended before it could be killed"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    # The server notices the dead client and rolls its transaction back.
    deadline = time.monotonic() + 30
    while (
        _count(
            local_server_url,
            "select count(*) from pg_stat_activity "
            f"where datname = '{dbname}' and pid <> pg_backend_pid() "
            "and state <> 'idle'",
        )
        and time.monotonic() < deadline
    ):
        time.sleep(0.1)
    assert table_checksums(url) == before


# --- the data tells a consistent story ------------------------------------------------------


def test_events_happen_inside_their_session(clean):
    url, _ = clean
    assert _count(url, "select count(*) from app.events where session_id is not null") > 1000
    assert (
        _count(
            url,
            """
        select count(*) from app.events e join app.app_sessions s on s.id = e.session_id
        where e.occurred_at < s.started_at or e.occurred_at > coalesce(s.ended_at, s.updated_at)
           or e.user_id is distinct from s.user_id""",
        )
        == 0
    )


def test_goal_events_follow_an_assignment(clean):
    url, _ = clean
    goals = """from app.events e join app.experiments x on e.event_name = x.goal_event"""
    assert _count(url, f"select count(*) {goals}") > 10
    assert (
        _count(
            url,
            f"""select count(*) {goals} where not exists (
        select from app.experiment_assignments a where a.experiment_id = x.id
        and a.user_id = e.user_id and a.assigned_at < e.occurred_at)""",
        )
        == 0
    )
    assert (
        _count(
            url,
            """select count(*) from app.experiment_assignments a
        join app.experiments x on x.id = a.experiment_id
        where a.assigned_at < x.started_at or a.assigned_at >= x.ended_at""",
        )
        == 0
    )


def test_scores_improve_with_practice(clean):
    url, _ = clean
    # Per user with >= 4 completed attempts: mean of the later half minus the earlier half.
    gain = _count(
        url,
        """
        with ranked as (
            select user_id, score, row_number() over w as n, count(*) over u as total
            from app.practice_attempts where status = 'completed'
            window w as (partition by user_id order by started_at, id), u as (partition by user_id))
        select avg(later - earlier) from (
            select user_id, avg(score) filter (where n > total / 2) as later,
                   avg(score) filter (where n <= total / 2) as earlier
            from ranked where total >= 4 group by user_id) per_user""",
    )
    assert gain > 3


def test_fewer_sessions_on_weekends_and_at_night(clean):
    url, _ = clean
    weekday, weekend = (
        _count(
            url,
            f"""select avg(n) from (
        select started_at::date, count(*) as n from app.app_sessions
        where extract(isodow from started_at) {op} 6 group by 1) d""",
        )
        for op in ("<", ">=")
    )
    assert weekend < 0.8 * weekday
    night, peak = (
        _count(
            url,
            f"""select count(*) from app.app_sessions
        where extract(hour from started_at) between {a} and {b}""",
        )
        for a, b in ((2, 4), (9, 11))
    )
    assert peak > 4 * night


def test_signups_grow_over_the_period(clean):
    url, _ = clean
    first, second = (
        _count(
            url,
            f"""select count(*) from app.users
        where created_at >= '{a}' and created_at < '{b}'""",
        )
        for a, b in (("2026-06-10", "2026-06-20"), ("2026-06-20", "2026-06-30"))
    )
    assert second > 1.2 * first > 0
    assert _count(url, "select count(*) from app.events where event_type = 'signup'") == (
        _count(url, f"select count(*) from app.users where created_at >= '{PERIOD[0]}'")
    )


def test_accounts_staff_and_deletions(clean):
    url, _ = clean
    assert 1 <= _count(url, "select count(*) from app.users where role = 'admin'") <= 5
    assert _count(url, "select count(*) from app.users where role = 'mentor'") >= 3
    assert _count(url, "select count(*) from app.users where deleted_at is not null") > 0
    assert (
        _count(
            url,
            """select count(*) from app.app_sessions s join app.users u
        on u.id = s.user_id where s.started_at < u.created_at
        or s.started_at >= u.deleted_at""",
        )
        == 0
    )
    assert (
        _count(
            url,
            """select count(*) from app.users u where last_login_at is distinct
        from (select max(started_at) from app.app_sessions s where s.user_id = u.id)
        and exists (select from app.app_sessions s where s.user_id = u.id)""",
        )
        == 0
    )


def test_late_events_are_counted_and_a_few_percent(clean):
    url, report = clean
    late = _count(
        url, "select count(*) from app.events where received_at >= occurred_at + interval '1 hour'"
    )
    assert late == report.late_events
    assert 0.01 < late / report.rows["events"] < 0.06


def test_money_adds_up(large):
    url = large
    assert _count(url, "select count(distinct currency) from app.subscriptions") == 3
    assert _count(url, "select count(distinct plan) from app.subscriptions") == 2
    # Every subscription charge is its subscription's price, in its currency, by its user.
    assert (
        _count(
            url,
            """select count(*) from app.payments p join app.subscriptions s
        on s.id = p.subscription_id where p.amount_cents <> s.price_cents
        or p.currency <> s.currency or p.user_id <> s.user_id""",
        )
        == 0
    )
    # A refund repeats an earlier successful charge of the same user, kind and amount.
    assert _count(url, "select count(*) from app.payments where status = 'refunded'") > 0
    assert (
        _count(
            url,
            """select count(*) from app.payments r where r.status = 'refunded'
        and not exists (select from app.payments p where p.status = 'succeeded'
        and p.user_id = r.user_id and p.kind = r.kind and p.amount_cents = r.amount_cents
        and p.created_at < r.created_at)""",
        )
        == 0
    )
    # Subscriptions renew, once per period of their plan.
    assert (
        _count(
            url,
            """select count(*) from (select subscription_id from app.payments
        where status = 'succeeded' group by 1 having count(*) > 1) renewed""",
        )
        > 0
    )
    assert (
        _count(
            url,
            """select count(*) from app.payments a join app.payments b
        on a.subscription_id = b.subscription_id and a.id < b.id and a.status = 'succeeded'
        and b.status = 'succeeded' and b.created_at < a.created_at + interval '27 days'
        """,
        )
        == 0
    )


def test_geo_checks_follow_the_allowed_countries(large):
    url = large
    assert (
        _count(
            url,
            """select count(*) from app.geo_access_attempts g
        join app.communities c on c.id = g.community_id
        where (g.result = 'allowed') <> (g.country_code = any(c.allowed_countries))""",
        )
        == 0
    )
    assert _count(url, "select count(*) from app.geo_access_attempts where result = 'blocked'") > 0
    assert _count(url, "select count(*) from app.geo_access_attempts where is_traveler") > 0
    assert (
        _count(
            url,
            """select count(*) from app.community_activity a
        join app.community_memberships m using (community_id, user_id)
        where a.occurred_at < m.joined_at or a.occurred_at >= m.left_at""",
        )
        == 0
    )


def test_the_pricing_experiment_has_a_real_lift(large):
    rates = {}
    with connect(large) as conn:
        for variant, assigned, converted in conn.execute("""
            with x as (select * from app.experiments where key = 'pricing_page_v2'),
            goal as (select user_id, max(occurred_at) as last from app.events
                     where event_name = (select goal_event from x) group by user_id)
            select a.variant, count(*), count(*) filter (where goal.last > a.assigned_at)
            from app.experiment_assignments a join x on x.id = a.experiment_id
            left join goal using (user_id) group by a.variant"""):
            assert assigned > 400
            rates[variant] = converted / assigned
    assert rates["new_pricing"] > rates["control"] + 0.02
