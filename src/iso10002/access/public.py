"""
The public view of a complaint: what its complainant may see of it (4.10).

:func:`public_view` reads a complaint's history and keeps only what was meant for the
complainant: the status in plain words, the dates, the deadlines they were told of, and a
timeline of the customer-visible events. It leaves out internal notes and messages, the
assessment, who on the staff did what (no names, no ids) and everything about other people,
such as the complaint a duplicate points to.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from zoneinfo import ZoneInfo

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check
from iso10002.model.closure import closure_of
from iso10002.model.complaint import Complaint
from iso10002.model.events import (
    Acknowledged,
    CommunicationRecorded,
    ComplaintReceived,
    DecisionCarriedOut,
    DecisionCommunicated,
    DecisionMade,
    Event,
    InternalReviewRequested,
    NoteAdded,
    ReactionRecorded,
    ReferredExternally,
    Reopened,
    Withdrawn,
)
from iso10002.model.values import (
    Channel,
    ClosureReason,
    Decision,
    Direction,
    Outcome,
    Reaction,
    Remedy,
    Visibility,
)
from iso10002.sla.engine import SlaReport, SlaStatus

__all__ = [
    "PUBLIC_STATUSES",
    "PublicDeadline",
    "PublicDecision",
    "PublicEntry",
    "PublicView",
    "public_view",
]

PUBLIC_STATUSES: Mapping[str, str] = MappingProxyType(
    {
        "received": "We have received your complaint.",
        "acknowledged": "We have acknowledged your complaint and will look into it.",
        "assessed": "We are looking into your complaint.",
        "investigating": "We are investigating your complaint.",
        # A decision not yet communicated is still being worked on, as far as the complainant knows.
        "decided": "We are investigating your complaint.",
        "awaiting_reaction": "We have sent you our decision and are waiting for your reply.",
        "resolved": "You have accepted our decision.",
        "rejected": "You did not accept our decision; you may ask for a review.",
        "internal_review": "Your complaint is being reviewed again within our organization.",
        "referred": "Your complaint has been referred to an external body.",
        "closed": "Your complaint is closed.",
        "withdrawn": "Your complaint was withdrawn.",
    }
)
"""The plain words for each state of the standard workflow."""

_OPEN_STATUS = "We are handling your complaint."
_CLOSED_STATUS = "Your complaint is closed."

_OUTCOMES = {
    Outcome.UPHELD: "upheld",
    Outcome.PARTIALLY_UPHELD: "partially upheld",
    Outcome.NOT_UPHELD: "not upheld",
}
_CLOSURES = {
    ClosureReason.RESOLVED: "as resolved",
    ClosureReason.REFERRED_EXTERNALLY: "after its referral to an external body",
    ClosureReason.NO_REPLY: "as we had no reply to our decision",
    ClosureReason.DUPLICATE: "as another complaint covers the same matter",
}


@attrs.frozen(kw_only=True)
class PublicDeadline:
    """A deadline the complainant was told of (the acknowledgement letter lists them)."""

    metric: str = attrs.field(validator=check.text)
    """The timeliness metric's name, e.g. ``final_response``."""
    description: str = attrs.field(validator=check.text)
    """What is due, in the policy's words."""
    due_at: _dt.datetime = attrs.field(validator=check.aware)
    """The instant it falls due."""
    day: _dt.date | None = attrs.field(default=None, validator=check.optional_instance(_dt.date))
    """When ``due_at`` is the midnight that ends a day in the policy's time zone (a deadline
    counted in days, due at the end of its last day): that last day. Show "by the end of
    31 Jan 2027", not "01 Feb 2027 00:00", which reads as a day later than it is."""

    @property
    def text(self) -> str:
        """When it is due, as people read it: ``31 Jan 2027`` for the end of a day, else
        ``17 Feb 2027, 17:00 UTC``."""
        if self.day is not None:
            return f"end of {self.day:%d %b %Y}"
        return f"{self.due_at.astimezone(_dt.timezone.utc):%d %b %Y, %H:%M} UTC"


@attrs.frozen(kw_only=True)
class PublicDecision:
    """The decision as it was communicated: the outcome and the remedies offered."""

    outcome: Outcome = attrs.field(validator=check.member_of(Outcome))
    remedies: tuple[Remedy, ...] = attrs.field(default=(), validator=check.tuple_of(Remedy))
    communicated_at: _dt.datetime = attrs.field(validator=check.aware)
    summary: str = attrs.field(validator=check.text)
    """What the complainant was told."""


