"""
A vendor's product on the library: a Legal role of its own, a custom state, and custom steps
that record typed data and close complaints.

- ``Role.define("legal")`` adds the Legal role; the role matrix grants it one step by name.
- The ``legal_review`` state is added to the standard workflow; it inherits the commands every
  open state has (close, withdraw, assign, add_note, ...), and the workflow still conforms.
- ``legal_opinion`` records a :class:`LegalOpinion`, checked when the step runs and stored in
  the event; ``settle`` closes a complaint from legal review for a documented reason.

- Tenants: the product serves two organisations from one store. Every actor is bound to its
  organisation (``Actor(organisation=...)``) and each complaint belongs to the organisation that
  received it; one organisation's counsel can neither read nor act on the other's complaints,
  and its listings show its own only.

Run it with ``python examples/vendor_workflow.py``.
"""

from __future__ import annotations

import datetime as dt
import logging

import attrs

from iso10002 import (
    DEFAULT_GRANTS,
    Action,
    Actor,
    Assessment,
    Channel,
    ClosureReason,
    Complainant,
    ComplaintDesk,
    ContactDetails,
    FixedClock,
    InMemoryEventStore,
    PermissionDenied,
    Role,
    RoleBasedAuthorizer,
    Severity,
    StateDef,
    StepRecorded,
    Transition,
    ValidationError,
    standard_workflow,
)
from iso10002.process import guards
from iso10002.process.conformance import check_conformance
from iso10002.process.steps import read_step_data

LEGAL = Role.define("legal")


@attrs.frozen(kw_only=True)
class LegalOpinion:
    """What the legal team says about a complaint: the step ``legal_opinion`` records it."""

    liable: bool
    opinion: str
    counsel: str


WORKFLOW = standard_workflow().extend(
    name="acme-with-legal",
    states=[StateDef(name="legal_review", description="With the legal team.")],
    transitions=[
        Transition(
            command="refer_to_legal",
            sources=("investigating",),
            target="legal_review",
            description="Ask the legal team.",
        ),
        Transition(
            command="legal_opinion",
            sources=("legal_review",),
            target="investigating",
            payload=LegalOpinion,
            description="The legal team's opinion.",
        ),
        Transition(
            command="settle",
            sources=("legal_review",),
            target="closed",
            guards=(guards.closure_justified(dt.timedelta(days=28)),),
            description="Close from legal review for a documented reason.",
        ),
    ],
)

AUTHORIZER = RoleBasedAuthorizer(
    {
        **DEFAULT_GRANTS,
        LEGAL: {Action.step("legal_opinion"), Action.ADD_NOTE, Action.GET, Action.HISTORY},
    }
)

# Two customer organisations (tenants) of the product, and their staff.
ACME, GLOBEX = "acme", "globex"
MANAGER = Actor(id="mgr-1", role=Role.COMPLAINTS_MANAGER, name="Mo Manager", organisation=ACME)
COUNSEL = Actor(id="legal-1", role=LEGAL, name="Lee Counsel", organisation=ACME)
OTHER_MANAGER = Actor(id="mgr-9", role=Role.COMPLAINTS_MANAGER, organisation=GLOBEX)
OTHER_COUNSEL = Actor(id="legal-9", role=LEGAL, organisation=GLOBEX)


