"""The source contract's enumerations have one definition, and every check reads it.

vars.source_enums in dbt_project.yml is the one place (analytics_assets/source/tables.py
says why there): the checked staging models and the marts' accepted_values tests read it
through the source_enum macro, the contract loads it into Column.values (the generator's
vocabulary and the GX suites take it from there). No check holds a copy, and changing the
definition changes the checks dbt compiles.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from analytics_assets.dbt.project import dbt_env, dbt_executable
from analytics_assets.quality.suite import load_suites
from analytics_assets.settings import DBT_PROJECT_DIR, QUALITY_DIR
from analytics_assets.source.tables import (
    ENUMS_FILE,
    load_enums,
    source_tables,
    with_enums,
)

ENUMS = {
    (table.name, column.name): column.values
    for table in source_tables().values()
    for column in table.columns
    if column.values
}
CHECK_ENUM = re.compile(r"check_enum\(([^)]*\)?)\)")


def test_the_contract_holds_the_enumerations_the_dbt_project_declares() -> None:
    assert ENUMS_FILE == DBT_PROJECT_DIR / "dbt_project.yml"
    declared = load_enums()
    assert {(t, c): v for t, cols in declared.items() for c, v in cols.items()} == ENUMS
    assert ENUMS[("practice_attempts", "status")] == ("completed", "abandoned", "in_progress")
    assert len(ENUMS) == 14


def test_the_staging_checks_read_every_enumeration_and_copy_none() -> None:
    checked = set()
    for path in sorted((DBT_PROJECT_DIR / "models/staging/checks").glob("chk_*.sql")):
        table = path.stem.removeprefix("chk_")
        for call in CHECK_ENUM.findall(path.read_text()):
            match = re.fullmatch(rf"'c\.(\w+)', source_enum\('{table}', '(\w+)'\)", call)
            assert match and match[1] == match[2], f"{path.name}: check_enum({call})"
            checked.add((table, match[1]))
    assert checked == set(ENUMS)


def test_no_yml_test_and_no_suite_copies_an_enumeration() -> None:
    """accepted_values of a contract enumeration name it (source_enum); the suites name it too
    ({"source_enum": ...}): a list of the same values anywhere is a copy."""
    copies = {frozenset(values) for values in ENUMS.values()}
    read = set()
    for path in sorted((DBT_PROJECT_DIR / "models").rglob("_*.yml")):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            for column in model.get("columns", []):
                for test in column.get("data_tests", []):
                    if not isinstance(test, dict) or "accepted_values" not in test:
                        continue
                    values = test["accepted_values"]["arguments"]["values"]
                    where = f"{path.name}: {model['name']}.{column['name']}"
                    if isinstance(values, str):
                        match = re.fullmatch(r"\{\{ source_enum\('(\w+)', '(\w+)'\) \}\}", values)
                        assert match and (match[1], match[2]) in ENUMS, where
                        read.add((match[1], match[2]))
                    else:
                        assert frozenset(values) not in copies, where
    # every enumeration reaches the marts, as an accepted_values test of its column there
    assert read == set(ENUMS)
    for path in sorted((QUALITY_DIR / "suites").glob("*.json")):
        for expectation in json.loads(path.read_text())["expectations"]:
            value_set = expectation["kwargs"].get("value_set")
            if isinstance(value_set, list):
                assert frozenset(value_set) not in copies, path.name


def test_the_suites_get_the_values_from_the_contract() -> None:
    [stg_users] = [s for s in load_suites() if s.name == "stg_users"]
    [role] = [
        e
        for e in stg_users.document["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set"
    ]
    assert role["kwargs"] == {"column": "role", "value_set": ["student", "mentor", "admin"]}


def test_an_enumeration_of_no_contract_column_is_refused(tmp_path: Path) -> None:
    tables = tuple(source_tables().values())
    with pytest.raises(ValueError, match=r"users\.rank is no column"):
        with_enums(tables, {"users": {"rank": ("a",)}})
    with pytest.raises(ValueError, match=r"users\.created_at is not a text enumeration"):
        with_enums(tables, {"users": {"created_at": ("a",)}})
    project = tmp_path / "dbt_project.yml"
    project.write_text("vars:\n  source_enums:\n    users:\n      role: [student, yes]\n")
    with pytest.raises(ValueError, match="no string"):
        load_enums(project)


def test_changing_the_one_definition_changes_the_checks(
    tmp_path: Path, local_server_url: str
) -> None:
    """A copy of the project with a fifth practice-attempt status: the contract has it, the
    staging check and the mart's accepted_values test dbt compiles accept it."""
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    declared = project / "dbt_project.yml"
    before = "status: [completed, abandoned, in_progress]"
    assert declared.read_text().count(before) == 1
    declared.write_text(declared.read_text().replace(before, before[:-1] + ", paused]"))
    changed = ("completed", "abandoned", "in_progress", "paused")

    tables = with_enums(tuple(source_tables().values()), load_enums(declared))
    assert tables["practice_attempts"].column("status").values == changed

    selection = ["chk_practice_attempts", "test_name:accepted_values,fct_practice_attempts"]
    target = tmp_path / "target"
    paths = ["--project-dir", project, "--profiles-dir", project, "--target-path", target]
    subprocess.run(
        [dbt_executable(), "compile", "--quiet", "--select", *selection, *map(str, paths)],
        env={
            **os.environ,
            **dbt_env(local_server_url, with_pii_key=False),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        },
        check=True,
        capture_output=True,
    )
    nodes = json.loads((target / "manifest.json").read_text())["nodes"].values()
    compiled = {n["name"]: n.get("compiled_code") or "" for n in nodes}
    listed = ", ".join(f"'{v}'" for v in changed)
    assert f"c.status not in ({listed}) then 'invalid_enum'" in compiled["chk_practice_attempts"]
    [test] = [n for n in compiled if n.startswith("accepted_values_fct_practice_attempts_status")]
    assert "'completed','abandoned','in_progress','paused'" in compiled[test]
