"""Fill the demo source (schema app) with a realistic, reproducible dataset.

    report = generate(url, GenerationSpec(users=2000, days=90, seed=7, bad_rate=0.02))

The whole generation is one transaction: the app tables are truncated and every row is
streamed in with COPY, then committed; an interrupted run leaves the previous contents.
Rows are built with numpy from streams seeded by (seed, table, day), so the same spec
gives byte-identical tables (`table_checksums`), and the big tables (events, API
requests) are built and sent one day at a time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import psycopg
from psycopg.copy import QueuedLibpqWriter

from analytics_assets.db import connect
from analytics_assets.source.bad_rows import BAD_ROW_KINDS
from analytics_assets.source.tables import SOURCE_SCHEMA, SourceTable, source_tables
from demo_source import frame as fr
from demo_source.billing import (
    Charges,
    build_subscriptions,
    payments_frame,
    subscriptions_frame,
)
from demo_source.community import build_communities
from demo_source.ddl import init_source
from demo_source.defects import Context, Injector, KeySequence
from demo_source.events import Catalog, Moments, build_catalog, events_chunk
from demo_source.experiments import GOALS, KEYS, build_assignments, experiments_frame
from demo_source.feedback import nps_frame, reviews_frame
from demo_source.learning import (
    attempts_frame,
    build_attempts,
    build_content,
    build_enrollments,
    content_frame,
    enrollments_frame,
)
from demo_source.mentoring import bookings_frame, build_bookings
from demo_source.operations import ErrorRows, api_chunk, error_logs_frame, incidents
from demo_source.people import MENTOR, NO_TIME, Users, build_users, users_frame
from demo_source.scenario import GenerationSpec, Period, Streams
from demo_source.sessions import Sessions, build_sessions, sessions_frame

__all__ = ["GenerationReport", "GenerationSpec", "generate", "table_checksums"]

SLICE_ROWS = 20_000
"""Rows encoded per COPY write: small enough that the server parses one slice while
Python encodes the next."""
STREAMED = ("events", "api_requests")


def write_order() -> tuple[str, ...]:
    """The contract's table order, except that error_logs follows api_requests (its
    errors are gathered while the requests are built)."""
    names = [t for t in source_tables() if t != "error_logs"]
    return (*names, "error_logs")


@dataclass
class GenerationReport:
    spec: GenerationSpec
    rows: dict[str, int] = field(default_factory=dict)
    """Rows written per table, bad rows included."""
    bad_rows: dict[tuple[str, str], int] = field(default_factory=dict)
    """Bad rows per (table, kind)."""
    late_events: int = 0
    """Good events received an hour or more after they occurred."""
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds > 0 else 0.0

    def bad_by_kind(self) -> dict[str, int]:
        """Bad rows per kind, in the order of BAD_ROW_KINDS (kinds never injected left out)."""
        out = {kind: 0 for kind in BAD_ROW_KINDS}
        for (_, kind), count in self.bad_rows.items():
            out[kind] += count
        return {kind: count for kind, count in out.items() if count}

    def render(self) -> str:
        s = self.spec
        lines = [
            f"generated {self.total_rows:,} rows in {self.seconds:.1f} s "
            f"({self.rows_per_second:,.0f} rows/s): {s.users:,} users, {s.days} days "
            f"{s.start} .. {s.end}, seed {s.seed}, bad rate {s.bad_rate:g}",
            f"{'table':<24}{'rows':>11}{'bad':>8}  bad kinds",
        ]
        for table, rows in self.rows.items():
            kinds = {
                k: self.bad_rows[table, k] for k in BAD_ROW_KINDS if (table, k) in self.bad_rows
            }
            detail = ", ".join(f"{k} {c}" for k, c in kinds.items())
            lines.append(f"{table:<24}{rows:>11,}{sum(kinds.values()):>8,}  {detail}".rstrip())
        events = self.rows.get("events", 0)
        share = f" ({self.late_events / events:.1%} of events)" if events else ""
        lines.append(
            f"late events (received >= 1 h after they occurred): {self.late_events:,}{share}"
        )
        by_kind = self.bad_by_kind()
        if by_kind:
            lines.append("bad rows by kind: " + ", ".join(f"{k} {c:,}" for k, c in by_kind.items()))
        return "\n".join(lines)


def generate(
    url: str,
    spec: GenerationSpec,
    progress: bool = False,
    *,
    after_table: Callable[[str], None] | None = None,
) -> GenerationReport:
    """Replace the contents of schema app at `url` with the dataset of `spec`.

    `after_table(name)` is called inside the transaction after each table is copied
    (an exception there rolls everything back: tests use it to interrupt a run).
    """
    began = time.perf_counter()
    init_source(url)
    report = GenerationReport(spec)
    with _progress(progress, spec) as advance:
        model = _Model.build(spec)
        advance("model built")
        injector = Injector(spec.bad_rate, model.streams, model.context())
        with connect(url) as conn:
            conn.execute("truncate " + ", ".join(f"{SOURCE_SCHEMA}.{t}" for t in write_order()))
            for name in write_order():
                chunks = model.chunks(name, injector)
                report.rows[name] = _copy(conn, source_tables()[name], chunks, advance)
                if after_table is not None:
                    after_table(name)
            conn.commit()
    report.bad_rows = dict(sorted(injector.counts.items()))
    report.late_events = model.late_events
    report.seconds = time.perf_counter() - began
    return report


def _copy(
    conn: psycopg.Connection,
    table: SourceTable,
    chunks: Iterator[tuple[fr.Frame, list[fr.Frame]]],
    advance: Callable[[str], None],
) -> int:
    columns = table.column_names
    rows = 0
    statement = f"copy {SOURCE_SCHEMA}.{table.name} ({', '.join(columns)}) from stdin"
    cursor = conn.cursor()
    # The queued writer sends from a thread: the server parses one slice while this
    # thread builds the next.
    with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
        for good, bad in chunks:
            for part in [good, *bad]:
                for lo in range(0, len(part), SLICE_ROWS):
                    piece = part.take(slice(lo, lo + SLICE_ROWS))
                    copy.write(fr.encode(piece, columns))
                rows += len(part)
            advance(table.name)
    return rows


@dataclass
class _Model:
    """Everything but the two big tables, built in memory before the transaction opens."""

    spec: GenerationSpec
    period: Period
    streams: Streams
    users: Users
    sessions: Sessions
    catalog: Catalog
    moments: Moments
    """Events of what happened inside sessions, merged into the events table by day."""
    frames: dict[str, fr.Frame]
    late_events: int = 0
    errors: ErrorRows = field(default_factory=ErrorRows)
    """Filled while the API requests are built; the error_logs table comes after them."""

    @classmethod
    def build(cls, spec: GenerationSpec) -> _Model:
        period, streams = Period.of(spec), Streams(spec.seed)
        users = build_users(spec, period, streams)
        content = build_content(users, period, streams)
        catalog = build_catalog(content.ids, GOALS, KEYS)
        sessions = build_sessions(users, period, streams)
        attempts, practice = build_attempts(users, sessions, content, catalog, period, streams)
        enrollments, purchases, course_charges = build_enrollments(
            users, sessions, content, catalog, period, streams
        )
        subs, checkouts, sub_charges = build_subscriptions(
            users, sessions, catalog, period, streams
        )
        bookings, booked, booking_charges = build_bookings(
            users, sessions, catalog, period, streams
        )
        assignments, goals = build_assignments(users, sessions, catalog, period, streams)
        community = build_communities(users, sessions, period, streams)
        last_session = np.full(users.n, NO_TIME)
        np.maximum.at(last_session, sessions.user, sessions.start)
        frames = {
            "users": users_frame(users, last_session, period, streams),
            "subscriptions": subscriptions_frame(subs),
            "payments": payments_frame(
                Charges.merge([sub_charges, course_charges, booking_charges])
            ),
            "app_sessions": sessions_frame(sessions),
            "content": content_frame(content, period, streams),
            "enrollments": enrollments_frame(enrollments),
            "practice_attempts": attempts_frame(attempts),
            "mentor_sessions": bookings_frame(bookings),
            "reviews": reviews_frame(users, attempts, enrollments, bookings, period, streams),
            "nps_responses": nps_frame(users, sessions, streams),
            "experiments": experiments_frame(period),
            "experiment_assignments": assignments,
            "communities": community.communities,
            "community_memberships": community.memberships,
            "community_activity": community.activity,
            "geo_access_attempts": community.geo,
        }
        moments = Moments.merge([practice, purchases, checkouts, booked, goals])
        return cls(spec, period, streams, users, sessions, catalog, moments, frames)

    def context(self) -> Context:
        users = self.users
        pairs = {}
        for table, first in (
            ("experiment_assignments", "experiment_id"),
            ("community_memberships", "community_id"),
        ):
            f = self.frames[table]
            pairs[table] = np.sort(f[first].values * (users.n + 1) + f["user_id"].values)
        return Context(users.n, users.ids[users.role == MENTOR], pairs)

    def chunks(self, table: str, injector: Injector) -> Iterator[tuple[fr.Frame, list[fr.Frame]]]:
        """(good rows, bad rows) chunks of one table, in write order."""
        if table == "events":
            yield from self._events(injector)
        elif table == "api_requests":
            yield from self._api_requests(injector)
        elif table == "error_logs":
            good = error_logs_frame(self.errors, self.period, self.streams)
            yield good, injector.bad_rows(table, good, keys=KeySequence(len(good) + 1))
        else:
            good = self.frames[table]
            yield good, injector.bad_rows(table, good, keys=KeySequence(len(good) + 1))

    def _events(self, injector: Injector) -> Iterator[tuple[fr.Frame, list[fr.Frame]]]:
        keys = KeySequence()
        for day in range(self.period.days):
            good, late = events_chunk(
                day,
                self.users,
                self.sessions,
                self.moments,
                self.catalog,
                self.period,
                self.streams,
                keys.next,
            )
            keys.take(len(good))
            self.late_events += late
            yield good, injector.bad_rows("events", good, day, keys)

    def _api_requests(self, injector: Injector) -> Iterator[tuple[fr.Frame, list[fr.Frame]]]:
        keys = KeySequence()
        windows = incidents(self.period, self.streams)
        for day in range(self.period.days):
            good = api_chunk(
                day,
                self.users,
                self.sessions,
                self.period,
                self.streams,
                windows,
                keys.next,
                self.errors,
            )
            keys.take(len(good))
            yield good, injector.bad_rows("api_requests", good, day, keys)


@contextmanager
def _progress(enabled: bool, spec: GenerationSpec) -> Iterator[Callable[[str], None]]:
    """advance(label): one step done. A bar on stderr when enabled, else nothing."""
    if not enabled:
        yield lambda label: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    steps = 1 + len(source_tables()) - len(STREAMED) + len(STREAMED) * spec.days
    with Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("building the model", total=steps)
        yield lambda label: bar.update(task, advance=1, description=label)


def table_checksums(url: str) -> dict[str, str]:
    """An md5 per app table over all its rows, computed in the database: each row's text
    is hashed, and the hashes, in their (total) order, are hashed again. Two databases
    compare equal exactly when they hold the same rows; no row leaves the server."""
    out = {}
    with connect(url) as conn:
        conn.execute("set timezone = 'UTC'")
        conn.execute("set datestyle = 'ISO, YMD'")
        for name in source_tables():
            row = conn.execute(
                f"select md5(coalesce(string_agg(h, '' order by h), '')) from ("
                f'select md5(t::text) collate "C" as h from {SOURCE_SCHEMA}.{name} t) s'
            ).fetchone()
            out[name] = row[0]
    return out
