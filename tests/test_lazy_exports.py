"""
Lazy exports: every package that lists its names under ``if TYPE_CHECKING:`` resolves each of
them on first use to the object the listed import names, and ``import iso10002`` loads no
implementation module until a name is used.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from iso10002._lazy import exports_of

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "iso10002"
INITS = sorted([PACKAGE / "__init__.py", *PACKAGE.glob("*/__init__.py")])
LAZY = [p for p in INITS if exports_of(str(p))]


def _package_name(init: Path) -> str:
    return "iso10002" if init.parent == PACKAGE else f"iso10002.{init.parent.name}"


def test_the_packages_that_export_lazily() -> None:
    # The public facade and the subpackages of the domain and the adapters list their names
    # lazily; a package dropping out of this list would load everything on import again.
    names = {_package_name(p) for p in LAZY}
    assert {"iso10002", "iso10002.notify", "iso10002.outbox", "iso10002.testing"} <= names


@pytest.mark.parametrize("init", LAZY, ids=_package_name)
def test_every_lazy_name_is_in_all_and_resolves_to_its_import(init: Path) -> None:
    package = importlib.import_module(_package_name(init))
    table = exports_of(str(init))
    assert sorted(set(table) - set(package.__all__)) == []
    for name, (module, attribute) in table.items():
        assert getattr(package, name) is getattr(importlib.import_module(module), attribute)
    assert set(package.__all__) <= set(dir(package))


@pytest.mark.parametrize("init", LAZY, ids=_package_name)
def test_no_lazy_name_is_also_a_submodule(init: Path) -> None:
    # Importing a submodule binds it on its package under its own name, which would hide a
    # lazily bound export of that name; such names are bound eagerly instead.
    submodules = {p.stem for p in init.parent.glob("*.py")} | {
        p.name for p in init.parent.iterdir() if (p / "__init__.py").exists()
    }
    assert sorted(set(exports_of(str(init))) & submodules) == []


def test_an_unknown_name_is_an_attribute_error() -> None:
    import iso10002

    name = "Nonexistent"
    with pytest.raises(AttributeError, match="module 'iso10002' has no attribute 'Nonexistent'"):
        getattr(iso10002, name)


def _loaded_after(statement: str) -> set[str]:
    probe = f"{statement}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_import_iso10002_loads_no_implementation_module() -> None:
    loaded = {m for m in _loaded_after("import iso10002") if m.startswith("iso10002")}
    assert loaded == {"iso10002", "iso10002._lazy"}


def test_the_desk_loads_no_mail_http_or_test_framework() -> None:
    loaded = _loaded_after("from iso10002 import ComplaintDesk, SQLiteEventStore")
    assert {"smtplib", "ssl", "http.client", "pytest", "psycopg"} & loaded == set()


def test_iso10002_testing_imports_without_loading_pytest() -> None:
    assert "pytest" not in _loaded_after("import iso10002.testing")
