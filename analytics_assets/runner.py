"""The runner behind `analytics run` and the demo: a range of days on the project's
instance, then the rollups it completes.

The days are ONE Dagster run: raw, staging, marts and the daily metrics over the daily
partitions [start, end), as a single-run backfill (every selected asset sees the whole
range at once through `context.partition_time_window`, so a 30-day range is one COPY per
raw table and one `dbt build` per dbt definition rather than 30 steps each). The jobs and
their selections are in jobs.py, the grains in grains.py.

The weekly and monthly rollups of the weeks and months that the range completes (an ISO
week Monday..Sunday wholly inside [start, end), a calendar month wholly inside) run after
it, one run per grain, so a range is at most three runs. They cannot join the first run:

- a job must have one partitions definition (`define_asset_job` refuses daily and weekly
  assets together: "Selected assets must have the same partitions definitions");
- a run's partitions are two run tags (`dagster/asset_partition_range_start|end`) that
  every step reads as keys of ITS OWN partitions definition (`partition_key_range` in
  dagster/_core/execution/context/system.py; Dagster 1.13 keeps no per-asset subset on a
  run). The implicit asset job does mix them, but then the daily range 06-01..06-14 made
  the weekly asset materialize the weeks 06-01, 06-08 and 06-15: wrong windows. Asset
  backfills, too, split a selection into one run per partitions definition.

All the runs of one `run_range` carry the tag `analytics/pipeline_run` (the first run's
id, which is also RunSummary.run_id), so the UI's run list filters them together. A
rollup runs only when the first run succeeded: its models read the marts that run built,
and a blocking check that stopped them must not be rolled up into weeks. RunSummary
aggregates the runs: it succeeds only when every run did and no blocking check failed.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import dagster as dg

from analytics_assets.calendar import first_day, last_day, periods_within
from analytics_assets.grains import DAILY, ROLLUPS, Grain
from analytics_assets.instance import ensure_dagster_home
from analytics_assets.jobs import (
    GRAIN_TAG,
    PIPELINE_RUN_TAG,
    day_keys,
    key_range_tags,
    range_label,
)
from analytics_assets.launch import (
    create_run,
    launch_and_wait,
    project_workspace,
    run_events,
    wait_for_room,
)
from analytics_assets.orphaned_runs import fail_orphaned_runs
from analytics_assets.settings import SettingsError
from analytics_assets.window import Window

if TYPE_CHECKING:
    from dagster import EventLogEntry
    from rich.progress import Progress, TaskID

ROWS_METADATA_KEY = "rows_copied"


class RangeError(SettingsError):
    """The date range lies outside the daily partitions (ANALYTICS_START_DATE .. yesterday)."""


# --- which runs a range needs (pure) --------------------------------------------------


@dataclass(frozen=True)
class PlannedRun:
    """One Dagster run of a range: the grain's job over some of its partition keys."""

    grain: Grain
    keys: dg.PartitionKeyRange

    def tags(self) -> dict[str, str]:
        return {**key_range_tags(self.keys), GRAIN_TAG: self.grain.unit}


def plan_runs(days: Window) -> list[PlannedRun]:
    """The runs of a range of days: the days, then the weeks and the months it completes."""
    runs = [PlannedRun(DAILY, day_keys(days))]
    for grain in ROLLUPS:
        keys = periods_within(grain.partitions(), days)
        if keys is not None:
            runs.append(PlannedRun(grain, keys))
    return runs


def check_range(start: date, end: date, first: date, last: date | None) -> Window:
    """The window [start, end); RangeError unless it is non-empty and within the partitions
    [first, last] (last is None when no day has ended since the first)."""
    if end <= start:
        raise RangeError(f"end {end} must be after start {start}")
    if start < first:
        raise RangeError(
            f"start {start} is before the first partition {first} (ANALYTICS_START_DATE)"
        )
    days = Window(start, end)
    if last is None or days.last_day > last:
        raise RangeError(
            f"the day {days.last_day} has not ended yet: the last partition is "
            f"{last or 'none yet'}; choose an end of {Window.day(last or first).end} or earlier"
        )
    return days


# --- the summary ----------------------------------------------------------------------


@dataclass(frozen=True)
class GrainRun:
    """What became of one planned run."""

    grain: str
    job_name: str
    keys: str
    """The partition keys, `first..last`."""
    run_id: str | None
    """None when it did not run (the first run failed)."""
    success: bool


