"""The workflow definition: checks made when it is built, the interpreter, and the diagram."""

from __future__ import annotations

import re

import pytest

from iso10002 import (
    DefinitionError,
    Guard,
    GuardContext,
    State,
    StateDef,
    Transition,
    Workflow,
    standard_workflow,
)


def _wf(states: list[StateDef], transitions: list[Transition], initial: str = "new") -> Workflow:
    return Workflow(name="t", initial=initial, states=states, transitions=transitions)


OPEN = StateDef(name="new", description="new")
DONE = StateDef(name="done", description="done", closed=True)
FINISH = Transition(command="finish", sources=("new",), target="done")
REOPEN = Transition(command="reopen", sources=("done",), target="new")


def test_a_minimal_workflow_builds() -> None:
    wf = _wf([OPEN, DONE], [FINISH, REOPEN])

    assert wf.commands == ("finish", "reopen")
    assert wf.allowed("new") == ("finish",)


@pytest.mark.parametrize(
    ("states", "transitions", "message"),
    [
        ([OPEN, OPEN, DONE], [FINISH, REOPEN], "states declared twice: ['new']"),
        ([DONE], [], "unknown initial state 'new'"),
        (
            [OPEN, DONE],
            [FINISH, Transition(command="x", sources=("nowhere",), target="done")],
            "command 'x' names unknown state 'nowhere'",
        ),
        (
            [OPEN, DONE],
            [FINISH, Transition(command="x", sources=("new",), target="limbo")],
            "command 'x' names unknown state 'limbo'",
        ),
        (
            [OPEN, StateDef(name="done", description="d", closed=True, final=True)],
            [FINISH, Transition(command="undo", sources=("done",), target="new")],
            "command 'undo' leaves final state 'done'",
        ),
        (
            [OPEN, DONE],
            [FINISH, REOPEN, Transition(command="finish", sources=("new",), target="done")],
            "command 'finish' declared twice for state 'new'",
        ),
        (
            [OPEN, DONE, StateDef(name="island", description="i")],
            [FINISH, REOPEN, Transition(command="leave", sources=("island",), target="done")],
            "unreachable states: ['island']",
        ),
        ([OPEN, DONE], [FINISH], "states with no way out (mark them final or add a transition)"),
        (
            [OPEN, StateDef(name="stuck", description="s")],
            [
                Transition(command="go", sources=("new",), target="stuck"),
                Transition(command="back", sources=("stuck",), target="new"),
            ],
            "declares no closed state",
        ),
        (
            [OPEN, DONE, StateDef(name="a", description="a"), StateDef(name="b", description="b")],
            [
                FINISH,
                REOPEN,
                Transition(command="to_a", sources=("new",), target="a"),
                Transition(command="to_b", sources=("a",), target="b"),
                Transition(command="to_a2", sources=("b",), target="a"),
            ],
            "states from which no closed state can be reached: ['a', 'b']",
        ),
        (
            [OPEN, StateDef(name="done", description="d", final=True)],
            [FINISH],
            "final state 'done' must be a closed state",
        ),
        (
            [OPEN, DONE],
            [FINISH, REOPEN, Transition(command="receive", sources=("new",), target=None)],
            "'receive' is implicit",
        ),
        (
            [OPEN, DONE],
            [FINISH, REOPEN, Transition(command="x", sources=(), target="done")],
            "'x' has no source",
        ),
    ],
)
def test_inconsistent_definitions_are_refused_when_built(
    states: list[StateDef], transitions: list[Transition], message: str
) -> None:
    with pytest.raises(DefinitionError) as info:
        _wf(states, transitions)

    assert message in str(info.value)
    assert str(info.value).startswith("workflow 't': ")


