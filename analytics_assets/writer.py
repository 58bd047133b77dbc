"""One writer per warehouse: the lock every run holds while it writes, and the healing that
follows a writer that died.

Every step of a run writes tables that other steps of any run also write (dbt's
unpartitioned models, the checked tables, the metric tables), so runs of the same warehouse
take turns: a run holds a session-level advisory lock in the warehouse from before its
first step to after its last (`writer_lock`). A second run waits for it, saying whom it
waits for, then runs on the tables the first one left. The lock lives in the warehouse
itself, so it binds every process that writes there (the runs `analytics run` and the
daemon launch, a test's in-process run, a second machine) and dies with its session: a
killed run releases it at once.

What a killed run can leave behind, and what the next holder heals before it writes:
- dbt sessions of the dead run (an orphaned dbt, where it could not die with its parent):
  while we hold the lock no other run writes, so any session named `analytics-dbt` is one;
  it is terminated;
- a `__dbt_backup` or `__dbt_tmp` relation (dbt drops a replaced table's backup after its
  commit; a kill in between leaves it): dropped. The rebuild of the window does the rest.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from analytics_assets.db import connect
from analytics_assets.dbt.project import DBT_APPLICATION_NAME

WRITER_LOCK = (7_002, 0)
"""(namespace, key) of the advisory lock; raw's per-table locks use namespace 7001."""

_RELATION_KINDS = {"r": "table", "p": "table", "v": "view", "m": "materialized view"}

_holds = threading.local()


def _held_here() -> dict[str, int]:
    """Warehouse URL -> how many times this thread holds its lock (a run executes in
    process on the thread that started it)."""
    if not hasattr(_holds, "by_url"):
        _holds.by_url = {}
    return _holds.by_url


def holder_name(run: str) -> str:
    """The lock session's application_name, which a waiting run shows (at most 63 bytes)."""
    return f"analytics writer {run}"[:63]


@contextmanager
def writer_lock(warehouse_url: str, run: str, log: Callable[[str], None]) -> Iterator[None]:
    """Hold the warehouse's writer lock for the block, waiting for it if another run holds
    it; heal what a dead writer left once it is ours.

    Re-entrant within a thread: code that holds it around runs it executes in its own
    process (a test, a tool) lets each run's resource (WarehouseWriter) find it held.
    """
    held = _held_here()
    if held.get(warehouse_url):
        held[warehouse_url] += 1
        try:
            yield
        finally:
            held[warehouse_url] -= 1
        return

    with connect(warehouse_url, autocommit=True) as conn:
        conn.execute("select set_config('application_name', %s, false)", (holder_name(run),))
        if not _try_lock(conn):
            log(f"waiting for the warehouse's writer lock, held by {_lock_holder(conn)}")
            conn.execute("select pg_advisory_lock(%s, %s)", WRITER_LOCK)
            log("writer lock acquired")
        held[warehouse_url] = 1
        try:
            for healed in heal(conn):
                log(healed)
            yield
        finally:
            held.pop(warehouse_url, None)
            conn.execute("select pg_advisory_unlock(%s, %s)", WRITER_LOCK)


def _try_lock(conn: psycopg.Connection) -> bool:
    row = conn.execute("select pg_try_advisory_lock(%s, %s)", WRITER_LOCK).fetchone()
    return bool(row and row[0])


def _lock_holder(conn: psycopg.Connection) -> str:
    row = conn.execute(
        """
        select a.application_name, a.pid, to_char(a.backend_start at time zone 'UTC', 'HH24:MI:SS')
        from pg_locks as l join pg_stat_activity as a on a.pid = l.pid
        where l.locktype = 'advisory' and l.granted and l.classid = %s and l.objid = %s
            -- an advisory lock belongs to one database: another warehouse on the server
            -- holds a writer lock of its own
            and l.database = (select oid from pg_database where datname = current_database())
        """,
        WRITER_LOCK,
    ).fetchone()
    if row is None:
        return "another run (it has just finished)"
    name, pid, since = row
    return f"'{name or 'an unnamed session'}' (backend pid {pid}, since {since} UTC)"


def heal(conn: psycopg.Connection) -> list[str]:
    """Undo what a dead writer left (see the module docstring); what was done, in words."""
    done = []
    for (pid,) in conn.execute(
        "select pid from pg_stat_activity "
        "where application_name = %s and datname = current_database() and pid <> pg_backend_pid()",
        (DBT_APPLICATION_NAME,),
    ).fetchall():
        conn.execute("select pg_terminate_backend(%s, 5000)", (pid,))
        done.append(f"terminated backend {pid}: a dbt session of a run that is gone")
    for schema, name, kind in conn.execute(
        """
        select n.nspname, c.relname, c.relkind
        from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
        where c.relkind in ('r', 'v', 'm', 'p')
            and (c.relname like '%%\\_\\_dbt\\_backup' or c.relname like '%%\\_\\_dbt\\_tmp')
            and n.nspname not in ('pg_catalog', 'information_schema')
            and n.nspname not like 'pg\\_temp\\_%%'
        """
    ).fetchall():
        conn.execute(
            sql.SQL("drop {} if exists {} cascade").format(
                sql.SQL(_RELATION_KINDS[kind]), sql.Identifier(schema, name)
            )
        )
        done.append(f"dropped {schema}.{name}, left by a run that was killed")
    return done
