"""Vendor features: roles a product defines, steps named to the authorizer, typed step data,
custom closing steps, inherited commands, and guards judged by what they do."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from iso10002 import (
    Action,
    Actor,
    Channel,
    ClosureReason,
    Complainant,
    ComplaintDesk,
    ContactDetails,
    FixedClock,
    Guard,
    Role,
    RoleBasedAuthorizer,
    StateDef,
    Transition,
    ValidationError,
    Workflow,
    standard_workflow,
)
from iso10002.process import guards
from iso10002.process.conformance import check_conformance
from iso10002.serialization import structure, unstructure


@attrs.frozen(kw_only=True)
class Opinion:
    liable: bool
    text: str


WORKFLOW = standard_workflow().extend(
    name="vendor",
    states=[StateDef(name="legal_review", description="With legal.")],
    transitions=[
        Transition(command="to_legal", sources=("investigating",), target="legal_review"),
        Transition(
            command="opinion", sources=("legal_review",), target="investigating", payload=Opinion
        ),
        Transition(
            command="settle",
            sources=("legal_review",),
            target="closed",
            guards=(guards.closure_justified(dt.timedelta(days=28)),),
        ),
    ],
)
STAFF = Actor(id="mgr", role=Role.COMPLAINTS_MANAGER)


def _desk(**kwargs: object) -> ComplaintDesk:
    clock = FixedClock(dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc))
    return ComplaintDesk(clock=clock, workflow=WORKFLOW, **kwargs)  # type: ignore[arg-type]


def _in_legal_review(desk: ComplaintDesk) -> str:
    c = desk.receive(
        STAFF,
        complainant=Complainant(name="A", contact=ContactDetails(email="a@example.org")),
        channel=Channel.EMAIL,
        description="d",
    )
    from iso10002 import Assessment, Severity

    desk.acknowledge(c.reference, STAFF)
    desk.assess(c.reference, STAFF, Assessment(severity=Severity.LOW))
    desk.start_investigation(c.reference, STAFF)
    desk.run_step(c.reference, STAFF, "to_legal")
    return c.reference


def test_a_defined_role_is_a_role_stored_and_read_by_value() -> None:
    legal = Role.define("legal")

    assert Role("legal") is legal and Role.define("legal") is legal
    assert legal not in list(Role) and not legal.standard
    actor = Actor(id="l-1", role=legal)
    assert structure(unstructure(actor), Actor) == actor


@pytest.mark.parametrize("name", ["", "Legal", "legal team", "1st"])
def test_a_bad_role_name_is_refused(name: str) -> None:
    with pytest.raises(ValidationError) as info:
        Role.define(name)
    assert info.value.field == "role"
    assert "is not a role name" in info.value.reason


def test_the_role_matrix_grants_a_defined_role_one_step_by_name() -> None:
    legal = Role.define("legal")
    policy = RoleBasedAuthorizer({legal: {Action.step("opinion")}})
    counsel = Actor(id="l-1", role=legal)

    assert policy.decide(counsel, Action.step("opinion"), None).allowed
    refused = policy.decide(counsel, Action.step("settle"), None)
    assert refused.reason == "the legal role is not granted run_step:settle"
    # RUN_STEP still grants every step.
    assert RoleBasedAuthorizer().allows(Role.COMPLAINTS_MANAGER, Action.step("settle"))
    assert Action.step("opinion").method is Action.RUN_STEP
    assert Action("run_step:opinion") is Action.step("opinion")


def test_a_bad_step_name_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"^step: '' is not the name of a workflow step$"):
        Action.step("")


def test_typed_step_data_is_checked_stored_and_read_back() -> None:
    from iso10002.process.steps import read_step_data

    desk = _desk()
    ref = _in_legal_review(desk)
    with pytest.raises(ValidationError) as missing:
        desk.run_step(ref, STAFF, "opinion")
    assert (missing.value.field, missing.value.reason) == (
        "data",
        "step 'opinion' needs its Opinion data",
    )
    with pytest.raises(ValidationError) as wrong:
        desk.run_step(ref, STAFF, "opinion", data={"liable": "no", "text": "x"})
    assert (wrong.value.field, wrong.value.reason) == (
        "data.liable",
        "step 'opinion': expected true or false, got 'no'",
    )
    with pytest.raises(ValidationError) as other:
        desk.run_step(ref, STAFF, "opinion", data=42)
    assert other.value.reason == "step 'opinion' takes a Opinion, got int"
    with pytest.raises(ValidationError) as extra:
        desk.run_step(ref, STAFF, "to_legal", data=Opinion(liable=True, text="x"))
    assert extra.value.reason == "step 'to_legal' declares no payload type: it records a note only"

    desk.run_step(ref, STAFF, "opinion", data=Opinion(liable=True, text="Pay."))

    step = desk.history(ref)[-1].payload
    assert read_step_data(step, Opinion) == Opinion(liable=True, text="Pay.")  # type: ignore[arg-type]


def test_a_custom_closing_step_closes_for_its_reason() -> None:
    desk = _desk()
    first = _in_legal_review(desk)
    ref = _in_legal_review(desk)
    with pytest.raises(ValidationError) as missing:
        desk.run_step(ref, STAFF, "settle")
    assert missing.value.field == "reason"
    with pytest.raises(ValidationError) as needless:
        desk.run_step(
            first,
            STAFF,
            "opinion",
            data={"liable": False, "text": "x"},
            reason=ClosureReason.NO_REPLY,
        )
    assert needless.value.field == "reason"

    closed = desk.run_step(ref, STAFF, "settle", reason=ClosureReason.DUPLICATE, duplicate_of=first)

    assert (closed.state, closed.is_open, closed.closure_reason) == (
        "closed",
        False,
        ClosureReason.DUPLICATE,
    )


def test_a_new_open_state_inherits_the_commands_of_every_open_state() -> None:
    allowed = set(WORKFLOW.allowed("legal_review"))

    assert {"close", "withdraw", "assign", "add_note", "put_on_hold"} <= allowed
    bare = standard_workflow().extend(
        states=[StateDef(name="parked", description="p")],
        transitions=[
            Transition(command="park", sources=("investigating",), target="parked"),
            Transition(command="unpark", sources=("parked",), target="investigating"),
        ],
        inherit=False,
    )
    assert set(bare.allowed("parked")) == {"unpark"}


def test_a_step_cannot_declare_two_payload_types() -> None:
    from iso10002 import DefinitionError

    @attrs.frozen
    class Other:
        x: int

    with pytest.raises(DefinitionError, match="step 'opinion' declares two payload types"):
        WORKFLOW.extend(
            transitions=[
                Transition(command="opinion", sources=("received",), target=None, payload=Other)
            ]
        )


def _close_guarded_by(guard: Guard) -> Workflow:
    plain = standard_workflow()
    return Workflow(
        name="x",
        initial=plain.initial,
        states=plain.states,
        transitions=[
            attrs.evolve(t, guards=(guard,)) if t.command == "close" else t
            for t in plain.transitions
        ],
    )


def test_a_do_nothing_guard_named_closure_justified_does_not_conform() -> None:
    fake = Guard(name="closure_justified", description="trusts everyone", check=lambda _: None)

    report = check_conformance(_close_guarded_by(fake))

    assert not report.ok
    assert {v.rule for v in report.violations} >= {"closure-reason"}
    assert report.for_rule("closure-reason")[0].transition == "close (received → closed)"


def test_a_working_guard_under_another_name_conforms() -> None:
    real = guards.closure_justified(dt.timedelta(days=28))

    assert check_conformance(_close_guarded_by(attrs.evolve(real, name="acme_rules"))).ok
