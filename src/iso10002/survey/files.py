"""
Reading and writing a :class:`~iso10002.survey.definition.Survey` as JSON or TOML.

Both formats go through the library's one converter (:mod:`iso10002.serialization`): unknown
keys are an error, values must have the exact JSON type, and an error names the bad field by
its path, for example ``$.questions[1].scale.high``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from iso10002._datafile import read_file, write_file
from iso10002.serialization import structure, unstructure
from iso10002.survey.definition import Survey

__all__ = ["load_survey", "save_survey", "survey_from_dict", "survey_to_dict"]


def survey_from_dict(data: object) -> Survey:
    """
    Build a survey from JSON-shaped ``data`` (as :func:`survey_to_dict` writes it).

    Raises:
        SerializationError: a key is unknown or missing, or a value has the wrong type or is
            invalid; ``path`` and the message say where (``$.questions[0].scale.low``).
    """
    return structure(data, Survey)


def survey_to_dict(survey: Survey) -> dict[str, Any]:
    """The JSON-shaped form of ``survey``; :func:`survey_from_dict` reads it back."""
    data: dict[str, Any] = unstructure(survey)
    return data


def load_survey(path: str | Path) -> Survey:
    """
    Read a survey from a ``.json`` or ``.toml`` file.

    Raises:
        ValidationError: the file name ends in neither ``.json`` nor ``.toml`` (field ``path``).
        SerializationError: the file is not UTF-8, not valid JSON or TOML, or does not describe
            a valid survey; the message starts with the file name, then the path of the bad
            value, which is also in ``path``.
        OSError: the file cannot be read.
    """
    return read_file(path, survey_from_dict, "survey")


def save_survey(survey: Survey, path: str | Path) -> None:
    """
    Write ``survey`` to a ``.json`` or ``.toml`` file, replacing it if it exists.

    The file is written next to its final place and then renamed over it, so a reader never
    sees half a file.

    Raises:
        ValidationError: the file name ends in neither ``.json`` nor ``.toml`` (field ``path``).
        SerializationError: a text cannot be written (a lone surrogate), naming its path.
        OSError: the file cannot be written.
    """
    write_file(survey_to_dict(survey), path, "survey")
