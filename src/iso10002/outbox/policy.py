"""
The desk's side of the outbox: which notifications a command (or a tick) enqueues.

:class:`~iso10002.desk.ComplaintDesk` takes ``notifications=``: any callable that, given a
:class:`DeskChange` (the complaint after the command, the events it wrote, and its SLA report),
returns the :class:`~iso10002.model.outbox.OutboxEntry` values to write **in the same
transaction** as those events. :class:`NotificationPolicy` is the standard one:

- ``acknowledged``: the acknowledgement letter to the complainant (7.4);
- ``decision_communicated``: the decision letter (7.8), with the recourse (7.9);
- ``sla_alert_raised`` (from ``tick()``): a warning or a breach alert to staff; warnings may
  be digested;
- ``internal_review_requested``, ``referred_externally``: an escalation alert to staff.

Letters are written by a :class:`~iso10002.letters.LetterWriter`. Staff alerts carry no
personal data (the reference, the metric, the deadline), wait for the next open instant of a
business calendar unless urgent, and go in a lane of their own per recipient
(``<reference>/staff:<route tag>``), so that an alert waiting for Monday morning does not hold
back the complainant's letters, nor one recipient's outage another's alerts.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from iso10002.errors import ValidationError
from iso10002.letters.writer import Letter, LetterWriter
from iso10002.model import _checks as check
from iso10002.model.complaint import Complaint
from iso10002.model.events import (
    Acknowledged,
    DecisionCommunicated,
    Event,
    EventPayload,
    InternalReviewRequested,
    ReferredExternally,
    SlaAlertRaised,
)
from iso10002.model.notification import Notification, NotificationKind
from iso10002.model.outbox import OutboxEntry, check_channel
from iso10002.model.values import AlertLevel, ContactMethod, Priority
from iso10002.sla.calendar import BusinessCalendar
from iso10002.sla.engine import SlaReport

__all__ = [
    "DeskChange",
    "NotificationHook",
    "NotificationPolicy",
    "StaffRoute",
    "urgent_breach",
]

STAFF_LANE_SUFFIX = "/staff"
"""Staff alerts of a complaint go in the lane ``<reference>/staff:<route tag>``."""

REACTIONS = frozenset(
    {
        Acknowledged.type,
        DecisionCommunicated.type,
        SlaAlertRaised.type,
        InternalReviewRequested.type,
        ReferredExternally.type,
    }
)
"""The event types :class:`NotificationPolicy` can react to."""


@attrs.frozen(kw_only=True)
class DeskChange:
    """What one command (or one tick of one complaint) wrote, as a notification hook sees it."""

    complaint: Complaint = attrs.field(validator=check.instance(Complaint))
    """The complaint after the events."""
    events: tuple[Event, ...] = attrs.field(
        converter=check.to_tuple, validator=check.tuple_of(Event)
    )
    """The events written, oldest first; never empty."""
    sla: SlaReport | None = attrs.field(default=None, validator=check.optional_instance(SlaReport))
    """The complaint's timeliness report as of the events, when the desk has policies."""

    def __attrs_post_init__(self) -> None:
        if not self.events:
            raise ValidationError("events", "a change has at least one event")

    @property
    def at(self) -> _dt.datetime:
        """When the change happened: the last event's instant."""
        return self.events[-1].occurred_at


NotificationHook = Callable[[DeskChange], Iterable[OutboxEntry]]
"""
What ``ComplaintDesk(notifications=...)`` takes: the outbox entries to write with a change. An
exception it raises makes the command fail, and nothing is written.
"""


def urgent_breach(complaint: Complaint, payload: EventPayload) -> bool:
    """The default test for urgency: a missed deadline of an urgent-priority complaint."""
    return (
        isinstance(payload, SlaAlertRaised)
        and payload.level is AlertLevel.BREACH
        and complaint.priority is Priority.URGENT
    )


