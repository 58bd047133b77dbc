"""Expectation suites as reviewed JSON files: what they check and where.

Each file in `suites/` is a GX 1.x expectation suite (name, expectations with
`type`, `kwargs`, `severity`) plus a `meta.target` block that says which relation it
validates, which asset it belongs to and which column places a row in a partition:

    "meta": {
      "target": {
        "relation": "marts.fct_payments",
        "asset_key": ["marts", "fct_payments"],
        "window_column": "payment_date",
        "after": [["quarantine", "quarantined_rows"]]
      },
      "params": {"max_bad_share": 0.01}
    }

`after` (optional) names assets the check must wait for when they are in the same run
(a relation the suite's SQL reads that another step builds); only a suite without a
critical expectation may have it, since a blocking check cannot wait for its own asset's
downstream. An `unexpected_rows_query` may use, besides GX's `{batch}`, the placeholders
`{window_start}` and `{window_end}` (the partition window, see runner.py) and
`{<param>}` for every key of `meta.params`.

A `value_set` names the source contract's enumeration it checks rather than copying it:
`"value_set": {"source_enum": "users.role"}` is replaced, when the suite is loaded, by the
values analytics_assets/source/tables.py holds for users.role (declared once, in
dbt_project.yml; see there).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any

from analytics_assets.source.tables import enum_values

SUITES_DIR = Path(__file__).resolve().parent / "suites"
SEVERITIES = ("critical", "warning", "info")
WINDOW_PLACEHOLDERS = ("window_start", "window_end")
ROWS_EXPECTATION = "unexpected_rows_expectation"


class SuiteError(ValueError):
    """A suite file that cannot be run as written."""


@dataclass(frozen=True)
class SuiteTarget:
    relation: str
    """schema.table validated by the suite."""
    asset_key: tuple[str, ...]
    """The Dagster asset the suite's check belongs to."""
    window_column: str | None
    """Column whose value places a row in a partition; None validates the whole relation."""
    after: tuple[tuple[str, ...], ...] = ()
    """Assets (keys as path tuples) the check waits for when they run in the same run."""


@dataclass(frozen=True)
class SuiteFile:
    name: str
    target: SuiteTarget
    document: dict[str, Any]
    """The GX suite as written in the file, source enums resolved (passed to GX unchanged, but
    for placeholders)."""
    path: Path

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.document.get("meta", {}).get("params", {}))

    @property
    def description(self) -> str:
        return str(self.document.get("meta", {}).get("description", ""))

    @property
    def severities(self) -> set[str]:
        return {e.get("severity", "critical") for e in self.document["expectations"]}

    @property
    def blocking(self) -> bool:
        """A suite with a critical expectation stops its asset's downstream when it fails."""
        return "critical" in self.severities


def parse_suite(path: Path) -> SuiteFile:
    document = json.loads(path.read_text())
    meta = document.get("meta", {})
    target = meta.get("target")
    if not target or "relation" not in target or "asset_key" not in target:
        raise SuiteError(f"{path.name}: meta.target needs relation and asset_key")
    if not document.get("expectations"):
        raise SuiteError(f"{path.name}: a suite needs at least one expectation")
    params = meta.get("params", {})
    for expectation in document["expectations"]:
        if expectation.get("severity", "critical") not in SEVERITIES:
            raise SuiteError(f"{path.name}: {expectation['type']} has an unknown severity")
        _check_query(path.name, expectation, set(params))
        _resolve_enum(path.name, expectation)
    suite = SuiteFile(
        name=document["name"],
        target=SuiteTarget(
            relation=target["relation"],
            asset_key=tuple(target["asset_key"]),
            window_column=target.get("window_column"),
            after=tuple(tuple(key) for key in target.get("after", [])),
        ),
        document=document,
        path=path,
    )
    if suite.target.after and suite.blocking:
        raise SuiteError(
            f"{path.name}: a blocking suite (one with a critical expectation) cannot wait "
            "for other assets (meta.target.after): they may be downstream of its own asset"
        )
    return suite


def _check_query(file: str, expectation: dict[str, Any], params: set[str]) -> None:
    """Refuse, at load time, a row query that would only fail when the check runs."""
    if expectation["type"] != ROWS_EXPECTATION:
        return
    query = expectation["kwargs"].get("unexpected_rows_query", "")
    description = expectation["kwargs"].get("description")
    if not description:
        raise SuiteError(f"{file}: every {ROWS_EXPECTATION} needs a description (its name)")
    if "%" in query:
        # GX sends the query through psycopg2, which reads % as a parameter marker.
        raise SuiteError(f"{file}: '{description}' uses %; write mod() or a regex instead")
    fields = {name for _, name, _, _ in Formatter().parse(query) if name is not None}
    unknown = fields - {"batch", *WINDOW_PLACEHOLDERS, *params}
    if unknown:
        raise SuiteError(f"{file}: '{description}' uses unknown placeholders {sorted(unknown)}")


def _resolve_enum(file: str, expectation: dict[str, Any]) -> None:
    """`{"source_enum": "table.column"}` as a value_set -> the contract's values of it."""
    value_set = expectation["kwargs"].get("value_set")
    if not isinstance(value_set, dict):
        return
    table, _, column = str(value_set.get("source_enum", "")).partition(".")
    try:
        expectation["kwargs"]["value_set"] = list(enum_values(table, column))
    except KeyError:
        raise SuiteError(
            f"{file}: value_set {value_set} names no enumeration of the source contract"
        ) from None


@cache
def load_suites(directory: Path = SUITES_DIR) -> tuple[SuiteFile, ...]:
    """Every suite file, sorted by name so check order is stable."""
    suites = tuple(parse_suite(p) for p in sorted(directory.glob("*.json")))
    names = [s.name for s in suites]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise SuiteError(f"suite names must be unique; repeated: {duplicated}")
    return suites
