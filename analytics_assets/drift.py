"""Late data beyond the lookback: rows that reach the source after the daily schedule has
stopped re-staging their day. A sensor counts rows per day on both sides and requests
ONE ranged run over the days that drifted; a second sensor then refreshes the weekly and
monthly rollups of those days once that run has succeeded.

Which days: the daily run on day t re-stages [t - 1 - lookback, t), so a day before
t - 1 - lookback is never staged again by the schedule. The sensor compares those days
within a horizon (30 days): [today - 30, today - 1 - lookback), never before the first
partition. Each side is counted in SQL, one `group by day` per table, where a row's day
is its daily partition (the loader's own expression, so the first partition also counts
the older and undated rows it takes).

What is drift: for an append-only table any difference (a late row, or a row deleted at
the source: a re-stage replaces the day). For a mutable table only a source count above
raw's: raw holding more rows on a day is expected there (a row updated later moves to the
day of its new `updated_at` in the source, while raw keeps it until that day is staged;
a row deleted at the source stays in raw) and re-staging the day would not change it.

Every drifted day requested is written to `quality.drift_log` (table, day, both counts,
when, run key) and tagged on the run. The cursor remembers what was requested with which
counts: a day whose counts did not change since is not requested again (its run may still
be queued, or a re-stage cannot fix it, e.g. a source key duplicated across days of which
raw keeps the newest version), so the sensor never loops; new late rows change the counts
and are requested again, and so is every day still drifting once the newest drift run has
failed or was cancelled. Both sensors are STOPPED by default, like the schedules.
"""

# No `from __future__ import annotations`: Dagster reads the sensor functions' context and
# resource annotations at definition time.
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import dagster as dg
import psycopg
from psycopg import sql

from analytics_assets.calendar import ended_periods_touching, first_day
from analytics_assets.db import connect
from analytics_assets.grains import DAILY, ROLLUPS
from analytics_assets.jobs import TRIGGER_TAG, day_keys, job, requested_run_tags, run_window
from analytics_assets.raw.ddl import RAW_SCHEMA
from analytics_assets.raw.window import partition_expression, window_predicate
from analytics_assets.resources import Databases
from analytics_assets.settings import get_settings
from analytics_assets.source.tables import SOURCE_SCHEMA, SourceTable, source_tables
from analytics_assets.window import Window

DRIFT_SENSOR = "late_data_drift"
ROLLUP_SENSOR = "late_data_rollups"
HORIZON_DAYS = 30
# Counting scans the source's recent rows: every few hours is enough for late data.
DRIFT_INTERVAL_SECONDS = 6 * 3600
DRIFT_TRIGGER = "drift"
DRIFT_TAG = "analytics/drift"
DRIFT_LOG = "quality.drift_log"

_LOG_DDL = """
select pg_advisory_xact_lock(hashtext('quality.drift_log'));
create schema if not exists quality;
create table if not exists quality.drift_log (
  table_name text not null,
  day date not null,
  source_rows bigint not null,
  raw_rows bigint not null,
  detected_at timestamptz not null,
  run_key text not null
);
"""


@dataclass(frozen=True)
class DayDrift:
    """One day of one table whose source and raw row counts disagree."""

    table: str
    day: date
    source_rows: int
    raw_rows: int

    @property
    def key(self) -> str:
        return f"{self.table}|{self.day.isoformat()}"

    @property
    def counts(self) -> tuple[int, int]:
        return (self.source_rows, self.raw_rows)

    def describe(self) -> str:
        return f"{self.table} {self.day} (source {self.source_rows}, raw {self.raw_rows})"


# --- pure helpers -----------------------------------------------------------------------


def drift_window(
    today: date, lookback_days: int, first: date, horizon_days: int = HORIZON_DAYS
) -> Window | None:
    """The days the daily schedule no longer re-stages, within the horizon, never before
    the first partition `first`; None if none."""
    start = max(today - timedelta(days=horizon_days), first)
    end = today - timedelta(days=1 + lookback_days)
    return Window(start, end) if start < end else None