@attrs.frozen(kw_only=True)
class PublicEntry:
    """One customer-visible event, in plain words."""

    at: _dt.datetime = attrs.field(validator=check.aware)
    kind: str = attrs.field(validator=check.text)
    """A stable name: received, acknowledged, message, update, decision, reaction, review,
    referred, closed, withdrawn or reopened."""
    text: str = attrs.field(validator=check.text)
    detail: str | None = attrs.field(default=None, validator=check.optional_text)
    """What was said to or by the complainant, when the event carries it."""
    decision: PublicDecision | None = attrs.field(
        default=None, validator=check.optional_instance(PublicDecision)
    )


@attrs.frozen(kw_only=True)
class PublicView:
    """
    What a complainant may see of their complaint: no personal data of anybody, no internal
    notes or messages, no staff names or ids.
    """

    reference: str = attrs.field(validator=check.text)
    status: str = attrs.field(validator=check.text)
    """Where the complaint stands, in plain words."""
    is_open: bool = attrs.field(validator=check.instance(bool))
    received_at: _dt.datetime = attrs.field(validator=check.aware)
    acknowledged_at: _dt.datetime | None = attrs.field(validator=check.optional_aware)
    closed_at: _dt.datetime | None = attrs.field(validator=check.optional_aware)
    withdrawn_at: _dt.datetime | None = attrs.field(default=None, validator=check.optional_aware)
    decision: PublicDecision | None = attrs.field(
        default=None, validator=check.optional_instance(PublicDecision)
    )
    """The decision communicated last, unless the complaint was reopened since."""
    deadlines: tuple[PublicDeadline, ...] = attrs.field(
        default=(), validator=check.tuple_of(PublicDeadline)
    )
    """The running deadlines of the complaint's timeliness policy, earliest first."""
    timeline: tuple[PublicEntry, ...] = attrs.field(
        default=(), validator=check.tuple_of(PublicEntry)
    )

    def as_text(self) -> str:
        """The view as plain text, one line per fact and per timeline entry."""
        lines = [f"Complaint {self.reference}: {self.status}"]
        lines.append(f"Received: {self.received_at.isoformat()}")
        if self.acknowledged_at is not None:
            lines.append(f"Acknowledged: {self.acknowledged_at.isoformat()}")
        for d in self.deadlines:
            when = d.due_at.isoformat() if d.day is None else f"the end of {d.day.isoformat()}"
            lines.append(f"Due: {d.description} by {when}")
        if self.closed_at is not None:
            lines.append(f"Closed: {self.closed_at.isoformat()}")
        if self.withdrawn_at is not None:
            lines.append(f"Withdrawn: {self.withdrawn_at.isoformat()}")
        for entry in self.timeline:
            detail = f" ({entry.detail})" if entry.detail else ""
            lines.append(f"{entry.at.isoformat()}  {entry.text}{detail}")
        return "\n".join(lines)


def _words(channel: Channel) -> str:
    return channel.value.replace("_", " ")


