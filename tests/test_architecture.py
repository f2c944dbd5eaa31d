"""The layout the README promises: packages by pipeline stage, no import cycle, small
modules, one vocabulary layer. Checked on the source, so a change that breaks it fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "checker"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "_assets" not in p.parts)

#: The most lines a module of checker/ may have (the README's "about 800").
MAX_LINES = 820


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, ast.AST, bool]]:
    """(module imported, node, at module level?) for every checker import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = set(map(id, tree.body))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found += [(n, node, id(node) in top) for n in names]
        elif isinstance(node, ast.Import):
            found += [(a.name, node, id(node) in top) for a in node.names]
    return found


def test_the_modules_are_found() -> None:
    assert len(MODULES) > 40


def test_no_import_cycle_between_modules() -> None:
    known = {module_name(p) for p in MODULES}
    graph = nx.DiGraph()
    for path in MODULES:
        for target, _, _ in imports(path):
            if target in known and target != module_name(path):
                graph.add_edge(module_name(path), target)
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, f"import cycles: {cycles[:5]}"


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_modules_are_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module_name(path)} has {lines} lines; split it by what it does"


def test_only_the_vocabulary_layer_declares_namespaces() -> None:
    offenders = []
    for path in MODULES:
        if module_name(path) == "checker.vocab.namespaces":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Namespace":
                offenders.append(f"{module_name(path)}:{node.lineno}")
    assert not offenders


def test_imports_inside_functions_say_why() -> None:
    """An import inside a function is allowed only where it saves measured start-up time,
    and a comment within three lines above it says so."""
    unexplained = []
    for path in MODULES:
        lines = path.read_text(encoding="utf-8").splitlines()
        for _, node, at_top in imports(path):
            if at_top or (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
                continue
            above = lines[max(0, node.lineno - 4) : node.lineno - 1]
            if module_name(path) == "checker.cli":
                continue  # the module docstring says why each command imports its engine late
            if not any(line.strip().startswith("#") for line in above):
                unexplained.append(f"{module_name(path)}:{node.lineno}")
    assert not sorted(set(unexplained))
