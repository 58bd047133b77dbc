"""`analytics ui` through the real console script, on a shell whose PATH has no virtualenv:
the webserver and the daemon start from the project's environment, answer, and stop with
everything they started on SIGTERM or SIGINT (exit code 0); a port in use is one line and
exit code 2."""

from __future__ import annotations

import signal
import socket
import subprocess
import time

import psutil
import pytest
from support.ui import ANALYTICS, STOP_TIMEOUT_S, bare_env, free_port, healthy_daemons, running_ui

# Daemons of the project's instance that must be alive for the UI to be useful.
REQUIRED_DAEMONS = {"SCHEDULER", "SENSOR", "QUEUED_RUN_COORDINATOR"}
DAEMON_TIMEOUT_S = 90


@pytest.fixture
def env(env):
    """The process environment of `analytics ui`: conftest's `env`, without the virtualenv's
    PATH (bare_env)."""
    return bare_env()


def _wait_for_daemons(url: str) -> set[str]:
    deadline = time.monotonic() + DAEMON_TIMEOUT_S
    healthy: set[str] = set()
    while time.monotonic() < deadline:
        healthy = healthy_daemons(url)
        if healthy >= REQUIRED_DAEMONS:
            break
        time.sleep(1)
    return healthy


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_ui_serves_and_stops_with_everything_it_started(env, tmp_path, sig):
    with running_ui(env, tmp_path / "ui.log") as ui:
        ui.wait_until_serving()
        assert _wait_for_daemons(ui.url) >= REQUIRED_DAEMONS, ui.output()[-3000:]
        started = ui.descendants()
        names = " ".join(" ".join(p.cmdline()) for p in started)
        assert "dagster-webserver" in names and "dagster-daemon" in names, names

        before = time.monotonic()
        code = ui.stop(sig)

        assert code == 0, ui.output()[-3000:]
        assert time.monotonic() - before < STOP_TIMEOUT_S
        left = [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        assert left == [], [p.cmdline() for p in left]
        output = ui.output()
        assert "SupersessionWarning" not in output and "Traceback" not in output


def test_a_port_in_use_is_one_line_and_exit_2(env):
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        result = subprocess.run(
            [str(ANALYTICS), "ui", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:")
    assert str(port) in lines[0]
