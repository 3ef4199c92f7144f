"""
The complaint's state, and the pure fold that computes it from the event history.

``Complaint.replay(events)`` and :func:`apply` are the only ways a :class:`Complaint` comes to
exist: the state is never stored on its own, so it can never drift from the history.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from iso10002.errors import ValidationError
from iso10002.model.events import (
    Acknowledged,
    Assessed,
    Assigned,
    Classified,
    Closed,
    CommunicationRecorded,
    ComplaintReceived,
    DeadlineExtended,
    DecisionCarriedOut,
    DecisionCommunicated,
    DecisionMade,
    Event,
    HoldEnded,
    HoldStarted,
    InternalReviewRequested,
    InvestigationStarted,
    LegalHoldPlaced,
    LegalHoldReleased,
    NoteAdded,
    PersonalDataErased,
    ReactionRecorded,
    ReferredExternally,
    Reopened,
    RootCauseRecorded,
    SatisfactionRecorded,
    SlaAlertRaised,
    SlaPolicyApplied,
    StepRecorded,
    SurveyAnswered,
    Withdrawn,
    WorkflowApplied,
)
from iso10002.model.facts import ComplaintFacts, MetricOutcome
from iso10002.model.personal import masked
from iso10002.model.values import (
    Actor,
    Assessment,
    Attachment,
    Channel,
    Classification,
    ClosureReason,
    Communication,
    Complainant,
    ComplaintId,
    Decision,
    ImportSource,
    Priority,
    ProductOrService,
    Reaction,
    RootCause,
)

__all__ = ["Complaint", "ComplaintSummary", "Note", "apply"]


@attrs.frozen(kw_only=True)
class Note:
    """An investigation note as it stands in the state: who wrote it, when, and whether internal."""

    at: _dt.datetime
    by: Actor
    text: str = attrs.field(repr=masked)
    internal: bool


@attrs.frozen(kw_only=True, slots=False)
class Complaint:
    """
    A complaint as its history says it is now.

    Built only by :meth:`replay` and :func:`apply`; ``version`` is the sequence number of the last
    event folded in.
    """

    # Frozen like every value, but without slots: the fold builds one state per event from the
    # one before, and a dict of attributes is copied in one call where 58 slots are set one by
    # one (:func:`_replace`).

    id: ComplaintId
    reference: str
    version: int
    state: str
    complainant: Complainant
    channel: Channel
    description: str = attrs.field(repr=masked)
    received_at: _dt.datetime
    received_by: Actor
    recorded_at: _dt.datetime
    remedy_requested: str | None = attrs.field(default=None, repr=masked)
    product: ProductOrService | None = None
    incident_date: _dt.date | None = None
    incident_place: str | None = attrs.field(default=None, repr=masked)
    people_involved: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    client_key: str | None = None
    attributes: Mapping[str, str] = attrs.field(factory=dict, hash=False)
    source: ImportSource | None = None
    """Set when the complaint was imported from another system."""
    organisation: str | None = None
    """The organisation (tenant) the complaint belongs to, set at receipt; None if none."""
    acknowledged_at: _dt.datetime | None = None
    acknowledged_by: Actor | None = None
    assessment: Assessment | None = None
    priority: Priority | None = None
    assessed_at: _dt.datetime | None = None
    classification: Classification | None = None
    assignee: Actor | None = None
    investigation_started_at: _dt.datetime | None = None
    notes: tuple[Note, ...] = ()
    root_cause: RootCause | None = None
    decision: Decision | None = None
    decided_at: _dt.datetime | None = None
    decided_by: Actor | None = None
    decision_communicated_at: _dt.datetime | None = None
    first_response_at: _dt.datetime | None = None
    """When a decision was first communicated: the final response that timeliness KPIs measure."""
    recourse_explained: bool = False
    communications: tuple[Communication, ...] = ()
    reaction: Reaction | None = None
    reaction_at: _dt.datetime | None = None
    decision_carried_out_at: _dt.datetime | None = None
    """When the decision in force was recorded as carried out (7.9); a new decision clears it."""
    internal_reviews: int = 0
    referred_to: str | None = None
    referrals: int = 0
    """How many times the complaint went to an external body (a reopening keeps the count)."""
    referred_at: _dt.datetime | None = None
    closed_at: _dt.datetime | None = None
    closure_reason: ClosureReason | None = None
    duplicate_of: str | None = None
    withdrawn_at: _dt.datetime | None = None
    reopen_count: int = 0
    satisfaction: SatisfactionRecorded | None = None
    """The latest satisfaction score: recorded, or a survey's answer to its overall question."""
    survey_responses: tuple[SurveyAnswered, ...] = ()
    """Every survey the complainant answered, oldest first (8.3)."""
    on_hold_since: _dt.datetime | None = None
    legal_hold: str | None = None
    """The reason of the legal hold in force, if any: no erasure or purge while it lasts."""
    erased_at: _dt.datetime | None = None
    """When the complaint's personal data was erased, if it was."""
    sla_policy: str | None = None
    sla_policy_version: str | None = None
    workflow_fingerprint: str | None = None
    """
    The fingerprint of the workflow in force for the complaint: the one it was received into,
    or the last one re-applied (``workflow_applied``); None when none was recorded.
    """
    last_event_at: _dt.datetime

    @property
    def is_open(self) -> bool:
        """True until the complaint is closed or withdrawn, and again after a reopening."""
        return self.closed_at is None and self.withdrawn_at is None

    @property
    def awaiting_reaction_since(self) -> _dt.datetime | None:
        """When the decision went out, if the complainant has not reacted since."""
        if self.decision_communicated_at is None or self.reaction is not None:
            return None
        return self.decision_communicated_at

    @classmethod
    def replay(cls, events: Iterable[Event]) -> Complaint:
        """
        Fold a complete history, oldest first, into the state it describes.

        Raises:
            ValidationError: the history is empty, does not start with a receipt, mixes
                complaints, or has a gap in its sequence numbers.
        """
        state: Complaint | None = None
        for event in events:
            state = apply(state, event)
        if state is None:
            raise ValidationError("events", "a history needs at least the receipt event")
        return state


