"""Stage one window of one source table into schema raw: a COPY streamed between servers.

Rows travel as binary COPY chunks from the source straight into the warehouse: no
Python objects per row, flat memory. Every load is one warehouse transaction under an
advisory lock on the table, so a killed load leaves raw as it was and two loads of the
same table take turns.

Append-only tables replace their window: delete its rows, COPY the window in.
Mutable tables COPY the rows whose `updated_at` falls in the window, and the older ones
raw does not hold yet (newer than the newest version raw holds: the table's change
cursor; every older row when raw holds none), into a temp table, then upsert them by key,
the version of a row being its `updated_at`: a key's incoming rows replace its raw rows
when they are newer (or the same version with another number of rows), never when raw
holds a newer version (a late, older update never wins), and leave raw untouched when
nothing changed. Rows with a null key cannot be matched: they are replaced per window like
append-only rows.

What the counts mean (per day of the window):
- rows_copied: rows read from the source.
- append-only: rows_added / rows_removed are the net growth / shrinkage of the day since
  its previous load (a late row is +1; a row replaced by another is neither).
- mutable, counted by key: rows_added = keys raw did not have, rows_updated = keys whose
  rows were replaced, rows_skipped = keys whose incoming version is older than raw's (not
  applied); null-key rows count as added/removed by net change.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import psycopg
from psycopg import sql

from analytics_assets.db import connect
from analytics_assets.raw.contract import check_raw, check_source
from analytics_assets.raw.ddl import (
    BOOKKEEPING_COLUMNS,
    LOCK_NAMESPACE,
    RAW_SCHEMA,
    ensure_raw_table,
    index_names,
    raw_table_name,
)
from analytics_assets.raw.window import partition_expression, window_predicate
from analytics_assets.source.tables import SOURCE_SCHEMA, SourceTable
from analytics_assets.window import Window

_INCOMING = sql.Identifier("_raw_incoming")
_DECISION = sql.Identifier("_raw_decision")


@dataclass(frozen=True)
class DayChange:
    day: date
    rows_copied: int = 0
    rows_added: int = 0
    rows_removed: int = 0
    rows_updated: int = 0
    rows_skipped: int = 0


@dataclass(frozen=True)
class LoadResult:
    table: str
    window: Window
    days: tuple[DayChange, ...]
    seconds: float
    caught_up: int = 0
    """Rows of days before the window that raw did not hold (mutable tables' catch-up)."""

    @property
    def rows_copied(self) -> int:
        return sum(d.rows_copied for d in self.days)

    @property
    def rows_added(self) -> int:
        return sum(d.rows_added for d in self.days)

    @property
    def rows_removed(self) -> int:
        return sum(d.rows_removed for d in self.days)

    @property
    def rows_updated(self) -> int:
        return sum(d.rows_updated for d in self.days)

    @property
    def rows_skipped(self) -> int:
        return sum(d.rows_skipped for d in self.days)

    @property
    def rows_per_second(self) -> float:
        return self.rows_copied / self.seconds if self.seconds > 0 else 0.0


def load_window(
    source_url: str, warehouse_url: str, table: SourceTable, window: Window, first_partition: date
) -> LoadResult:
    """Copy the window's rows of app.<table> into raw.<table> (see the module docstring);
    `first_partition` is the project's first day (its partition takes the older rows).

    Raises ContractDrift, before touching raw, when the source table no longer matches
    the contract.
    """
    started = time.perf_counter()
    with (
        connect(source_url, autocommit=True) as src,
        connect(warehouse_url, autocommit=True) as dst,
    ):
        # The source is someone else's database: make any write an error.
        src.execute("set default_transaction_read_only = on")
        check_source(src, table)
        ensure_raw_table(dst, table)
        check_raw(dst, RAW_SCHEMA, table, BOOKKEEPING_COLUMNS)
        # One transaction: a load that fails or is killed leaves raw as it was.
        with dst.transaction():
            dst.execute(
                "select pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_NAMESPACE, table.name)
            )
            # Room for the upsert's hash joins and aggregates to stay in memory.
            dst.execute("set local work_mem = '128MB'")
            if table.mutable:
                days, caught_up = _upsert(src, dst, table, window, first_partition)
            else:
                days, caught_up = _replace(src, dst, table, window, first_partition), 0
            # BRIN summarises new pages only when told (or when vacuum passes): until then
            # every window filter reads them all, which after a few loads is all of raw.
            dst.execute(
                sql.SQL("select brin_summarize_new_values({})").format(
                    sql.Literal(f"{RAW_SCHEMA}.{index_names(table)[0]}")
                )
            )
    return LoadResult(table.name, window, days, time.perf_counter() - started, caught_up)


def source_select(
    table: SourceTable, window: Window, first_partition: date, held_until: datetime | None = None
) -> sql.Composed:
    """The window's rows in contract order, plus the daily partition each belongs to; for a
    mutable table also the older rows newer than `held_until` (window_predicate)."""
    return sql.SQL("select {cols}, {part} as _partition from {src} where {where}").format(
        cols=_column_list(table.column_names),
        part=partition_expression(table.window_column, first_partition),
        src=sql.Identifier(SOURCE_SCHEMA, table.name),
        where=window_predicate(
            table.window_column, window, first_partition, table.mutable, held_until
        ),
    )


def held_until(dst: psycopg.Connection, table: SourceTable, window: Window) -> datetime | None:
    """The newest version raw holds from before the window's end (None: none): the change
    cursor a mutable table's load catches up from. One step down its btree."""
    row = dst.execute(
        sql.SQL("select max({col}) from {raw} where {col} < %s").format(
            col=sql.Identifier(table.window_column), raw=raw_table_name(table)
        ),
        (window.bounds[1],),
    ).fetchone()
    return row[0] if row else None


def stream_copy(
    src: psycopg.Connection,
    dst: psycopg.Connection,
    select: sql.Composable,
    target: sql.Composable,
    columns: Iterable[str],
) -> int:
    """COPY the rows of `select` on src into `target` (columns) on dst, chunk by chunk;
    returns the number of rows copied."""
    copy_out = sql.SQL("copy ({}) to stdout (format binary)").format(select)
    copy_in = sql.SQL("copy {} ({}) from stdin (format binary)").format(
        target, _column_list(columns)
    )
    writer = dst.cursor()
    with src.cursor().copy(copy_out) as out, writer.copy(copy_in) as inp:
        for chunk in out:
            inp.write(chunk)
    return writer.rowcount


def _replace(
    src: psycopg.Connection,
    dst: psycopg.Connection,
    table: SourceTable,
    window: Window,
    first_partition: date,
) -> tuple[DayChange, ...]:
    raw = raw_table_name(table)
    bounds = (window.start, window.last_day)
    columns = (*table.column_names, "_partition")
    if len(window.days) == 1:
        # One day (the daily schedule's case): the statements' row counts say it all, no
        # extra scan of the day's rows.
        before = {
            window.start: dst.execute(
                sql.SQL("delete from {} where _partition = %s").format(raw), (window.start,)
            ).rowcount
        }
        after = {
            window.start: stream_copy(
                src, dst, source_select(table, window, first_partition), raw, columns
            )
        }
    else:
        before = _day_counts(
            dst,
            sql.SQL(
                "with gone as (delete from {raw} where _partition between %s and %s "
                "returning _partition) select _partition, count(*) from gone group by 1"
            ).format(raw=raw),
            bounds,
        )
        stream_copy(src, dst, source_select(table, window, first_partition), raw, columns)
        after = _day_counts(
            dst,
            sql.SQL(
                "select _partition, count(*) from {raw} "
                "where _partition between %s and %s group by 1"
            ).format(raw=raw),
            bounds,
        )
    return tuple(
        DayChange(
            day,
            rows_copied=after.get(day, 0),
            rows_added=max(after.get(day, 0) - before.get(day, 0), 0),
            rows_removed=max(before.get(day, 0) - after.get(day, 0), 0),
        )
        for day in window.days
    )


def _upsert(
    src: psycopg.Connection,
    dst: psycopg.Connection,
    table: SourceTable,
    window: Window,
    first_partition: date,
) -> tuple[tuple[DayChange, ...], int]:
    """The window's changes per day, and the rows it caught up on from before the window."""
    raw = raw_table_name(table)
    keys = [sql.Identifier(k) for k in table.key]
    null_key = sql.SQL(" or ").join(sql.SQL("{} is null").format(k) for k in keys)
    bounds = (window.start, window.last_day)

    dst.execute(
        sql.SQL("create temp table {} (like {} including defaults) on commit drop").format(
            _INCOMING, raw
        )
    )
    held = held_until(dst, table, window)
    select = source_select(table, window, first_partition, held)
    stream_copy(src, dst, select, _INCOMING, (*table.column_names, "_partition"))
    # The planner knows nothing of a fresh temp table; without statistics it guesses badly.
    dst.execute(sql.SQL("analyze {}").format(_INCOMING))

    copied, null_after = {}, {}
    for day, rows, null_rows in dst.execute(
        sql.SQL(
            "select _partition, count(*), count(*) filter (where {}) from {} group by 1"
        ).format(null_key, _INCOMING)
    ):
        copied[day], null_after[day] = rows, null_rows
    # Null keys cannot be matched: they are replaced per window, and so are those of the
    # rows caught up on (the same condition on raw's rows as on the source's).
    caught_up = (
        sql.SQL("_partition < %s")
        if held is None
        else sql.SQL("(_partition < %s and {} > {})").format(
            sql.Identifier(table.window_column), sql.Literal(held)
        )
    )
    null_before = _day_counts(
        dst,
        sql.SQL(
            "with gone as (delete from {raw} where ({null_key}) "
            "and (_partition between %s and %s or {caught_up}) "
            "returning _partition) select _partition, count(*) from gone group by 1"
        ).format(raw=raw, null_key=null_key, caught_up=caught_up),
        (*bounds, window.start),
    )
    _decide(dst, table)
    dst.execute(
        sql.SQL(
            "delete from {raw} r using {decision} d where {match} and d.action = 'replace'"
        ).format(raw=raw, decision=_DECISION, match=_key_match("r", "d", table.key))
    )
    dst.execute(
        sql.SQL(
            "insert into {raw} ({cols}) select {icols} from {incoming} i "
            # keys to keep or skip are few, except in a rerun, where nothing is inserted
            "where not exists (select from {decision} d where {match} "
            "and d.action in ('keep', 'skip')) "
            # key order: the btree on the key takes sorted inserts far faster
            "order by {ikeys}"
        ).format(
            raw=raw,
            cols=_column_list((*table.column_names, "_partition")),
            icols=sql.SQL(", ").join(
                sql.Identifier("i", c) for c in (*table.column_names, "_partition")
            ),
            incoming=_INCOMING,
            decision=_DECISION,
            match=_key_match("i", "d", table.key),
            ikeys=sql.SQL(", ").join(sql.Identifier("i", k) for k in table.key),
        )
    )
    decided = {
        day: counts
        for day, *counts in dst.execute(
            sql.SQL(
                "select day, count(*) filter (where action = 'add'), "
                "count(*) filter (where action = 'replace'), "
                "count(*) filter (where action = 'skip') "
                "from {} group by day"
            ).format(_DECISION)
        )
    }
    changes = []
    for day in window.days:
        new, updated, skipped = decided.get(day, (0, 0, 0))
        null_delta = null_after.get(day, 0) - null_before.get(day, 0)
        changes.append(
            DayChange(
                day,
                rows_copied=copied.get(day, 0),
                rows_added=new + max(null_delta, 0),
                rows_removed=max(-null_delta, 0),
                rows_updated=updated,
                rows_skipped=skipped,
            )
        )
    caught_up = sum(rows for day, rows in copied.items() if day < window.start)
    return tuple(changes), caught_up


def _decide(dst: psycopg.Connection, table: SourceTable) -> None:
    """One row per incoming (non-null) key and what to do with it.

    The version of a row is its `updated_at` (null counts as the oldest possible). For each
    key, the newest incoming version against the newest raw one:
    - add: raw does not have the key;
    - replace: incoming is newer, or the same version with another number of rows (a
      duplicate appeared or went away);
    - keep: the same version with as many rows (a rerun): raw is left untouched;
    - skip: incoming is older than raw's version, which must not be overwritten.
    """
    keys = [sql.Identifier(k) for k in table.key]
    updated = sql.Identifier(table.window_column)
    dst.execute(
        sql.SQL(
            """
            create temp table {decision} on commit drop as
            with incoming as (
                select {keys}, max(coalesce({updated}, '-infinity')) as in_max,
                       count(*) as in_rows, max(_partition) as day
                from {incoming} where {not_null} group by {keys}
            ),
            versions as (
                select {ikeys}, i.in_max, i.in_rows, i.day,
                       max(coalesce(r.{updated}, '-infinity')) as raw_max,
                       count(r._partition) as raw_rows
                from incoming i left join {raw} r on {match}
                group by {ikeys}, i.in_max, i.in_rows, i.day
            )
            select {keys}, day, case
                when raw_rows = 0 then 'add'
                when in_max > raw_max then 'replace'
                when in_max < raw_max then 'skip'
                when in_rows <> raw_rows then 'replace'
                else 'keep'
            end as action
            from versions
            """
        ).format(
            decision=_DECISION,
            keys=sql.SQL(", ").join(keys),
            ikeys=sql.SQL(", ").join(sql.Identifier("i", k) for k in table.key),
            updated=updated,
            incoming=_INCOMING,
            not_null=sql.SQL(" and ").join(sql.SQL("{} is not null").format(k) for k in keys),
            raw=raw_table_name(table),
            match=_key_match("r", "i", table.key),
        )
    )
    dst.execute(sql.SQL("analyze {}").format(_DECISION))


def _key_match(left: str, right: str, key: tuple[str, ...]) -> sql.Composed:
    return sql.SQL(" and ").join(
        sql.SQL("{} = {}").format(sql.Identifier(left, k), sql.Identifier(right, k)) for k in key
    )


def _column_list(columns: Iterable[str]) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(c) for c in columns)


def _day_counts(
    conn: psycopg.Connection, query: sql.Composable, params: tuple = ()
) -> dict[date, int]:
    return {day: count for day, count in conn.execute(query, params or None)}
