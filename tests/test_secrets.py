"""No secret on disk or in logs: a database password never reaches the terminal, nor a file
under DAGSTER_HOME, whether its URL is malformed, unreachable or right."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import pytest

from analytics_assets.db import (
    DatabaseUnreachable,
    connect,
    redact,
    scrub,
    url_parts,
    with_database,
)
from analytics_assets.instance import STORAGE_URL_ENV, ensure_dagster_home

SECRET = "s3cretPassw0rd"
CLI = [sys.executable, "-m", "analytics_assets.cli"]
RUN = ["run", "--start", "2026-01-02", "--end", "2026-01-03"]

MALFORMED = [
    f"postgresql://u:{SECRET}@127.0.0.1:5432/db?bogus_option=1",
    f"postgresql://u:{SECRET}@host:notaport/db",
]
UNREACHABLE = f"postgresql://u:{SECRET}@127.0.0.1:1/db"


# --- redact and the URL helpers -------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        *MALFORMED,
        UNREACHABLE,
        f"postgresql://u:{SECRET}@[::1/db",  # unclosed IPv6 bracket: libpq quotes the URL
        f"postgresql://u:{SECRET}%zz@127.0.0.1/db",  # bad percent-escape inside the password
        f"postgresql://u:{SECRET}@extra@127.0.0.1/db",  # a raw @ in the password
        f"postgresql://u@127.0.0.1/db?password={SECRET}&bogus=1",
        f"host=127.0.0.1 password={SECRET} bogus=1",
        f"host=127.0.0.1 password='{SECRET} with spaces' bogus=1",
        f"u:{SECRET}@127.0.0.1:5432/db",  # the scheme forgotten
    ],
)
def test_redact_masks_the_password_of_any_url(url: str) -> None:
    redacted = redact(url)
    assert SECRET not in redacted
    assert "***" in redacted
    assert "\n" not in redacted


def test_redact_keeps_what_locates_the_server() -> None:
    assert redact(MALFORMED[0]) == "postgresql://u:***@127.0.0.1:5432/db?bogus_option=1"
    assert redact(UNREACHABLE) == "postgresql://u:***@127.0.0.1:1/db"
    # a raw @ in the password: everything up to the last @ is masked, not shown as a host
    assert (
        redact(f"postgresql://u:{SECRET}@extra@127.0.0.1/db") == "postgresql://u:***@127.0.0.1/db"
    )
    assert redact("postgresql://u@127.0.0.1:5432/db") == "postgresql://u@127.0.0.1:5432/db"


def test_scrub_masks_a_password_anywhere_in_a_message() -> None:
    message = f"could not use postgresql://u:{SECRET}@h/db, password={SECRET} for {SECRET}"
    scrubbed = scrub(message, [UNREACHABLE])
    assert SECRET not in scrubbed
    assert scrubbed == "could not use postgresql://u:***@h/db, password=*** for ***"
    other = "postgresql://v:another@h/db failed"
    assert scrub(other, []) == "postgresql://v:***@h/db failed"


@pytest.mark.parametrize(
    "url",
    [
        MALFORMED[0],
        f"postgresql://u:{SECRET}@[::1/db",
        f"postgresql://u:{SECRET}%zz@127.0.0.1/db",
        f"host=127.0.0.1 password={SECRET} bogus=1",
    ],
)
@pytest.mark.parametrize(
    "call",
    [url_parts, lambda url: with_database(url, "postgres"), lambda url: connect(url, timeout=2)],
    ids=["url_parts", "with_database", "connect"],
)
def test_a_url_libpq_cannot_parse_is_one_line_without_the_password(
    url: str, call: Callable[[str], object]
) -> None:
    with pytest.raises(DatabaseUnreachable) as raised:
        call(url)
    message = str(raised.value)
    assert SECRET not in message
    assert "\n" not in message
    assert message.startswith("cannot connect to ")


@pytest.mark.parametrize("url", [MALFORMED[1], UNREACHABLE])
def test_a_server_that_does_not_answer_is_one_line_without_the_password(url: str) -> None:
    with pytest.raises(DatabaseUnreachable) as raised:
        connect(url, timeout=2)
    assert SECRET not in str(raised.value)
    assert "\n" not in str(raised.value)


# --- the CLI, through its real entry point --------------------------------------------


def _run_cli(args: list[str], tmp_path: Path, **urls: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DAGSTER_DATABASE_URL", STORAGE_URL_ENV}
    }
    env.update(
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
        ANALYTICS_HOME=str(tmp_path / "analytics_home"),
        **urls,
    )
    return subprocess.run(CLI + args, capture_output=True, text=True, timeout=120, env=env)


def _assert_one_line_and_no_secret(
    result: subprocess.CompletedProcess[str], tmp_path: Path
) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: cannot connect to "), lines[0]
    assert SECRET not in result.stdout + result.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


@pytest.mark.parametrize("bad", ["WAREHOUSE", "SOURCE", "DAGSTER"])
@pytest.mark.parametrize("url", [*MALFORMED, UNREACHABLE])
def test_run_with_a_bad_url_is_one_line_without_the_password(
    bad: str,
    url: str,
    local_server_url: str,
    make_database: Callable[[str], str],
    tmp_path: Path,
) -> None:
    """One URL bad (the warehouse's, the source's or Dagster's storage), the others good."""
    env = {
        f"{name}_DATABASE_URL": url if name == bad else make_database(local_server_url)
        for name in ("WAREHOUSE", "SOURCE", "DAGSTER")
    }
    result = _run_cli(RUN, tmp_path, **env)
    _assert_one_line_and_no_secret(result, tmp_path)


@pytest.mark.parametrize("command", [["ui", "--port", "3999"], ["demo", "--users", "5"]])
def test_ui_and_demo_check_the_databases_before_dagster_starts(
    command: list[str], tmp_path: Path
) -> None:
    result = _run_cli(
        command, tmp_path, WAREHOUSE_DATABASE_URL=UNREACHABLE, SOURCE_DATABASE_URL=UNREACHABLE
    )
    _assert_one_line_and_no_secret(result, tmp_path)


# --- dagster.yaml -----------------------------------------------------------------------


@dg.asset
def probe() -> int:
    return 1


def _with_password(url: str) -> str:
    """The same database with a password in the URL (the local server's trust auth
    ignores it, so the URL still works)."""
    assert url.startswith("postgresql://postgres@")
    return url.replace("postgresql://postgres@", f"postgresql://postgres:{SECRET}@", 1)


def _use_databases(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, make: Callable[[], str]) -> str:
    warehouse, source, dagster_db = make(), make(), _with_password(make())
    monkeypatch.setenv("WAREHOUSE_DATABASE_URL", warehouse)
    monkeypatch.setenv("SOURCE_DATABASE_URL", source)
    monkeypatch.setenv("DAGSTER_DATABASE_URL", dagster_db)
    monkeypatch.setenv("ANALYTICS_HOME", str(tmp_path))
    # ensure_dagster_home sets both in os.environ: set then deleted here, monkeypatch
    # records them and restores them afterwards (a bare delenv of an unset one would not).
    for name in ("DAGSTER_HOME", STORAGE_URL_ENV):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return dagster_db


def test_dagster_yaml_is_private_names_no_password_and_opens(
    local_server_url: str,
    make_database: Callable[[str], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dagster_db = _use_databases(monkeypatch, tmp_path, lambda: make_database(local_server_url))

    home = ensure_dagster_home()
    config = home / "dagster.yaml"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert SECRET not in config.read_text()
    assert f"env: {STORAGE_URL_ENV}" in config.read_text()
    assert SECRET in os.environ[STORAGE_URL_ENV]

    with dg.DagsterInstance.get() as instance:
        # The instance's ref goes to every run worker on its command line.
        assert SECRET not in dg.serialize_value(instance.get_ref())
        result = dg.materialize([probe], instance=instance)
        assert result.success
        run_id = result.run_id
    with connect(dagster_db) as conn:
        row = conn.execute("select status from runs where run_id = %s", (run_id,)).fetchone()
    assert row == ("SUCCESS",)

    for path in home.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_ensure_dagster_home_on_an_unreachable_storage_is_one_line_without_the_password(
    local_server_url: str,
    make_database: Callable[[str], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _use_databases(monkeypatch, tmp_path, lambda: make_database(local_server_url))
    monkeypatch.setenv("DAGSTER_DATABASE_URL", UNREACHABLE)

    with pytest.raises(DatabaseUnreachable) as raised:
        ensure_dagster_home()
    assert SECRET not in str(raised.value)
    assert "\n" not in str(raised.value)


def test_an_older_dagster_yaml_with_the_password_is_rewritten_private(
    local_server_url: str,
    make_database: Callable[[str], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _use_databases(monkeypatch, tmp_path, lambda: make_database(local_server_url))
    home = tmp_path / "dagster_home"
    home.mkdir()
    old = home / "dagster.yaml"
    old.write_text(
        "# Written by `analytics`; set DAGSTER_HOME to a directory of your own to manage it "
        f'yourself.\nstorage:\n  postgres:\n    postgres_url: "postgresql://u:{SECRET}@h/d"\n'
    )
    old.chmod(0o644)
    # Set by the user: the file is still ours (its header says so), so it is written again.
    monkeypatch.setenv("DAGSTER_HOME", str(home))

    assert ensure_dagster_home() == home
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    assert SECRET not in old.read_text()
    with dg.DagsterInstance.get() as instance:
        assert instance.get_runs() == []


def test_a_dagster_yaml_of_the_users_own_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    own = home / "dagster.yaml"
    own.write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("ANALYTICS_HOME", str(tmp_path))
    monkeypatch.setenv("WAREHOUSE_DATABASE_URL", UNREACHABLE)
    monkeypatch.setenv("SOURCE_DATABASE_URL", UNREACHABLE)

    ensure_dagster_home()
    assert own.read_text() == "telemetry:\n  enabled: false\n"


def test_dagster_yaml_is_written_once_whatever_the_environment(
    local_server_url: str,
    make_database: Callable[[str], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A second process pointed at another warehouse must not rewrite the UI's instance
    config: the file stays byte for byte and inode for inode; only its own process's
    environment says where its storage is."""
    _use_databases(monkeypatch, tmp_path, lambda: make_database(local_server_url))
    config = ensure_dagster_home() / "dagster.yaml"
    first = config.stat()
    text = config.read_text()
    first_url = os.environ[STORAGE_URL_ENV]

    other = make_database(local_server_url)
    monkeypatch.setenv("WAREHOUSE_DATABASE_URL", other)
    monkeypatch.setenv("DAGSTER_DATABASE_URL", make_database(local_server_url))
    ensure_dagster_home()

    again = config.stat()
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)
    assert config.read_text() == text
    assert os.environ[STORAGE_URL_ENV] != first_url