def _entries(history: Iterable[Event]) -> list[PublicEntry]:  # noqa: PLR0912
    entries: list[PublicEntry] = []
    decided: Decision | None = None
    for event in history:
        p, at = event.payload, event.occurred_at
        entry: PublicEntry | None = None
        if isinstance(p, ComplaintReceived):
            text = f"We received your complaint by {_words(p.channel)}."
            entry = PublicEntry(at=p.received_at, kind="received", text=text)
        elif isinstance(p, Acknowledged):
            text = "We acknowledged your complaint."
            entry = PublicEntry(at=at, kind="acknowledged", text=text, detail=p.message)
        elif isinstance(p, CommunicationRecorded):
            c = p.communication
            if c.visibility is Visibility.CUSTOMER_VISIBLE:
                how = _words(c.channel)
                text = (
                    f"You contacted us by {how}."
                    if c.direction is Direction.INBOUND
                    else f"We contacted you by {how}."
                )
                entry = PublicEntry(at=at, kind="message", text=text, detail=c.summary)
        elif isinstance(p, NoteAdded):
            if not p.internal:
                entry = PublicEntry(at=at, kind="update", text="We added an update.", detail=p.text)
        elif isinstance(p, DecisionMade):
            decided = p.decision
        elif isinstance(p, DecisionCommunicated) and decided is not None:
            decision = PublicDecision(
                outcome=decided.outcome,
                remedies=decided.remedies,
                communicated_at=at,
                summary=p.summary,
            )
            text = f"We sent you our decision: your complaint is {_OUTCOMES[decided.outcome]}."
            entry = PublicEntry(
                at=at, kind="decision", text=text, detail=p.summary, decision=decision
            )
        elif isinstance(p, ReactionRecorded):
            text = (
                "You accepted our decision."
                if p.reaction is Reaction.ACCEPTS
                else "You did not accept our decision."
            )
            entry = PublicEntry(at=at, kind="reaction", text=text)
        elif isinstance(p, DecisionCarriedOut):
            text = "We carried out our decision."
            entry = PublicEntry(at=at, kind="carried_out", text=text, detail=p.summary)
        elif isinstance(p, InternalReviewRequested):
            text = "Your complaint went to an internal review."
            entry = PublicEntry(at=at, kind="review", text=text)
        elif isinstance(p, ReferredExternally):
            text = f"Your complaint was referred to {p.body}."
            entry = PublicEntry(at=at, kind="referred", text=text)
        elif (closed := closure_of(p)) is not None:  # by close, or a custom closing step
            text = f"We closed your complaint {_CLOSURES[closed.reason]}."
            entry = PublicEntry(at=at, kind="closed", text=text)
        elif isinstance(p, Withdrawn):
            entry = PublicEntry(at=at, kind="withdrawn", text="The complaint was withdrawn.")
        elif isinstance(p, Reopened):
            entry = PublicEntry(at=at, kind="reopened", text="We reopened your complaint.")
        if entry is not None:
            entries.append(entry)
    return entries


def _last_day(due_at: _dt.datetime, zone: ZoneInfo) -> _dt.date | None:
    """The day a deadline ends, when it falls at the midnight that ends it in ``zone``."""
    local = due_at.astimezone(zone)
    if local.time() != _dt.time(0):
        return None
    return local.date() - _dt.timedelta(days=1)


def _deadlines(report: SlaReport | None, zone: str) -> tuple[PublicDeadline, ...]:
    if report is None:
        return ()
    tz = ZoneInfo(zone)
    running = [
        PublicDeadline(
            metric=m.metric,
            description=m.description,
            due_at=m.due_at,
            day=_last_day(m.due_at, tz),
        )
        for m in report.metrics
        if m.due_at is not None
        and m.stopped_at is None
        and m.status not in (SlaStatus.MET, SlaStatus.CANCELLED)
    ]
    return tuple(sorted(running, key=lambda d: (d.due_at, d.metric)))


def public_view(
    complaint: Complaint,
    history: Iterable[Event],
    *,
    sla: SlaReport | None = None,
    statuses: Mapping[str, str] = PUBLIC_STATUSES,
    zone: str = "UTC",
) -> PublicView:
    """
    The public view of ``complaint`` from its ``history`` (oldest first), with the running
    deadlines of ``sla`` if given, and the status in the words of ``statuses`` (state name to
    sentence; a state it lacks reads as being handled, or closed once the complaint is).
    ``zone`` is the time zone of the policy's calendar: a deadline at its midnight is the end
    of the day before (:attr:`PublicDeadline.day`).

    Raises:
        ValidationError: ``zone`` is not an IANA time zone.
    """
    try:
        ZoneInfo(zone)
    except Exception as e:  # ZoneInfoNotFoundError, or ValueError for a malformed key
        raise ValidationError("zone", f"{zone!r} is not an IANA time zone") from e
    entries = _entries(history)
    decision = None
    if complaint.decision_communicated_at is not None:
        for entry in reversed(entries):
            if entry.decision is not None:
                decision = entry.decision
                break
    status = statuses.get(complaint.state) or (
        _OPEN_STATUS if complaint.is_open else _CLOSED_STATUS
    )
    return PublicView(
        reference=complaint.reference,
        status=status,
        is_open=complaint.is_open,
        received_at=complaint.received_at,
        acknowledged_at=complaint.acknowledged_at,
        closed_at=complaint.closed_at,
        withdrawn_at=complaint.withdrawn_at,
        decision=decision,
        deadlines=_deadlines(sla, zone) if complaint.is_open else (),
        timeline=tuple(entries),
    )