def find_drift(
    table: SourceTable, source: Mapping[date, int], raw: Mapping[date, int]
) -> list[DayDrift]:
    """The days whose counts disagree (for a mutable table: where the source has more),
    in day order. Days absent from a mapping count 0."""
    drifts = []
    for day in sorted(set(source) | set(raw)):
        src, dst = source.get(day, 0), raw.get(day, 0)
        if src > dst or (src < dst and not table.mutable):
            drifts.append(DayDrift(table.name, day, src, dst))
    return drifts


def not_yet_requested(
    drifts: Iterable[DayDrift], requested: Mapping[str, Sequence[int]]
) -> list[DayDrift]:
    """The drifts the cursor does not hold with these very counts."""
    return [d for d in drifts if tuple(requested.get(d.key, ())) != d.counts]


def drift_days(drifts: Sequence[DayDrift]) -> Window:
    """The one range that covers every drifted day: min .. max (a re-stage of a day that
    did not drift changes nothing, so one run beats one run per gap)."""
    days = [d.day for d in drifts]
    return Window(min(days), max(days) + timedelta(days=1))


def drift_run_key(drifts: Sequence[DayDrift], serial: int) -> str:
    """The n-th drift request's run key, with a digest of what it was for (Dagster launches
    a run key once per sensor, so a retry needs a new serial)."""
    found = ";".join(f"{d.key}:{d.source_rows}:{d.raw_rows}" for d in sorted(drifts, key=_order))
    return f"{DRIFT_TRIGGER}-{serial}-{hashlib.sha1(found.encode()).hexdigest()[:12]}"


def drift_summary(drifts: Sequence[DayDrift]) -> str:
    tables = sorted({d.table for d in drifts})
    return (
        f"{len(drifts)} drifted day(s) in {len(tables)} table(s): {', '.join(tables)}; "
        f"see {DRIFT_LOG}"
    )


def drift_request(drifts: Sequence[DayDrift], serial: int) -> dg.RunRequest:
    """ONE ranged run of the pipeline job over the drifted days, tagged with why."""
    keys = day_keys(drift_days(drifts))
    return dg.RunRequest(
        run_key=drift_run_key(drifts, serial),
        job_name=DAILY.job,
        tags={
            **requested_run_tags(keys, DRIFT_TRIGGER),
            DRIFT_TAG: drift_summary(drifts),
        },
    )


@dataclass(frozen=True)
class DriftCursor:
    """The sensor's memory between ticks."""

    requested: Mapping[str, Sequence[int]]
    """Drifted days (`table|day`) requested so far -> their (source, raw) counts then."""
    requests: int = 0
    """Drift runs requested so far (numbers the run keys)."""

    def encode(self) -> str:
        return json.dumps(
            {"requested": dict(sorted(self.requested.items())), "requests": self.requests},
            separators=(",", ":"),
        )

    @classmethod
    def decode(cls, cursor: str | None) -> "DriftCursor":
        if not cursor:
            return cls({})
        data = json.loads(cursor)
        requested = {key: list(counts) for key, counts in data.get("requested", {}).items()}
        return cls(requested, int(data.get("requests", 0)))

    def after(self, drifts: Sequence[DayDrift], requested_now: bool) -> "DriftCursor":
        """The cursor after a tick: every current drift with its counts (all of them are
        requested by now). Days that agree again, or left the window, are forgotten, so a
        day drifting anew is requested anew."""
        return DriftCursor(
            {d.key: list(d.counts) for d in drifts}, self.requests + int(requested_now)
        )


def _order(drift: DayDrift) -> tuple[str, date]:
    return (drift.table, drift.day)


# --- counting in SQL --------------------------------------------------------------------


