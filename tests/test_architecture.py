"""
The import contract: the package's layers, one way down, checked on the source.

A *unit* is a subpackage or top-level module of ``iso10002``. Every import counts, module-level
or deferred inside a function, except those under ``if TYPE_CHECKING:`` (annotations only, never
executed). A unit may import units of its own layer or below, never above; and the units form no
cycle, within a layer either. ``iso10002/__init__.py`` is the public facade and stands above all.
A new unit fails these tests until it is given its place in ``LAYERS``, and ``docs/architecture.md``
shows the same table.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "iso10002"

LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("foundation", frozenset({"errors", "clock", "_toml", "_markup", "_lazy"})),
    ("model", frozenset({"model"})),
    # The file reader/writer reads and writes its JSON through serialization.
    ("serialization", frozenset({"serialization", "_datafile"})),
    ("ports", frozenset({"ports"})),
    (
        "domain services",
        frozenset(
            {
                "process",
                "sla",
                "survey",
                "programme",
                "privacy",
                "integrity",
                "letters",
                "access",
                "monitoring",
                "audit",
                "importing",
            }
        ),
    ),
    ("adapters", frozenset({"storage", "notify", "outbox"})),
    ("desk", frozenset({"desk"})),
    ("applications", frozenset({"simulation", "testing"})),
    ("cli", frozenset({"cli"})),
)
"""The layers from the bottom up, each with its units."""

MAX_LINES = 800

RANK = {unit: rank for rank, (_name, units) in enumerate(LAYERS) for unit in units}


def _units() -> set[str]:
    found = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    found |= {p.stem for p in PACKAGE.glob("*.py") if p.name != "__init__.py"}
    return found


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for inner in node.body:
                    skipped.update(id(x) for x in ast.walk(inner))
    return skipped


def _imported_modules(source: str, module: str, *, is_package: bool) -> Iterator[tuple[str, int]]:
    """Every module that ``source`` (the text of ``module``) imports at run time, with the line."""
    tree = ast.parse(source)
    skipped = _type_checking_nodes(tree)
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, node.lineno
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def _unit_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "iso10002" else None


def _edges() -> dict[str, dict[str, str]]:
    """unit -> imported unit -> one place (``file:line``) where it happens."""
    units = _units()
    edges: dict[str, dict[str, str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "__init__.py":
            continue
        module = _module_name(path)
        me = _unit_of(module)
        assert me is not None
        source = path.read_text(encoding="utf-8")
        is_package = path.name == "__init__.py"
        for target, line in _imported_modules(source, module, is_package=is_package):
            unit = _unit_of(target)
            if unit is not None and unit != me and unit in units:
                place = f"{path.relative_to(PACKAGE.parent)}:{line}"
                edges.setdefault(me, {}).setdefault(unit, place)
    return edges


def test_every_unit_has_a_layer() -> None:
    assert sorted(_units() - set(RANK)) == []


def test_no_unit_imports_a_layer_above_its_own() -> None:
    upward = [
        f"{place}: {unit} ({LAYERS[RANK[unit]][0]}) imports {target} ({LAYERS[RANK[target]][0]})"
        for unit, targets in _edges().items()
        for target, place in targets.items()
        if RANK[target] > RANK[unit]
    ]
    assert upward == []


def _cycles(edges: dict[str, dict[str, str]]) -> list[list[str]]:
    """The strongly connected components of more than one unit (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_cycle_between_units() -> None:
    edges = _edges()
    described = [
        " -> ".join(f"{u} ({', '.join(sorted(set(edges.get(u, {})) & set(c)))})" for u in c)
        for c in _cycles(edges)
    ]
    assert described == []


def test_cycle_detection_finds_a_cycle() -> None:
    # The check above must be able to fail: a two-unit loop and a three-unit loop are found.
    edges = {"a": {"b": ""}, "b": {"a": ""}, "c": {"d": ""}, "d": {"e": ""}, "e": {"c": ""}}
    assert _cycles(edges) == [["a", "b"], ["c", "d", "e"]]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from iso10002.model import values\n", {"iso10002.model", "iso10002.model.values"}),
        ("from . import chain\n", {"iso10002.integrity", "iso10002.integrity.chain"}),
        ("def f():\n    import iso10002.desk\n", {"iso10002.desk"}),
        ("if TYPE_CHECKING:\n    import iso10002.desk\n", set()),
    ],
)
def test_imports_are_read_deferred_included_type_checking_excluded(
    source: str, expected: set[str]
) -> None:
    found = {
        name
        for name, _line in _imported_modules(source, "iso10002.integrity.verify", is_package=False)
    }
    assert found == expected


def test_no_module_is_over_the_line_limit() -> None:
    long = [
        f"{p.relative_to(PACKAGE.parent)}: {n}"
        for p in sorted(PACKAGE.rglob("*.py"))
        if (n := p.read_text(encoding="utf-8").count("\n")) > MAX_LINES
    ]
    assert long == []


JSON_ALLOWED: dict[str, str] = {
    # The model sits below serialization: its stored SLA column and a step's data parse and
    # write their own JSON.
    "model/events.py": "below serialization",
    "model/fact_row.py": "below serialization",
}
"""Modules besides ``serialization.py`` that import ``json``, each with the reason."""


def _imports_json(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import) and any(
            a.name.partition(".")[0] == "json" for a in node.names
        ):
            return True
        if (
            isinstance(node, ast.ImportFrom)
            and not node.level
            and (node.module or "").partition(".")[0] == "json"
        ):
            return True
    return False


def test_json_text_is_written_and_read_only_through_serialization() -> None:
    # One place decides how the library spells and reads JSON: serialization's compact_json,
    # canonical_json, pretty_json and parse_json.
    importing = {
        p.relative_to(PACKAGE).as_posix()
        for p in sorted(PACKAGE.rglob("*.py"))
        if p.name != "serialization.py" or p.parent != PACKAGE
        if _imports_json(p)
    }
    assert sorted(importing - set(JSON_ALLOWED)) == []
    # An entry whose module no longer imports json is stale: take it off the list.
    assert sorted(set(JSON_ALLOWED) - importing) == []
