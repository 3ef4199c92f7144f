"""
TOML for configuration files: reading through the standard parser, writing the small subset the
converter produces.

Reading uses :mod:`tomllib` (Python 3.11+) or, on Python 3.10, the ``tomli`` package if it is
installed. TOML's own dates and times are turned into the ISO strings the converter reads, so a
file may write ``approved_on = 2024-03-01`` or ``approved_on = "2024-03-01"``.

Writing covers what :func:`iso10002.serialization.unstructure` makes of a configuration record:
tables, arrays of tables, strings, integers, booleans, and arrays of those scalars. ``None``
values are left out (TOML has no null; the records give such fields a default of ``None``). A
string that is a ``YYYY-MM-DD`` date is written as a bare TOML date, which reads back as the
same string.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from iso10002.errors import SerializationError

__all__ = ["dumps", "loads"]


def _parser() -> Any:
    # tomllib is in the standard library from 3.11; tomli is the same parser for 3.10.
    for name in ("tomllib", "tomli"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise SerializationError(
        "$: reading TOML needs Python 3.11 or later, or the 'tomli' package "
        "(pip install 'iso10002[toml]'); or write the file as JSON"
    )


def _plain(value: object) -> object:
    # The converter reads dates and times only as ISO strings, as they are in JSON.
    if isinstance(value, (_dt.date, _dt.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def loads(text: str) -> dict[str, Any]:
    """
    Parse TOML ``text`` into JSON-shaped data (dates and times as ISO strings).

    Raises:
        SerializationError: the text is not valid TOML, or no TOML parser is available.
    """
    parser = _parser()
    try:
        data = parser.loads(text)
    except (ValueError, RecursionError) as e:  # TOMLDecodeError, too many digits
        raise SerializationError(f"$: not valid TOML: {e}") from e
    result = _plain(data)
    assert isinstance(result, dict)  # a TOML document is always a table
    return result


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _escape(text: str, where: str, *, keep_newlines: bool) -> str:
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if keep_newlines and ch == "\n":
            out.append(ch)
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        elif 0xD800 <= code <= 0xDFFF:
            raise SerializationError(
                f"{where}: a lone surrogate (U+{code:04X}) cannot be written", path=where
            )
        else:
            out.append(ch)
    return "".join(out)


def _string(text: str, where: str) -> str:
    if "\n" in text:
        # A multi-line string keeps long texts (a policy statement) readable in the file; the
        # newline right after the opening quotes is not part of the value.
        return '"""\n' + _escape(text, where, keep_newlines=True) + '"""'
    return '"' + _escape(text, where, keep_newlines=False) + '"'


def _is_date(text: str) -> bool:
    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _key(key: str, where: str) -> str:
    if _BARE_KEY.fullmatch(key):
        return key
    return _string(key, where)


def _scalar(value: object, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if _DATE.fullmatch(value) and _is_date(value):
            # A bare TOML date reads better; loads() turns it back into this very string.
            return value
        return _string(value, where)
    raise SerializationError(f"{where}: cannot write a {type(value).__name__} as TOML", path=where)


def _is_table_array(value: object) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) > 0
        and all(isinstance(item, Mapping) for item in value)
    )


def _array(value: Sequence[object], where: str) -> str:
    items = []
    for index, item in enumerate(value):
        if isinstance(item, Mapping) or (isinstance(item, Sequence) and not isinstance(item, str)):
            raise SerializationError(
                f"{where}[{index}]: an array mixing tables or arrays cannot be written",
                path=f"{where}[{index}]",
            )
        items.append(_scalar(item, f"{where}[{index}]"))
    return "[" + ", ".join(items) + "]"


def _table(table: Mapping[str, Any], header: list[str], where: str, out: list[str]) -> None:
    # TOML wants a table's own keys before its sub-tables, and sub-tables before arrays of
    # tables would be ambiguous only in order, not meaning; this order reads top-down.
    nested: list[tuple[str, Any]] = []
    for key, value in table.items():
        here = f"{where}.{key}"
        if value is None:
            continue
        if isinstance(value, Mapping) or _is_table_array(value):
            nested.append((key, value))
        elif isinstance(value, Sequence) and not isinstance(value, str):
            out.append(f"{_key(key, here)} = {_array(value, here)}")
        else:
            out.append(f"{_key(key, here)} = {_scalar(value, here)}")
    for key, value in nested:
        here = f"{where}.{key}"
        name = [*header, _key(key, here)]
        if isinstance(value, Mapping):
            out.extend(("", f"[{'.'.join(name)}]"))
            _table(value, name, here, out)
        else:
            for index, item in enumerate(value):
                out.extend(("", f"[[{'.'.join(name)}]]"))
                _table(item, name, f"{here}[{index}]", out)


def dumps(data: Mapping[str, Any]) -> str:
    """
    ``data`` (JSON-shaped, as the converter makes it) as a TOML document.

    Raises:
        SerializationError: a value outside the supported subset (a float, a nested array, a
            lone surrogate), naming its path.
    """
    out: list[str] = []
    _table(data, [], "$", out)
    return "\n".join(out).lstrip("\n") + "\n"