def source_day_counts(
    conn: psycopg.Connection, table: SourceTable, window: Window, first: date
) -> dict[date, int]:
    """Rows per daily partition of app.<table> over the window (`first`: the first
    partition, which also counts the older and undated rows)."""
    query = sql.SQL("select {day}, count(*) from {src} where {where} group by 1").format(
        day=partition_expression(table.window_column, first),
        src=sql.Identifier(SOURCE_SCHEMA, table.name),
        where=window_predicate(table.window_column, window, first),
    )
    return dict(conn.execute(query).fetchall())


def raw_day_counts(
    conn: psycopg.Connection, table: SourceTable, window: Window
) -> dict[date, int] | None:
    """Rows per `_partition` of raw.<table> over the window; None when the table does not
    exist (nothing was ever staged: not drift)."""
    exists = conn.execute("select to_regclass(%s)", (f"{RAW_SCHEMA}.{table.name}",)).fetchone()[0]
    if exists is None:
        return None
    query = sql.SQL(
        "select _partition, count(*) from {raw} where _partition >= %s and _partition < %s "
        "group by 1"
    ).format(raw=sql.Identifier(RAW_SCHEMA, table.name))
    return dict(conn.execute(query, (window.start, window.end)).fetchall())


@dataclass(frozen=True)
class DriftScan:
    window: Window
    drifts: tuple[DayDrift, ...]
    tables_compared: int
    tables_unstaged: tuple[str, ...]


def scan(
    source_url: str,
    warehouse_url: str,
    days: Window,
    first: date,
    tables: Iterable[SourceTable] | None = None,
) -> DriftScan:
    """Compare every table's rows per day over `days`, source against raw (`first`: the
    first partition)."""
    drifts: list[DayDrift] = []
    compared, unstaged = 0, []
    with (
        connect(source_url, autocommit=True) as src,
        connect(warehouse_url, autocommit=True) as dst,
    ):
        # The source is someone else's database: make any write an error.
        src.execute("set default_transaction_read_only = on")
        for table in tables or source_tables().values():
            raw = raw_day_counts(dst, table, days)
            if raw is None:
                unstaged.append(table.name)
                continue
            compared += 1
            drifts += find_drift(table, source_day_counts(src, table, days, first), raw)
    return DriftScan(days, tuple(drifts), compared, tuple(unstaged))


def log_drift(
    warehouse_url: str, drifts: Sequence[DayDrift], run_key: str, detected_at: datetime
) -> None:
    """Append the drifts that a run was requested for to quality.drift_log."""
    with connect(warehouse_url) as conn:
        conn.execute(_LOG_DDL)
        with conn.cursor() as cur:
            cur.executemany(
                "insert into quality.drift_log "
                "(table_name, day, source_rows, raw_rows, detected_at, run_key) "
                "values (%s, %s, %s, %s, %s, %s)",
                [(d.table, d.day, d.source_rows, d.raw_rows, detected_at, run_key) for d in drifts],
            )


# --- sensors ----------------------------------------------------------------------------


def _today() -> date:
    return datetime.now(UTC).date()


def last_drift_run_failed(instance: dg.DagsterInstance) -> bool:
    """Did the newest drift run fail or get cancelled? Its days then need another run."""
    runs = instance.get_runs(
        filters=dg.RunsFilter(job_name=DAILY.job, tags={TRIGGER_TAG: DRIFT_TRIGGER}), limit=1
    )
    return bool(runs) and runs[0].status in (
        dg.DagsterRunStatus.FAILURE,
        dg.DagsterRunStatus.CANCELED,
    )


