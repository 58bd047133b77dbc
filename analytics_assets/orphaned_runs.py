"""Runs whose process is gone: marked failed, so no run says "started" for ever.

The daemon's run monitoring sees a dead run worker only while the daemon runs (the UI);
`analytics run` works without it. So every run tags itself, when its resources start,
with the host and the pid of the process that executes it (the run worker, or a test's
own process); before a new range starts, every run still STARTING or STARTED whose
process no longer exists on this host is reported failed, with the reason in its event
log.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import dagster as dg

from analytics_assets.jobs import HOST_TAG, PID_TAG


def process_tags() -> dict[str, str]:
    """The tags that say which process executes a run."""
    return {HOST_TAG: socket.gethostname(), PID_TAG: str(os.getpid())}


def process_alive(pid: int) -> bool:
    """Whether the process runs; a zombie (exited, not yet reaped by its parent) does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    try:
        # /proc/<pid>/stat: "pid (comm) state ...", comm may hold spaces and parentheses
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def fail_orphaned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Report failed the runs of this host whose process is gone; their ids."""
    runs = instance.get_runs(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED],
            tags={HOST_TAG: socket.gethostname()},
        )
    )
    return [run.run_id for run in runs if fail_if_orphaned(instance, run)]


def fail_if_orphaned(instance: dg.DagsterInstance, run: dg.DagsterRun) -> bool:
    """Report the run failed if it is in progress on this host and its process is gone."""
    host = run.tags.get(HOST_TAG)
    pid = run.tags.get(PID_TAG, "")
    if run.is_finished or host != socket.gethostname() or not pid.isdigit():
        return False
    if process_alive(int(pid)):
        return False
    instance.report_run_failed(
        run, message=f"the process that ran it (pid {pid} on {host}) is gone: killed or crashed"
    )
    return True
