"""
A marker string in every personal field, and the checks that it shows up nowhere it should not.

:func:`fill` puts the marker into every field marked as personal data (see
:mod:`iso10002.model.personal`), found from the marks themselves: a field marked tomorrow is
filled without changing these tests.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import traceback
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import attrs

from iso10002.errors import Iso10002Error, ValidationError
from iso10002.model.personal import personal_fields, personal_paths
from iso10002.model.values import Attachment, ContactDetails, Remedy, RemedyKind, Representative

T = TypeVar("T")

MARKER = "Qz7xPrivate"
"""Put into every personal value; it must not come out anywhere but where personal data goes."""

SEEDS: dict[type[Any], Callable[[], Any]] = {
    ContactDetails: lambda: ContactDetails(email="seed@example.org"),
    Representative: lambda: Representative(name="seed"),
    Attachment: lambda: Attachment(uri="https://files.example.org/seed"),
    Remedy: lambda: Remedy(kind=RemedyKind.APOLOGY),
}
"""A valid value of each class that leads to personal data, for fields that hold none yet."""


def _candidates(path: str) -> tuple[str, ...]:
    slug = "".join(c if c.isalnum() else "-" for c in path)
    # Plain text first; an e-mail address for the fields that only take one.
    return (f"{MARKER} {path}", f"{MARKER}.{slug}@example.org")


def _is_tuple(cls: type[Any], name: str) -> bool:
    field_type = attrs.fields_dict(cls)[name].type
    return typing.get_origin(field_type) is tuple


def _seed(cls: type[Any]) -> Any:
    if cls not in SEEDS:
        raise AssertionError(f"{cls.__name__} leads to personal data: add a value to SEEDS")
    return SEEDS[cls]()


def fill(obj: T, prefix: str = "") -> T:
    """``obj`` with :data:`MARKER` in every personal value, at every depth."""
    cls = type(obj)
    for field in personal_fields(cls):
        path = f"{prefix}{field.name}"
        value = getattr(obj, field.name)
        if field.personal:
            obj = _put_text(obj, field.name, path, many=_is_tuple(cls, field.name))
        elif field.many:
            assert field.nested is not None
            items = value or (_seed(field.nested),)
            filled = tuple(fill(item, f"{path}.{i}.") for i, item in enumerate(items))
            obj = attrs.evolve(obj, **{field.name: filled})  # type: ignore[misc]
        else:
            assert field.nested is not None
            inner = value if value is not None else _seed(field.nested)
            obj = attrs.evolve(obj, **{field.name: fill(inner, f"{path}.")})  # type: ignore[misc]
    return obj


def _put_text(obj: T, name: str, path: str, *, many: bool) -> T:
    last: ValidationError | None = None
    for text in _candidates(path):
        try:
            return attrs.evolve(obj, **{name: (text,) if many else text})  # type: ignore[misc]
        except ValidationError as e:
            last = e
    raise AssertionError(f"no marked value fits {path}") from last


def values_at(obj: object, path: str) -> list[object]:
    """The values at a :func:`~iso10002.model.personal.personal_paths` path of ``obj``."""
    found: list[object] = [obj]
    for step in path.split("."):
        nxt: list[object] = []
        for item in found:
            if item is None:
                continue
            if step == "*":
                nxt.extend(typing.cast("tuple[object, ...]", item))
            else:
                nxt.append(getattr(item, step))
        found = nxt
    return [v for v in found if v is not None]


def assert_all_marked(payload: object) -> None:
    """Every personal path of ``payload`` holds a value, and every value holds the marker."""
    for path in personal_paths(type(payload)):
        found = values_at(payload, path)
        assert found, f"{type(payload).__name__}.{path} holds nothing to check"
        for value in found:
            assert MARKER in str(value), f"{type(payload).__name__}.{path} = {value!r}"


# -- where the marker must not be --------------------------------------------------------------


def chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and what a traceback of it shows: causes, unsuppressed contexts, groups."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        if item.__cause__ is not None:
            todo.append(item.__cause__)
        elif item.__context__ is not None and not item.__suppress_context__:
            todo.append(item.__context__)
        inner = getattr(item, "exceptions", None)  # an exception group (3.11, or its backport)
        if isinstance(inner, (list, tuple)):
            todo.extend(e for e in inner if isinstance(e, BaseException))


def assert_no_marker_in(error: BaseException) -> None:
    """Neither ``error``'s message nor its printed traceback nor a repr of ours has the marker."""
    printed = "".join(traceback.format_exception(error))
    assert MARKER not in printed, f"the marker leaked into a traceback:\n{printed}"
    for item in chain(error):
        texts = [str(item), *map(str, item.args)]
        if isinstance(item, Iso10002Error):
            texts.append(repr(item))
        for text in texts:
            assert MARKER not in text, f"the marker leaked into {type(item).__name__}: {text}"