def evaluate_drift(
    databases: Databases,
    instance: dg.DagsterInstance,
    cursor: str | None,
    today: date,
    lookback_days: int,
) -> dg.SensorResult:
    """One tick of the drift sensor: scan, log what is new, request one run for it."""
    state = DriftCursor.decode(cursor)
    first = first_day(DAILY.partitions())
    window = drift_window(today, lookback_days, first)
    if window is None:
        return dg.SensorResult(
            skip_reason=f"no day before the lookback ({lookback_days} days) to compare yet",
            cursor=state.after([], requested_now=False).encode(),
        )
    found = scan(databases.source_url(), databases.warehouse_url(), window, first)
    # After a failed drift run, what it was for counts as never requested: ask again.
    requested = {} if state.requested and last_drift_run_failed(instance) else state.requested
    new = not_yet_requested(found.drifts, requested)
    if not new:
        return dg.SensorResult(
            skip_reason=_skip_reason(found),
            cursor=state.after(found.drifts, requested_now=False).encode(),
        )
    request = drift_request(new, state.requests + 1)
    log_drift(databases.warehouse_url(), new, request.run_key or "", datetime.now(UTC))
    return dg.SensorResult(
        run_requests=[request], cursor=state.after(found.drifts, requested_now=True).encode()
    )


def _skip_reason(found: DriftScan) -> str:
    where = f"{found.window.label()}, {found.tables_compared} table(s)"
    if found.tables_unstaged:
        where += f"; never staged: {', '.join(found.tables_unstaged)}"
    if not found.drifts:
        return f"no drift: source and raw agree on every day of {where}"
    listed = "; ".join(d.describe() for d in found.drifts[:5])
    more = f" and {len(found.drifts) - 5} more" if len(found.drifts) > 5 else ""
    return (
        f"{len(found.drifts)} drifted day(s) already requested with these counts: "
        f"{listed}{more} ({where})"
    )


def drift_sensor() -> dg.SensorDefinition:
    @dg.sensor(
        name=DRIFT_SENSOR,
        job_name=DAILY.job,
        minimum_interval_seconds=DRIFT_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description=(
            "Counts rows per day, source against raw, over the last 30 days before the daily "
            "lookback, and re-stages the days that drifted in one ranged run "
            "(logged in quality.drift_log)."
        ),
    )
    def _drift(context: dg.SensorEvaluationContext, databases: Databases) -> dg.SensorResult:
        return evaluate_drift(
            databases, context.instance, context.cursor, _today(), get_settings().lookback_days
        )

    return _drift


def rollup_requests(run_id: str, run_tags: Mapping[str, str], today: date) -> list[dg.RunRequest]:
    """After a drift run over some days (its range tags): one ranged run per rollup grain
    over the weeks and months holding those days that have ended by `today` (their
    schedules rolled them up before the late rows landed). None for other runs."""
    days = run_window(run_tags)
    if run_tags.get(TRIGGER_TAG) != DRIFT_TRIGGER or days is None:
        return []
    requests = []
    for grain in ROLLUPS:
        periods = ended_periods_touching(grain.partitions(), days, ended_by=today)
        if periods is None:
            continue
        requests.append(
            dg.RunRequest(
                run_key=f"{run_id}:{grain.job}",
                job_name=grain.job,
                tags=requested_run_tags(periods, DRIFT_TRIGGER),
            )
        )
    return requests


def rollup_sensor() -> dg.RunStatusSensorDefinition:
    @dg.run_status_sensor(
        run_status=dg.DagsterRunStatus.SUCCESS,
        name=ROLLUP_SENSOR,
        request_jobs=[job(grain) for grain in ROLLUPS],
        default_status=dg.DefaultSensorStatus.STOPPED,
        description=(
            "When a drift re-stage succeeds, recompute the weekly and monthly rollups of the "
            "ended weeks and months it touched."
        ),
    )
    def _rollups(context: dg.RunStatusSensorContext) -> list[dg.RunRequest] | dg.SkipReason:
        run = context.dagster_run
        requests = rollup_requests(run.run_id, run.tags, _today())
        return requests or dg.SkipReason(
            f"run {context.dagster_run.run_id} is not a drift re-stage of an ended week or month"
        )

    return _rollups


def sensors() -> list[dg.SensorDefinition]:
    """Both sensors, for the Definitions."""
    return [drift_sensor(), rollup_sensor()]