@dataclass(frozen=True)
class RunSummary:
    success: bool
    run_id: str
    """The first (daily) run's id; every run of the range is tagged with it."""
    days: Window
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)
    """Rows staged per raw asset (key as `raw/events`): its `rows_copied`, summed over the
    range's partitions. The dbt assets' `dagster/row_count` is left out: a single-run
    backfill repeats the run's count on every partition's event, so a sum would multiply
    it, and models of different layers added up mean nothing (it is on the asset pages)."""
    failed_steps: tuple[str, ...] = ()
    """`step: error message` of every failed step."""
    failed_checks: tuple[str, ...] = ()
    """`asset:check (blocking|warning)` of every check that did not pass."""
    blocking_reasons: tuple[str, ...] = ()
    """`asset:check: description` of every blocking check that failed: why the run did."""
    runs: tuple[GrainRun, ...] = ()
    """Every planned run, the daily one first; empty for a summary of one run."""

    @property
    def run_ids(self) -> tuple[str, ...]:
        """The ids of the Dagster runs that ran."""
        ran = tuple(r.run_id for r in self.runs if r.run_id)
        return ran or (self.run_id,)

    def render(self) -> str:
        days = len(self.days.days)
        state = "succeeded" if self.success else "FAILED"
        lines = [
            f"run {self.run_id} {state} in {self.seconds:.1f} s: "
            f"{self.days.label()}, {days} day{'s' if days != 1 else ''}"
        ]
        for rollup in self.runs[1:]:
            outcome = (
                "not run: the daily run failed"
                if rollup.run_id is None
                else f"run {rollup.run_id} {'succeeded' if rollup.success else 'FAILED'}"
            )
            lines.append(f"  {rollup.grain}s {rollup.keys}: {outcome}")
        width = max((len(key) for key in self.rows), default=0)
        lines += [f"  {key:<{width}}  {rows:>12,} rows" for key, rows in sorted(self.rows.items())]
        if self.rows:
            lines.append(f"  {'total':<{width}}  {sum(self.rows.values()):>12,} rows")
        lines += [f"  failed step  {failure}" for failure in self.failed_steps]
        lines += [f"  failed check {check}" for check in self.failed_checks]
        lines += [f"  why          {reason}" for reason in self.blocking_reasons]
        return "\n".join(lines)


def summarize(
    events: Sequence[dg.DagsterEvent],
    run_id: str,
    succeeded: bool,
    days: Window,
    seconds: float,
) -> RunSummary:
    """The summary of one Dagster run from its events (`run_events`, or an in-process
    result's `all_events`); `succeeded`: the run's own status."""
    of_type = _by_type(events)
    rows: dict[str, int] = {}
    for event in of_type("ASSET_MATERIALIZATION"):
        materialization = event.step_materialization_data.materialization
        metadata = materialization.metadata
        value = metadata.get(ROWS_METADATA_KEY)
        if value is None:  # an asset that copies no rows is left out, not shown as 0
            continue
        key = materialization.asset_key.to_user_string()
        rows[key] = rows.get(key, 0) + int(value.value)
    failed_steps = tuple(
        f"{event.step_key}: {_failure_message(event)}" for event in of_type("STEP_FAILURE")
    )
    if not succeeded and not failed_steps:  # the run failed outside any step
        failed_steps = tuple(f"run: {e.message}" for e in of_type("PIPELINE_FAILURE") if e.message)
    # dicts, not lists: a ranged run records a check once per partition (check_partitions.py)
    failed_checks: dict[str, None] = {}
    reasons: dict[str, None] = {}
    blocking_failed = False
    for event in of_type("ASSET_CHECK_EVALUATION"):
        evaluation = event.asset_check_evaluation_data
        if evaluation.passed:
            continue
        blocking_failed = blocking_failed or bool(evaluation.blocking)
        name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        kind = "blocking" if evaluation.blocking else evaluation.severity.value.lower()
        failed_checks[f"{name} ({kind})"] = None
        if evaluation.blocking and evaluation.description:
            reasons[f"{name}: {evaluation.description}"] = None
    return RunSummary(
        success=succeeded and not blocking_failed,
        run_id=run_id,
        days=days,
        seconds=seconds,
        rows=rows,
        failed_steps=failed_steps,
        failed_checks=tuple(failed_checks),
        blocking_reasons=tuple(reasons),
    )


def _by_type(events: Sequence[dg.DagsterEvent]) -> Callable[[str], list[dg.DagsterEvent]]:
    def of_type(kind: str) -> list[dg.DagsterEvent]:
        return [e for e in events if e.event_type_value == kind]

    return of_type


