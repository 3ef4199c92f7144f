"""Workflow files: JSON and TOML in, data out, and every bad field named by its path."""

from __future__ import annotations

import copy
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iso10002 import DefinitionError, Guard, Transition, standard_workflow
from iso10002.errors import SerializationError
from iso10002.process import guards
from iso10002.process.conformance import check_conformance
from iso10002.process.workflow_file import (
    GUARD_NAMES,
    dump_workflow,
    load_workflow,
    read_workflow_file,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "workflows"

MINIMAL: dict[str, Any] = {
    "name": "tiny",
    "initial": "new",
    "states": [
        {"name": "new", "description": "Just received."},
        {"name": "done", "description": "Closed.", "closed": True},
    ],
    "transitions": [
        {"command": "close", "sources": ["new"], "target": "done", "guards": ["closure_justified"]},
        {"command": "reopen", "sources": ["done"], "target": "new"},
        {"command": "add_note", "sources": ["new", "done"], "target": None},
    ],
}

MINIMAL_TOML = """
name = "tiny"
initial = "new"
no_reply_days = 10

[[states]]
name = "new"
description = "Just received."

[[states]]
name = "done"
description = "Closed."
closed = true

[[transitions]]
command = "close"
sources = ["new"]
target = "done"
guards = ["closure_justified"]

[[transitions]]
command = "reopen"
sources = ["done"]
target = "new"

[[transitions]]
command = "add_note"
sources = ["new", "done"]
"""


def with_changes(path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    """A deep copy of MINIMAL with the value at ``path`` replaced (``...`` deletes it)."""
    data = copy.deepcopy(MINIMAL)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if value is Ellipsis:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


# -- loading ------------------------------------------------------------------------------------


def test_a_minimal_definition_loads_with_named_guards() -> None:
    wf = load_workflow(MINIMAL)

    assert wf.name == "tiny"
    assert wf.initial == "new"
    assert [(s.name, s.closed, s.final) for s in wf.states] == [
        ("new", False, False),
        ("done", True, False),
    ]
    close, reopen, note = wf.transitions
    assert close.guards == (guards.closure_justified(dt.timedelta(days=28)),)
    assert reopen.guards == ()
    assert note.target is None  # null: the command keeps the state


def test_the_no_reply_period_is_given_in_days() -> None:
    wf = load_workflow(with_changes(("no_reply_days",), 10))

    assert wf.transitions[0].guards == (guards.closure_justified(dt.timedelta(days=10)),)
    assert "no reply within 10 days" in wf.transitions[0].guards[0].description


@pytest.mark.parametrize("name", GUARD_NAMES)
def test_every_standard_guard_can_be_named(name: str) -> None:
    data = with_changes(("transitions", 2, "guards"), [name])

    (guard,) = load_workflow(data).transitions[2].guards

    assert guard.name == name


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("transitions", 1, "guards"),
            ["objectivity", "four_eyes"],
            (
                "$.transitions[1].guards[1]: unknown guard 'four_eyes' (known: "
                "action_promised, assessment_recorded, closure_justified, decision_carried_out, "
                "not_on_hold, objectivity, on_hold, recourse_explained)"
            ),
        ),
        (("colour",), "blue", "$: unknown keys: ['colour']"),
        (("initial",), ..., "$.initial: required key is missing"),
        (("transitions", 0, "command"), ..., "$.transitions[0].command: required key is missing"),
        (
            ("transitions", 0, "sources"),
            "new",
            "$.transitions[0].sources: expected an array, got str",
        ),
        (("states", 1, "closed"), "yes", "$.states[1].closed: expected true or false, got 'yes'"),
        (("states", 0, "name"), 7, "$.states[0].name: expected a string, got int"),
        (("no_reply_days",), 0, "$.no_reply_days: must be at least 1 day, got 0"),
        (("no_reply_days",), 1.5, "$.no_reply_days: expected an integer, got 1.5"),
    ],
)
def test_a_bad_field_is_named_by_its_path(
    path: tuple[str | int, ...], value: object, message: str
) -> None:
    with pytest.raises(SerializationError) as info:
        load_workflow(with_changes(path, value))

    assert str(info.value) == message
    assert info.value.path == message.split(":", maxsplit=1)[0]


def test_data_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(SerializationError, match=r"^\$: expected an object, got list$"):
        load_workflow([MINIMAL])


def test_an_inconsistent_definition_raises_the_workflows_own_error() -> None:
    data = with_changes(("transitions", 1, "target"), "limbo")

    with pytest.raises(DefinitionError) as info:
        load_workflow(data)

    assert str(info.value) == "workflow 'tiny': command 'reopen' names unknown state 'limbo'"


