"""dbt's target directory between invocations: the parse state each run starts from, and
the per-invocation directories that dagster-dbt leaves behind.

dagster-dbt gives every `dbt build` a directory of its own under `target/` and copies
`target/partial_parse.msgpack` into it, so dbt parses only what changed. dbt throws that
state away when it was made with another profile ("Unable to do partial parsing because
profile has changed"): a manifest prepared by `make` for one warehouse made every step of a
run on another warehouse parse the whole project (about 7 s each). After each invocation
its own, fresh state becomes the project's, so the next one parses partially.

Each invocation directory holds dbt's artefacts and logs (about 10 MB): the newest are
kept for whoever debugs a run, the rest are removed, so the disk does not grow with runs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

PARSE_STATE = "partial_parse.msgpack"
KEEP_INVOCATIONS = 20
"""Invocation directories kept, the newest first."""
MIN_AGE_SECONDS = 3600.0
"""An older directory is removed only past this age: a run still writing in it is safe."""


def keep_parse_state(invocation_dir: Path, target_dir: Path) -> bool:
    """Make the invocation's parse state the project's (an atomic replace, so a concurrent
    reader sees the old file or the new one). False when the invocation wrote none."""
    state = invocation_dir / PARSE_STATE
    if not state.is_file():
        return False
    target_dir.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target_dir, prefix=f".{PARSE_STATE}.")
    os.close(fd)
    shutil.copyfile(state, temporary)
    os.replace(temporary, target_dir / PARSE_STATE)
    return True


def stale_invocation_dirs(
    target_dir: Path,
    now: float | None = None,
    keep: int = KEEP_INVOCATIONS,
    min_age: float = MIN_AGE_SECONDS,
) -> list[Path]:
    """The invocation directories to remove: all but the `keep` newest, and of those only
    the ones untouched for `min_age` seconds."""
    if not target_dir.is_dir():
        return []
    now = time.time() if now is None else now
    dirs = sorted(
        (p for p in target_dir.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    return [p for p in dirs[keep:] if now - p.stat().st_mtime >= min_age]


def prune_invocation_dirs(target_dir: Path) -> int:
    """Remove the stale invocation directories; how many were removed."""
    stale = stale_invocation_dirs(target_dir)
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return len(stale)
