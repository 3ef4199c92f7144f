"""
The configuration-file readers — programmes, surveys, column mappings, workflows and letter
templates — on random bytes, random JSON, mutated valid records written as JSON or TOML, and
valid files with a few characters damaged: they return a value or raise a library error
(``OSError`` only where the file cannot be read), nothing else.
"""

from __future__ import annotations

import datetime as _dt
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iso10002 import _toml
from iso10002.errors import Iso10002Error, SerializationError
from iso10002.importing import load_mapping
from iso10002.importing.mapping import mapping_to_dict
from iso10002.letters import load_templates
from iso10002.process.workflow_file import dump_workflow, load_workflow, read_workflow_file
from iso10002.programme import load_programme
from iso10002.programme.files import programme_to_dict
from iso10002.survey import load_survey
from iso10002.survey.files import survey_to_dict
from iso10002.testing.programmes import programme
from tests.importing.test_properties import MAPPING
from tests.survey.support import survey

from .support import JSON_VALUES, mutated, mutated_text, refused_or, to_json

FILES = settings(
    max_examples=40,
    deadline=_dt.timedelta(seconds=3),
    suppress_health_check=[HealthCheck.too_slow],
)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

Reader = Callable[[Path], object]
READERS: dict[str, Reader] = {
    "programme": load_programme,
    "survey": load_survey,
    "mapping": load_mapping,
    "workflow": read_workflow_file,
}
VALID: dict[str, dict[str, Any]] = {
    "programme": programme_to_dict(programme()),
    "survey": survey_to_dict(survey()),
    "mapping": mapping_to_dict(MAPPING),
    "workflow": json.loads((EXAMPLES / "workflows" / "phone-desk.json").read_text("utf-8")),
}
LETTERS_TOML = '''# Our letters
[acknowledgement.en]
subject = "Complaint {{reference}} received"
text = """
Hello {{complainant_name}},
we have your complaint {{reference}}.
"""
sms = "Got {{reference}}"
'''


def _read(kind: str, name: str, content: bytes) -> object:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(content)
        return refused_or(lambda: READERS[kind](path))


def _as_toml(data: Any) -> str | None:
    try:
        return _toml.dumps(data)
    except (Iso10002Error, TypeError, ValueError, AttributeError):
        return None  # TOML cannot hold this shape (null, a bare array, float): not the point


@FILES
@given(kind=st.sampled_from(sorted(READERS)), suffix=st.sampled_from([".json", ".toml"]))
def test_the_valid_seeds_are_read(kind: str, suffix: str) -> None:
    # Guards the properties below: the records they mutate are accepted as they stand.
    text = to_json(VALID[kind]) if suffix == ".json" else _toml.dumps(VALID[kind])
    assert not isinstance(_read(kind, "config" + suffix, text.encode()), Exception)


@FILES
@given(
    kind=st.sampled_from(sorted(READERS)),
    suffix=st.sampled_from([".json", ".toml", ".JSON", ".yaml", ""]),
    content=st.binary(max_size=200),
)
def test_random_bytes_are_refused(kind: str, suffix: str, content: bytes) -> None:
    result = _read(kind, "config" + suffix, content)
    if suffix not in (".json", ".toml", ".JSON"):
        assert isinstance(result, Iso10002Error)


@FILES
@given(kind=st.sampled_from(sorted(READERS)), data=JSON_VALUES)
def test_random_json_is_refused(kind: str, data: Any) -> None:
    assert isinstance(_read(kind, "config.json", to_json(data).encode()), Iso10002Error)


@FILES
@given(data=st.data(), kind=st.sampled_from(sorted(READERS)))
def test_a_mutated_record_in_json_is_read_or_refused(data: st.DataObject, kind: str) -> None:
    record = data.draw(mutated(VALID[kind], most=4))
    _read(kind, "config.json", to_json(record).encode("utf-8", "surrogatepass"))


@FILES
@given(data=st.data(), kind=st.sampled_from(sorted(READERS)))
def test_a_mutated_record_in_toml_is_read_or_refused(data: st.DataObject, kind: str) -> None:
    text = _as_toml(data.draw(mutated(VALID[kind], most=4)))
    if text is not None:
        _read(kind, "config.toml", text.encode("utf-8", "surrogatepass"))


@FILES
@given(
    data=st.data(), kind=st.sampled_from(sorted(READERS)), suffix=st.sampled_from(["json", "toml"])
)
def test_a_damaged_file_is_read_or_refused(data: st.DataObject, kind: str, suffix: str) -> None:
    valid = to_json(VALID[kind]) if suffix == "json" else _toml.dumps(VALID[kind])
    text = data.draw(mutated_text(valid))
    _read(kind, f"config.{suffix}", text.encode("utf-8", "surrogatepass"))


@FILES
@given(data=st.one_of(JSON_VALUES, mutated(VALID["workflow"], most=4)))
def test_load_workflow_builds_or_refuses_any_json(data: Any) -> None:
    result = refused_or(lambda: load_workflow(data))
    if not isinstance(result, Exception):
        assert load_workflow(dump_workflow(result)) == result


@FILES
@given(text=st.one_of(mutated_text(LETTERS_TOML), st.text(max_size=120)))
def test_a_damaged_templates_file_is_read_or_refused(text: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "letters.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        refused_or(lambda: load_templates(path), os_errors=True)


@FILES
@given(
    name=st.one_of(
        st.sampled_from(
            ["acknowledgement.en.txt", "decision.fr.html", "decision.en.sms", "x.en.txt", ".txt"]
        ),
        st.from_regex(r"[a-z]{1,8}(\.[a-zA-Z-]{1,6}){0,3}", fullmatch=True),
    ),
    content=st.one_of(
        st.binary(max_size=80),
        mutated_text("Subject: Complaint {{reference}}\n\nHello {{complainant_name}}.\n").map(
            lambda t: t.encode("utf-8", "surrogatepass")
        ),
    ),
)
def test_a_directory_of_damaged_templates_is_read_or_refused(name: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / name).write_bytes(content)
        refused_or(lambda: load_templates(directory), os_errors=True)


def test_regression_a_huge_integer_in_a_config_file_is_refused() -> None:
    for kind in sorted(READERS):
        for name, text in (("config.json", "1" * 5000), ("config.toml", "a = " + "1" * 5000)):
            result = _read(kind, name, text.encode())
            assert isinstance(result, SerializationError), (kind, name, result)


def test_regression_deeply_nested_toml_is_refused() -> None:
    for kind in sorted(READERS):
        result = _read(kind, "config.toml", ("a = " + "[" * 100_000).encode())
        assert isinstance(result, SerializationError), (kind, result)
