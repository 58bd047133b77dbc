"""dbt's target directory between invocations: each invocation's parse state becomes the
project's, and old invocation directories are pruned (analytics_assets/dbt/target.py)."""

from __future__ import annotations

import os
from pathlib import Path

from support.dbt import FULL_PARSE, Dbt

from analytics_assets.dbt.target import (
    PARSE_STATE,
    keep_parse_state,
    prune_invocation_dirs,
    stale_invocation_dirs,
)


def make_dirs(target: Path, ages: dict[str, float], now: float) -> None:
    for name, age in ages.items():
        path = target / name
        path.mkdir(parents=True)
        os.utime(path, (now - age, now - age))


def test_all_but_the_newest_old_enough_dirs_are_stale(tmp_path: Path) -> None:
    now = 1_000_000.0
    make_dirs(tmp_path, {"a": 10, "b": 20, "c": 5000, "d": 9000, "e": 30}, now)
    (tmp_path / PARSE_STATE).write_bytes(b"x")  # files are never invocation directories

    stale = stale_invocation_dirs(tmp_path, now=now, keep=2, min_age=3600)

    # newest first: a, b kept by count; e too young; c and d old enough
    assert sorted(p.name for p in stale) == ["c", "d"]


def test_nothing_is_stale_in_a_missing_or_small_target(tmp_path: Path) -> None:
    assert stale_invocation_dirs(tmp_path / "missing") == []
    make_dirs(tmp_path, {"a": 99_999}, 1_000_000.0)
    assert stale_invocation_dirs(tmp_path, now=1_000_000.0, keep=1, min_age=0) == []


def test_pruning_removes_stale_dirs_with_their_files(tmp_path: Path) -> None:
    now = os.path.getmtime(tmp_path)
    make_dirs(tmp_path, {f"run-{i}": 7200 + i for i in range(25)}, now)
    (tmp_path / "run-24" / "dbt.log").write_text("old")
    os.utime(tmp_path / "run-24", (now - 9000, now - 9000))  # the write touched it

    assert prune_invocation_dirs(tmp_path) == 5
    assert len([p for p in tmp_path.iterdir() if p.is_dir()]) == 20
    assert not (tmp_path / "run-24").exists()


def test_an_invocation_state_replaces_the_project_state(tmp_path: Path) -> None:
    invocation, target = tmp_path / "target" / "build-1", tmp_path / "target"
    invocation.mkdir(parents=True)
    (target / PARSE_STATE).write_bytes(b"old profile")
    assert not keep_parse_state(invocation, target)  # it wrote none: the old one stays
    assert (target / PARSE_STATE).read_bytes() == b"old profile"

    (invocation / PARSE_STATE).write_bytes(b"this profile")
    assert keep_parse_state(invocation, target)
    assert (target / PARSE_STATE).read_bytes() == b"this profile"
    assert sorted(p.name for p in target.iterdir()) == ["build-1", PARSE_STATE]


def test_the_kept_state_lets_the_next_invocation_parse_partially(tmp_path: Path) -> None:
    """The state made with one profile is thrown away under another; the state an invocation
    under the new profile wrote, once kept, is not."""
    project = tmp_path / "target"
    Dbt("postgresql://nobody@127.0.0.1:1/prepared", project).invoke("parse")

    other = "postgresql://nobody@127.0.0.1:1/another"
    first = project / "build-1"
    first.mkdir()
    (first / PARSE_STATE).write_bytes((project / PARSE_STATE).read_bytes())
    assert FULL_PARSE in Dbt(other, first).invoke("parse").output

    keep_parse_state(first, project)
    second = project / "build-2"
    second.mkdir()
    (second / PARSE_STATE).write_bytes((project / PARSE_STATE).read_bytes())
    assert FULL_PARSE not in Dbt(other, second).invoke("parse").output
