"""`analytics ui`: Dagster's webserver and daemon, as two child processes of the CLI.

Not `dagster dev`: it is superseded (it prints a SupersessionWarning that points at `dg dev`,
which this project does not install). Both children are started from the project's own
environment (the scripts beside `sys.executable`), never found on PATH, each in a process
group of its own so that stopping them also stops the code servers they spawn. Each child
loads workspace.yaml (code location `analytics`) into a code server of its own.

SIGINT (Ctrl-C) and SIGTERM stop both children and end with exit code 0: stopping the UI is
how it is meant to end. A child that dies stops the other and ends in a `UIError`.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

STARTUP_TIMEOUT_S = 300.0  # loading the definitions (dbt manifest, GX suites) takes a while
STOP_TIMEOUT_S = 15.0  # both children, before what is left of their groups is killed
_POLL_S = 0.25


class UIError(Exception):
    """A failure to start or keep the UI running: one line for the user."""


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]

    def exited(self) -> int | None:
        return self.process.poll()


def _script(name: str, module: str) -> list[str]:
    """The console script `name` of this environment, else `python -m module`."""
    for folder in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
        script = folder / name
        if os.access(script, os.X_OK):
            return [str(script)]
    return [sys.executable, "-m", module]


def webserver_command(workspace: Path, host: str, port: int) -> list[str]:
    return [
        *_script("dagster-webserver", "dagster_webserver"),
        *("-w", str(workspace), "-h", host, "-p", str(port)),
    ]


def daemon_command(workspace: Path) -> list[str]:
    return [*_script("dagster-daemon", "dagster._daemon"), "run", "-w", str(workspace)]


def _probe_host(host: str) -> str:
    """Where to reach a server bound to `host` from this machine."""
    return {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)


def check_port_free(host: str, port: int) -> None:
    """Raise UIError when something listens on host:port already (or the address is wrong)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise UIError(f"cannot serve on host {host!r}: {err.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # As the webserver (uvicorn) binds: a port in TIME_WAIT is free, a listener is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise UIError(
                    f"port {port} on {host} is already in use: stop what uses it or pass --port"
                ) from None
            raise UIError(f"cannot serve on {host}:{port}: {err.strerror}") from None


def server_url(host: str, port: int) -> str:
    probe = _probe_host(host)
    return f"http://[{probe}]:{port}" if ":" in probe else f"http://{probe}:{port}"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/server_info", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def _stop_on_signals() -> Iterator[list[int]]:
    """Record SIGINT/SIGTERM instead of dying: the supervisor polls the list and stops."""
    received: list[int] = []

    def record(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    previous = {sig: signal.signal(sig, record) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _start(name: str, command: Sequence[str], cwd: Path, env: dict[str, str]) -> Child:
    try:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, process_group=0
        )
    except OSError as err:
        raise UIError(f"cannot start {name} ({command[0]}): {err.strerror}") from None
    return Child(name, process)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop(children: Sequence[Child]) -> None:
    """SIGTERM each child (Dagster maps it to a clean shutdown), wait, then end whatever is
    left of its process group (code servers, run workers): nothing outlives the UI."""
    for child in children:
        if child.exited() is None:
            child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for child in children:
        try:
            child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()
    for child in children:
        pgid = child.process.pid  # process_group=0: the child leads a group of its own id
        for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 2.0)):
            if not _group_alive(pgid):
                break
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            end = time.monotonic() + grace
            while _group_alive(pgid) and time.monotonic() < end:
                time.sleep(0.1)


def serve(workspace: Path, host: str, port: int, announce: Callable[[str], None] = print) -> None:
    """Run the webserver and the daemon until SIGINT/SIGTERM (then return) or until one of
    them dies (then UIError). Both are stopped and waited for whatever happens."""
    cwd = workspace.parent
    scripts = str(Path(sys.executable).parent)
    # Anything the children look up on PATH (dbt, dagster) is this environment's first.
    env = {**os.environ, "PATH": os.pathsep.join([scripts, os.environ.get("PATH", "")])}
    url = server_url(host, port)
    children: list[Child] = []
    with _stop_on_signals() as received:
        try:
            children.append(_start("dagster-daemon", daemon_command(workspace), cwd, env))
            children.append(
                _start("dagster-webserver", webserver_command(workspace, host, port), cwd, env)
            )
            ready = False
            started = time.monotonic()
            while not received:
                for child in children:
                    code = child.exited()
                    if code is not None:
                        when = "at start" if not ready else "unexpectedly"
                        raise UIError(f"{child.name} stopped {when} (exit code {code})")
                if not ready:
                    if _answers(url):
                        ready = True
                        announce(f"Dagster UI at {url} (daemon running); Ctrl-C stops both")
                    elif time.monotonic() - started > STARTUP_TIMEOUT_S:
                        raise UIError(
                            f"dagster-webserver did not answer at {url} within "
                            f"{STARTUP_TIMEOUT_S:.0f} s"
                        )
                time.sleep(_POLL_S)
        finally:
            stop(children)