def test_the_standard_workflow_covers_clause_7_in_order() -> None:
    wf = standard_workflow()
    path = [
        ("acknowledge", "received", "acknowledged"),
        ("assess", "acknowledged", "assessed"),
        ("start_investigation", "assessed", "investigating"),
        ("decide", "investigating", "decided"),
        ("communicate_decision", "decided", "awaiting_reaction"),
        ("accept_decision", "awaiting_reaction", "resolved"),
        ("close", "resolved", "closed"),
    ]

    for command, source, target in path:
        assert wf.transition(source, command).target == target

    assert wf.initial == State.RECEIVED
    assert {s.name for s in wf.states if s.closed} == {"closed", "withdrawn"}
    assert {s.value for s in State} == {s.name for s in wf.states}


def test_a_rejected_decision_keeps_the_complaint_open_with_recourse() -> None:
    wf = standard_workflow()

    assert wf.transition("awaiting_reaction", "reject_decision").target == "rejected"
    assert not wf.state("rejected").closed
    assert {"request_internal_review", "refer_externally"} <= set(wf.allowed("rejected"))
    assert wf.transition("internal_review", "decide").target == "decided"


def test_guards_are_attached_by_name_where_the_standard_asks() -> None:
    wf = standard_workflow()

    def guard_names(state: str, command: str) -> set[str]:
        return {g.name for g in wf.transition(state, command).guards}

    assert guard_names("investigating", "decide") == {"assessment_recorded", "objectivity"}
    assert guard_names("assessed", "start_investigation") == {"objectivity"}
    assert guard_names("investigating", "assign") == {"objectivity"}
    assert guard_names("resolved", "close") == {"closure_justified"}
    assert guard_names("decided", "communicate_decision") == {"recourse_explained"}


def _always_no(ctx: GuardContext) -> str | None:
    return f"{ctx.actor.id} may not"


def test_extend_adds_states_transitions_and_guards_and_rechecks() -> None:
    base = standard_workflow()
    extra = Guard(name="four_eyes", description="x", check=_always_no)

    custom = base.extend(
        name="with-waiting",
        states=[StateDef(name="awaiting_complainant", description="Waiting for information")],
        transitions=[
            Transition(
                command="request_information",
                sources=("investigating",),
                target="awaiting_complainant",
            ),
            Transition(
                command="information_received",
                sources=("awaiting_complainant",),
                target="investigating",
            ),
        ],
        guards={"decide": [extra]},
        remove=["record_satisfaction"],
    )

    assert custom.name == "with-waiting"
    assert "request_information" in custom.allowed("investigating")
    assert "record_satisfaction" not in custom.commands
    assert "four_eyes" in {g.name for g in custom.transition("investigating", "decide").guards}
    assert base.commands != custom.commands  # the original is untouched


def test_extend_refuses_unknown_commands_and_broken_results() -> None:
    base = standard_workflow()

    with pytest.raises(DefinitionError, match=r"no such commands: \['fly'\]"):
        base.extend(remove=["fly"])
    with pytest.raises(DefinitionError, match="unreachable states: \\['limbo'\\]"):
        base.extend(states=[StateDef(name="limbo", description="l")])
    # Taking out the only way into a state leaves it unreachable, which is caught too.
    with pytest.raises(DefinitionError, match="unreachable states: \\['referred'\\]"):
        base.extend(remove=["refer_externally"])


def test_mermaid_diagram_lists_every_state_changing_transition() -> None:
    wf = standard_workflow()
    diagram = wf.to_mermaid()

    assert diagram.startswith("stateDiagram-v2\n    [*] --> received : receive\n")
    edges = set(re.findall(r"^    (\w+) --> (\w+) : (\w+)", diagram, flags=re.M))
    expected = {
        (source, t.target, t.command)
        for t in wf.transitions
        for source in t.sources
        if t.target is not None and t.target != source
    }
    assert edges == expected
    assert "decide [assessment_recorded, objectivity]" in diagram
    assert "add_note" not in diagram
    assert "investigating --> investigating : add_note" in wf.to_mermaid(include_stays=True)


def test_final_states_are_drawn_as_ends() -> None:
    wf = _wf([OPEN, StateDef(name="done", description="d", closed=True, final=True)], [FINISH])

    assert wf.to_mermaid().endswith("    new --> done : finish\n    done --> [*]\n")