def assert_no_marker_logged(records: list[logging.LogRecord]) -> None:
    """No record of the library's loggers has the marker, in its message or its traceback."""
    for record in records:
        if not record.name.startswith("iso10002"):
            continue
        text = record.getMessage()
        if record.exc_info:
            text += "".join(traceback.format_exception(*record.exc_info))
        assert MARKER not in text, f"the marker leaked into a log line: {text}"


def caught(call: Callable[[], object]) -> BaseException:
    """The exception ``call()`` raises; a test fails when it raises none."""
    try:
        call()
    except Exception as e:
        return e
    raise AssertionError("nothing was raised")


# -- the marker in a database --------------------------------------------------------------------


@attrs.frozen
class Cell:
    """A value in a database that holds the marker."""

    table: str
    column: str
    rowid: int
    value: str


def marked_cells(db: Path) -> list[Cell]:
    """Every text cell of every table of the SQLite database ``db`` that holds the marker."""
    cells: list[Cell] = []
    with sqlite3.connect(db) as conn:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not r[0].startswith("sqlite_")
        ]
        for table in tables:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            try:
                rows = conn.execute(f'SELECT rowid, * FROM "{table}"').fetchall()
            except sqlite3.OperationalError:  # a table without row ids holds no marked text here
                continue
            for rowid, *values in rows:
                for column, value in zip(columns, values, strict=True):
                    if isinstance(value, str) and MARKER in value:
                        cells.append(Cell(table, column, rowid, value))
    conn.close()
    return cells


def _spots(data: Any, where: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The JSON locations of the strings holding the marker."""
    if isinstance(data, str):
        if MARKER in data:
            yield where
    elif isinstance(data, dict):
        for key, item in data.items():
            yield from _spots(item, (*where, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _spots(item, (*where, index))


def _replaced(data: Any, where: tuple[Any, ...], new: Any) -> Any:
    if not where:
        return new
    copy = json.loads(json.dumps(data))
    target = copy
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = new
    return copy


def shape(value: str) -> tuple[Any, ...]:
    """Where a cell's JSON holds the marker, indices left out: cells of one shape damage alike."""
    try:
        data = json.loads(value)
    except ValueError:
        return ()
    return tuple(sorted({tuple(s for s in where if isinstance(s, str)) for where in _spots(data)}))


def damaged(value: str) -> Iterator[str]:
    """
    Damaged versions of a stored cell that still hold the marker, one for each marked string of
    its JSON, taking turns: the string made an object, an array with a bad item, a string no
    e-mail check accepts (always, for an address), or put in the place of what held it. A cell
    that is not JSON gets the marker around broken JSON.
    """
    try:
        data = json.loads(value)
    except ValueError:
        yield f"{{{value}"
        return
    for turn, where in enumerate(_spots(data)):
        text = data
        for step in where:
            text = text[step]
        how = turn % 4 if where else turn % 3
        if how == 0:
            yield json.dumps(_replaced(data, where, {"bad": text}))
        elif how == 1:
            yield json.dumps(_replaced(data, where, [text, {"bad": text}]))
        elif how == 2:
            yield json.dumps(_replaced(data, where, f"{text} @ @"))
        else:
            yield json.dumps(_replaced(data, where[:-1], text))
        if "@" in text and how != 2:  # an address: also one that no e-mail check accepts
            yield json.dumps(_replaced(data, where, f"{text} @ @"))
