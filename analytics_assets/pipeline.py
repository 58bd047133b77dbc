"""Run the pipeline over a range of days as ONE Dagster run on the project's instance.

The run is a single-run backfill: every selected asset sees the whole range at once
(`context.partition_time_window`), so a 30-day range is one COPY per raw table rather
than 30 steps per table. The job selects asset groups; a later layer joins the run by
adding its group to PIPELINE_GROUPS.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import dagster as dg

from analytics_assets.settings import SettingsError

if TYPE_CHECKING:
    from dagster import EventLogEntry
    from rich.progress import Progress, TaskID

PIPELINE_JOB = "analytics_pipeline"
PIPELINE_GROUPS: tuple[str, ...] = ("raw",)
ROWS_METADATA_KEY = "rows_copied"


class RangeError(SettingsError):
    """The date range lies outside the daily partitions (ANALYTICS_START_DATE .. yesterday)."""


def pipeline_job() -> dg.UnresolvedAssetJobDefinition:
    """The job `run_range` launches: every asset of PIPELINE_GROUPS, with its checks."""
    return dg.define_asset_job(
        PIPELINE_JOB,
        selection=dg.AssetSelection.groups(*PIPELINE_GROUPS),
        description="Stage, transform and check a range of daily partitions in one run.",
    )


@dataclass(frozen=True)
class RunSummary:
    success: bool
    run_id: str
    start: date
    end: date
    """Exclusive."""
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)
    """Rows per asset (key as `raw/events`), summed over the range's partitions: the raw
    assets' `rows_copied`, else an asset's `dagster/row_count`."""
    failed_steps: tuple[str, ...] = ()
    """`step: error message` of every failed step."""
    failed_checks: tuple[str, ...] = ()
    """`asset:check (blocking|warning)` of every check that did not pass."""

    def render(self) -> str:
        days = (self.end - self.start).days
        state = "succeeded" if self.success else "FAILED"
        lines = [
            f"run {self.run_id} {state} in {self.seconds:.1f} s: "
            f"[{self.start}, {self.end}), {days} day{'s' if days != 1 else ''}"
        ]
        width = max((len(key) for key in self.rows), default=0)
        lines += [f"  {key:<{width}}  {rows:>12,} rows" for key, rows in sorted(self.rows.items())]
        if self.rows:
            lines.append(f"  {'total':<{width}}  {sum(self.rows.values()):>12,} rows")
        lines += [f"  failed step  {failure}" for failure in self.failed_steps]
        lines += [f"  failed check {check}" for check in self.failed_checks]
        return "\n".join(lines)


def partition_range_tags(start: date, end: date) -> dict[str, str]:
    """Tags that make a run a single-run backfill of the daily partitions [start, end)."""
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    return {
        ASSET_PARTITION_RANGE_START_TAG: start.isoformat(),
        ASSET_PARTITION_RANGE_END_TAG: (end - timedelta(days=1)).isoformat(),
    }


def check_range(start: date, end: date, first: date, last: date | None) -> None:
    """Raise RangeError unless [start, end) is non-empty and within the partitions
    [first, last] (last is None when no day has ended since the first)."""
    if end <= start:
        raise RangeError(f"end {end} must be after start {start}")
    if start < first:
        raise RangeError(
            f"start {start} is before the first partition {first} (ANALYTICS_START_DATE)"
        )
    final = end - timedelta(days=1)
    if last is None or final > last:
        raise RangeError(
            f"the day {final} has not ended yet: the last partition is {last or 'none yet'}; "
            f"choose an end of {(last or first) + timedelta(days=1)} or earlier"
        )


def run_range(start: date, end: date, progress: bool = False) -> RunSummary:
    """Materialize every pipeline asset over the daily partitions [start, end) in one run."""
    from dagster._core.utils import make_new_run_id

    from analytics_assets.definitions import defs
    from analytics_assets.instance import ensure_dagster_home
    from analytics_assets.partitions import daily_partitions

    partitions = daily_partitions()
    last_key = partitions.get_last_partition_key()
    check_range(
        start,
        end,
        partitions.start.date(),
        date.fromisoformat(last_key) if last_key else None,
    )
    ensure_dagster_home()
    job = defs.resolve_job_def(PIPELINE_JOB)
    run_id = make_new_run_id()
    started = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        display = _progress(instance, run_id, len(job.graph.nodes)) if progress else nullcontext()
        with display:
            result = job.execute_in_process(
                instance=instance,
                run_id=run_id,
                tags=partition_range_tags(start, end),
                raise_on_error=False,
                # The progress bar replaces Dagster's line-per-event console log.
                run_config={
                    "loggers": {
                        "console": {"config": {"log_level": ("WARNING" if progress else "INFO")}}
                    }
                },
            )
    return summarize(result, start, end, time.perf_counter() - started)


def summarize(
    result: dg.ExecuteInProcessResult, start: date, end: date, seconds: float
) -> RunSummary:
    rows: dict[str, int] = {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        metadata = materialization.metadata
        value = metadata.get(ROWS_METADATA_KEY) or metadata.get("dagster/row_count")
        if value is None:  # an asset that does not count rows is left out, not shown as 0
            continue
        key = materialization.asset_key.to_user_string()
        rows[key] = rows.get(key, 0) + int(value.value)
    failed_steps = tuple(
        f"{event.step_key}: {_failure_message(event)}" for event in result.get_step_failure_events()
    )
    failed_checks = []
    blocking_failed = False
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        blocking_failed = blocking_failed or bool(evaluation.blocking)
        kind = "blocking" if evaluation.blocking else evaluation.severity.value.lower()
        failed_checks.append(
            f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name} ({kind})"
        )
    return RunSummary(
        success=result.success and not blocking_failed,
        run_id=result.run_id,
        start=start,
        end=end,
        seconds=seconds,
        rows=rows,
        failed_steps=failed_steps,
        failed_checks=tuple(failed_checks),
    )


def _failure_message(event: dg.DagsterEvent) -> str:
    """One line: a dg.Failure's own description, else the error's message."""
    data = event.step_failure_data
    described = data.user_failure_data.description if data.user_failure_data else None
    message = described or (data.error.message if data.error else "failed")
    return " ".join(message.split())


@contextmanager
def _progress(instance: dg.DagsterInstance, run_id: str, steps: int) -> Iterator[None]:
    """A rich progress bar on stderr, advanced by the run's step events as they happen."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    ) as bar:
        task = bar.add_task("starting", total=steps)
        instance.add_event_listener(run_id, _on_event(bar, task))
        yield


def _on_event(bar: Progress, task: TaskID) -> Callable[[EventLogEntry], None]:
    done = {"STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"}

    def handle(entry: EventLogEntry) -> None:
        event = entry.dagster_event
        if event is None:
            return
        kind = event.event_type_value
        if kind == "STEP_START":
            bar.update(task, description=f"running {event.step_key}")
        elif kind in done:
            bar.update(task, advance=1, description=f"{event.step_key} {kind[5:].lower()}")

    return handle
