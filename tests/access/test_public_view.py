"""The public view: what a complainant may see of their complaint, and nothing else."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    Classification,
    ClosureReason,
    Communication,
    ComplaintDesk,
    Decision,
    Direction,
    FixedClock,
    Money,
    Outcome,
    Reaction,
    Remedy,
    RemedyKind,
    Role,
    RootCause,
    Severity,
    Visibility,
)
from iso10002.access import PUBLIC_STATUSES, PublicView, public_view
from iso10002.process.standard import State
from tests.access.support import (
    ACTORS,
    OWNER,
    SETUP,
    START,
    STRANGER,
    desks,
    prepare,
)

COMPLAINANT = ACTORS[Role.COMPLAINANT]
INVESTIGATOR = ACTORS[Role.INVESTIGATOR]
MANAGER = ACTORS[Role.COMPLAINTS_MANAGER]

SECRET_NOTE = "Driver Bob K. admitted leaving parcels at the depot."
INTERNAL_MESSAGE = "Escalate to the depot manager Dana Depot, extension 4411."
REASONS = "Our depot manager Dana Depot confirmed the loss."
UPHELD = Decision(
    outcome=Outcome.UPHELD,
    reasons=REASONS,
    remedies=(
        Remedy(kind=RemedyKind.REFUND, amount=Money(amount=Decimal("19.99"), currency="GBP")),
        Remedy(kind=RemedyKind.APOLOGY),
    ),
)


@pytest.fixture(name="clock")
def _clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(name="pair")
def _pair(tmp_path: Path, clock: FixedClock) -> Iterator[tuple[ComplaintDesk, ComplaintDesk]]:
    pair = desks(tmp_path / "complaints.db", clock)
    yield pair
    pair[0].store.close()


def handled(desk: ComplaintDesk, setup: ComplaintDesk, clock: FixedClock) -> str:
    """A complaint taken to closure, with internal and public notes and messages on the way."""
    c = prepare(setup)
    ref = c.reference
    hour = _dt.timedelta(hours=1)
    clock.advance(hour)
    setup.acknowledge(ref, SETUP, message="Thank you, we are on it.")
    setup.assess(ref, SETUP, Assessment(severity=Severity.LOW))
    setup.classify(ref, SETUP, Classification(category=("Delivery", "Lost")))
    clock.advance(hour)
    desk.start_investigation(ref, INVESTIGATOR, plan="Ask the courier.")
    desk.add_note(ref, INVESTIGATOR, SECRET_NOTE)
    desk.add_note(ref, INVESTIGATOR, "We have asked the courier for its records.", internal=False)
    desk.record_communication(
        ref,
        INVESTIGATOR,
        Communication(
            direction=Direction.OUTBOUND,
            channel=Channel.PHONE,
            visibility=Visibility.INTERNAL,
            summary=INTERNAL_MESSAGE,
        ),
    )
    desk.record_communication(
        ref,
        INVESTIGATOR,
        Communication(
            direction=Direction.INBOUND,
            channel=Channel.EMAIL,
            summary="Sent a photo of the empty doorstep.",
        ),
    )
    desk.record_root_cause(ref, INVESTIGATOR, RootCause(cause="Depot left the parcel behind."))
    clock.advance(hour)
    desk.put_on_hold(ref, MANAGER, reason="Waiting for Dana Depot's statement.")
    desk.release_hold(ref, MANAGER)
    desk.decide(ref, MANAGER, UPHELD)
    desk.communicate_decision(
        ref, MANAGER, channel=Channel.EMAIL, summary="We will refund you and we apologise."
    )
    clock.advance(hour)
    desk.record_reaction(ref, COMPLAINANT, Reaction.ACCEPTS)
    desk.close(ref, MANAGER, reason=ClosureReason.RESOLVED, note="Bob K. retrained.")
    return ref


def everything_in(view: PublicView) -> str:
    """The whole view as unstructured text: its values, unmasked, and its text rendering."""
    return f"{attrs.asdict(view)!r}\n{view.as_text()}"


def test_the_complainant_sees_the_customer_visible_timeline(
    pair: tuple[ComplaintDesk, ComplaintDesk], clock: FixedClock
) -> None:
    desk, setup = pair
    ref = handled(desk, setup, clock)
    view = desk.public_view(ref, actor=COMPLAINANT)

    assert view.reference == ref
    assert view.status == "Your complaint is closed."
    assert not view.is_open
    assert view.received_at == START
    assert view.acknowledged_at == START + _dt.timedelta(hours=1)
    assert view.closed_at == START + _dt.timedelta(hours=4)
    assert view.deadlines == ()
    assert [(e.kind, e.text, e.detail) for e in view.timeline] == [
        ("received", "We received your complaint by web form.", None),
        ("acknowledged", "We acknowledged your complaint.", "Thank you, we are on it."),
        ("update", "We added an update.", "We have asked the courier for its records."),
        ("message", "You contacted us by email.", "Sent a photo of the empty doorstep."),
        (
            "decision",
            "We sent you our decision: your complaint is upheld.",
            "We will refund you and we apologise.",
        ),
        ("reaction", "You accepted our decision.", None),
        ("closed", "We closed your complaint as resolved.", None),
    ]
    assert view.decision is not None
    assert view.decision.outcome is Outcome.UPHELD
    assert view.decision.remedies == UPHELD.remedies
    assert view.decision.communicated_at == START + _dt.timedelta(hours=3)


def test_nothing_internal_and_nobody_else_appears(
    pair: tuple[ComplaintDesk, ComplaintDesk], clock: FixedClock
) -> None:
    desk, setup = pair
    ref = handled(desk, setup, clock)
    text = everything_in(desk.public_view(ref, actor=COMPLAINANT))
    staff = [a for a in (*ACTORS.values(), SETUP) if a.role is not Role.COMPLAINANT]
    forbidden = [
        SECRET_NOTE,
        INTERNAL_MESSAGE,
        REASONS,
        "Dana Depot",  # named in an internal message, the reasons and the hold
        "Bob K.",  # named in an internal note and the closing note
        "Ask the courier.",  # the investigation plan
        "Depot left the parcel behind.",  # the root cause
        "Delivery",  # the classification
        "low",  # the assessment
        *(a.id for a in staff),
        *(a.name or "" for a in staff),
        "Olive Owner",  # nothing of the complainant's own personal data either
        "olive.owner@example.org",
    ]
    found = [value for value in forbidden if value in text]
    assert found == []


def test_a_duplicate_does_not_point_at_the_other_persons_complaint(
    pair: tuple[ComplaintDesk, ComplaintDesk],
) -> None:
    desk, setup = pair
    strangers = prepare(setup, complainant=STRANGER)
    own = prepare(setup)
    setup.close(
        own.reference, SETUP, reason=ClosureReason.DUPLICATE, duplicate_of=strangers.reference
    )
    view = desk.public_view(own.reference, actor=COMPLAINANT)
    assert (
        view.timeline[-1].text
        == "We closed your complaint as another complaint covers the same matter."
    )
    assert strangers.reference not in everything_in(view)


def test_an_open_complaint_shows_the_running_deadlines(
    pair: tuple[ComplaintDesk, ComplaintDesk],
) -> None:
    desk, setup = pair
    c = prepare(setup)
    view = desk.public_view(c.reference, actor=COMPLAINANT)
    assert view.status == PUBLIC_STATUSES["received"]
    assert [(d.metric, d.description) for d in view.deadlines] == [
        ("acknowledgement", "acknowledgement"),
        ("final_response", "final response"),
    ]
    # One business day: to the close of business the next working day, in London.
    assert view.deadlines[0].due_at == START.replace(day=3, hour=17)
    setup.acknowledge(c.reference, SETUP)
    later = desk.public_view(c.reference, actor=COMPLAINANT)
    assert [d.metric for d in later.deadlines] == ["final_response"]
    assert later.acknowledged_at == START


def test_a_decision_not_yet_communicated_stays_unseen(
    pair: tuple[ComplaintDesk, ComplaintDesk],
) -> None:
    desk, setup = pair
    c = prepare(setup, "decided")
    view = desk.public_view(c.reference, actor=COMPLAINANT)
    assert view.status == "We are investigating your complaint."
    assert view.decision is None
    assert [e.kind for e in view.timeline] == ["received", "acknowledged"]


def test_withdrawal_and_reopening_read_plainly(
    pair: tuple[ComplaintDesk, ComplaintDesk],
) -> None:
    desk, setup = pair
    c = prepare(setup, "closed")
    setup.reopen(c.reference, SETUP, reason="The refund never came.")
    desk.withdraw(c.reference, COMPLAINANT, reason="Refund arrived after all.")
    view = desk.public_view(c.reference, actor=COMPLAINANT)
    assert view.status == "Your complaint was withdrawn."
    assert view.withdrawn_at == START and view.closed_at is None
    assert view.decision is None  # the reopening set the earlier decision aside
    assert [e.kind for e in view.timeline][-3:] == ["closed", "reopened", "withdrawn"]
    assert "The refund never came." not in everything_in(view)
    assert "Refund arrived after all." not in everything_in(view)


def test_staff_may_see_the_public_view_too(pair: tuple[ComplaintDesk, ComplaintDesk]) -> None:
    desk, setup = pair
    c = prepare(setup)
    front_line = ACTORS[Role.FRONT_LINE]
    assert desk.public_view(c.reference, actor=front_line) == desk.public_view(
        c.reference, actor=COMPLAINANT
    )


def test_the_view_speaks_its_own_words_for_other_workflows(
    pair: tuple[ComplaintDesk, ComplaintDesk],
) -> None:
    _, setup = pair
    c = prepare(setup, "investigating")
    history = setup.history(c.reference)
    words = {State.INVESTIGATING.value: "Nous examinons votre réclamation."}
    assert public_view(c, history, statuses=words).status == words["investigating"]
    assert public_view(c, history, statuses={}).status == "We are handling your complaint."


def test_as_text_lists_the_facts_and_the_timeline(
    pair: tuple[ComplaintDesk, ComplaintDesk],
) -> None:
    desk, setup = pair
    c = prepare(setup)
    text = desk.public_view(c.reference, actor=Actor(id="cust-42", role=Role.COMPLAINANT))
    assert text.as_text().splitlines() == [
        f"Complaint {c.reference}: We have received your complaint.",
        "Received: 2026-03-02T09:00:00+00:00",
        "Due: acknowledgement by 2026-03-03T17:00:00+00:00",
        "Due: final response by 2026-03-03T17:00:00+00:00",
        "2026-03-02T09:00:00+00:00  We received your complaint by web form.",
    ]
    assert OWNER.name not in text.as_text()
