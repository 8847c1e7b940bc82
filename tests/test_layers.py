"""The import rules the layers contract (``make layers``) does not express: no two modules
import each other, directly or round a longer loop, and no module imports a private
(``_name``) module of a package it is not part of."""

from __future__ import annotations

import grimp
import pytest

GRAPH = grimp.build_graph("kl_contact")


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                group.append(item)
                if item == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_two_modules_import_each_other() -> None:
    assert _cycles(GRAPH) == []


def test_the_cycle_finder_sees_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert _cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]


def _private_imports(graph: grimp.ImportGraph) -> list[tuple[str, str]]:
    """(importer, private module) for each import of a ``_name`` module from outside the
    package that holds it (a top-level ``kl_contact._name`` is the whole library's)."""
    out = []
    for imported in sorted(graph.modules):
        name = imported.rsplit(".", 1)[-1]
        if not name.startswith("_") or name.startswith("__"):
            continue
        owner = imported.rsplit(".", 1)[0]
        for importer in sorted(graph.find_modules_that_directly_import(imported)):
            if importer != owner and not importer.startswith(owner + "."):
                out.append((importer, imported))
    return out


def test_no_module_imports_a_private_module_of_another_package() -> None:
    assert _private_imports(GRAPH) == []


@pytest.mark.parametrize(
    ("importer", "imported", "refused"),
    [
        ("pkg.other.mod", "pkg.inner._private", True),
        ("pkg.inner.mod", "pkg.inner._private", False),
        ("pkg.inner.deep.mod", "pkg.inner._private", False),
        ("pkg.other.mod", "pkg._shared", False),
    ],
)
def test_the_private_rule_reads_packages(importer: str, imported: str, refused: bool) -> None:
    graph = grimp.ImportGraph()
    for module in {importer, imported}:
        graph.add_module(module)
    graph.add_import(importer=importer, imported=imported)
    assert bool(_private_imports(graph)) is refused
