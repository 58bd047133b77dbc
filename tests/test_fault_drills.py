"""Fault drills: what users and machines do to a warehouse, done to it for real.

`analytics run` through its real entry point, on a generated source, against a real
PostgreSQL: two runs started together, a run SIGKILLed at several points (its whole
process group, or only its main process as the OOM killer does), the warehouse's volume
full, the source's connection
terminated in the middle of a COPY. After each, the tables must equal those of one clean
run of the same range. Where a drill must stop a run at one point, a lock held by the test
makes the run wait there, so the drill does not depend on timing. Marked `long`: CI runs
them in `make test-long`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from support.databases import make_databases
from support.fingerprints import fingerprint

from analytics_assets.db import connect, url_parts
from analytics_assets.dbt.project import DBT_APPLICATION_NAME
from analytics_assets.raw.ddl import ensure_raw_tables
from analytics_assets.raw.loader import load_window
from analytics_assets.settings import PROJECT_ROOT
from analytics_assets.source.tables import source_tables
from analytics_assets.window import Window
from demo_source.generator import GenerationSpec, generate

pytestmark = pytest.mark.long

SPEC = GenerationSpec(users=80, days=6, end=date(2026, 6, 30), seed=5, bad_rate=0.02)
RANGE = ("2026-06-25", "2026-07-01")
RANGE_ARGS = ("--start", RANGE[0], "--end", RANGE[1])
RANGE_DAYS = (date.fromisoformat(RANGE[0]), date.fromisoformat(RANGE[1]))
FIRST_DAY = date(2026, 6, 1)
"""ANALYTICS_START_DATE of the drills."""
PII_KEY = "drill k3y, not the demo's"
"""A key of its own, which no file and no event may show."""
BOOKKEEPING = {"staging.check_watermarks", "staging.rebuilt_days"}
"""Which invocation read or rebuilt what, and when: a log of runs, not data."""
COMPARED = {
    # schema -> columns that record when, not what
    "staging": ("_loaded_at", "_checked_at"),
    "intermediate": (),
    "marts": (),
    "analytics": ("created_at",),
}


@dataclass(frozen=True)
class Run:
    process: subprocess.Popen
    out: Path
    err: Path

    def wait(self, timeout: float = 900) -> int:
        return self.process.wait(timeout)

    @property
    def pid(self) -> int:
        return self.process.pid

    def poll(self) -> int | None:
        return self.process.poll()

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    @property
    def stdout(self) -> str:
        return self.out.read_text()

    @property
    def stderr(self) -> str:
        return self.err.read_text()


@dataclass(frozen=True)
class Warehouse:
    source: str
    warehouse: str
    dagster: str
    home: Path

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "WAREHOUSE_DATABASE_URL": self.warehouse,
            "SOURCE_DATABASE_URL": self.source,
            "DAGSTER_DATABASE_URL": self.dagster,
            "DAGSTER_HOME": str(self.home / "dagster_home"),
            "ANALYTICS_HOME": str(self.home),
            "ANALYTICS_PII_KEY": PII_KEY,
            "ANALYTICS_START_DATE": FIRST_DAY.isoformat(),
        }

    def start_run(self) -> Run:
        """`analytics run` over RANGE, in a process group of its own; its output goes to
        files (two runs' logs would fill a pipe that nobody reads while waiting)."""
        n = len(list(self.home.glob("out-*")))
        out, err = self.home / f"out-{n}", self.home / f"err-{n}"
        with out.open("w") as stdout, err.open("w") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "analytics_assets.cli", "run", *RANGE_ARGS],
                env=self.env(),
                cwd=PROJECT_ROOT,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
            )
        return Run(process, out, err)

    def run(self) -> Run:
        run = self.start_run()
        run.wait()
        return run

    def tables(self) -> dict[str, tuple[int, str]]:
        """schema.table -> (rows, md5 of the rows) of every table compared."""
        return {
            f"{schema}.{table}": print_
            for schema, ignore in COMPARED.items()
            for table, print_ in fingerprint(self.warehouse, schema, ignore=ignore).items()
            if f"{schema}.{table}" not in BOOKKEEPING
        }

    def query(self, statement: str, params: tuple = ()) -> list[tuple]:
        with connect(self.warehouse, autocommit=True) as conn:
            return conn.execute(statement, params).fetchall()


