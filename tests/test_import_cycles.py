"""No import cycles anywhere in the project: the import graph of core, ui and pages (grimp, which
import-linter builds its checks on) has no strongly connected component of more than one module."""

from __future__ import annotations

import sys

import grimp
import pytest

from tests.conftest import ROOT

PACKAGES = ("core", "ui", "pages")


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every strongly connected component of two or more modules (Tarjan's algorithm), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in graph.modules:
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for module in sorted(graph.modules):
            if module not in index:
                visit(module)
    finally:
        sys.setrecursionlimit(limit)
    return sorted(found)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    sys.path.insert(0, str(ROOT))
    try:
        return grimp.build_graph(*PACKAGES, cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))


def test_the_project_has_no_import_cycle(graph):
    assert _cycles(graph) == []


def test_a_cycle_is_found(graph):
    """The check itself notices a cycle: add the import that would close one and look again."""
    graph.add_import(importer="core.journal.notes", imported="core.review.cards")
    try:
        assert ["core.journal.notes", "core.review.cards"] == [
            module for module in next(c for c in _cycles(graph) if "core.journal.notes" in c)
            if module in {"core.journal.notes", "core.review.cards"}]
    finally:
        graph.remove_import(importer="core.journal.notes", imported="core.review.cards")
    assert _cycles(graph) == []
