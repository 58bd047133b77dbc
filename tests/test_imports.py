"""The shape of the imports (scripts/check_imports.py): no circle among the project's
modules, no Dagster internals outside analytics_assets/dagster_internals.py."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check_imports.py"


def _checker():
    spec = importlib.util.spec_from_file_location("check_imports", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_project_has_no_import_circle_and_no_dagster_internals():
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout
    assert "no circle, no Dagster internals" in result.stdout


def test_a_circle_and_an_internal_import_are_found(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import thing\n")
    (package / "b.py").write_text("def f():\n    from pkg import a\n")
    (package / "c.py").write_text("from dagster._core.storage.tags import X\n")
    (package / "d.py").write_text("from . import b\n")  # relative, no circle
    checker = _checker()
    modules = checker.project_modules(tmp_path, ("pkg",))
    assert checker.findings(modules) == [
        "import circle: pkg.a <-> pkg.b",
        "Dagster internals: pkg.c: dagster._core.storage.tags",
    ]