def _single_line(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check.text(_inst, attribute, value)
    if any(c in str(value) for c in "\r\n"):
        raise ValidationError(attribute.name, "must be one line")


@attrs.frozen(kw_only=True)
class StaffRoute:
    """Where staff alerts go: a notifier and a recipient it knows (an address, an endpoint)."""

    channel: str = attrs.field(validator=lambda _i, a, v: check_channel(v, a.name))
    recipient: str = attrs.field(validator=_single_line, repr=False)

    @property
    def tag(self) -> str:
        """A short stable name of the route for idempotency keys, without the recipient."""
        digest = hashlib.sha256(f"{self.channel}\n{self.recipient}".encode()).hexdigest()
        return digest[:10]


def _letter_channels(value: object) -> object:
    if isinstance(value, Mapping):
        converted: dict[object, object] = {}
        for method, channel in value.items():
            try:
                converted[ContactMethod(method)] = channel
            except ValueError:
                converted[method] = channel
        return converted
    return value


def _check_letter_channels(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, dict):
        raise ValidationError(attribute.name, f"expected a mapping, got {type(value).__name__}")
    allowed = ", ".join(m.value for m in ContactMethod)
    for method, channel in value.items():
        if not isinstance(method, ContactMethod):
            raise ValidationError(
                attribute.name, f"{method!r} is not a contact method (allowed: {allowed})"
            )
        check_channel(channel, f"{attribute.name}.{method.value}")


def _reactions(value: object) -> object:
    if isinstance(value, Iterable) and not isinstance(value, str):
        return frozenset(value)
    return value


def _check_reactions(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, frozenset):
        raise ValidationError(attribute.name, "expected a set of event types")
    unknown = sorted(str(v) for v in value - REACTIONS)
    if unknown:
        raise ValidationError(
            attribute.name,
            f"cannot react to {', '.join(unknown)} (allowed: {', '.join(sorted(REACTIONS))})",
        )


def _callable(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not callable(value):
        raise ValidationError(attribute.name, f"expected a callable, got {type(value).__name__}")


def _window(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, _dt.timedelta) or value <= _dt.timedelta(0)):
        raise ValidationError(
            attribute.name, f"must be None or a positive timedelta, got {value!r}"
        )


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def _window_end(at: _dt.datetime, window: _dt.timedelta) -> _dt.datetime:
    """The end of the window of length ``window`` (counted from the Unix epoch) holding ``at``."""
    elapsed = at - _EPOCH
    remainder = elapsed % window
    return at if not remainder else at + (window - remainder)


@attrs.frozen(kw_only=True)
class NotificationPolicy:
    """
    The standard notifications of the handling process, as a desk's ``notifications=`` hook.

    Args:
        letters: writes the complainant's letters; without it, no letters are enqueued.
        letter_channels: the notifier for each way of writing to the complainant; a letter
            whose channel (e-mail, post, SMS) has no notifier here is not enqueued (print it
            from the desk's history instead). Default: e-mail through ``"smtp"``.
        staff: who gets staff alerts; none when empty.
        business_hours: staff alerts that are not urgent wait for this calendar's next open
            instant; without it they go at once.
        urgent: says whether a staff alert must go at once, whatever the hour; by default
            :func:`urgent_breach`.
        digest_warnings: mark SLA warnings as digestible, so that a dispatcher with a
            :class:`~iso10002.outbox.digest.DigestPolicy` merges them per recipient.
        digest_window: hold digestible warnings until the end of the current window of this
            length (counted from midnight UTC), so that the warnings raised within it make one
            digest; ``None`` sends them as soon as they are due.
        reacts_to: the event types to react to; all of :data:`REACTIONS` by default.
    """

    letters: LetterWriter | None = attrs.field(
        default=None, validator=check.optional_instance(LetterWriter)
    )
    letter_channels: Mapping[ContactMethod, str] = attrs.field(
        factory=lambda: {ContactMethod.EMAIL: "smtp"},
        converter=_letter_channels,
        validator=_check_letter_channels,
        hash=False,
    )
    staff: tuple[StaffRoute, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of(StaffRoute)
    )
    business_hours: BusinessCalendar | None = attrs.field(
        default=None, validator=check.optional_instance(BusinessCalendar)
    )
    urgent: Callable[[Complaint, EventPayload], bool] = attrs.field(
        default=urgent_breach, validator=_callable
    )
    digest_warnings: bool = attrs.field(default=True, validator=check.instance(bool))
    digest_window: _dt.timedelta | None = attrs.field(default=None, validator=_window)
    reacts_to: frozenset[str] = attrs.field(
        default=REACTIONS, converter=_reactions, validator=_check_reactions
    )

    def __call__(self, change: DeskChange) -> list[OutboxEntry]:
        """The entries to enqueue with ``change``, in the order of its events."""
        entries: list[OutboxEntry] = []
        for event in change.events:
            payload = event.payload
            if payload.type not in self.reacts_to:
                continue
            if isinstance(payload, (Acknowledged, DecisionCommunicated)):
                entry = self._letter(change, event)
                if entry is not None:
                    entries.append(entry)
            elif isinstance(payload, (SlaAlertRaised, InternalReviewRequested, ReferredExternally)):
                entries.extend(self._staff(change.complaint, event))
        return entries

    # -- the complainant ----------------------------------------------------------------------

    def _letter(self, change: DeskChange, event: Event) -> OutboxEntry | None:
        if self.letters is None:
            return None
        complaint, sequence = change.complaint, str(event.seq)
        letter: Letter
        if isinstance(event.payload, Acknowledged):
            letter = self.letters.acknowledgement(
                complaint, sla=change.sla, at=event.occurred_at, sequence=sequence
            )
        else:
            letter = self.letters.decision(
                complaint, sla=change.sla, at=event.occurred_at, sequence=sequence
            )
        channel = self.letter_channels.get(letter.channel)
        if channel is None:
            return None
        return OutboxEntry(notification=letter.notification, channel=channel)

    # -- staff --------------------------------------------------------------------------------

    def _staff(self, complaint: Complaint, event: Event) -> list[OutboxEntry]:
        if not self.staff:
            return []
        payload = event.payload
        digest = (
            self.digest_warnings
            and isinstance(payload, SlaAlertRaised)
            and payload.level is AlertLevel.WARNING
        )
        deliver_after = self._staff_due(complaint, payload, event.occurred_at, digest=digest)
        return [
            OutboxEntry(
                notification=staff_alert(complaint, event, route),
                channel=route.channel,
                deliver_after=deliver_after,
                lane=f"{complaint.reference}{STAFF_LANE_SUFFIX}:{route.tag}",
                digest=digest,
            )
            for route in self.staff
        ]

    def _staff_due(
        self, complaint: Complaint, payload: EventPayload, now: _dt.datetime, *, digest: bool
    ) -> _dt.datetime | None:
        if self.urgent(complaint, payload):
            return None
        at = now
        if digest and self.digest_window is not None:
            at = _window_end(at, self.digest_window)
        if self.business_hours is not None:
            at = self.business_hours.next_open(at)
        return None if at == now else at


def _when(instant: _dt.datetime) -> str:
    return instant.astimezone(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def staff_alert(complaint: Complaint, event: Event, route: StaffRoute) -> Notification:
    """
    The staff alert for ``event`` (an SLA alert or an escalation) to ``route``: plain English,
    the reference and the facts of the alert, no personal data.
    """
    payload = event.payload
    reference = complaint.reference
    priority = complaint.priority.value if complaint.priority is not None else "none"
    assignee = complaint.assignee.id if complaint.assignee is not None else "nobody"
    data: dict[str, Any] = {
        "reference": reference,
        "event": payload.type,
        "priority": priority,
        "state": complaint.state,
    }
    if isinstance(payload, SlaAlertRaised):
        breach = payload.level is AlertLevel.BREACH
        kind = NotificationKind.SLA_BREACH if breach else NotificationKind.SLA_WARNING
        due = _when(payload.due_at)
        if breach:
            subject = f"{reference}: {payload.metric} deadline missed ({due})"
            what = f"The {payload.metric} deadline passed at {due}."
        else:
            subject = f"{reference}: {payload.metric} at {payload.percent} % of its time"
            what = f"{payload.percent} % of the {payload.metric} time is used; due {due}."
        data.update(
            metric=payload.metric,
            level=payload.level.value,
            percent=payload.percent,
            due_at=payload.due_at.astimezone(_dt.timezone.utc).isoformat(),
            cycle=payload.cycle,
        )
    else:
        kind = NotificationKind.ESCALATION
        if isinstance(payload, ReferredExternally):
            subject = f"{reference}: referred to {payload.body}"
            what = f"The complaint was referred to {payload.body}."
            data["body"] = payload.body
        else:
            subject = f"{reference}: internal review requested"
            what = "An internal review of the decision was requested."
    text = (
        f"{what}\n\nComplaint {reference}: priority {priority}, state {complaint.state}, "
        f"assigned to {assignee}.\n"
    )
    return Notification(
        idempotency_key=f"{reference}:{kind.value}:{event.seq}:{route.tag}",
        complaint_reference=reference,
        kind=kind,
        recipient=route.recipient,
        subject=subject,
        text=text,
        created_at=event.occurred_at,
        data=data,
    )
