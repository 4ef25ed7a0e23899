"""The import graph of src/postlingo: no cycles, and configuration at the bottom."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "postlingo"


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The postlingo modules ``path`` imports anywhere (function bodies and TYPE_CHECKING
    blocks included), resolved to modules (``from . import x`` to ``postlingo.x``)."""
    name = _module(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in modules else base)
    return {module for module in found if module in modules and module != name}


def graph() -> dict[str, set[str]]:
    paths = sorted(SRC.rglob("*.py"))
    modules = {_module(path) for path in paths}
    return {_module(path): _imports(path, modules) for path in paths}


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``edges``, or None."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_the_graph_sees_function_level_and_relative_imports() -> None:
    edges = graph()
    assert "postlingo.pipeline" in edges["postlingo.incremental"]  # imported inside sync()
    assert "postlingo.qa.check" in edges["postlingo.api"]  # (from .qa import check)


@pytest.mark.parametrize("bottom", ["postlingo.config", "postlingo.errors", "postlingo.fileio"])
def test_configuration_errors_and_fileio_import_no_stage(bottom: str) -> None:
    assert graph()[bottom] <= {"postlingo.errors", "postlingo.fileio"}


def test_src_has_no_import_cycle() -> None:
    edges = graph()
    # postlingo/__init__ is the facade at the top (it re-exports postlingo.api); modules
    # that read its __version__ (set before the facade imports anything) are not cycles.
    edges = {node: targets - {"postlingo"} for node, targets in edges.items()}
    assert cycle(edges) is None, " -> ".join(cycle(edges) or [])
