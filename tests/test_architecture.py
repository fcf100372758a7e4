"""The layering of docs/architecture.md, read from the code: who may import whom.

Each module of the project is given the floor the document gives it; a module may import modules
of its own floor or lower, never higher. The imports are read with `ast`, so a rule broken
anywhere, even in a function body, fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("roadmap", "accounts", "synthetic", "bench", "tests")

# The floors of docs/architecture.md, by module prefix (the longest prefix wins).
FLOORS = {
    "accounts": 0,
    "roadmap.progress": 0,
    "roadmap.french": 0,
    "roadmap.report_changes": 0,
    "roadmap.inputs": 0,
    "roadmap.site": 0,
    "roadmap.models": 1,
    "roadmap.queries": 2,
    "roadmap.permissions": 2,
    "roadmap.caching": 2,
    "roadmap.summaries": 2,
    "roadmap.overview": 2,
    "roadmap.charts": 2,
    "roadmap.method": 2,
    "roadmap.history": 2,
    "roadmap.journal": 2,
    "roadmap.opendata": 2,
    "roadmap.forms": 2,
    "roadmap.filters": 2,
    "roadmap.spreadsheets": 2,
    "roadmap.seed": 2,
    "roadmap.scenario": 2,
    "roadmap.writes": 2,
    "roadmap.reports": 2,
    "roadmap.report_pdf": 2,
    "roadmap.reviews": 2,
    "roadmap.views": 3,
    "roadmap.admin": 3,
    "roadmap.feeds": 3,
    "roadmap.templatetags": 3,
    "roadmap.management": 3,
    "roadmap.apps": 3,
    "roadmap.urls": 4,
    "roadmap.site.urls": 5,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imports_of(path: Path) -> set[str]:
    """The project modules `path` imports, `from package import module` resolved to the module."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            found.add(origin)
            found.update(
                f"{origin}.{alias.name}"
                for alias in node.names
                if is_module(f"{origin}.{alias.name}")
            )
    return {item for item in found if item.split(".")[0] in PROJECT and item != name}


def sources(*tops: str) -> list[Path]:
    return sorted(
        path
        for top in tops
        for path in (ROOT / top).rglob("*.py")
        if "migrations" not in path.parts
    )


def floor(name: str) -> int | None:
    prefixes = [prefix for prefix in FLOORS if name == prefix or name.startswith(prefix + ".")]
    return FLOORS[max(prefixes, key=len)] if prefixes else None


@pytest.mark.parametrize("path", sources("roadmap", "accounts"), ids=module_name)
def test_a_module_imports_nothing_from_a_higher_floor(path):
    name = module_name(path)
    own = floor(name)
    if own is None:
        assert name == "roadmap", f"{name} n'a pas d'étage dans docs/architecture.md"
        return
    higher = sorted(dep for dep in imports_of(path) if (floor(dep) or 0) > own)
    assert higher == [], f"{name} (étage {own}) importe d'un étage supérieur : {higher}"


def test_every_module_has_a_floor():
    assert [
        module_name(path)
        for path in sources("roadmap", "accounts")
        if floor(module_name(path)) is None and module_name(path) != "roadmap"
    ] == []


def test_accounts_never_imports_the_roadmap():
    offending = {
        module_name(path): sorted(dep for dep in imports_of(path) if not dep.startswith("accounts"))
        for path in sources("accounts")
    }
    assert {name: deps for name, deps in offending.items() if deps} == {}


def test_the_pure_modules_import_neither_django_nor_the_project():
    for name in ("progress", "french"):
        path = ROOT / "roadmap" / f"{name}.py"
        assert imports_of(path) == set(), name
    tree = ast.parse((ROOT / "roadmap" / "progress.py").read_text(encoding="utf-8"))
    modules = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(module and module.startswith("django") for module in modules)


def test_no_python_module_imports_a_template_tag_module():
    offending = [
        module_name(path)
        for path in sources("roadmap", "accounts", "synthetic", "bench")
        if any(dep.startswith("roadmap.templatetags") for dep in imports_of(path))
        and not module_name(path).startswith("roadmap.templatetags")
    ]
    assert offending == []


def test_the_app_serves_requests_without_the_generator_the_bench_or_the_tests():
    allowed = {"roadmap.management.commands.generate_roadmap": {"synthetic"}}
    offending = {}
    for path in sources("roadmap", "accounts"):
        name = module_name(path)
        outside = {
            dep.split(".")[0]
            for dep in imports_of(path)
            if dep.split(".")[0] in {"synthetic", "bench", "tests"}
        }
        if outside - allowed.get(name, set()):
            offending[name] = sorted(outside)
    assert offending == {}


def test_the_generator_builds_on_the_lower_floors_only():
    higher = {
        module_name(path): sorted(
            dep
            for dep in imports_of(path)
            if dep.split(".")[0] in {"bench", "tests"} or (floor(dep) or 0) > 2
        )
        for path in sources("synthetic")
    }
    assert {name: deps for name, deps in higher.items() if deps} == {}


def test_no_test_module_imports_another_test_module():
    offending = {}
    for path in sources("tests"):
        deps = sorted(
            dep
            for dep in imports_of(path)
            if dep.startswith("tests.")
            and (dep.rpartition(".")[2].startswith("test_") or dep.endswith("conftest"))
        )
        if deps:
            offending[module_name(path)] = deps
    assert offending == {}
