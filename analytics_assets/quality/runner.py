"""Run one suite on one partition window of the warehouse, as SQL in PostgreSQL.

GX is imported here, lazily: importing it costs seconds, and the Dagster definitions must
load fast. The batch is a query over the partition's window, which GX copies once into a
temporary table (`create_temp_table`): every expectation then reads that small table
instead of filtering the whole relation again, and no row is pulled into pandas.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from analytics_assets.db import sqlalchemy_url
from analytics_assets.quality.suite import ROWS_EXPECTATION, SuiteFile
from analytics_assets.window import Window

SAMPLE_SIZE = 5
# BASIC, not SUMMARY: SUMMARY adds a value-count query per expectation that nobody reads.
COLUMN_RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": SAMPLE_SIZE}
# Row expectations fetch their unexpected rows anyway (up to 200); COMPLETE hands them back.
ROWS_RESULT_FORMAT = {"result_format": "COMPLETE"}


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


def _literal(moment: dt.datetime) -> str:
    """A UTC instant as an untyped SQL literal: compared with a timestamptz column it is that
    instant, with a UTC `timestamp` or a `date` column its UTC wall time or day."""
    return f"'{moment.isoformat()}'"


def batch_query(suite: SuiteFile, window: Window | None) -> str:
    """The rows a suite validates: the relation, cut to the window when it has one."""
    relation, column = suite.target.relation, suite.target.window_column
    if window is None or column is None:
        return f"select * from {relation}"
    start, end = window.bounds
    where = f"{column} >= {_literal(start)} and {column} < {_literal(end)}"
    return f"select * from {relation} where {where}"


def window_bounds(suite: SuiteFile, window: Window | None) -> tuple[str, str]:
    """SQL for {window_start} and {window_end}: the window's bounds, or without a window the
    extent of the batch's window column (the first and last values present)."""
    column = suite.target.window_column
    if window is not None:
        start, end = window.bounds
        return _literal(start), _literal(end)
    if column is None:
        return "'-infinity'", "'infinity'"
    return f"(select min({column}) from {{batch}})", f"(select max({column}) from {{batch}})"


def render_query(query: str, suite: SuiteFile, window: Window | None) -> str:
    """An unexpected_rows_query with its placeholders filled in; {batch} is left to GX."""
    start, end = window_bounds(suite, window)
    values = {"window_start": start, "window_end": end, **suite.params}
    for name, value in values.items():
        query = query.replace("{" + name + "}", str(value))
    return query


def gx_expectations(suite: SuiteFile, window: Window | None) -> list[dict[str, Any]]:
    """The suite's expectations as GX reads them, queries rendered for the window."""
    rendered = []
    for expectation in suite.document["expectations"]:
        kwargs = dict(expectation["kwargs"])
        if expectation["type"] == ROWS_EXPECTATION:
            kwargs["unexpected_rows_query"] = render_query(
                kwargs["unexpected_rows_query"], suite, window
            )
            kwargs["description"] = render_query(kwargs["description"], suite, window)
        rendered.append({**expectation, "kwargs": kwargs})
    return rendered


def validate(suite: SuiteFile, warehouse_url: str, window: Window | None) -> SuiteResult:
    """Validate the suite's relation over the window; GX sends every metric as SQL.

    A batch that cannot be built (a relation that does not exist) fails every expectation
    with the error as its observed value: a check that could not look has not passed.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.core import ExpectationSuite
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.validator.v1_validator import Validator

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    name = f"{suite.name}-{uuid.uuid4().hex[:8]}"
    # One pooled connection: the batch's temporary table lives in that session only. The
    # generic SQL source, not add_postgres: its URL check rejects a unix-socket host.
    source = context.data_sources.add_sql(
        name,
        connection_string=sqlalchemy_url(warehouse_url),
        create_temp_table=True,
        kwargs={"pool_size": 1, "max_overflow": 0},
    )
    batch = source.add_query_asset(name, query=batch_query(suite, window))
    validator = Validator(
        batch_definition=batch.add_batch_definition_whole_table(name),
        result_format=COLUMN_RESULT_FORMAT,
    )
    expectations = gx_expectations(suite, window)
    outcomes: dict[int, ExpectationOutcome] = {}
    try:
        for rows, result_format in ((False, COLUMN_RESULT_FORMAT), (True, ROWS_RESULT_FORMAT)):
            indexes = [
                i for i, e in enumerate(expectations) if (e["type"] == ROWS_EXPECTATION) == rows
            ]
            if not indexes:
                continue
            validator.result_format = result_format
            part = ExpectationSuite(name=name, expectations=[expectations[i] for i in indexes])
            results = validator.validate_expectation_suite(part).results
            outcomes.update({i: _outcome(r) for i, r in zip(indexes, results, strict=True)})
    except Exception as err:  # the batch could not be built: nothing was checked
        message = f"error: {' '.join(str(err).split())[:300]}"
        outcomes = {i: _error(e, message) for i, e in enumerate(expectations)}
    finally:
        # Close every session (the temporary batch table goes with it): the execution
        # engine's, and the data source's own, which tested the connection.
        source.get_execution_engine().engine.dispose()
        source.get_engine().dispose()
    return SuiteResult(
        suite=suite.name,
        relation=suite.target.relation,
        window=window,
        outcomes=[outcomes[i] for i in sorted(outcomes)],
    )


def _label(kind: str, kwargs: dict[str, Any], description: str | None = None) -> str:
    """How an expectation is named in metadata and results: `type(column)` for GX's own
    expectations, the description for a row query (it says what the SQL looks for)."""
    description = description or kwargs.get("description")
    if kind == ROWS_EXPECTATION and description:
        return str(description)
    column = kwargs.get("column") or kwargs.get("column_list")
    if isinstance(column, list):
        column = ", ".join(column)
    label = f"{kind}({column})" if column else kind
    return f"{label}: {description}" if description else label


def _error(expectation: dict[str, Any], message: str) -> ExpectationOutcome:
    label = _label(expectation["type"], expectation["kwargs"], expectation.get("description"))
    return ExpectationOutcome(label, expectation.get("severity", "critical"), False, message)


def _outcome(result: Any) -> ExpectationOutcome:
    config = result.expectation_config
    label = _label(config.type, config.kwargs, getattr(config, "description", None))
    raised = result.exception_info.get("raised_exception") if result.exception_info else False
    details = result.result or {}
    if raised:
        message = " ".join(str(result.exception_info.get("exception_message", "")).split())
        return ExpectationOutcome(label, _severity(config), False, f"error: {message[:300]}")
    if config.type == ROWS_EXPECTATION:  # its observed value is the count of bad rows
        unexpected = details.get("observed_value")
        sample = (details.get("details") or {}).get("unexpected_rows") or []
    else:
        unexpected = details.get("unexpected_count")
        sample = details.get("partial_unexpected_list") or []
    return ExpectationOutcome(
        expectation=label,
        severity=_severity(config),
        success=bool(result.success),
        observed_value=_plain(details.get("observed_value")),
        unexpected_count=unexpected,
        sample=[_plain(value) for value in sample[:SAMPLE_SIZE]],
    )


def _severity(config: Any) -> str:
    severity = getattr(config, "severity", None)
    return str(getattr(severity, "value", severity) or "critical")


def _plain(value: Any) -> Any:
    """JSON-friendly: GX hands back numpy scalars, Decimals, dates, UUIDs and the like."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "item"):
        return value.item()
    return str(value)
