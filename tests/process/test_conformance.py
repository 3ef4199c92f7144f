"""The conformance checker: the standard workflow passes, and each rule catches its own breach."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs
import pytest

from iso10002 import (
    Assessment,
    Channel,
    ClosureReason,
    ComplaintDesk,
    Decision,
    FixedClock,
    Outcome,
    Reaction,
    Severity,
    StateDef,
    Transition,
    Workflow,
    standard_workflow,
)
from iso10002.errors import ValidationError
from iso10002.process import guards
from iso10002.process.conformance import RULES, Violation, check_conformance
from iso10002.process.workflow import RECEIVE
from iso10002.testing.samples import sample_actor, sample_complainant

ALL_RULES = (
    "acknowledged",
    "assessed",
    "decision-communicated",
    "closure-reason",
    "recourse",
    "objectivity",
    "open-state-commands",
)
STANDARD = standard_workflow()
OPEN_STATES = tuple(s.name for s in STANDARD.states if not s.closed)


def without_state(wf: Workflow, state: str, *, commands: Iterable[str] = ()) -> list[Transition]:
    """The transitions of ``wf`` minus ``commands`` and every mention of ``state``."""
    dropped = set(commands)
    kept = []
    for t in wf.transitions:
        sources = tuple(s for s in t.sources if s != state)
        if t.command not in dropped and sources and t.target != state:
            kept.append(attrs.evolve(t, sources=sources))
    return kept


def replaced(wf: Workflow, command: str, *new: Transition, name: str = "custom") -> Workflow:
    """``wf`` with every transition of ``command`` replaced by ``new``."""
    return wf.extend(name=name, remove=[command], transitions=new)


def walk(wf: Workflow, path: tuple[str, ...]) -> str:
    """Follow a counterexample through the definition; the state it ends in."""
    assert path[0] == RECEIVE
    state = wf.initial
    for command in path[1:]:
        state = wf.transition(state, command).target or state
    return state


def only(violations: tuple[Violation, ...]) -> Violation:
    assert len(violations) == 1, violations
    return violations[0]


# -- workflows that break one rule each ---------------------------------------------------------

NO_ACKNOWLEDGEMENT = Workflow(
    name="no-acknowledgement",
    initial="received",
    states=[s for s in STANDARD.states if s.name != "acknowledged"],
    transitions=[
        *without_state(STANDARD, "acknowledged", commands=["acknowledge"]),
        Transition(command="assess", sources=("received",), target="assessed"),
    ],
)
REFERRED_UNACKNOWLEDGED = STANDARD.extend(
    name="refer-first",
    transitions=[Transition(command="refer_externally", sources=("received",), target="referred")],
)
DECIDE_UNASSESSED = STANDARD.extend(
    name="decide-unassessed",
    transitions=[
        Transition(
            command="decide",
            sources=("acknowledged",),
            target="decided",
            guards=(guards.objectivity,),
        )
    ],
)
INVESTIGATE_UNASSESSED = STANDARD.extend(
    name="investigate-unassessed",
    transitions=[
        Transition(
            command="start_investigation",
            sources=("acknowledged",),
            target="investigating",
            guards=(guards.objectivity,),
        )
    ],
)
RESOLVE_UNCOMMUNICATED = STANDARD.extend(
    name="resolve-uncommunicated",
    transitions=[Transition(command="resolve", sources=("decided",), target="closed")],
)
# The revised decision is never communicated: a new decision clears the earlier communication.
SETTLE_REVISED = STANDARD.extend(
    name="settle-revised",
    states=[
        StateDef(name="revising", description="Revising a communicated decision."),
        StateDef(name="revised", description="Revised, not communicated."),
    ],
    transitions=[
        Transition(command="revise", sources=("awaiting_reaction",), target="revising"),
        Transition(
            command="decide",
            sources=("revising",),
            target="revised",
            guards=(guards.assessment_recorded, guards.objectivity),
        ),
        Transition(command="settle", sources=("revised",), target="closed"),
    ],
)
RESOLVE_UNGUARDED = STANDARD.extend(
    name="resolve-unguarded",
    transitions=[Transition(command="resolve", sources=("resolved",), target="closed")],
)
NO_RECOURSE = replaced(
    STANDARD,
    "communicate_decision",
    Transition(command="communicate_decision", sources=("decided",), target="awaiting_reaction"),
)
DECIDE_WITHOUT_OBJECTIVITY = replaced(
    STANDARD,
    "decide",
    Transition(
        command="decide",
        sources=("assessed", "investigating", "internal_review", "decided"),
        target="decided",
        guards=(guards.assessment_recorded,),
    ),
)
ASSIGN_WITHOUT_OBJECTIVITY = replaced(
    STANDARD, "assign", Transition(command="assign", sources=OPEN_STATES, target=None)
)
INVESTIGATE_WITHOUT_OBJECTIVITY = replaced(
    STANDARD,
    "start_investigation",
    Transition(command="start_investigation", sources=("assessed",), target="investigating"),
)

EXPECTED = [
    pytest.param(
        NO_ACKNOWLEDGEMENT,
        "acknowledged",
        ("receive", "assess", "decide", "communicate_decision", "close"),
        "close (awaiting_reaction → closed)",
        "'close' may close the complaint for a reason that needs an acknowledgement "
        "(resolved, no reply), but receipt was never acknowledged",
        id="acknowledged: closing a resolved complaint never acknowledged",
    ),
    pytest.param(
        REFERRED_UNACKNOWLEDGED,
        "acknowledged",
        ("receive", "refer_externally", "close"),
        "close (referred → closed)",
        "(referred externally), but receipt was never acknowledged",
        id="acknowledged: closing as referred externally, never acknowledged",
    ),
    pytest.param(
        DECIDE_UNASSESSED,
        "assessed",
        ("receive", "acknowledge", "decide"),
        "decide (acknowledged → decided)",
        "'decide' runs before the initial assessment was recorded; assess first, or give "
        "'decide' the assessment_recorded guard",
        id="assessed: decide",
    ),
    pytest.param(
        INVESTIGATE_UNASSESSED,
        "assessed",
        ("receive", "acknowledge", "start_investigation"),
        "start_investigation (acknowledged → investigating)",
        "'start_investigation' runs before the initial assessment was recorded",
        id="assessed: start_investigation",
    ),
    pytest.param(
        RESOLVE_UNCOMMUNICATED,
        "decision-communicated",
        ("receive", "acknowledge", "assess", "decide", "resolve"),
        "resolve (decided → closed)",
        "'resolve' closes the complaint without a documented reason before a decision was "
        "communicated to the complainant",
        id="decision-communicated: never communicated",
    ),
    pytest.param(
        SETTLE_REVISED,
        "decision-communicated",
        (
            "receive",
            "acknowledge",
            "assess",
            "decide",
            "communicate_decision",
            "revise",
            "decide",
            "settle",
        ),
        "settle (revised → closed)",
        "'settle' closes the complaint without a documented reason",
        id="decision-communicated: the revised decision is not communicated",
    ),
    pytest.param(
        RESOLVE_UNGUARDED,
        "closure-reason",
        (
            "receive",
            "acknowledge",
            "assess",
            "decide",
            "communicate_decision",
            "accept_decision",
            "resolve",
        ),
        "resolve (resolved → closed)",
        "'resolve' enters closed state 'closed' without the closure_justified guard; only "
        "'withdraw' (the complainant's own act) or a transition guarded by closure_justified "
        "documents why a complaint ends",
        id="closure-reason",
    ),
    pytest.param(
        NO_RECOURSE,
        "recourse",
        ("receive", "acknowledge", "assess", "decide", "communicate_decision"),
        "communicate_decision (decided → awaiting_reaction)",
        "'communicate_decision' lacks the recourse_explained guard: a decision that is not "
        "upheld must tell the complainant about internal review and the external body",
        id="recourse",
    ),
    pytest.param(
        DECIDE_WITHOUT_OBJECTIVITY,
        "objectivity",
        ("receive", "acknowledge", "assess", "decide"),
        "decide (assessed → decided)",
        "'decide' lacks the objectivity guard: nobody the complaint is about may be assigned "
        "to it, investigate it or decide it",
        id="objectivity: decide",
    ),
    pytest.param(
        ASSIGN_WITHOUT_OBJECTIVITY,
        "objectivity",
        ("receive", "assign"),
        "assign (received → received)",
        "'assign' lacks the objectivity guard",
        id="objectivity: assign",
    ),
    pytest.param(
        INVESTIGATE_WITHOUT_OBJECTIVITY,
        "objectivity",
        ("receive", "acknowledge", "assess", "start_investigation"),
        "start_investigation (assessed → investigating)",
        "'start_investigation' lacks the objectivity guard",
        id="objectivity: start_investigation",
    ),
]


# -- the standard workflow and harmless variants ------------------------------------------------


def test_the_standard_workflow_conforms() -> None:
    report = check_conformance(STANDARD)

    assert report.ok
    assert report.violations == ()
    assert report.workflow == "iso10002-standard"
    assert report.rules_checked == ALL_RULES


def test_rules_are_listed_in_report_order_with_unique_ids_and_clauses() -> None:
    assert tuple(r.id for r in RULES) == ALL_RULES
    assert {r.id: r.clause for r in RULES} == {
        "acknowledged": "7.4",
        "assessed": "7.5",
        "decision-communicated": "7.8",
        "closure-reason": "7.9",
        "recourse": "7.9",
        "objectivity": "4.7",
        "open-state-commands": "7.3",
    }
    assert all(r.description for r in RULES)


def test_an_extension_with_a_harmless_step_conforms() -> None:
    extended = STANDARD.extend(
        name="acme",
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
            Transition(command="withdraw", sources=("awaiting_complainant",), target="withdrawn"),
        ],
    )

    assert check_conformance(extended).ok


def test_another_no_reply_period_conforms() -> None:
    assert check_conformance(standard_workflow(no_reply_period=dt.timedelta(days=7))).ok


def test_a_decide_that_cannot_run_unassessed_conforms() -> None:
    # The assessment_recorded guard refuses 'decide' on an unassessed complaint at run time.
    guarded = STANDARD.extend(
        transitions=[
            Transition(
                command="decide",
                sources=("acknowledged",),
                target="decided",
                guards=(guards.assessment_recorded, guards.objectivity),
            )
        ]
    )

    assert check_conformance(guarded).ok


def test_closing_unacknowledged_only_as_a_duplicate_conforms() -> None:
    # 'close' from 'received' can only be a duplicate there: nothing was communicated or referred.
    assert ("received", "close") in [
        (s, t.command) for t in STANDARD.transitions for s in t.sources
    ]
    assert check_conformance(STANDARD, rules=["acknowledged"]).ok


# -- each rule caught ---------------------------------------------------------------------------


@pytest.mark.parametrize(("workflow", "rule", "path", "transition", "message"), EXPECTED)
def test_each_rule_is_caught_with_a_shortest_counterexample(
    workflow: Workflow, rule: str, path: tuple[str, ...], transition: str, message: str
) -> None:
    report = check_conformance(workflow)

    assert not report.ok
    violation = only(report.for_rule(rule))
    assert violation.path == path
    assert violation.path_text == " → ".join(path)
    assert violation.transition == transition
    assert message in violation.message
    walk(workflow, violation.path)  # the counterexample is a walk the definition allows


@pytest.mark.parametrize(
    ("workflow", "rules"),
    [
        (NO_ACKNOWLEDGEMENT, {"acknowledged"}),
        (REFERRED_UNACKNOWLEDGED, {"acknowledged"}),
        (DECIDE_UNASSESSED, {"assessed"}),
        (INVESTIGATE_UNASSESSED, {"assessed"}),
        # A close without a reason is undocumented: it breaks both.
        (RESOLVE_UNCOMMUNICATED, {"decision-communicated", "closure-reason"}),
        (SETTLE_REVISED, {"decision-communicated", "closure-reason"}),
        (RESOLVE_UNGUARDED, {"closure-reason"}),
        (NO_RECOURSE, {"recourse"}),
        (DECIDE_WITHOUT_OBJECTIVITY, {"objectivity"}),
        (ASSIGN_WITHOUT_OBJECTIVITY, {"objectivity"}),
    ],
    ids=lambda x: x.name if isinstance(x, Workflow) else "",
)
def test_each_breach_breaks_only_the_rules_it_should(workflow: Workflow, rules: set[str]) -> None:
    assert {v.rule for v in check_conformance(workflow).violations} == rules


def test_an_undocumented_end_before_acknowledgement_breaks_three_rules() -> None:
    quick = STANDARD.extend(
        name="quick",
        transitions=[Transition(command="resolve_on_call", sources=("received",), target="closed")],
    )

    report = check_conformance(quick)

    assert [(v.rule, v.path, v.transition) for v in report.violations] == [
        (rule, ("receive", "resolve_on_call"), "resolve_on_call (received → closed)")
        for rule in ("acknowledged", "decision-communicated", "closure-reason")
    ]
    assert report.violations[0].message.startswith(
        "'resolve_on_call' closes the complaint without a documented reason, but receipt"
    )


def test_a_closed_initial_state_breaks_closure_reason_on_receipt() -> None:
    wf = Workflow(
        name="closed-start",
        initial="dormant",
        states=[
            StateDef(name="dormant", description="d", closed=True),
            StateDef(name="open", description="o"),
        ],
        transitions=[
            Transition(command="reopen", sources=("dormant",), target="open"),
            Transition(
                command="close",
                sources=("open",),
                target="dormant",
                guards=(guards.closure_justified(dt.timedelta(days=28)),),
            ),
        ],
    )

    violation = only(check_conformance(wf).for_rule("closure-reason"))

    assert violation.path == ("receive",)
    assert violation.transition == "receive (→ dormant)"
    assert "the initial state 'dormant' is a closed state" in violation.message


def test_a_transition_no_complaint_can_take_is_still_checked_by_definition() -> None:
    # Guarded by assessment_recorded, this 'decide' never runs (nothing is assessed yet in
    # 'acknowledged'); it still lacks the objectivity guard, and the path shows where it sits.
    wf = STANDARD.extend(
        transitions=[
            Transition(
                command="decide",
                sources=("acknowledged",),
                target="decided",
                guards=(guards.assessment_recorded,),
            )
        ]
    )

    violation = only(check_conformance(wf).violations)

    assert violation.rule == "objectivity"
    assert violation.path == ("receive", "acknowledge", "decide")
    assert violation.transition == "decide (acknowledged → decided)"


def test_one_violation_per_rule_and_transition_in_rule_order() -> None:
    both = replaced(
        NO_RECOURSE,
        "decide",
        Transition(
            command="decide",
            sources=("assessed", "investigating", "internal_review", "decided"),
            target="decided",
            guards=(guards.assessment_recorded,),
        ),
        name="two-breaches",
    )

    report = check_conformance(both)

    assert [(v.rule, v.transition) for v in report.violations] == [
        ("recourse", "communicate_decision (decided → awaiting_reaction)"),
        ("objectivity", "decide (assessed → decided)"),
    ]


def test_reopening_clears_the_communicated_decision() -> None:
    cj = guards.closure_justified(dt.timedelta(days=28))
    wf = Workflow(
        name="reconsider",
        initial="received",
        states=[
            StateDef(name="received", description="r"),
            StateDef(name="acknowledged", description="a"),
            StateDef(name="assessed", description="s"),
            StateDef(name="decided", description="d"),
            StateDef(name="awaiting_reaction", description="w"),
            StateDef(name="reconsidering", description="c"),
            StateDef(name="closed", description="x", closed=True),
        ],
        transitions=[
            Transition(command="acknowledge", sources=("received",), target="acknowledged"),
            Transition(command="assess", sources=("acknowledged",), target="assessed"),
            Transition(
                command="decide",
                sources=("assessed",),
                target="decided",
                guards=(guards.assessment_recorded, guards.objectivity),
            ),
            Transition(
                command="communicate_decision",
                sources=("decided",),
                target="awaiting_reaction",
                guards=(guards.recourse_explained,),
            ),
            Transition(
                command="close", sources=("awaiting_reaction",), target="closed", guards=(cj,)
            ),
            Transition(command="reopen", sources=("closed",), target="reconsidering"),
            Transition(command="settle", sources=("reconsidering",), target="closed"),
        ],
    )

    violation = only(check_conformance(wf).for_rule("decision-communicated"))

    assert violation.path == (
        "receive",
        "acknowledge",
        "assess",
        "decide",
        "communicate_decision",
        "close",
        "reopen",
        "settle",
    )


# -- choosing rules -----------------------------------------------------------------------------


def test_only_the_rules_asked_for_are_checked() -> None:
    report = check_conformance(RESOLVE_UNCOMMUNICATED, rules=["closure-reason", "acknowledged"])

    assert report.rules_checked == ("acknowledged", "closure-reason")
    assert [v.rule for v in report.violations] == ["closure-reason"]


def test_an_unknown_rule_is_a_validation_error_naming_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        check_conformance(STANDARD, rules=["acknowledged", "politeness"])

    assert info.value.field == "rules"
    assert "unknown rules ['politeness']" in str(info.value)


# -- the counterexamples are real, and the semantics chosen for reopening ----------------------

UTC = dt.timezone.utc
START = dt.datetime(2026, 3, 2, 9, tzinfo=UTC)
STAFF = sample_actor("agent-1")
ASSESSMENT = Assessment(severity=Severity.LOW)
NOT_UPHELD = Decision(outcome=Outcome.NOT_UPHELD, reasons="Delivered as ordered")


def test_the_acknowledgement_counterexample_runs_on_a_desk() -> None:
    clock = FixedClock(START)
    desk = ComplaintDesk(clock=clock, workflow=NO_ACKNOWLEDGEMENT)
    c = desk.receive(
        STAFF, complainant=sample_complainant(), channel=Channel.EMAIL, description="Late"
    )
    desk.assess(c.reference, STAFF, ASSESSMENT)
    desk.decide(c.reference, STAFF, NOT_UPHELD)
    desk.communicate_decision(c.reference, STAFF, channel=Channel.EMAIL, summary="Not upheld")
    clock.advance(dt.timedelta(days=28))

    c = desk.close(c.reference, STAFF, reason=ClosureReason.NO_REPLY)

    assert c.state == "closed"
    assert c.acknowledged_at is None
    assert [e.payload.type for e in desk.history(c.reference)][-1] == "closed"


def test_a_complaint_withdrawn_before_acknowledgement_is_not_asked_again_after_reopening() -> None:
    # The standard workflow allows this path; the acknowledged rule judges the path where it
    # first reaches a closed state (here: the withdrawal, which needs no acknowledgement).
    clock = FixedClock(START)
    desk = ComplaintDesk(clock=clock)
    c = desk.receive(
        STAFF, complainant=sample_complainant(), channel=Channel.EMAIL, description="Late"
    )
    desk.withdraw(c.reference, STAFF)
    desk.reopen(c.reference, STAFF, reason="The customer called back")
    desk.assess(c.reference, STAFF, ASSESSMENT)
    desk.decide(c.reference, STAFF, NOT_UPHELD)
    desk.communicate_decision(c.reference, STAFF, channel=Channel.EMAIL, summary="Not upheld")
    desk.record_reaction(c.reference, STAFF, Reaction.ACCEPTS)
    c = desk.close(c.reference, STAFF, reason=ClosureReason.RESOLVED)

    assert c.state == "closed" and c.acknowledged_at is None
    assert check_conformance(STANDARD).ok
