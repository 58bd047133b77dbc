"""Run one suite on one partition window of the warehouse, as SQL in PostgreSQL.

GX is imported here, lazily: importing it costs seconds, and the Dagster definitions must
load fast. The batch is a query over the partition's window, so every expectation runs
as SQL against only that window; no table is pulled into pandas.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from quality.suite import SuiteFile

SAMPLE_SIZE = 5


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    """Half-open: [start, end)."""


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    """The expectation type and its column, e.g. expect_column_values_to_be_unique(id)."""
    severity: str
    success: bool
    observed_value: Any = None
    unexpected_count: int | None = None
    sample: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class SuiteResult:
    suite: str
    relation: str
    window: Window | None
    outcomes: list[ExpectationOutcome]

    @property
    def critical_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == "critical"]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity != "critical"]

    @property
    def passed(self) -> bool:
        """True unless a critical expectation failed (warnings do not fail a suite)."""
        return not self.critical_failures


def batch_query(suite: SuiteFile, window: Window | None) -> str:
    """The rows a suite validates: the relation, cut to the window when it has one."""
    relation, column = suite.target.relation, suite.target.window_column
    if window is None or column is None:
        return f"select * from {relation}"
    return (
        f"select * from {relation} where {column} >= '{window.start.isoformat()}' "
        f"and {column} < '{window.end.isoformat()}'"
    )


def sqlalchemy_url(libpq_url: str) -> str:
    # SQLAlchemy 2.1 would pick psycopg 3 for plain postgresql://; GX is tested on psycopg2.
    return libpq_url.replace("postgresql://", "postgresql+psycopg2://", 1)


def validate(suite: SuiteFile, warehouse_url: str, window: Window | None) -> SuiteResult:
    """Validate the suite's relation over the window; GX sends every metric as SQL."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.core import ExpectationSuite

    context = gx.get_context(mode="ephemeral")
    name = f"{suite.name}-{uuid.uuid4().hex[:8]}"
    source = context.data_sources.add_postgres(name, connection_string=sqlalchemy_url(warehouse_url))
    asset = source.add_query_asset(name, query=batch_query(suite, window))
    batch = asset.add_batch_definition_whole_table(name)
    document = {k: v for k, v in suite.document.items() if k != "meta"}
    gx_suite = context.suites.add(ExpectationSuite(**{**document, "name": name}))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch, suite=gx_suite)
    )
    result = definition.run(result_format="SUMMARY")
    return SuiteResult(
        suite=suite.name,
        relation=suite.target.relation,
        window=window,
        outcomes=[_outcome(r) for r in result.results],
    )


def _outcome(result: Any) -> ExpectationOutcome:
    config = result.expectation_config
    column = config.kwargs.get("column") or config.kwargs.get("column_list")
    label = f"{config.type}({column})" if column else config.type
    if config.kwargs.get("description"):
        label = f"{label}: {config.kwargs['description']}"
    raised = result.exception_info.get("raised_exception") if result.exception_info else False
    details = result.result or {}
    if raised:
        message = result.exception_info.get("exception_message", "")
        return ExpectationOutcome(label, _severity(config), False, f"error: {message[:300]}")
    return ExpectationOutcome(
        expectation=label,
        severity=_severity(config),
        success=bool(result.success),
        observed_value=_plain(details.get("observed_value")),
        unexpected_count=details.get("unexpected_count"),
        sample=[_plain(v) for v in (details.get("partial_unexpected_list") or [])[:SAMPLE_SIZE]],
    )


def _severity(config: Any) -> str:
    severity = getattr(config, "severity", None)
    return str(getattr(severity, "value", severity) or "critical")


def _plain(value: Any) -> Any:
    """JSON-friendly: GX hands back numpy scalars, dates and the like."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "item"):
        return value.item()
    return str(value)
