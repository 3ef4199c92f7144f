"""
Configuration files as JSON or TOML: read into, and written from, the library's values.

One reader and one writer for every kind of file (programme, survey, import mapping), so that
they accept the same formats and report errors the same way: the file name first, then the
path of the bad value (``$.questions[0].scale.low``), which is also the error's ``path``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from iso10002 import _toml
from iso10002.errors import SerializationError, ValidationError
from iso10002.serialization import parse_json, pretty_json

__all__ = ["read_file", "write_file"]

T = TypeVar("T")

SUFFIXES = (".json", ".toml")


def _suffix(path: Path, what: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationError(
            "path",
            f"{path}: unknown file type {suffix or '(no suffix)'!r}; "
            f"a {what} file ends in .json or .toml",
        )
    return suffix


def read_file(path: str | os.PathLike[str], build: Callable[[object], T], what: str) -> T:
    """
    ``build`` applied to the data of a ``.json`` or ``.toml`` file.

    Raises:
        ValidationError: the file name ends in neither ``.json`` nor ``.toml`` (field ``path``).
        SerializationError: the file is not UTF-8, not valid JSON or TOML, or ``build`` refused
            its data; the message starts with the file name, then the path of the bad value.
        OSError: the file cannot be read.
    """
    file = Path(path)
    suffix = _suffix(file, what)
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8")
        if suffix == ".json":
            data: object = parse_json(text)
        else:
            data = _toml.loads(text)
        return build(data)
    except UnicodeDecodeError as e:
        raise SerializationError(f"{file}: $: not UTF-8 text: {e}") from e
    except SerializationError as e:
        raise SerializationError(f"{file}: {e}", path=e.path) from e


def write_file(data: dict[str, Any], path: str | os.PathLike[str], what: str) -> None:
    """
    Write JSON-shaped ``data`` to a ``.json`` or ``.toml`` file, replacing it if it exists.

    The file is written next to its final place and then renamed over it, so a reader never
    sees half a file.

    Raises:
        ValidationError: the file name ends in neither ``.json`` nor ``.toml`` (field ``path``).
        SerializationError: a text cannot be written (a lone surrogate), naming its path.
        OSError: the file cannot be written.
    """
    file = Path(path)
    suffix = _suffix(file, what)
    text = pretty_json(data) + "\n" if suffix == ".json" else _toml.dumps(data)
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise SerializationError(f"{file}: $: text cannot be written as UTF-8: {e}") from e
    temporary = file.with_name(f".{file.name}.tmp")
    temporary.write_bytes(encoded)
    os.replace(temporary, file)
