"""A survey, a desk on a real SQLite file, and complaints taken to the points surveys care about."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    Classification,
    ClosureReason,
    Complaint,
    ComplaintDesk,
    Decision,
    FixedClock,
    Outcome,
    Reaction,
    Role,
    Severity,
    SQLiteEventStore,
)
from iso10002.survey import (
    FIVE_POINT_AGREEMENT,
    FIVE_POINT_SATISFACTION,
    YES_NO,
    ZERO_TO_TEN,
    EligibilityRules,
    Question,
    Survey,
)
from iso10002.testing import sample_complainant

START = _dt.datetime(2026, 3, 2, 9, 0, tzinfo=_dt.timezone.utc)
STAFF = Actor(id="ana", role=Role.COMPLAINTS_MANAGER)
SURVEY_SYSTEM = Actor(id="survey", role=Role.SYSTEM, name="Satisfaction survey")


def survey(**eligibility: object) -> Survey:
    """Four questions (overall 1-5, recommend 0-10, informed yes/no, fair 1-5 agreement)."""
    return Survey(
        name="after-closure",
        version="2026.1",
        questions=(
            Question(
                id="overall",
                text="Overall, how satisfied are you with how we handled your complaint?",
                scale=FIVE_POINT_SATISFACTION,
                overall=True,
                required=True,
            ),
            Question(
                id="recommend",
                text="How likely are you to recommend us to a friend?",
                scale=ZERO_TO_TEN,
            ),
            Question(id="informed", text="Were you kept informed?", scale=YES_NO),
            Question(id="fair", text="The decision was fair.", scale=FIVE_POINT_AGREEMENT),
        ),
        eligibility=EligibilityRules(**eligibility),  # type: ignore[arg-type]
    )


def desk_on(path: Path, clock: FixedClock) -> ComplaintDesk:
    """A desk over a SQLite file at ``path``."""
    return ComplaintDesk(SQLiteEventStore(path), clock=clock)


def receive(
    desk: ComplaintDesk,
    *,
    channel: Channel = Channel.EMAIL,
    category: tuple[str, ...] | None = ("Billing", "Wrong amount"),
) -> Complaint:
    """A new complaint, classified under ``category`` unless it is None."""
    c = desk.receive(
        STAFF,
        complainant=sample_complainant(),
        channel=channel,
        description="I was charged twice.",
    )
    if category is not None:
        c = desk.classify(c.id, STAFF, Classification(category=category))
    return c


def communicate(desk: ComplaintDesk, c: Complaint) -> Complaint:
    """Acknowledge, assess, decide and communicate the decision."""
    desk.acknowledge(c.id, STAFF)
    desk.assess(c.id, STAFF, Assessment(severity=Severity.LOW))
    desk.decide(c.id, STAFF, Decision(outcome=Outcome.NOT_UPHELD, reasons="The charge was right."))
    return desk.communicate_decision(
        c.id, STAFF, channel=Channel.EMAIL, summary="The charge was right."
    )


def closed(desk: ComplaintDesk, **receipt: object) -> Complaint:
    """A complaint taken through the whole process and closed as resolved."""
    c = communicate(desk, receive(desk, **receipt))  # type: ignore[arg-type]
    desk.record_reaction(c.id, STAFF, Reaction.ACCEPTS)
    return desk.close(c.id, STAFF, reason=ClosureReason.RESOLVED)
