"""Workflow.outlook: guards judged before the command is given, as far as they can be."""

from __future__ import annotations

import datetime as _dt

import attrs
import pytest

from iso10002 import (
    Actor,
    Assessment,
    Assigned,
    Channel,
    Complainant,
    Complaint,
    ComplaintDesk,
    ContactDetails,
    DecisionMade,
    DefinitionError,
    FixedClock,
    InvalidTransition,
    Role,
    Severity,
    UnknownCommand,
    standard_workflow,
)
from iso10002.process import guards
from iso10002.process.workflow import Guard, GuardContext, GuardOutlook

NOW = _dt.datetime(2026, 3, 2, 9, 0, tzinfo=_dt.timezone.utc)
SAM = Actor(id="sam", role=Role.INVESTIGATOR)
MIA = Actor(id="mia", role=Role.COMPLAINTS_MANAGER)


def assessed(people: tuple[str, ...] = ()) -> Complaint:
    desk = ComplaintDesk(clock=FixedClock(NOW))
    c = desk.receive(
        MIA,
        complainant=Complainant(name="Ann", contact=ContactDetails(email="ann@example.org")),
        channel=Channel.EMAIL,
        description="Sam was rude.",
        people_involved=people,
    )
    desk.acknowledge(c.reference, MIA)
    return desk.assess(c.reference, MIA, Assessment(severity=Severity.LOW))


def test_a_guard_that_reads_no_payload_of_the_command_is_judged() -> None:
    wf = standard_workflow()
    c = assessed(people=("sam",))

    assert wf.outlook(c, "withdraw", SAM, NOW) == GuardOutlook(command="withdraw")
    # objectivity reads Assigned payloads only: for any other command it judges the actor.
    refused = wf.outlook(c, "decide", SAM, NOW, payload_type=DecisionMade)
    assert refused == GuardOutlook(
        command="decide", guard="objectivity", reason="sam is a person the complaint is about"
    )
    assert refused.refused
    # For assign, whom it names is the input that objectivity reads: left pending.
    assert wf.outlook(c, "assign", SAM, NOW, payload_type=Assigned) == GuardOutlook(
        command="assign", pending=("objectivity",)
    )
    # Without the payload class, a guard that reads some payload cannot be judged.
    assert wf.outlook(c, "decide", SAM, NOW).pending == ("objectivity",)
    assert wf.outlook(c, "release_hold", MIA, NOW).reason == "the complaint is not on hold"


def test_a_guard_that_does_not_say_what_it_reads_is_never_judged_in_advance() -> None:
    calls: list[GuardContext] = []

    def record(ctx: GuardContext) -> str | None:
        calls.append(ctx)
        return "never"

    wf = standard_workflow().extend(
        guards={"decide": [Guard(name="four_eyes", description="x", check=record)]}
    )
    c = assessed()
    outlook = wf.outlook(c, "decide", MIA, NOW, payload_type=DecisionMade)

    assert outlook == GuardOutlook(command="decide", pending=("four_eyes",))
    assert calls == []
    assert Guard(name="x", description="x", check=record).reads_payloads is None
    assert guards.assessment_recorded.judges_without(DecisionMade)
    assert not guards.objectivity.judges_without(Assigned)


def test_a_command_the_state_does_not_allow_is_refused_as_when_it_runs() -> None:
    wf = standard_workflow()
    c = attrs.evolve(assessed(), state="received")

    with pytest.raises(InvalidTransition):
        wf.outlook(c, "decide", MIA, NOW, payload_type=DecisionMade)
    with pytest.raises(UnknownCommand):
        wf.outlook(c, "escalate", MIA, NOW)


def test_reads_payloads_holds_classes_only() -> None:
    with pytest.raises(DefinitionError) as info:
        Guard(name="x", description="x", check=lambda ctx: None, reads_payloads=["Assigned"])  # type: ignore[list-item]

    assert str(info.value) == "a guard's reads_payloads holds 'Assigned', not a payload class"
