"""The only Dagster internals the project uses: two needs that Dagster 1.13 has no public
API for. Every other module uses `dagster`'s public names; scripts/check_imports.py
refuses a `dagster._` import anywhere but here.

- A workspace (the code location of workspace.yaml, served by a code server) to create
  and launch a run with its repository origin from code, as `dagster job launch` does
  (its public form submits the run to the queue, which only the daemon drains): launch.py.
- The materialization an asset check evaluation targets, so that a check recorded under
  each partition of a ranged run is shown as current rather than "Missing":
  check_partitions.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster._core.definitions.asset_checks.asset_check_evaluation import (
    AssetCheckEvaluationTargetMaterializationData as TargetMaterialization,
)
from dagster._core.workspace.context import WorkspaceProcessContext, WorkspaceRequestContext
from dagster._core.workspace.load_target import WorkspaceFileTarget

__all__ = ["TargetMaterialization", "Workspace", "workspace"]

Workspace = WorkspaceRequestContext


@contextmanager
def workspace(instance: dg.DagsterInstance, workspace_file: Path) -> Iterator[Workspace]:
    """The code locations of a workspace file, each served by a code server for the block."""
    target = WorkspaceFileTarget(paths=[str(workspace_file)])
    with WorkspaceProcessContext(instance, target) as process:
        yield process.create_request_context()