def combine(
    plan: list[PlannedRun], summaries: list[RunSummary], days: Window, seconds: float
) -> RunSummary:
    """One summary of the planned runs; `summaries` holds those that ran, in plan order
    (a prefix: the daily one, then the rollups unless it failed)."""
    rows: dict[str, int] = {}
    for summary in summaries:
        for key, count in summary.rows.items():
            rows[key] = rows.get(key, 0) + count
    runs = tuple(
        GrainRun(
            grain=planned.grain.unit,
            job_name=planned.grain.job,
            keys=range_label(planned.keys),
            run_id=summaries[i].run_id if i < len(summaries) else None,
            success=i < len(summaries) and summaries[i].success,
        )
        for i, planned in enumerate(plan)
    )
    return RunSummary(
        success=all(r.success for r in runs),
        run_id=summaries[0].run_id,
        days=days,
        seconds=seconds,
        rows=rows,
        failed_steps=tuple(f for s in summaries for f in s.failed_steps),
        failed_checks=tuple(c for s in summaries for c in s.failed_checks),
        blocking_reasons=tuple(r for s in summaries for r in s.blocking_reasons),
        runs=runs,
    )


# --- running --------------------------------------------------------------------------


def run_range(start: date, end: date, progress: bool = False) -> RunSummary:
    """Materialize the pipeline over the daily partitions [start, end) in one run, then the
    weekly and monthly rollups of the weeks and months the range completes (one run each)."""
    partitions = DAILY.partitions()
    days = check_range(start, end, first_day(partitions), last_day(partitions))
    return execute_plan(plan_runs(days), days, progress)


def execute_plan(plan: list[PlannedRun], days: Window, progress: bool = False) -> RunSummary:
    """Launch the planned runs in order through the project's instance (launch.py), each a
    single-run backfill of its keys, and wait for each; the rollups only when the first
    run succeeded."""
    ensure_dagster_home()
    started = time.perf_counter()
    summaries: list[RunSummary] = []
    pipeline_run = str(uuid.uuid4())
    # The progress bar replaces Dagster's line-per-event console log.
    log_level = "WARNING" if progress else "INFO"
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    with (
        dg.DagsterInstance.get() as instance,
        project_workspace(instance) as workspace,
        _progress(instance, progress) as track,
    ):
        for orphan in fail_orphaned_runs(instance):
            _say(f"marked run {orphan} failed: its process is gone")
        for planned in plan:
            if summaries and not summaries[0].success:
                break
            run_id = pipeline_run if not summaries else str(uuid.uuid4())
            tags = {**planned.tags(), PIPELINE_RUN_TAG: pipeline_run}
            run = create_run(instance, workspace, planned.grain.job, run_id, tags, run_config)
            label = f"{planned.grain.unit}s {range_label(planned.keys)}"
            finish = track(run_id, label, _steps(instance, run))
            began = time.perf_counter()
            wait_for_room(instance, _say)
            ended = launch_and_wait(instance, workspace, run)
            succeeded = ended.status == dg.DagsterRunStatus.SUCCESS
            events = run_events(instance, run_id)
            seconds = time.perf_counter() - began
            summaries.append(summarize(events, run_id, succeeded, days, seconds))
            finish(summaries[-1].success)
    return combine(plan, summaries, days, time.perf_counter() - started)


def _steps(instance: dg.DagsterInstance, run: dg.DagsterRun) -> int:
    snapshot = instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id or "")
    return len(snapshot.steps)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _failure_message(event: dg.DagsterEvent) -> str:
    """One line: a dg.Failure's own description, else the error that caused the failure
    (Dagster wraps it in "Error occurred while executing op ...")."""
    data = event.step_failure_data
    if data.user_failure_data and data.user_failure_data.description:
        return " ".join(data.user_failure_data.description.split())
    error = data.error
    while error is not None and error.cause is not None:
        error = error.cause
    if error is None:
        return "failed"
    lines = error.message.strip().splitlines()
    return " ".join(lines[0].split()) if lines else error.cls_name or "failed"


Finish = Callable[[bool], None]
Track = Callable[[str, str, int], Finish]
"""track(run_id, label, steps) shows a run's step events as they happen; the returned
finish(success) closes its bar when the run is over."""


@contextmanager
def _progress(instance: dg.DagsterInstance, enabled: bool) -> Iterator[Track]:
    """A rich progress bar on stderr per run, advanced by the run's step events; a no-op
    tracker when disabled."""
    if not enabled:
        yield lambda run_id, label, steps: lambda success: None
        return

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

        def track(run_id: str, label: str, steps: int) -> Finish:
            task = bar.add_task(f"{label}: starting", total=steps)
            instance.add_event_listener(run_id, _on_event(bar, task))

            def finish(success: bool) -> None:
                # Steps downstream of a failure are abandoned without an event of their
                # own: the bar says so and ends full rather than stopping short.
                done = next(t.completed for t in bar.tasks if t.id == task)
                left = steps - int(done)
                state = "succeeded" if success else "FAILED"
                note = f", {left} steps not run" if left > 0 else ""
                bar.update(task, completed=steps, description=f"{label}: {state}{note}")

            return finish

        yield track


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
