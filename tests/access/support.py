"""Actors of every role, a desk with access control over a SQLite file, and complaints in states."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    ClosureReason,
    Complainant,
    Complaint,
    ComplaintDesk,
    ContactDetails,
    Decision,
    FixedClock,
    Money,
    Outcome,
    Reaction,
    Remedy,
    RemedyKind,
    Role,
    Severity,
    SQLiteEventStore,
    Transition,
    standard_workflow,
)
from iso10002.access import AccessLog, Authorizer, RoleBasedAuthorizer
from iso10002.process.workflow import Workflow
from tests.sla.support import config

START = _dt.datetime(2026, 3, 2, 9, 0, tzinfo=_dt.timezone.utc)
"""A Monday, 09:00 in London: inside the office hours of the timeliness policies."""

CUSTOMER_ID = "cust-42"
OWNER = Complainant(
    name="Olive Owner",
    contact=ContactDetails(email="olive.owner@example.org", phone="+44 20 7946 0000"),
    customer_id=CUSTOMER_ID,
)
"""The complainant whose complaints the matrix acts on; the complainant actor is her."""
STRANGER = Complainant(
    name="Sam Stranger",
    contact=ContactDetails(email="sam.stranger@example.org"),
    customer_id="cust-99",
)
"""Somebody else, whose complaints the complainant actor may not touch."""

ACTORS: dict[Role, Actor] = {
    Role.COMPLAINANT: Actor(id=CUSTOMER_ID, role=Role.COMPLAINANT, name="Olive Owner"),
    Role.FRONT_LINE: Actor(id="fl-1", role=Role.FRONT_LINE, name="Fran Frontline"),
    Role.INVESTIGATOR: Actor(id="inv-1", role=Role.INVESTIGATOR, name="Ivo Investigator"),
    Role.COMPLAINTS_MANAGER: Actor(id="mgr-1", role=Role.COMPLAINTS_MANAGER, name="Mia Manager"),
    Role.AUDITOR: Actor(id="aud-1", role=Role.AUDITOR, name="Ada Auditor"),
    Role.ADMINISTRATOR: Actor(id="adm-1", role=Role.ADMINISTRATOR, name="Abe Admin"),
    Role.SYSTEM: Actor(id="sys-1", role=Role.SYSTEM, name="Scheduler"),
}
"""One actor per role; the investigator is the one the prepared complaints are assigned to."""

OTHER_INVESTIGATOR = Actor(id="inv-2", role=Role.INVESTIGATOR, name="Ina Other")
SETUP = Actor(id="setup-1", role=Role.COMPLAINTS_MANAGER, name="Set Up")
"""Who prepares complaints, through a desk without access control."""

STEP = "request_information"
"""A custom workflow step (run_step), allowed while investigating."""


def workflow() -> Workflow:
    """The standard workflow with one custom step that carries only a note."""
    return standard_workflow().extend(
        transitions=[
            Transition(
                command=STEP,
                sources=("investigating",),
                target=None,
                description="Ask the complainant for information.",
            )
        ]
    )


def desks(
    path: Path,
    clock: FixedClock,
    authorizer: Authorizer | None = None,
    access_log: AccessLog | None = None,
) -> tuple[ComplaintDesk, ComplaintDesk]:
    """
    Two desks over one SQLite file: the first with access control (the default role matrix
    unless ``authorizer`` is given), the second without, to prepare complaints.
    """
    store = SQLiteEventStore(path, synchronous="NORMAL")
    common = {"clock": clock, "sla": config(), "workflow": workflow()}
    guarded = ComplaintDesk(
        store,
        authorizer=authorizer if authorizer is not None else RoleBasedAuthorizer(),
        access_log=access_log,
        **common,  # type: ignore[arg-type]
    )
    return guarded, ComplaintDesk(store, **common)  # type: ignore[arg-type]


_Step = Callable[[ComplaintDesk, str], object]


def _decide(desk: ComplaintDesk, ref: str) -> object:
    return desk.decide(
        ref, SETUP, Decision(outcome=Outcome.NOT_UPHELD, reasons="Delivered on the promised day.")
    )


_PATH: tuple[tuple[str, _Step], ...] = (
    ("acknowledged", lambda d, r: d.acknowledge(r, SETUP)),
    ("assessed", lambda d, r: d.assess(r, SETUP, Assessment(severity=Severity.LOW))),
    ("investigating", lambda d, r: d.start_investigation(r, SETUP)),
    ("decided", _decide),
    (
        "awaiting_reaction",
        lambda d, r: d.communicate_decision(
            r, SETUP, channel=Channel.EMAIL, summary="We found no fault."
        ),
    ),
    ("resolved", lambda d, r: d.record_reaction(r, SETUP, Reaction.ACCEPTS)),
    ("closed", lambda d, r: d.close(r, SETUP, reason=ClosureReason.RESOLVED)),
)


def _accept_a_refund(desk: ComplaintDesk, ref: str) -> object:
    refund = Remedy(kind=RemedyKind.REFUND, amount=Money(amount=Decimal("12.50"), currency="GBP"))
    desk.decide(ref, SETUP, Decision(outcome=Outcome.UPHELD, reasons="Lost.", remedies=(refund,)))
    desk.communicate_decision(ref, SETUP, channel=Channel.EMAIL, summary="We will refund you.")
    return desk.record_reaction(ref, SETUP, Reaction.ACCEPTS)


_BRANCHES: dict[str, tuple[str, _Step]] = {
    "refund_accepted": ("investigating", _accept_a_refund),
    "rejected": ("awaiting_reaction", lambda d, r: d.record_reaction(r, SETUP, Reaction.REJECTS)),
    "on_hold": ("investigating", lambda d, r: d.put_on_hold(r, SETUP, reason="Waiting.")),
    "legal_hold": ("closed", lambda d, r: d.place_legal_hold(r, SETUP, reason="Claim 7.")),
}


def prepare(
    setup: ComplaintDesk,
    state: str = "received",
    *,
    complainant: Complainant = OWNER,
    assignee: Actor | None = ACTORS[Role.INVESTIGATOR],
) -> Complaint:
    """
    A new complaint of ``complainant``, assigned to ``assignee``, taken to ``state`` (a state
    of the standard workflow on the way to closure, or ``rejected``, ``on_hold``,
    ``legal_hold``, which is closed and under legal hold, or ``refund_accepted``, resolved on
    an accepted refund not yet carried out).
    """
    c = setup.receive(
        SETUP,
        complainant=complainant,
        channel=Channel.WEB_FORM,
        description="My parcel never arrived.",
        client_key=f"ck-{uuid.uuid4()}",
    )
    ref = c.reference
    if assignee is not None:
        setup.assign(ref, SETUP, assignee)
    target, last = state, None
    if state in _BRANCHES:
        target, last = _BRANCHES[state]
    if target != "received":
        for reached, step in _PATH:
            step(setup, ref)
            if reached == target:
                break
        else:
            raise AssertionError(f"no way to state {state!r}")
    if last is not None:
        last(setup, ref)
    return setup.get(ref)
