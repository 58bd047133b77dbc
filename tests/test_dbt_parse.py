"""A partitioned run's window must not make dbt parse the whole project again: dbt re-parses
everything when --vars differ from its last parse, so the window reaches it in the
environment (Window.dbt_env), read only when executing.

The runner of the tests (support/dbt.py) passes its window that way; --vars appear here
only to show what they cost and that a hand-run dbt may still give them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from support.dbt import FULL_PARSE, Dbt

from analytics_assets.window import Window

WINDOW = Window.day(date(2026, 6, 1))

# Parsing needs the profile, not the server.
NO_SERVER = "postgresql://nobody@127.0.0.1:1/unused"


def test_the_window_in_the_environment_keeps_parsing_partial(tmp_path: Path) -> None:
    dbt = Dbt(NO_SERVER, tmp_path / "target")
    dbt.invoke("parse")  # the parse state, as prepare_manifest leaves it

    assert FULL_PARSE not in dbt.invoke("parse", window=WINDOW).output
    # The same window as --vars, as runs passed it before: the whole project again.
    dbt_vars = {"window_start": "2026-06-01", "window_end": "2026-06-02"}
    assert FULL_PARSE in dbt.invoke("parse", "--vars", json.dumps(dbt_vars)).output


def test_the_window_macros_read_the_environment_then_the_vars(
    tmp_path: Path, local_server_url: str
) -> None:
    inline = "select {{ window_start() }} as lo, '{{ metric_window()['end'] }}' as hi"
    args = ("--quiet", "--inline", inline)
    server = local_server_url  # compile connects, reads nothing
    compiled = Dbt(server, tmp_path / "env").invoke("compile", *args, window=WINDOW).output
    assert "date '2026-06-01' as lo, '2026-06-02' as hi" in compiled
    # Without the environment: --vars, as a hand-run dbt gets them.
    dbt_vars = json.dumps({"window_start": "2026-05-01", "window_end": "2026-05-08"})
    compiled = Dbt(server, tmp_path / "vars").invoke("compile", *args, "--vars", dbt_vars).output
    assert "date '2026-05-01' as lo, '2026-05-08' as hi" in compiled
