"""Helpers shared by the UI tests (no tests here): `analytics ui` started through the real
console script, on a shell whose PATH lacks the virtualenv."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

# The console script of the environment running the tests (.venv/bin/analytics in CI).
ANALYTICS = Path(sys.executable).parent / "analytics"
BARE_PATH = "/usr/bin:/bin"
STARTUP_TIMEOUT_S = 120
STOP_TIMEOUT_S = 30
ANNOUNCED = "Dagster UI at "


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bare_env() -> dict[str, str]:
    """The test's environment (database URLs, DAGSTER_HOME, PII key) with PATH cut down to
    the system's: nothing of the virtualenv is found through it."""
    return {**os.environ, "PATH": BARE_PATH}


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read()
    except (urllib.error.URLError, OSError):
        return None


def graphql(base: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["data"]


def healthy_daemons(base: str) -> set[str]:
    data = graphql(
        base, "{ instance { daemonHealth { allDaemonStatuses { daemonType healthy } } } }"
    )
    statuses = data["instance"]["daemonHealth"]["allDaemonStatuses"]
    return {s["daemonType"] for s in statuses if s["healthy"]}


class UI:
    def __init__(self, process: subprocess.Popen[str], port: int, log: Path) -> None:
        self.process, self.port, self.log = process, port, log
        self.url = f"http://127.0.0.1:{port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_serving(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"analytics ui exited ({self.process.returncode}):\n{self.output()[-3000:]}"
                )
            # As a person does: wait for the CLI to say where the UI is, not only for the
            # webserver to answer (the CLI notices that a moment later).
            if ANNOUNCED in self.output() and _get(f"{self.url}/server_info") is not None:
                return
            time.sleep(0.5)
        raise AssertionError(f"no answer at {self.url} in {timeout} s:\n{self.output()[-3000:]}")

    def descendants(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children(recursive=True)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT_S) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)


@contextmanager
def running_ui(env: dict[str, str], log: Path, port: int | None = None) -> Iterator[UI]:
    """`analytics ui` on a free port; killed with all it started if the test fails."""
    port = port or free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(ANALYTICS), "ui", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    ui = UI(process, port, log)
    try:
        yield ui
    finally:
        if process.poll() is None:
            leftovers = ui.descendants()
            process.kill()
            process.wait()
            for child in leftovers:
                child.kill()