def main() -> None:
    # Refusals are logged as warnings on "iso10002.access"; this example prints them itself.
    logging.getLogger("iso10002.access").setLevel(logging.ERROR)
    report = check_conformance(WORKFLOW)
    assert report.ok, report.violations
    inherited = set(WORKFLOW.allowed("legal_review"))
    assert {"close", "withdraw", "assign", "add_note"} <= inherited
    print(f"{WORKFLOW.name} conforms; legal_review allows {len(inherited)} commands")

    clock = FixedClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc))
    desk = ComplaintDesk(
        store=InMemoryEventStore(), clock=clock, workflow=WORKFLOW, authorizer=AUTHORIZER
    )
    first = desk.receive(
        MANAGER,
        complainant=Complainant(name="Ada Lane", contact=ContactDetails(email="ada@example.org")),
        channel=Channel.EMAIL,
        description="The contract was changed without notice.",
    )
    ref = first.reference
    desk.acknowledge(ref, MANAGER)
    desk.assess(ref, MANAGER, Assessment(severity=Severity.HIGH))
    desk.start_investigation(ref, MANAGER)
    desk.run_step(ref, MANAGER, "refer_to_legal", note="Is the clause enforceable?")

    # The Legal role is granted legal_opinion by name, and no other step.
    try:
        desk.run_step(ref, COUNSEL, "settle", reason=ClosureReason.NO_REPLY)
    except PermissionDenied as e:
        print(f"refused: {e.reason}")
    # The step's data is checked against LegalOpinion before anything is written.
    try:
        desk.run_step(ref, COUNSEL, "legal_opinion", data={"liable": "no", "opinion": "x"})
    except ValidationError as e:
        print(f"refused: {e.field}: {e.reason}")
    opinion = LegalOpinion(liable=False, opinion="The clause holds.", counsel="Lee Counsel")
    desk.run_step(ref, COUNSEL, "legal_opinion", data=opinion)

    step = desk.history(ref, actor=COUNSEL)[-1].payload
    assert isinstance(step, StepRecorded)
    assert read_step_data(step, LegalOpinion) == opinion
    print(f"{ref} {step.command}: {step.data}")

    # A second report of the same matter is settled from legal review as a duplicate.
    second = desk.receive(
        MANAGER,
        complainant=Complainant(name="Ada Lane", contact=ContactDetails(email="ada@example.org")),
        channel=Channel.PHONE,
        description="Same contract change, by phone.",
    )
    ref2 = second.reference
    desk.acknowledge(ref2, MANAGER)
    desk.assess(ref2, MANAGER, Assessment(severity=Severity.LOW))
    desk.start_investigation(ref2, MANAGER)
    desk.run_step(ref2, MANAGER, "refer_to_legal")
    settled = desk.run_step(
        ref2, MANAGER, "settle", reason=ClosureReason.DUPLICATE, duplicate_of=ref
    )
    assert not settled.is_open
    assert settled.closure_reason is ClosureReason.DUPLICATE
    print(f"{ref2} {settled.state}: {settled.closure_reason.value} of {settled.duplicate_of}")
    tenants(desk, ref)


def tenants(desk: ComplaintDesk, acme_ref: str) -> None:
    """The other organisation's staff work on their own complaints only, in the same store."""
    theirs = desk.receive(
        OTHER_MANAGER,
        complainant=Complainant(name="Bo Berg", contact=ContactDetails(email="bo@example.org")),
        channel=Channel.WEB_FORM,
        description="An unexpected fee.",
    )
    assert theirs.organisation == GLOBEX  # the receiving actor's organisation
    desk.acknowledge(theirs.reference, OTHER_MANAGER)
    desk.assess(theirs.reference, OTHER_MANAGER, Assessment(severity=Severity.MEDIUM))
    desk.start_investigation(theirs.reference, OTHER_MANAGER)
    desk.run_step(theirs.reference, OTHER_MANAGER, "refer_to_legal")

    # Acme's counsel may run legal_opinion, but not on Globex's complaint.
    opinion = LegalOpinion(liable=True, opinion="Refund the fee.", counsel="Lee Counsel")
    try:
        desk.run_step(theirs.reference, COUNSEL, "legal_opinion", data=opinion)
    except PermissionDenied as e:
        print(f"refused: {e.reason}")
    # Nor may Globex's counsel read Acme's complaint.
    try:
        desk.get(acme_ref, actor=OTHER_COUNSEL)
    except PermissionDenied as e:
        print(f"refused: {e.reason}")
    desk.run_step(theirs.reference, OTHER_COUNSEL, "legal_opinion", data=opinion)

    # Listings are kept to the actor's organisation, the custom state's too.
    for manager in (MANAGER, OTHER_MANAGER):
        page = desk.query(actor=manager)
        assert {s.organisation for s in page.items} == {manager.organisation}
        in_review = desk.query(state="investigating", actor=manager).total
        print(f"{manager.organisation}: {page.total} complaint(s), {in_review} investigating")


if __name__ == "__main__":
    main()
