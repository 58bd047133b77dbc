"""Check the shape of the project's imports: no circle among its modules, and no Dagster
internals (`dagster._...`) outside the one module that says why it needs them.

    python scripts/check_imports.py        # exit 1 and one line per finding, else 0

Every import counts, wherever it stands (module level, inside a function, under
TYPE_CHECKING): an import that would close a circle at module level is a circle whether
or not it is deferred. Run by CI (tests/test_imports.py) and `make lint`.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("analytics_assets", "demo_source", "benchmarks")
# Dagster 1.13 has no public API for what this module does (its docstring says what).
DAGSTER_INTERNALS_ALLOWED_IN = {"analytics_assets.dagster_internals"}


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            modules[module_name(path, root)] = path
    return modules


def imported_names(path: Path, module: str) -> Iterator[str]:
    """Every module name an import statement of the file names (for `from a import b`,
    both `a` and `a.b`: b may be a module)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = {name for name in imported_names(path, module) if name in modules}
        graph[module] = targets - {module}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def dagster_internals(modules: dict[str, Path]) -> list[str]:
    """`module: dagster._...` of every Dagster internal module imported outside the
    allowed one (the module itself, not each name taken from it)."""
    found = set()
    for module, path in modules.items():
        if module in DAGSTER_INTERNALS_ALLOWED_IN:
            continue
        names = {n for n in imported_names(path, module) if n.startswith("dagster._")}
        found |= {f"{module}: {n}" for n in names if n.rpartition(".")[0] not in names}
    return sorted(found)


def findings(modules: dict[str, Path] | None = None) -> list[str]:
    modules = modules if modules is not None else project_modules()
    lines = [f"import circle: {' <-> '.join(c)}" for c in circles(import_graph(modules))]
    lines += [f"Dagster internals: {hit}" for hit in dagster_internals(modules)]
    return lines


def main() -> int:
    problems = findings()
    for line in problems:
        print(line)
    if not problems:
        print(f"imports: no circle, no Dagster internals ({len(project_modules())} modules)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
