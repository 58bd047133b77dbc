"""The PII key: how it reaches dbt's sessions (PGOPTIONS, escaped), that the demo key is
refused for an explicit warehouse, and that a session without it fails clearly.
tests/test_quarantine.py checks the hash itself and that no file of dbt's holds the key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.dbt import Dbt, DbtFailed

from analytics_assets.db import connect
from analytics_assets.dbt.project import (
    PII_KEY_SETTING,
    dbt_env,
    dbt_environ,
    pgoptions_escape,
    session_options,
)
from analytics_assets.settings import DEMO_PII_KEY, SettingsError, get_settings

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/nowhere"
ODD_KEY = "k3y with  space'quote\\back\tslash\"é"


@pytest.fixture
def explicit_warehouse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAREHOUSE_DATABASE_URL", UNREACHABLE)
    monkeypatch.setenv("SOURCE_DATABASE_URL", UNREACHABLE)


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("plain-key", "plain-key"),
        ("k3y-with space'quote", "k3y-with\\ space'quote"),
        ("back\\slash", "back\\\\slash"),
        ("tab\tand  two", "tab\\\tand\\ \\ two"),
        ('"quoted"', '"quoted"'),
    ],
)
def test_pgoptions_values_escape_whitespace_and_backslashes(value: str, escaped: str) -> None:
    assert pgoptions_escape(value) == escaped


def test_the_key_is_the_last_session_option() -> None:
    options = session_options("a b")
    assert options.endswith(f" -c {PII_KEY_SETTING}=a\\ b")
    assert PII_KEY_SETTING not in session_options(None)


def test_the_server_reads_back_the_key_from_pgoptions(
    server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANALYTICS_PII_KEY", ODD_KEY)
    # libpq reads PGOPTIONS as dbt's connections do; a user's own option is kept first.
    monkeypatch.setenv("PGOPTIONS", dbt_env(server_url, "-c statement_timeout=0")["PGOPTIONS"])
    with connect(server_url) as conn:
        assert conn.execute(f"show {PII_KEY_SETTING}").fetchone() == (ODD_KEY,)
        assert conn.execute("show jit").fetchone() == ("off",)
        assert conn.execute("show statement_timeout").fetchone() == ("0",)


def test_exporting_again_replaces_the_key_and_keeps_the_callers_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PGOPTIONS", "-c statement_timeout=0")
    monkeypatch.setenv("ANALYTICS_PII_KEY", "first")
    with dbt_environ(UNREACHABLE):
        monkeypatch.setenv("ANALYTICS_PII_KEY", "second")
        with dbt_environ(UNREACHABLE) as env:
            assert env["PGOPTIONS"] == f"-c statement_timeout=0 {session_options('second')}"
            assert os.environ["PGOPTIONS"] == env["PGOPTIONS"]
    assert os.environ["PGOPTIONS"] == "-c statement_timeout=0"


def test_the_demo_key_is_refused_for_an_explicit_warehouse(
    explicit_warehouse: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANALYTICS_PII_KEY")
    settings = get_settings()  # reading the settings alone still works
    assert settings.pii_key == DEMO_PII_KEY
    with pytest.raises(SettingsError, match="set ANALYTICS_PII_KEY"):
        settings.checked_pii_key()
    with pytest.raises(SettingsError, match="set ANALYTICS_PII_KEY"):
        dbt_env(UNREACHABLE)
    # An empty key is no key.
    monkeypatch.setenv("ANALYTICS_PII_KEY", "")
    with pytest.raises(SettingsError, match="set ANALYTICS_PII_KEY"):
        get_settings().checked_pii_key()
    monkeypatch.setenv("ANALYTICS_PII_KEY", "own-key")
    assert get_settings().checked_pii_key() == "own-key"


def test_the_demo_key_is_fine_for_the_embedded_warehouse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WAREHOUSE_DATABASE_URL", raising=False)
    monkeypatch.delenv("SOURCE_DATABASE_URL", raising=False)
    monkeypatch.delenv("ANALYTICS_PII_KEY")
    assert get_settings().checked_pii_key() == DEMO_PII_KEY


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WAREHOUSE_DATABASE_URL": UNREACHABLE,
        "SOURCE_DATABASE_URL": UNREACHABLE,
        "ANALYTICS_PII_KEY": "",
    }
    command = [sys.executable, "-m", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)


def test_a_run_on_an_explicit_warehouse_with_the_demo_key_is_one_line_and_exit_2() -> None:
    result = _cli("analytics_assets.cli", "run", "--start", "2026-06-01", "--end", "2026-06-02")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: set ANALYTICS_PII_KEY")


def test_commands_without_pii_work_with_the_demo_key() -> None:
    result = _cli("analytics_assets.cli", "db", "url")
    assert (result.returncode, result.stdout.strip()) == (0, UNREACHABLE)


def test_the_shell_exports_leave_the_key_out() -> None:
    result = _cli("analytics_assets.dbt.profile_env")
    assert result.returncode == 0, result.stderr
    assert "export PGOPTIONS=" in result.stdout
    assert PII_KEY_SETTING not in result.stdout and DEMO_PII_KEY not in result.stdout


def test_a_session_without_the_key_stops_the_build_clearly(
    local_server_url: str, make_database, tmp_path: Path
) -> None:
    dbt = Dbt(make_database(local_server_url), tmp_path)
    # The pre-hook runs before dim_users reads anything, so an empty database will do.
    with pytest.raises(DbtFailed, match="the PII key is not set"):
        dbt.invoke("run", "--select", "dim_users", env={"PGOPTIONS": session_options(None)})
