"""One writer per warehouse: the lock, its healing, orphaned runs, dbt bound to its parent.

On a real PostgreSQL (both servers), with real processes: no lock or process is faked.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import dagster as dg
import psycopg
import pytest

from analytics_assets.db import connect
from analytics_assets.dbt.project import DBT_APPLICATION_NAME
from analytics_assets.jobs import HOST_TAG, PID_TAG
from analytics_assets.orphaned_runs import fail_orphaned_runs, process_tags
from analytics_assets.writer import WRITER_LOCK, heal, holder_name, writer_lock


def _lock_is_free(url: str) -> bool:
    with connect(url, autocommit=True) as conn:
        got = conn.execute("select pg_try_advisory_lock(%s, %s)", WRITER_LOCK).fetchone()[0]
        if got:
            conn.execute("select pg_advisory_unlock(%s, %s)", WRITER_LOCK)
        return bool(got)


def test_a_second_writer_waits_for_the_first_and_says_for_whom(server_url, make_database):
    url = make_database(server_url)
    order: list[str] = []
    waits: list[str] = []
    first_holds = threading.Event()

    def second() -> None:
        first_holds.wait(10)
        # Another process in real life; here another thread (the hold is per thread).
        with writer_lock(url, "second", waits.append):
            order.append("second")

    thread = threading.Thread(target=second)
    thread.start()
    with writer_lock(url, "first", lambda message: None):
        first_holds.set()
        time.sleep(1.0)  # long enough for the second to be waiting
        order.append("first")
    thread.join(20)
    assert order == ["first", "second"]
    assert waits and "'analytics writer first'" in waits[0]
    assert _lock_is_free(url)


def test_the_lock_is_reentrant_in_a_process_and_released_after(server_url, make_database):
    url = make_database(server_url)
    with writer_lock(url, "outer", print):
        with writer_lock(url, "inner", print):
            assert not _lock_is_free(url)
        assert not _lock_is_free(url)  # the inner exit does not release the outer hold
    assert _lock_is_free(url)


def test_a_killed_holder_releases_the_lock(server_url, make_database):
    url = make_database(server_url)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import time
                from analytics_assets.writer import writer_lock
                with writer_lock({url!r}, "doomed", print):
                    print("held", flush=True)
                    time.sleep(120)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    assert not _lock_is_free(url)
    holder.send_signal(signal.SIGKILL)
    holder.wait(10)
    deadline = time.monotonic() + 10
    while not _lock_is_free(url):
        assert time.monotonic() < deadline, "the lock outlived its holder"
        time.sleep(0.2)


def test_healing_ends_orphaned_dbt_sessions_and_drops_leftover_relations(server_url, make_database):
    url = make_database(server_url)
    with connect(url, autocommit=True) as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.dim_users (id int)")
        conn.execute("create table marts.dim_users__dbt_backup (id int)")
        conn.execute("create view marts.v__dbt_tmp as select 1 as one")
    orphan = psycopg.connect(url, application_name=DBT_APPLICATION_NAME, autocommit=True)
    bystander = psycopg.connect(url, application_name="someone else", autocommit=True)
    with connect(url, autocommit=True) as conn:
        done = heal(conn)
        left = conn.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    assert left == [("dim_users",)]
    assert any("terminated backend" in line for line in done)
    assert sum("dropped marts." in line for line in done) == 2
    with pytest.raises(psycopg.OperationalError):
        orphan.execute("select 1")
    assert bystander.execute("select 1").fetchone() == (1,)
    bystander.close()


def test_holder_names_fit_in_application_name():
    assert len(holder_name("run " + "x" * 100).encode()) <= 63


def test_runs_whose_process_is_gone_are_marked_failed():
    gone = subprocess.Popen(["true"])
    gone.wait()
    with dg.DagsterInstance.ephemeral() as instance:

        def started(tags: dict[str, str]) -> str:
            run = instance.add_run(
                dg.DagsterRun(job_name="analytics_pipeline", status=dg.DagsterRunStatus.STARTED)
            )
            instance.add_run_tags(run.run_id, tags)
            return run.run_id

        dead = started({**process_tags(), PID_TAG: str(gone.pid)})
        alive = started(process_tags())  # this very process
        elsewhere = started({HOST_TAG: "another-host", PID_TAG: str(gone.pid)})
        assert fail_orphaned_runs(instance) == [dead]
        status = {r: instance.get_run_by_id(r).status for r in (dead, alive, elsewhere)}
        assert status == {
            dead: dg.DagsterRunStatus.FAILURE,
            alive: dg.DagsterRunStatus.STARTED,
            elsewhere: dg.DagsterRunStatus.STARTED,
        }
        failure = instance.all_logs(dead, of_type=dg.DagsterEventType.RUN_FAILURE)
        assert f"pid {gone.pid}" in failure[0].dagster_event.message


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_a_bound_child_dies_with_its_parent():
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import subprocess, sys, time
                child = subprocess.Popen([sys.executable, "-c", {_CHILD!r}])
                print(child.pid, flush=True)
                time.sleep(120)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    child = int(parent.stdout.readline())
    time.sleep(1.0)  # the child has bound itself
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(10)
    deadline = time.monotonic() + 10
    while _alive(child):
        assert time.monotonic() < deadline, "the child outlived its parent"
        time.sleep(0.1)


_CHILD = (
    "import time\n"
    "from analytics_assets.dbt.guard import bind_to_parent\n"
    "assert bind_to_parent()\n"
    "time.sleep(120)\n"
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead but not yet reaped by init: read its state.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
