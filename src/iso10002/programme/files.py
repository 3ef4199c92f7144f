"""
Reading and writing a :class:`~iso10002.programme.config.Programme` as JSON or TOML.

Both formats go through the library's one converter (:mod:`iso10002.serialization`), so the
rules are the same as for every stored record: unknown keys are an error, values must have the
exact JSON type (text is text, a count is an integer), dates are ``YYYY-MM-DD`` and decimals are
strings or integers, never floats. An error names the bad field by its path, for example
``$.objectives[1].target``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from iso10002._datafile import read_file, write_file
from iso10002.programme.config import Programme
from iso10002.serialization import structure, unstructure

__all__ = ["load_programme", "programme_from_dict", "programme_to_dict", "save_programme"]


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
    return read_file(path, programme_from_dict, "programme")


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
    write_file(programme_to_dict(programme), path, "programme")
