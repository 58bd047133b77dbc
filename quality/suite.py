"""Expectation suites as reviewed JSON files: what they check and where.

Each file in `quality/suites/` is a GX 1.x expectation suite (name, expectations with
`type`, `kwargs`, `severity`) plus a `meta.target` block that says which relation it
validates, which asset it belongs to and which column places a row in a partition.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SUITES_DIR = Path(__file__).resolve().parent / "suites"


@dataclass(frozen=True)
class SuiteTarget:
    relation: str
    """schema.table validated by the suite."""
    asset_key: tuple[str, ...]
    """The Dagster asset the suite's check belongs to."""
    window_column: str | None
    """Column whose value places a row in a partition; None validates the whole relation."""


@dataclass(frozen=True)
class SuiteFile:
    name: str
    target: SuiteTarget
    document: dict[str, Any]
    """The GX suite as written in the file (passed to GX unchanged)."""
    path: Path

    @property
    def severities(self) -> set[str]:
        return {e.get("severity", "critical") for e in self.document["expectations"]}

    @property
    def blocking(self) -> bool:
        """A suite with a critical expectation stops its asset's downstream when it fails."""
        return "critical" in self.severities


def parse_suite(path: Path) -> SuiteFile:
    document = json.loads(path.read_text())
    target = document.get("meta", {}).get("target")
    if not target or "relation" not in target or "asset_key" not in target:
        raise ValueError(f"{path.name}: meta.target needs relation and asset_key")
    for expectation in document.get("expectations", []):
        if expectation.get("severity", "critical") not in {"critical", "warning", "info"}:
            raise ValueError(f"{path.name}: {expectation['type']} has an unknown severity")
    return SuiteFile(
        name=document["name"],
        target=SuiteTarget(
            relation=target["relation"],
            asset_key=tuple(target["asset_key"]),
            window_column=target.get("window_column"),
        ),
        document=document,
        path=path,
    )


@cache
def load_suites(directory: Path = SUITES_DIR) -> tuple[SuiteFile, ...]:
    """Every suite file, sorted by name so check order is stable."""
    return tuple(parse_suite(p) for p in sorted(directory.glob("*.json")))