# -- dumping ------------------------------------------------------------------------------------


def test_the_standard_workflow_round_trips() -> None:
    wf = standard_workflow()

    data = dump_workflow(wf)
    again = load_workflow(json.loads(json.dumps(data)))

    assert again == wf
    assert again.states == wf.states
    assert again.transitions == wf.transitions
    assert "no_reply_days" not in data  # the default
    assert data["transitions"][0] == {
        "command": "acknowledge",
        "sources": ["received"],
        "target": "acknowledged",
        "description": "Acknowledge receipt to the complainant (7.4).",
    }
    assert "target" not in data["transitions"][2]  # a stay has no target, as TOML wants


@given(st.integers(min_value=1, max_value=3650))
def test_any_whole_day_no_reply_period_round_trips(days: int) -> None:
    wf = standard_workflow(no_reply_period=dt.timedelta(days=days))

    data = dump_workflow(wf)

    assert load_workflow(data) == wf
    assert data.get("no_reply_days", 28) == days


def test_a_guard_written_in_python_cannot_be_dumped() -> None:
    four_eyes = Guard(name="four_eyes", description="Two people", check=lambda ctx: None)
    wf = standard_workflow().extend(guards={"decide": [four_eyes]})

    with pytest.raises(SerializationError) as info:
        dump_workflow(wf)

    index = [t.command for t in wf.transitions].index("decide")
    assert info.value.path == f"$.transitions[{index}].guards[2]"
    assert "guard 'four_eyes' is not a standard guard" in str(info.value)


def test_two_no_reply_periods_cannot_share_a_file() -> None:
    wf = standard_workflow().extend(
        transitions=[
            Transition(
                command="close_early",
                sources=("awaiting_reaction",),
                target="closed",
                guards=(guards.closure_justified(dt.timedelta(days=7)),),
            )
        ]
    )

    with pytest.raises(SerializationError, match=r"different periods \[7, 28\]"):
        dump_workflow(wf)


# -- files --------------------------------------------------------------------------------------


def test_a_toml_and_a_json_file_give_the_same_workflow(tmp_path: Path) -> None:
    (tmp_path / "tiny.toml").write_text(MINIMAL_TOML, encoding="utf-8")
    (tmp_path / "tiny.json").write_text(
        json.dumps(with_changes(("no_reply_days",), 10)), encoding="utf-8"
    )

    from_toml = read_workflow_file(tmp_path / "tiny.toml")

    assert from_toml == read_workflow_file(str(tmp_path / "tiny.json"))
    assert from_toml.transitions[0].guards == (guards.closure_justified(dt.timedelta(days=10)),)


def test_the_example_files_load_and_are_judged() -> None:
    shop = read_workflow_file(EXAMPLES / "small-shop.toml")
    phone = read_workflow_file(EXAMPLES / "phone-desk.json")

    assert shop.name == "small-shop"
    assert check_conformance(shop).ok
    assert [v.rule for v in check_conformance(phone).violations] == [
        "assessed",
        "decision-communicated",
        "closure-reason",
        "open-state-commands",
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "w.yaml",
            "name: x",
            "$: cannot tell the format of 'w.yaml'; name the file .json or .toml",
        ),
        ("w.json", "{", "$: not valid JSON: Expecting property name enclosed in double quotes"),
        ("w.toml", "name = ", "$: not valid TOML: "),
        ("w.json", "[]", "$: expected an object, got list"),
    ],
)
def test_a_file_that_is_not_a_workflow_is_refused(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")

    with pytest.raises(SerializationError) as info:
        read_workflow_file(tmp_path / name)

    assert str(info.value).startswith(message)


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    (tmp_path / "w.json").write_bytes(b'{"name": "\xff"}')

    with pytest.raises(SerializationError, match=r"^\$: not UTF-8 text"):
        read_workflow_file(tmp_path / "w.json")


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_workflow_file(tmp_path / "absent.toml")


def test_toml_without_a_parser_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As on Python 3.10 without tomli: neither module can be imported.
    monkeypatch.setitem(sys.modules, "tomllib", None)
    monkeypatch.setitem(sys.modules, "tomli", None)
    (tmp_path / "tiny.toml").write_text(MINIMAL_TOML, encoding="utf-8")

    with pytest.raises(SerializationError) as info:
        read_workflow_file(tmp_path / "tiny.toml")

    assert "reading TOML needs Python 3.11 or later, or the 'tomli' package" in str(info.value)