def _received(_: Complaint | None, e: Event, p: Any) -> Complaint:
    payload: ComplaintReceived = p
    return Complaint(
        id=e.complaint_id,
        reference=payload.reference,
        version=e.seq,
        state=e.state,
        complainant=payload.complainant,
        channel=payload.channel,
        description=payload.description,
        received_at=payload.received_at,
        received_by=e.actor,
        recorded_at=e.occurred_at,
        remedy_requested=payload.remedy_requested,
        attributes=payload.attributes,
        product=payload.product,
        incident_date=payload.incident_date,
        incident_place=payload.incident_place,
        people_involved=payload.people_involved,
        attachments=payload.attachments,
        client_key=payload.client_key,
        source=payload.source,
        organisation=payload.organisation,
        workflow_fingerprint=payload.workflow,
        last_event_at=e.occurred_at,
    )


def _closing(at: _dt.datetime, reason: ClosureReason, duplicate_of: str | None) -> dict[str, Any]:
    return {
        "closed_at": at,
        "closure_reason": reason,
        "duplicate_of": duplicate_of,
        "on_hold_since": None,
    }


def _changes(c: Complaint, e: Event, p: Any) -> dict[str, Any]:  # noqa: PLR0912
    """The fields an event changes, besides version, state and last_event_at."""
    at = e.occurred_at
    if isinstance(p, Acknowledged):
        return {"acknowledged_at": c.acknowledged_at or at, "acknowledged_by": e.actor}
    if isinstance(p, Assessed):
        return {"assessment": p.assessment, "priority": p.priority, "assessed_at": at}
    if isinstance(p, Classified):
        return {"classification": p.classification}
    if isinstance(p, Assigned):
        return {"assignee": p.assignee}
    if isinstance(p, InvestigationStarted):
        return {"investigation_started_at": at}
    if isinstance(p, NoteAdded):
        note = Note(at=at, by=e.actor, text=p.text, internal=p.internal)
        return {"notes": (*c.notes, note)}
    if isinstance(p, RootCauseRecorded):
        return {"root_cause": p.root_cause}
    if isinstance(p, DecisionMade):
        # A new decision (after internal review or reopening) supersedes the earlier one and
        # clears what was said about it.
        return {
            "decision": p.decision,
            "decided_at": at,
            "decided_by": e.actor,
            "decision_communicated_at": None,
            "recourse_explained": False,
            "reaction": None,
            "reaction_at": None,
            "decision_carried_out_at": None,
        }
    if isinstance(p, DecisionCommunicated):
        return {
            "decision_communicated_at": at,
            "first_response_at": c.first_response_at or at,
            "recourse_explained": p.recourse_explained,
        }
    if isinstance(p, CommunicationRecorded):
        return {"communications": (*c.communications, p.communication)}
    if isinstance(p, ReactionRecorded):
        return {"reaction": p.reaction, "reaction_at": at}
    if isinstance(p, DecisionCarriedOut):
        return {"decision_carried_out_at": at}
    if isinstance(p, InternalReviewRequested):
        return {"internal_reviews": c.internal_reviews + 1}
    if isinstance(p, ReferredExternally):
        return {"referred_to": p.body, "referred_at": at, "referrals": c.referrals + 1}
    if isinstance(p, Closed):
        return _closing(at, p.reason, p.duplicate_of)
    if isinstance(p, Withdrawn):
        return {"withdrawn_at": at, "on_hold_since": None}
    if isinstance(p, Reopened):
        # The grounds of the earlier closure no longer hold: a reopened complaint needs its
        # decision communicated and answered (or a new referral) before it closes again.
        return {
            "decision_communicated_at": None,
            "recourse_explained": False,
            "reaction": None,
            "reaction_at": None,
            "referred_to": None,
            "referred_at": None,
            "closed_at": None,
            "closure_reason": None,
            "duplicate_of": None,
            "withdrawn_at": None,
            "reopen_count": c.reopen_count + 1,
        }
    if isinstance(p, SatisfactionRecorded):
        return {"satisfaction": p}
    if isinstance(p, SurveyAnswered):
        changes: dict[str, Any] = {"survey_responses": (*c.survey_responses, p)}
        if p.satisfaction_score is not None and p.satisfaction_scale is not None:
            # The overall answer stands as the complaint's satisfaction, so monitoring and
            # facts read one score whether it was recorded directly or asked in a survey.
            changes["satisfaction"] = SatisfactionRecorded(
                score=p.satisfaction_score, scale=p.satisfaction_scale, comment=p.comment
            )
        return changes
    if isinstance(p, HoldStarted):
        return {"on_hold_since": at}
    if isinstance(p, HoldEnded):
        return {"on_hold_since": None}
    if isinstance(p, SlaPolicyApplied):
        return {"sla_policy": p.policy, "sla_policy_version": p.version}
    if isinstance(p, StepRecorded):
        if p.closure_reason is None:
            return {}
        # A custom closing step closes as ``close`` does, for the reason it documents.
        return _closing(at, p.closure_reason, p.duplicate_of)
    if isinstance(p, WorkflowApplied):
        return {"workflow_fingerprint": p.configuration}
    if isinstance(p, (DeadlineExtended, SlaAlertRaised)):
        return {}
    if isinstance(p, LegalHoldPlaced):
        return {"legal_hold": p.reason}
    if isinstance(p, LegalHoldReleased):
        return {"legal_hold": None}
    if isinstance(p, PersonalDataErased):
        return {"erased_at": at}
    raise ValidationError("payload", f"unknown event payload {type(p).__name__}")


