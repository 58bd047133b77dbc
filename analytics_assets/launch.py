"""Runs of `analytics run`, launched through the instance like the UI's and the daemon's.

A run is created from the code location of workspace.yaml (named `analytics`), so it
carries the job's repository origin: the UI shows it on the timeline and under its job,
and can re-execute it. It is launched by the instance's run launcher (Dagster's default:
a run worker process started by the code server), once the run queue has room: the CLI
waits while `max_concurrent_runs` runs are in progress, the same limit the daemon applies
to schedules, sensors and the UI's launches. The warehouse's writer lock (writer.py),
taken by the run itself, serialises the rest.

The CLI then waits for the run to end: its events reach this process through the event
log (PostgreSQL's LISTEN/NOTIFY), which drives the progress bar, and the summary is read
from the run's event log afterwards.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import dagster as dg
import psutil

from analytics_assets.dagster_internals import Workspace, workspace
from analytics_assets.jobs import PID_TAG
from analytics_assets.orphaned_runs import fail_if_orphaned, process_alive
from analytics_assets.settings import PROJECT_ROOT

LOCATION_NAME = "analytics"
"""The code location's name in workspace.yaml."""
WORKSPACE_FILE = PROJECT_ROOT / "workspace.yaml"
POLL_SECONDS = 0.5
WORKER_EXIT_SECONDS = 30.0
CODE_SERVER_EXIT_SECONDS = 15.0
IN_PROGRESS = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]


@contextmanager
def project_workspace(instance: dg.DagsterInstance) -> Iterator[Workspace]:
    """The project's code location, served by a code server for the duration of the block
    (the run launcher starts each run's worker from it)."""
    before = set(psutil.Process().children())
    try:
        with workspace(instance, WORKSPACE_FILE) as project:
            error = project.get_code_location_error(LOCATION_NAME)
            if error is not None:
                raise RuntimeError(f"the code location failed to load: {error.message.strip()}")
            yield project
    finally:
        _end_code_servers(set(psutil.Process().children()) - before)


def _end_code_servers(started: set[psutil.Process]) -> None:
    """Wait for the code server the block started to exit, and end it if it lingers.

    Dagster asks its code server to stop and returns at once; the server finishes stopping
    in a thread that reads Dagster's storage, and one whose storage goes away meanwhile (a
    test or a benchmark dropping its databases) never exits and ignores SIGTERM. Nothing a
    launch starts outlives it."""
    servers = [p for p in started if "grpc" in " ".join(_cmdline(p))]
    _, lingering = psutil.wait_procs(servers, timeout=CODE_SERVER_EXIT_SECONDS)
    for server in lingering:
        with contextlib.suppress(psutil.Error):
            server.kill()
    psutil.wait_procs(lingering, timeout=5)


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:  # gone meanwhile
        return []


def create_run(
    instance: dg.DagsterInstance,
    workspace: Workspace,
    job_name: str,
    run_id: str,
    tags: Mapping[str, str],
    run_config: Mapping[str, object],
) -> dg.DagsterRun:
    """A NOT_STARTED run of the job, with its repository origin and execution plan, as
    `dagster job launch` creates one."""
    location = workspace.get_code_location(LOCATION_NAME)
    (repository,) = location.get_repositories().values()
    remote_job = repository.get_full_job(job_name)
    plan = location.get_execution_plan(
        remote_job, run_config, step_keys_to_execute=None, known_state=None, instance=instance
    ).execution_plan_snapshot
    return instance.create_run(
        job_name=job_name,
        run_id=run_id,
        run_config=run_config,
        resolved_op_selection=None,
        step_keys_to_execute=plan.step_keys_to_execute,
        op_selection=None,
        status=None,
        root_run_id=None,
        parent_run_id=None,
        tags={**remote_job.tags, **tags},
        job_snapshot=remote_job.job_snapshot,
        execution_plan_snapshot=plan,
        parent_job_snapshot=remote_job.parent_job_snapshot,
        remote_job_origin=remote_job.get_remote_origin(),
        job_code_origin=remote_job.get_python_origin(),
        asset_selection=None,
        asset_check_selection=None,
        asset_graph=repository.asset_graph,
    )


def max_concurrent_runs(instance: dg.DagsterInstance) -> int | None:
    """The run queue's limit, None when the instance has no queue (a DAGSTER_HOME of the
    user's own with the default coordinator)."""
    coordinator = instance.run_coordinator
    if isinstance(coordinator, dg.QueuedRunCoordinator):
        return coordinator.get_run_queue_config().max_concurrent_runs
    return None


def wait_for_room(instance: dg.DagsterInstance, log: Callable[[str], None]) -> None:
    """Return once fewer than max_concurrent_runs runs are in progress."""
    limit = max_concurrent_runs(instance)
    if limit is None or limit < 0:
        return
    said = False
    while instance.get_runs_count(dg.RunsFilter(statuses=IN_PROGRESS)) >= limit:
        if not said:
            log(f"waiting: {limit} run(s) in progress, the run queue's max_concurrent_runs")
            said = True
        time.sleep(POLL_SECONDS * 4)


def launch_and_wait(
    instance: dg.DagsterInstance, workspace: Workspace, run: dg.DagsterRun
) -> dg.DagsterRun:
    """Launch the run through the instance's run launcher and wait for it to end. Ctrl-C
    (or SIGTERM, which the CLI turns into one) terminates the run before it is re-raised."""
    instance.launch_run(run.run_id, workspace)
    try:
        while True:
            current = instance.get_run_by_id(run.run_id)
            if current is not None and current.is_finished:
                wait_for_worker_exit(current)
                return current
            # A run worker killed outright (the OOM killer) reports nothing: it is failed
            # here rather than waited for.
            if current is not None and fail_if_orphaned(instance, current):
                continue
            time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        instance.run_launcher.terminate(run.run_id)
        current = instance.get_run_by_id(run.run_id)
        if current is not None:
            wait_for_worker_exit(current)
        raise


def wait_for_worker_exit(run: dg.DagsterRun, timeout: float = WORKER_EXIT_SECONDS) -> None:
    """A run is finished before its worker has written its last events and exited: wait
    for it (bounded), so that nothing of the run still writes to Dagster's storage once
    the CLI is done (`make demo` stops the embedded server right after)."""
    pid = run.tags.get(PID_TAG, "")
    deadline = time.monotonic() + timeout
    while pid.isdigit() and process_alive(int(pid)) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS / 5)


def run_events(instance: dg.DagsterInstance, run_id: str) -> list[dg.DagsterEvent]:
    """Every Dagster event of the run, in order."""
    return [e.dagster_event for e in instance.all_logs(run_id) if e.dagster_event is not None]
