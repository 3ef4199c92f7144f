"""
Lazy public names: a package lists its exports as imports under ``if TYPE_CHECKING:`` (what
type checkers and readers see), and this module resolves each name from that same list on first
use. One list serves both, so the two cannot disagree; ``import iso10002`` then loads no
implementation module until a name is used.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["attach", "exports_of"]


def exports_of(init_file: str) -> dict[str, tuple[str, str]]:
    """
    The names imported under ``if TYPE_CHECKING:`` in ``init_file``: public name -> (module,
    attribute). Only absolute ``from X import Y [as Z]`` statements are read; the package's
    own tests keep the block in that form.
    """
    tree = ast.parse(Path(init_file).read_text(encoding="utf-8"))
    table: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and statement.module:
                    for alias in statement.names:
                        table[alias.asname or alias.name] = (statement.module, alias.name)
    return table


def _is_type_checking(test: ast.expr) -> bool:
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


def attach(
    package: str, init_file: str, namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """
    A module ``__getattr__`` and ``__dir__`` for ``package``: the first imports a listed name on
    first use and keeps it in ``namespace`` (the package's globals), so that later uses cost a
    dictionary lookup; the second lists the names as if they had been imported.

    A package assigns them outside its ``if TYPE_CHECKING:`` block, so that type checkers see
    only the listed names and still report a misspelt one.
    """
    table: dict[str, tuple[str, str]] = {}

    def names() -> dict[str, tuple[str, str]]:
        if not table:
            table.update(exports_of(init_file))
        return table

    def module_getattr(name: str) -> Any:
        try:
            module, attribute = names()[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module), attribute)
        namespace[name] = value
        return value

    def module_dir() -> list[str]:
        return sorted(set(namespace) | set(names()))

    return module_getattr, module_dir