_Applier = Callable[[Complaint | None, Event, Any], Complaint]


def apply(state: Complaint | None, event: Event) -> Complaint:
    """
    Return the state after ``event``; the pure step of the fold.

    Raises:
        ValidationError: the event does not follow ``state`` (wrong complaint, a gap or repeat in
            the sequence, a receipt in the middle of a history).
    """
    payload = event.payload
    if state is None:
        if not isinstance(payload, ComplaintReceived) or event.seq != 1:
            raise ValidationError(
                "events", f"a history starts with complaint_received at seq 1, got {event.type}"
            )
        return _received(None, event, payload)
    if event.complaint_id != state.id:
        raise ValidationError(
            "complaint_id", f"event for {event.complaint_id} applied to complaint {state.reference}"
        )
    if event.seq != state.version + 1:
        raise ValidationError(
            "seq",
            f"complaint {state.reference}: expected seq {state.version + 1}, got {event.seq}",
        )
    if isinstance(payload, ComplaintReceived):
        raise ValidationError("events", f"complaint {state.reference} was already received")
    changes = _changes(state, event, payload)
    changes["version"] = event.seq
    changes["state"] = event.state
    changes["last_event_at"] = event.occurred_at
    return _replace(state, changes)


_NEW = object.__new__
_SET = object.__setattr__


