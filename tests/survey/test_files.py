"""Surveys are read from and written to JSON and TOML; a bad file is named with the bad field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iso10002.errors import SerializationError, ValidationError
from iso10002.model.values import Channel
from iso10002.survey import (
    FIVE_POINT_SATISFACTION,
    YES_NO,
    EligibilityRules,
    Milestone,
    Question,
    Scale,
    Survey,
    load_survey,
    save_survey,
    survey_from_dict,
    survey_to_dict,
)

from .support import survey

HANDWRITTEN = """\
name = "after-closure"
version = "2026.1"

[eligibility]
after = "decision_communicated"
within_days = 30
channels = ["email", "web_form"]
categories = ["Billing", "Service / Staff"]

[[questions]]
id = "overall"
text = "Overall, how satisfied are you with how we handled your complaint?"
overall = true
required = true
scale = { low = 1, high = 5 }

[[questions]]
id = "informed"
text = "Were you kept informed?"
scale = { low = 0, high = 1, labels = ["No", "Yes"] }
"""


def test_a_handwritten_toml_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "survey.toml"
    path.write_text(HANDWRITTEN, encoding="utf-8")

    s = load_survey(path)

    assert s == Survey(
        name="after-closure",
        version="2026.1",
        questions=(
            Question(
                id="overall",
                text="Overall, how satisfied are you with how we handled your complaint?",
                scale=Scale(low=1, high=5),
                overall=True,
                required=True,
            ),
            Question(id="informed", text="Were you kept informed?", scale=YES_NO),
        ),
        eligibility=EligibilityRules(
            after=Milestone.DECISION_COMMUNICATED,
            within_days=30,
            channels=(Channel.EMAIL, Channel.WEB_FORM),
            categories=("Billing", "Service / Staff"),
        ),
    )


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_a_saved_survey_loads_back_equal(tmp_path: Path, suffix: str) -> None:
    original = survey(within_days=14, channels=(Channel.PHONE,), once_per_complaint=False)
    path = tmp_path / f"survey{suffix}"

    save_survey(original, path)

    assert load_survey(path) == original
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed into place


def test_the_dict_form_is_plain_json() -> None:
    data = survey_to_dict(survey())
    assert json.loads(json.dumps(data)) == data
    assert data["questions"][0]["scale"] == {
        "low": 1,
        "high": 5,
        "labels": list(FIVE_POINT_SATISFACTION.labels),
    }
    assert data["eligibility"]["after"] == "closed"
    assert survey_from_dict(data) == survey()


def _with(change: dict[str, Any]) -> dict[str, Any]:
    data = survey_to_dict(survey())
    for dotted, value in change.items():
        *parents, last = dotted.split(".")
        target: Any = data
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[last] = value
    return data


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"version": 1}, "$.version", "expected a string"),
        ({"name": ""}, "$.name", "must not be empty"),
        ({"questions.0.scael": {}}, "$.questions[0]", "unknown keys: ['scael']"),
        ({"questions.1.id": "two words"}, "$.questions[1].id", "is not a question id"),
        ({"questions.0.scale.high": 0}, "$.questions[0].scale.high", "between 1 and 10"),
        ({"questions.2.scale.labels": ["Yes"]}, "$.questions[2].scale.labels", "one label per"),
        ({"questions.3.overall": True}, "$.questions[3].overall", "already the overall"),
        ({"questions.2.id": "overall"}, "$.questions[2].id", "'overall' is used twice"),
        ({"questions.1.required": "yes"}, "$.questions[1].required", "expected true or false"),
        ({"eligibility.after": "never"}, "$.eligibility.after", "'never' is not a Milestone"),
        ({"eligibility.within_days": 0}, "$.eligibility.within_days", "between 1 and"),
        ({"eligibility.channels": ["fax"]}, "$.eligibility.channels[0]", "'fax' is not a Channel"),
        ({"eligibility.categories": ["A /  / B"]}, "$.eligibility.categories[0]", "empty level"),
        ({"eligibility.once": True}, "$.eligibility", "unknown keys: ['once']"),
    ],
)
def test_a_bad_value_is_named_by_its_path(change: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(SerializationError) as error:
        survey_from_dict(_with(change))
    assert error.value.path == path
    assert message in str(error.value)


def test_a_missing_key_is_named() -> None:
    data = survey_to_dict(survey())
    del data["questions"][0]["text"]
    with pytest.raises(SerializationError, match="required key is missing") as error:
        survey_from_dict(data)
    assert error.value.path.startswith("$.questions[0]")


def test_a_bad_file_names_itself_and_the_field(tmp_path: Path) -> None:
    path = tmp_path / "survey.toml"
    path.write_text(HANDWRITTEN.replace("within_days = 30", "within_days = -3"), encoding="utf-8")
    with pytest.raises(SerializationError) as error:
        load_survey(path)
    assert str(error.value).startswith(f"{path}: $.eligibility.within_days: ")
    assert error.value.path == "$.eligibility.within_days"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("s.json", b"{", "not valid JSON"),
        ("s.toml", b"name = ", "not valid TOML"),
        ("s.toml", b"name = '\xff'", "not UTF-8 text"),
    ],
)
def test_unreadable_files_are_refused(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SerializationError, match=message) as error:
        load_survey(path)
    assert str(error.value).startswith(str(path))


@pytest.mark.parametrize("name", ["survey.yaml", "survey"])
def test_only_json_and_toml_files_are_read_or_written(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValidationError, match=r"a survey file ends in \.json or \.toml") as error:
        load_survey(tmp_path / name)
    assert error.value.field == "path"
    with pytest.raises(ValidationError) as error:
        save_survey(survey(), tmp_path / name)
    assert error.value.field == "path"
    assert not (tmp_path / name).exists()