@pytest.fixture(scope="module", params=["local", "embedded"])
def server(request: pytest.FixtureRequest) -> str:
    """Every drill on each PostgreSQL path: the local server and the embedded one."""
    return request.getfixturevalue(f"{request.param}_server_url")


@pytest.fixture(scope="module")
def source(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from analytics_assets.db import drop_database, ensure_database, with_database

    url = with_database(server, f"t_drill_src_{os.getpid()}")
    ensure_database(url)
    from demo_source.ddl import init_source

    init_source(url)
    generate(url, SPEC)
    yield url
    drop_database(url)


@pytest.fixture
def make_warehouse(
    make_database: Callable[[str], str], server: str, source: str, tmp_path: Path
) -> Callable[[], Warehouse]:
    count = iter(range(100))

    def make() -> Warehouse:
        dbs = make_databases(make_database, server, server)
        home = tmp_path / f"home{next(count)}"
        home.mkdir()
        return Warehouse(source, dbs.warehouse, make_database(server), home)

    return make


@pytest.fixture(scope="module")
def clean(server: str) -> dict:
    """The tables of one clean run on this server, computed once (by the first drill that
    needs them)."""
    return {}


def clean_tables(clean: dict, make_warehouse: Callable[[], Warehouse]) -> dict:
    if "tables" not in clean:
        reference = make_warehouse()
        done = reference.run()
        assert done.returncode == 0, done.stderr
        clean["tables"] = reference.tables()
    return clean["tables"]


def assert_same_tables(wh: Warehouse, expected: dict[str, tuple[int, str]]) -> None:
    actual = wh.tables()
    differing = sorted(
        t for t in actual.keys() | expected.keys() if actual.get(t) != expected.get(t)
    )
    assert differing == [], {t: (actual.get(t), expected.get(t)) for t in differing}


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def dbt_sessions(wh: Warehouse) -> int:
    return wh.query(
        "select count(*) from pg_stat_activity where application_name = %s "
        "and datname = current_database()",
        (DBT_APPLICATION_NAME,),
    )[0][0]


def test_two_runs_started_together_both_succeed_one_after_the_other(make_warehouse, clean):
    """And with a password in every URL and a PII key of its own: neither is anywhere on
    disk (DAGSTER_HOME, dbt's target, the runs' output) nor in Dagster's event log."""
    expected = clean_tables(clean, make_warehouse)
    wh = with_password(make_warehouse())

    runs = [wh.start_run(), wh.start_run()]

    assert [run.wait() for run in runs] == [0, 0], [run.stderr[-3000:] for run in runs]
    errs = [run.stderr for run in runs]
    # One waited for the other: for room in the run queue before it launched, or, when both
    # launched at once, for the writer lock, whose holder its message names.
    waited = [
        err
        for err in errs
        if "run queue's max_concurrent_runs" in err
        or "waiting for the warehouse's writer lock, held by 'analytics writer run " in err
    ]
    assert len(waited) == 1, errs
    assert_same_tables(wh, expected)
    assert_no_secret_kept(wh)


PASSWORD = "Drill-s3cret-pw"


def with_password(wh: Warehouse) -> Warehouse:
    """The same databases, reached by URLs that carry a password (the servers here trust,
    and ignore it)."""
    urls = (wh.source, wh.warehouse, wh.dagster)
    secret = [url.replace("postgres@", f"postgres:{PASSWORD}@", 1) for url in urls]
    assert all(PASSWORD in url for url in secret)
    return Warehouse(*secret, wh.home)


def assert_no_secret_kept(wh: Warehouse) -> None:
    secrets = (PASSWORD, PII_KEY)
    leaks = [
        f"{path}: {secret}"
        for root in (wh.home, PROJECT_ROOT / "dbt_project" / "target")
        for path in root.rglob("*")
        if path.is_file()
        for secret in secrets
        if secret.encode() in path.read_bytes()
    ]
    assert leaks == []
    with connect(wh.dagster) as conn:
        (events,) = conn.execute("select count(*) from event_logs").fetchone()
        (leaked,) = conn.execute(
            "select count(*) from event_logs where event like %s or event like %s",
            tuple(f"%{secret}%" for secret in secrets),
        ).fetchone()
    assert events > 100 and leaked == 0


def waiting_on_a_lock(url: str) -> bool:
    with connect(url, autocommit=True) as conn:
        return bool(
            conn.execute(
                "select 1 from pg_stat_activity where datname = current_database() "
                "and wait_event_type = 'Lock'"
            ).fetchall()
        )


def metrics_building(wh: Warehouse) -> bool:
    """dbt is building the metric tables (the warehouse's build is over)."""
    return bool(
        wh.query(
            "select 1 from pg_stat_activity where application_name = %s "
            "and datname = current_database() and query ilike %s",
            (DBT_APPLICATION_NAME, '%"analytics".%'),
        )
    )


def run_worker_pid(wh: Warehouse) -> int | None:
    """The pid of the run worker executing the newest run (each run tags itself)."""
    with connect(wh.dagster) as conn:
        row = conn.execute(
            "select t.value from run_tags as t join runs as r on r.run_id = t.run_id "
            "where t.key = 'analytics/pid' order by r.create_timestamp desc limit 1"
        ).fetchone()
    return int(row[0]) if row else None


def kill_at(wh: Warehouse, point: str, whole_group: bool = True) -> Run:
    """Start a run and SIGKILL it when it reaches `point`: the whole process group (the CLI,
    its code server, the run worker, dbt), or only the run worker (as the OOM killer does,
    leaving the CLI that watches it)."""
    blocker = None
    if point == "raw load":
        # Hold raw.events: the load waits for it inside its transaction, where it dies.
        with connect(wh.warehouse, autocommit=True) as conn:
            ensure_raw_tables(conn)
        blocker = connect(wh.warehouse)
        blocker.execute("lock table raw.events in access exclusive mode")
    reached = {
        "raw load": lambda: waiting_on_a_lock(wh.warehouse),
        "dbt build": lambda: dbt_sessions(wh) > 0,
        "metrics build": lambda: metrics_building(wh),
    }[point]
    doomed = wh.start_run()
    wait_for(lambda: reached() or doomed.poll() is not None, point)
    assert doomed.poll() is None, f"the run ended before the {point}: {doomed.stderr}"
    if whole_group:
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait(10)
    else:
        worker = run_worker_pid(wh)
        assert worker is not None and worker != doomed.pid
        os.kill(worker, signal.SIGKILL)
        # The CLI sees its run's worker gone, reports the run failed and exits.
        doomed.wait(60)
    if blocker is not None:
        blocker.rollback()
        blocker.close()
    return doomed


def test_runs_killed_at_several_points_are_healed_by_the_next(make_warehouse, clean):
    expected = clean_tables(clean, make_warehouse)
    wh = make_warehouse()

    kill_at(wh, "raw load")
    second = kill_at(wh, "dbt build")
    # The second run's CLI marked the first failed (its worker's process is gone).
    assert "its process is gone" in second.stderr
    # The OOM killer takes the run worker only: its dbt dies with it (analytics-dbt), the
    # dbt sessions end within seconds, and the CLI that watched it reports the run failed.
    oom = kill_at(wh, "metrics build", whole_group=False)
    assert oom.returncode == 1, oom.stderr[-3000:]
    assert "FAILED" in oom.stdout
    wait_for(lambda: dbt_sessions(wh) == 0, "the orphaned dbt's sessions to end", timeout=20)
    # No killed run says "started": each was marked failed by the CLI that came next, or,
    # for the last, by the CLI that watched it.
    assert sorted(run_statuses(wh)) == ["FAILURE", "FAILURE", "FAILURE"]

    again = wh.run()
    assert again.returncode == 0, again.stderr[-3000:]
    assert_same_tables(wh, expected)
    assert not wh.query(
        "select relname from pg_class where relname like '%%dbt_backup' or relname like '%%dbt_tmp'"
    )
    assert sorted(run_statuses(wh)) == ["FAILURE", "FAILURE", "FAILURE", "SUCCESS"]


def run_statuses(wh: Warehouse) -> list[str]:
    with connect(wh.dagster) as conn:
        return [status for (status,) in conn.execute("select status from runs")]


def test_the_source_connection_killed_mid_copy_is_a_clear_error_and_a_rerun_heals(
    make_warehouse, clean, source
):
    expected = clean_tables(clean, make_warehouse)
    wh = make_warehouse()
    # raw.events as an earlier load left it (the loader alone: a whole run is not needed).
    load_window(source, wh.warehouse, source_tables()["events"], Window(*RANGE_DAYS), FIRST_DAY)
    raw_before = fingerprint(wh.warehouse, "raw", "events", ignore=("_loaded_at",))
    assert raw_before["events"][0] > 0

    # Hold app.events: the load's COPY out of it waits, and is terminated while it does.
    blocker = connect(source)
    blocker.execute("lock table app.events in access exclusive mode")
    run = wh.start_run()
    wait_for(lambda: waiting_on_a_lock(source) or run.poll() is not None, "the source COPY")
    with connect(source, autocommit=True) as conn:
        conn.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity "
            "where datname = current_database() and wait_event_type = 'Lock'"
        )
    blocker.rollback()
    blocker.close()
    assert run.wait() == 1, run.stderr
    failed = [line for line in run.stdout.splitlines() if "raw__events:" in line]
    assert failed == [
        "  failed step  raw__events: loading raw.events [2026-06-25, 2026-07-01) failed: "
        "terminating connection due to administrator command "
        "(raw.events is as it was: run these days again)"
    ]
    assert fingerprint(wh.warehouse, "raw", "events", ignore=("_loaded_at",)) == raw_before

    again = wh.run()
    assert again.returncode == 0, again.stderr
    assert_same_tables(wh, expected)


