"""Which processes count as gone when a run's worker is looked for."""

from __future__ import annotations

import os
import subprocess
import time

from analytics_assets.orphaned_runs import process_alive


def test_a_running_process_is_alive_and_an_exited_unreaped_one_is_not():
    assert process_alive(os.getpid())
    child = subprocess.Popen(["true"])
    try:
        # Exited but not yet reaped (no wait): a zombie, which runs nothing.
        deadline = time.monotonic() + 10
        while process_alive(child.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not process_alive(child.pid)
        assert os.path.exists(f"/proc/{child.pid}")  # still there, as a zombie
    finally:
        child.wait()
    assert not process_alive(child.pid)
