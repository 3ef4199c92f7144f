"""A malformed workflow definition is refused when it is built, with the part and field named."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from iso10002 import DefinitionError, Guard, StateDef, Transition, Workflow
from iso10002.process.workflow_file import load_workflow, read_workflow_file

NEW = StateDef(name="new", description="new")
DONE = StateDef(name="done", description="done", closed=True)
FINISH = Transition(command="finish", sources=("new",), target="done")
REOPEN = Transition(command="reopen", sources=("done",), target="new")


def _allow(_: object) -> None:
    return None


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: StateDef(name="", description="x"), "state: name must not be empty"),
        (lambda: StateDef(name="  ", description="x"), "state: name must not be empty"),
        (
            lambda: StateDef(name=3, description="x"),  # type: ignore[arg-type]
            "state: name must be a name (text), got int",
        ),
        (
            lambda: StateDef(name="new ", description="x"),
            "state 'new ': name 'new ' has blanks around it or a line break",
        ),
        (
            lambda: StateDef(name="new", description=None),  # type: ignore[arg-type]
            "state 'new': description must be text, got NoneType",
        ),
        (
            lambda: StateDef(name="new", description="x", closed="yes"),  # type: ignore[arg-type]
            "state 'new': closed must be true or false, got 'yes'",
        ),
        (
            lambda: Transition(command="", sources=("new",), target="done"),
            "transition: command must not be empty",
        ),
        (
            lambda: Transition(command="go", sources="new", target="done"),
            "transition 'go': sources must be a list of state names, got 'new'",
        ),
        (
            lambda: Transition(command="go", sources=("new", ""), target="done"),
            "transition 'go': sources[1] must not be empty",
        ),
        (
            lambda: Transition(command="go", sources=("new",), target=5),  # type: ignore[arg-type]
            "transition 'go': target must be a name (text), got int",
        ),
        (
            lambda: Transition(command="go", sources=("new",), target="", guards=()),
            "transition 'go': target must not be empty",
        ),
        (
            lambda: Transition(command="go", sources=("new",), target="done", guards=["x"]),
            "transition 'go': guards[0] must be a Guard, got str",
        ),
        (
            lambda: Transition(command="go", sources=("new",), target="done", payload=dict),
            "transition 'go': payload must be an attrs class, got type",
        ),
        (
            lambda: Guard(name="", description="d", check=_allow),
            "guard: name must not be empty",
        ),
        (
            lambda: Guard(name="g", description="d", check=None),  # type: ignore[arg-type]
            "guard 'g': check must be a function of a GuardContext, got NoneType",
        ),
        (
            lambda: Workflow(name="", initial="new", states=[NEW, DONE], transitions=[FINISH]),
            "workflow: name must not be empty",
        ),
        (
            lambda: Workflow(name="w", initial="", states=[NEW, DONE], transitions=[FINISH]),
            "workflow 'w': initial must not be empty",
        ),
        (
            lambda: Workflow(name="w", initial="new", states=[{"name": "new"}], transitions=[]),
            "workflow 'w': states[0] must be a StateDef, got dict",
        ),
        (
            lambda: Workflow(name="w", initial="new", states="new", transitions=[]),
            "workflow 'w': states must be a list of StateDefs, got 'new'",
        ),
        (
            lambda: Workflow(name="w", initial="new", states=[NEW, DONE], transitions=[None]),
            "workflow 'w': transitions[0] must be a Transition, got NoneType",
        ),
    ],
)
def test_malformed_parts_are_refused_naming_the_part_and_field(
    build: Callable[[], object], message: str
) -> None:
    with pytest.raises(DefinitionError) as info:
        build()

    assert str(info.value) == message


def test_a_list_of_sources_is_read_as_a_tuple() -> None:
    t = Transition(command="go", sources=["new"], target="done", guards=[])

    assert t.sources == ("new",)
    assert t.guards == ()


def test_a_file_with_an_empty_name_is_a_definition_error() -> None:
    data = {
        "name": "w",
        "initial": "new",
        "states": [{"name": "new"}, {"name": "", "closed": True}],
        "transitions": [{"command": "finish", "sources": ["new"], "target": ""}],
    }

    with pytest.raises(DefinitionError, match=r"^transition 'finish': target must not be empty$"):
        load_workflow(data)


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_a_workflow_file_may_start_with_a_byte_order_mark(tmp_path: Path, suffix: str) -> None:
    if suffix == ".json":
        text = json.dumps(
            {
                "name": "w",
                "initial": "new",
                "states": [{"name": "new"}, {"name": "done", "closed": True}],
                "transitions": [
                    {"command": "finish", "sources": ["new"], "target": "done"},
                    {"command": "reopen", "sources": ["done"], "target": "new"},
                ],
            }
        )
    else:
        text = (
            'name = "w"\ninitial = "new"\n'
            '[[states]]\nname = "new"\n'
            '[[states]]\nname = "done"\nclosed = true\n'
            '[[transitions]]\ncommand = "finish"\nsources = ["new"]\ntarget = "done"\n'
            '[[transitions]]\ncommand = "reopen"\nsources = ["done"]\ntarget = "new"\n'
        )
    path = tmp_path / f"w{suffix}"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))

    wf = read_workflow_file(path)

    assert wf.name == "w"
    assert wf.state("done").closed
