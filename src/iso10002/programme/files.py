"""
Reading and writing a :class:`~iso10002.programme.config.Programme` as JSON or TOML.

Both formats go through the library's one converter (:mod:`iso10002.serialization`), so the
rules are the same as for every stored record: unknown keys are an error, values must have the
exact JSON type (text is text, a count is an integer), dates are ``YYYY-MM-DD`` and decimals are
strings or integers, never floats. An error names the bad field by its path, for example
``$.objectives[1].target``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from iso10002 import _toml
from iso10002.errors import SerializationError, ValidationError
from iso10002.programme.config import Programme
from iso10002.serialization import structure, unstructure

__all__ = ["load_programme", "programme_from_dict", "programme_to_dict", "save_programme"]

_SUFFIXES = (".json", ".toml")


def programme_from_dict(data: object) -> Programme:
    """
    Build a programme from JSON-shaped ``data`` (as :func:`programme_to_dict` writes it).

    Raises:
        SerializationError: a key is unknown or missing, a value has the wrong type or is
            invalid; ``path`` and the message give where (``$.access.channels[0]``).
    """
    return structure(data, Programme)


def programme_to_dict(programme: Programme) -> dict[str, Any]:
    """The JSON-shaped form of ``programme``; :func:`programme_from_dict` reads it back."""
    data: dict[str, Any] = unstructure(programme)
    return data


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise ValidationError(
            "path",
            f"{path}: unknown file type {suffix or '(no suffix)'!r}; "
            "a programme file ends in .json or .toml",
        )
    return suffix


def load_programme(path: str | Path) -> Programme:
    """
    Read a programme from a ``.json`` or ``.toml`` file.

    Raises:
        ValidationError: the file name ends in neither ``.json`` nor ``.toml`` (field ``path``).
        SerializationError: the file is not UTF-8, not valid JSON or TOML, or does not describe
            a valid programme; the message starts with the file name, then the path of the bad
            value, which is also in ``path``.
        OSError: the file cannot be read.
    """
    file = Path(path)
    suffix = _suffix(file)
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8")
        if suffix == ".json":
            try:
                data: object = json.loads(text)
            except json.JSONDecodeError as e:
                raise SerializationError(f"$: not valid JSON: {e}") from e
        else:
            data = _toml.loads(text)
        return programme_from_dict(data)
    except UnicodeDecodeError as e:
        raise SerializationError(f"{file}: $: not UTF-8 text: {e}") from e
    except SerializationError as e:
        raise SerializationError(f"{file}: {e}", path=e.path) from e


def save_programme(programme: Programme, path: str | Path) -> None:
    """
    Write ``programme`` to a ``.json`` or ``.toml`` file, replacing it if it exists.

    The file is written next to its final place and then renamed over it, so a reader never
    sees half a file.

    Raises:
        ValidationError: the file name ends in neither ``.json`` nor ``.toml`` (field ``path``).
        SerializationError: a text cannot be written (a lone surrogate), naming its path.
        OSError: the file cannot be written.
    """
    file = Path(path)
    suffix = _suffix(file)
    data = programme_to_dict(programme)
    if suffix == ".json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = _toml.dumps(data)
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise SerializationError(f"{file}: $: text cannot be written as UTF-8: {e}") from e
    temporary = file.with_name(f".{file.name}.tmp")
    temporary.write_bytes(encoded)
    os.replace(temporary, file)