def _replace(state: Complaint, changes: dict[str, Any]) -> Complaint:
    """
    ``attrs.evolve`` for the fold's hot path: ``state`` with ``changes``, unchecked.

    The fold builds one new state per event, and ``attrs.evolve`` on a class this wide costs
    twenty times as much as copying its attributes' dict. Values here come from a valid state
    and validated events, so nothing needs re-checking; a property test holds the result equal
    to ``attrs.evolve``'s.
    """
    new = _NEW(Complaint)
    _SET(new, "__dict__", {**state.__dict__, **changes})
    return new


@attrs.frozen(kw_only=True)
class ComplaintSummary:
    """
    The row a store keeps per complaint for queries; derived from :class:`Complaint`.

    It holds no personal data, so listing complaints never exposes who complained.
    """

    id: ComplaintId
    reference: str
    version: int
    state: str
    is_open: bool
    channel: Channel
    priority: Priority | None
    category: str | None
    assignee: str | None
    received_at: _dt.datetime
    acknowledged_at: _dt.datetime | None
    closed_at: _dt.datetime | None
    updated_at: _dt.datetime
    client_key: str | None
    sla_due_at: _dt.datetime | None = None
    """The earliest deadline of a running timeliness metric (past if already breached)."""
    sla_warning_at: _dt.datetime | None = None
    """The earliest first-warning instant of a running timeliness metric."""
    sla_alert_at: _dt.datetime | None = None
    """When the next warning or breach alert not yet raised falls due."""
    facts: ComplaintFacts = attrs.field(factory=ComplaintFacts)
    """What monitoring needs (outcome, first response, redress, …); no personal data either."""
    organisation: str | None = None
    """The organisation (tenant) the complaint belongs to; listings filter on it."""

    @classmethod
    def of(
        cls,
        complaint: Complaint,
        *,
        sla_due_at: _dt.datetime | None = None,
        sla_warning_at: _dt.datetime | None = None,
        sla_alert_at: _dt.datetime | None = None,
        sla_outcomes: tuple[MetricOutcome, ...] = (),
        facts: ComplaintFacts | None = None,
    ) -> ComplaintSummary:
        """
        Summarise ``complaint``, with timeliness instants and outcomes if a policy applies.

        ``facts``, when given, are the complaint's monitoring facts already derived (carried
        forward by :meth:`ComplaintFacts.advanced`); ``sla_outcomes`` is then not used.
        """
        return cls(
            id=complaint.id,
            reference=complaint.reference,
            version=complaint.version,
            state=complaint.state,
            is_open=complaint.is_open,
            channel=complaint.channel,
            priority=complaint.priority,
            category=complaint.classification.path if complaint.classification else None,
            assignee=complaint.assignee.id if complaint.assignee else None,
            received_at=complaint.received_at,
            acknowledged_at=complaint.acknowledged_at,
            closed_at=complaint.closed_at or complaint.withdrawn_at,
            updated_at=complaint.last_event_at,
            client_key=complaint.client_key,
            sla_due_at=sla_due_at,
            sla_warning_at=sla_warning_at,
            sla_alert_at=sla_alert_at,
            facts=ComplaintFacts.of(complaint, sla_outcomes) if facts is None else facts,
            organisation=complaint.organisation,
        )