@pytest.fixture
def small_volume(server: str, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A 256 MiB tmpfs as a tablespace of the server: (its mount point, the tablespace)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = Path(tempfile.mkdtemp(prefix="aw-vol-", dir="/tmp"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", str(mount)], check=True)
    name = f"drill_{os.getpid()}"
    try:
        location = mount / "tablespace"
        location.mkdir()
        with connect(server, autocommit=True) as conn:
            (data,) = conn.execute("show data_directory").fetchone()
            os.chown(location, os.stat(data).st_uid, os.stat(data).st_gid)
            conn.execute(f"create tablespace {name} location '{location}'")
        yield mount, name
    finally:
        with connect(server, autocommit=True) as conn:
            # The test's databases live there: they go first (make_database drops the rest).
            for (db,) in conn.execute(
                "select d.datname from pg_database as d join pg_tablespace as t "
                "on t.oid = d.dattablespace where t.spcname = %s",
                (name,),
            ).fetchall():
                conn.execute(f'drop database if exists "{db}" with (force)')
            conn.execute(f"drop tablespace if exists {name}")
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_fails_the_run_cleanly_and_the_run_succeeds_once_space_is_freed(
    make_warehouse, clean, server, small_volume
):
    expected = clean_tables(clean, make_warehouse)
    mount, tablespace = small_volume
    wh = make_warehouse()
    with connect(server, autocommit=True) as conn:
        # The warehouse's tables on the small volume; its WAL stays on the server's disk,
        # as with a data volume of its own.
        conn.execute(
            f"alter database {url_parts(wh.warehouse)['dbname']} set tablespace {tablespace}"
        )
    # Leave less room than the run needs (its tables take a few tens of MB).
    ballast = mount / "ballast"
    free = shutil.disk_usage(mount).free
    subprocess.run(["fallocate", "-l", str(free - 6 * 2**20), str(ballast)], check=True)

    full = wh.run()
    output = full.stdout + full.stderr
    assert full.returncode == 1, output[-3000:]
    assert "No space left on device" in output
    assert not wh.query(
        "select relname from pg_class where relname like '%%dbt_backup' or relname like '%%dbt_tmp'"
    )

    ballast.unlink()
    again = wh.run()
    assert again.returncode == 0, again.stderr[-3000:]
    assert_same_tables(wh, expected)
