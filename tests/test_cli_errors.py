"""A wrong argument gets one line naming it and exit code 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CLI = [sys.executable, "-m", "analytics_assets.cli"]
UNREACHABLE = "postgresql://nobody@127.0.0.1:1/nowhere"


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        CLI + args, capture_output=True, text=True, timeout=60, env={**os.environ, **env}
    )


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["source", "generate", "--users", "-5"], "--users"),
        (["source", "generate", "--end", "yesterday"], "--end"),
        (["source", "generate", "--bad-rate", "2"], "--bad-rate"),
        (["run", "--start", "2026-06-02", "--end", "2026-06-01"], "--end"),
        (["run", "--start", "June"], "--start"),
    ],
)
def test_wrong_argument_is_one_line_and_exit_2(args: list[str], named: str) -> None:
    result = _run(args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_line_and_exit_2() -> None:
    result = _run(
        ["source", "init"], WAREHOUSE_DATABASE_URL=UNREACHABLE, SOURCE_DATABASE_URL=UNREACHABLE
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "127.0.0.1:1" in lines[0]


def test_one_url_without_the_other_is_refused() -> None:
    result = _run(["db", "url"], WAREHOUSE_DATABASE_URL=UNREACHABLE, SOURCE_DATABASE_URL="")
    assert result.returncode == 2
    assert "SOURCE_DATABASE_URL" in result.stderr


def test_every_command_has_help() -> None:
    for args in (
        ["--help"],
        ["db", "--help"],
        ["db", "url", "--help"],
        ["source", "generate", "--help"],
        ["run", "--help"],
        ["ui", "--help"],
    ):
        result = _run(args)
        assert result.returncode == 0, (args, result.stderr)
        assert "Usage" in result.stdout
