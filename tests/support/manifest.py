"""The models' columns as the project declares them (`data_type` in their YAML, read from
the manifest): tests that stand in for a model with a hand-filled table create it from
these, never from a copy of the columns."""

from __future__ import annotations

import json
from functools import cache

from analytics_assets.dbt.project import ensure_manifest


@cache
def declared_models() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """`schema.name` -> (path of its SQL, [(column, data_type)] in the YAML's order) of every
    model whose YAML gives each of its columns a data_type, from the project's manifest
    (`make` keeps it current; tests/test_marts_users.py checks the types against a build)."""
    nodes = json.loads(ensure_manifest().read_text())["nodes"].values()
    return {
        f"{n['schema']}.{n['alias']}": (
            n["original_file_path"],
            [(c["name"], c["data_type"]) for c in n["columns"].values()],
        )
        for n in nodes
        if n["resource_type"] == "model"
        and n["columns"]
        and all(c.get("data_type") for c in n["columns"].values())
    }


def declared_columns(relation: str) -> str:
    """`name type, ...` of a model (`schema.name`) as its YAML declares it: the column list
    of a CREATE TABLE standing in for it."""
    _, columns = declared_models()[relation]
    return ", ".join(f"{name} {data_type}" for name, data_type in columns)


def models_in(folder: str) -> list[str]:
    """The declared models (`schema.name`) whose SQL is in `folder`, e.g. models/marts/core."""
    return sorted(r for r, (path, _) in declared_models().items() if path.startswith(f"{folder}/"))
