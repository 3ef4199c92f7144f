"""
Events: the immutable facts a complaint's history is made of.

An :class:`Event` is an envelope (which complaint, the gapless sequence number, when, who, and the
handling state after the event) around a typed payload. The payload classes below are the
vocabulary of the handling process; each has a stable ``type`` name used in storage and JSON.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping
from typing import Any, ClassVar, Union

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check
from iso10002.model.personal import ERASED, PERSONAL, masked
from iso10002.model.values import (
    Actor,
    AlertLevel,
    Assessment,
    Attachment,
    Channel,
    Classification,
    ClosureReason,
    Communication,
    Complainant,
    ComplaintId,
    Decision,
    ExtensionKind,
    ImportSource,
    Priority,
    ProductOrService,
    Reaction,
    RootCause,
)

__all__ = [
    "SCHEMA_VERSION",
    "Acknowledged",
    "Assessed",
    "Assigned",
    "Classified",
    "Closed",
    "CommunicationRecorded",
    "ComplaintReceived",
    "DeadlineExtended",
    "DecisionCarriedOut",
    "DecisionCommunicated",
    "DecisionMade",
    "Event",
    "EventPayload",
    "HoldEnded",
    "HoldStarted",
    "InternalReviewRequested",
    "InvestigationStarted",
    "LegalHoldPlaced",
    "LegalHoldReleased",
    "NoteAdded",
    "PersonalDataErased",
    "ReactionRecorded",
    "ReferredExternally",
    "Reopened",
    "RootCauseRecorded",
    "SatisfactionRecorded",
    "SlaAlertRaised",
    "SlaPolicyApplied",
    "StepRecorded",
    "SurveyAnswered",
    "Withdrawn",
    "WorkflowApplied",
    "payload_types",
]

SCHEMA_VERSION = 1
"""Version of the event schema written by this release; stored with every event."""


@attrs.frozen(kw_only=True)
class ComplaintReceived:
    """A complaint was received and recorded (7.2): everything the complaint form asks for."""

    type: ClassVar[str] = "complaint_received"

    reference: str = attrs.field(validator=check.text)
    complainant: Complainant = attrs.field(validator=check.instance(Complainant))
    channel: Channel = attrs.field(validator=check.member_of(Channel))
    description: str = attrs.field(validator=check.text, metadata=PERSONAL, repr=masked)
    received_at: _dt.datetime = attrs.field(validator=check.aware)
    """When the organization received the complaint; may precede the recording time."""
    remedy_requested: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )
    product: ProductOrService | None = attrs.field(
        default=None, validator=check.optional_instance(ProductOrService)
    )
    incident_date: _dt.date | None = attrs.field(default=None, validator=check.optional_date)
    incident_place: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )
    people_involved: tuple[str, ...] = attrs.field(default=(), validator=check.tuple_of_text)
    """Ids of staff the complaint is about; they may not investigate or decide it (objectivity)."""
    attachments: tuple[Attachment, ...] = attrs.field(
        default=(), validator=check.tuple_of(Attachment)
    )
    client_key: str | None = attrs.field(default=None, validator=check.optional_text)
    """The caller's idempotency key: receiving twice with one key records one complaint."""
    attributes: Mapping[str, str] = attrs.field(
        factory=dict, converter=check.mapping_copy, validator=check.text_mapping, hash=False
    )
    """Free-form facts used to route and report (``regulation``, ``segment``, a company, …)."""
    source: ImportSource | None = attrs.field(
        default=None, validator=check.optional_instance(ImportSource)
    )
    """Set when the complaint was imported from another system rather than received here."""
    organisation: str | None = attrs.field(default=None, validator=check.optional_organisation)
    """
    The organisation (tenant) the complaint belongs to, in a product that serves many; None
    otherwise, and in events recorded before organisations existed, and then left out of the
    event's JSON, so that their hashes hold.
    """
    workflow: str | None = attrs.field(default=None, validator=check.optional_text)
    """
    The fingerprint under which the store keeps the workflow the complaint was received into
    (:class:`~iso10002.model.configuration.ConfigurationRecord`); None in events written before
    workflows were recorded, and left out of their JSON, so that their hashes hold.
    """
    programme: str | None = attrs.field(default=None, validator=check.optional_text)
    """The fingerprint of the complaints-handling programme in force when it was received, if
    the desk was given one; left out of the JSON when None."""


@attrs.frozen(kw_only=True)
class Acknowledged:
    """Receipt was acknowledged to the complainant (7.4)."""

    type: ClassVar[str] = "acknowledged"

    channel: Channel = attrs.field(validator=check.member_of(Channel))
    message: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )


@attrs.frozen(kw_only=True)
class Assessed:
    """The initial assessment was made (7.5); ``priority`` is what the priority policy gave."""

    type: ClassVar[str] = "assessed"

    assessment: Assessment = attrs.field(validator=check.instance(Assessment))
    priority: Priority = attrs.field(validator=check.member_of(Priority))
    priority_policy: str = attrs.field(validator=check.text)


@attrs.frozen(kw_only=True)
class Classified:
    """The complaint was placed in the category tree (8.2)."""

    type: ClassVar[str] = "classified"

    classification: Classification = attrs.field(validator=check.instance(Classification))


@attrs.frozen(kw_only=True)
class Assigned:
    """Somebody was made responsible for handling the complaint (4.12)."""

    type: ClassVar[str] = "assigned"

    assignee: Actor = attrs.field(validator=check.instance(Actor))


@attrs.frozen(kw_only=True)
class InvestigationStarted:
    """Investigation began (7.6)."""

    type: ClassVar[str] = "investigation_started"

    plan: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )


@attrs.frozen(kw_only=True)
class NoteAdded:
    """An investigation note: findings, records consulted; internal unless said otherwise."""

    type: ClassVar[str] = "note_added"

    text: str = attrs.field(validator=check.text, metadata=PERSONAL, repr=masked)
    internal: bool = attrs.field(default=True, validator=check.instance(bool))


@attrs.frozen(kw_only=True)
class RootCauseRecorded:
    """The root cause and corrective or preventive action were recorded (8.2)."""

    type: ClassVar[str] = "root_cause_recorded"

    root_cause: RootCause = attrs.field(validator=check.instance(RootCause))


@attrs.frozen(kw_only=True)
class DecisionMade:
    """A decision was taken (7.7)."""

    type: ClassVar[str] = "decision_made"

    decision: Decision = attrs.field(validator=check.instance(Decision))


@attrs.frozen(kw_only=True)
class DecisionCommunicated:
    """The decision was communicated to the complainant (7.8), with the recourse offered."""

    type: ClassVar[str] = "decision_communicated"

    channel: Channel = attrs.field(validator=check.member_of(Channel))
    summary: str = attrs.field(validator=check.text, metadata=PERSONAL, repr=masked)
    recourse_explained: bool = attrs.field(default=True, validator=check.instance(bool))
    """Whether internal review and the external body were explained (7.9)."""


@attrs.frozen(kw_only=True)
class CommunicationRecorded:
    """Any other exchange with the complainant, or an internal message."""

    type: ClassVar[str] = "communication_recorded"

    communication: Communication = attrs.field(validator=check.instance(Communication))


@attrs.frozen(kw_only=True)
class ReactionRecorded:
    """The complainant accepted or rejected the decision (7.9)."""

    type: ClassVar[str] = "reaction_recorded"

    reaction: Reaction = attrs.field(validator=check.member_of(Reaction))
    comment: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )


@attrs.frozen(kw_only=True)
class DecisionCarriedOut:
    """
    The decision or action the complainant accepted was carried out, and this records it
    (7.9): the refund paid, the repair done, the process changed. Needed before a resolved
    complaint closes when its decision promises an action (see ``Decision.promises_action``)
    and the workflow requires it.
    """

    type: ClassVar[str] = "decision_carried_out"

    summary: str = attrs.field(validator=check.text, metadata=PERSONAL, repr=masked)
    """What was done, e.g. ``"Refund of 25.00 GBP paid to the card used"``."""


@attrs.frozen(kw_only=True)
class InternalReviewRequested:
    """The complaint was escalated for internal review after a rejected decision."""

    type: ClassVar[str] = "internal_review_requested"

    reason: str = attrs.field(validator=check.text, metadata=PERSONAL, repr=masked)


@attrs.frozen(kw_only=True)
class ReferredExternally:
    """The complaint went to an external dispute-resolution body (ISO 10003)."""

    type: ClassVar[str] = "referred_externally"

    body: str = attrs.field(validator=check.text)
    """E.g. ``Financial Ombudsman Service``."""
    external_reference: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )


@attrs.frozen(kw_only=True)
class Closed:
    """The complaint was closed, with a documented reason."""

    type: ClassVar[str] = "closed"

    reason: ClosureReason = attrs.field(validator=check.member_of(ClosureReason))
    note: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )
    duplicate_of: str | None = attrs.field(default=None, validator=check.optional_text)
    """The reference of the complaint this one duplicates, when ``reason`` is duplicate."""

    def __attrs_post_init__(self) -> None:
        if self.reason is ClosureReason.DUPLICATE and self.duplicate_of is None:
            raise ValidationError("duplicate_of", "a duplicate names the original reference")


@attrs.frozen(kw_only=True)
class Withdrawn:
    """The complainant withdrew the complaint."""

    type: ClassVar[str] = "withdrawn"

    reason: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )


@attrs.frozen(kw_only=True)
class Reopened:
    """A closed or withdrawn complaint was reopened."""

    type: ClassVar[str] = "reopened"

    reason: str = attrs.field(validator=check.text, metadata=PERSONAL, repr=masked)


@attrs.frozen(kw_only=True)
class SatisfactionRecorded:
    """The complainant's satisfaction with the handling (8.3), on a 1..``scale`` score."""

    type: ClassVar[str] = "satisfaction_recorded"

    score: int = attrs.field(validator=check.int_range(1, 10))
    scale: int = attrs.field(default=5, validator=check.int_range(2, 10))
    comment: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )

    def __attrs_post_init__(self) -> None:
        if self.score > self.scale:
            raise ValidationError("score", f"must not exceed the scale ({self.scale})")


@attrs.frozen(kw_only=True)
class SurveyAnswered:
    """
    The complainant answered a satisfaction survey (8.3, ISO 10004): each answer is a point on
    its question's scale, by question id.

    The survey definition is not stored, only its name and version, so the definition is
    versioned like a timeliness policy. When the survey has an overall question that was
    answered, ``satisfaction_score`` and ``satisfaction_scale`` restate that answer on the
    ``1..scale`` form of :class:`SatisfactionRecorded`, so that monitoring reads one satisfaction
    score however it was asked.
    """

    type: ClassVar[str] = "survey_answered"

    survey: str = attrs.field(validator=check.text)
    survey_version: str = attrs.field(validator=check.text)
    answers: Mapping[str, int] = attrs.field(converter=check.mapping_copy, hash=False)
    """Question id to the point chosen on its scale (a non-negative integer)."""
    comment: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )
    satisfaction_score: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(check.int_range(1, 10))
    )
    satisfaction_scale: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(check.int_range(2, 10))
    )

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.answers, dict) or not self.answers:
            raise ValidationError("answers", "a response answers at least one question")
        for key, value in self.answers.items():
            if not isinstance(key, str) or not key.strip():
                raise ValidationError(
                    "answers", f"question ids must be text, got {check.shown(key)}"
                )
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValidationError(
                    f"answers.{check.shown(key)}",
                    f"expected a non-negative integer, got {check.shown(value)}",
                )
        score, scale = self.satisfaction_score, self.satisfaction_scale
        if (score is None) != (scale is None):
            raise ValidationError("satisfaction_score", "give the score and the scale, or neither")
        if score is not None and scale is not None and score > scale:
            raise ValidationError("satisfaction_score", f"must not exceed the scale ({scale})")


@attrs.frozen(kw_only=True)
class StepRecorded:
    """
    A step of a custom workflow: its command, an optional note, and the step's own data.

    ``data`` is the step's typed payload (the attrs class its transition declares, see
    :class:`~iso10002.process.workflow.Transition`) as compact JSON text, so that the history
    reads without the class; :attr:`data_fields` gives it as a mapping. It is kept and erased
    as personal data: the library cannot tell which of a product's fields name a person.

    A step that closes the complaint (its transition leads from an open state into a closed
    one) records why, as ``close`` does: ``closure_reason`` and, for a duplicate,
    ``duplicate_of``; the complaint then reads as closed.
    """

    type: ClassVar[str] = "step_recorded"

    command: str = attrs.field(validator=check.text)
    note: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )
    data: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )
    """The step's typed payload as a JSON object; :data:`~iso10002.model.personal.ERASED` once
    the complaint's personal data was erased."""
    closure_reason: ClosureReason | None = attrs.field(
        default=None, validator=check.optional_member_of(ClosureReason)
    )
    duplicate_of: str | None = attrs.field(default=None, validator=check.optional_text)

    def __attrs_post_init__(self) -> None:
        if self.closure_reason is ClosureReason.DUPLICATE and self.duplicate_of is None:
            raise ValidationError("duplicate_of", "a duplicate names the original reference")
        if self.duplicate_of is not None and self.closure_reason is not ClosureReason.DUPLICATE:
            raise ValidationError("duplicate_of", "only a step closing a duplicate names one")

    @property
    def data_fields(self) -> Mapping[str, Any] | None:
        """
        The step's data as a JSON-shaped mapping; ``None`` if it has none or was erased.

        Raises:
            ValidationError: ``data`` is not a JSON object (the desk writes nothing else).
        """
        if self.data is None or self.data == ERASED:
            return None
        try:
            parsed = json.loads(self.data)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            # The value is not repeated: it is personal data.
            raise ValidationError("data", "is not a JSON object")
        return parsed


@attrs.frozen(kw_only=True)
class HoldStarted:
    """The complaint is on hold, e.g. waiting for information from the complainant."""

    type: ClassVar[str] = "hold_started"

    reason: str = attrs.field(validator=check.text, metadata=PERSONAL, repr=masked)


@attrs.frozen(kw_only=True)
class HoldEnded:
    """The hold is over; the complaint is being worked on again."""

    type: ClassVar[str] = "hold_ended"

    note: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )


@attrs.frozen(kw_only=True)
class DeadlineExtended:
    """
    A timeliness metric's deadline was extended, as its regime allows: by a holding response
    or delay notice (to the metric's extended target), or to an agreed instant.
    """

    type: ClassVar[str] = "deadline_extended"

    metric: str = attrs.field(validator=check.text)
    kind: ExtensionKind = attrs.field(validator=check.member_of(ExtensionKind))
    reason: str = attrs.field(validator=check.text, metadata=PERSONAL, repr=masked)
    until: _dt.datetime | None = attrs.field(default=None, validator=check.optional_aware)
    """The agreed new deadline; ``None`` to use the metric's extended target."""


@attrs.frozen(kw_only=True)
class SlaPolicyApplied:
    """
    The timeliness policy that applies from now on, with the exact calendar it counts in, so
    every deadline can be recomputed later exactly as it was.
    """

    type: ClassVar[str] = "sla_policy_applied"

    policy: str = attrs.field(validator=check.text)
    version: str = attrs.field(validator=check.text)
    calendar: str = attrs.field(validator=check.text)
    calendar_version: str = attrs.field(validator=check.text)
    calendar_fingerprint: str = attrs.field(validator=check.text)
    reason: str = attrs.field(validator=check.text)
    """Why this policy: the selection rule that matched, or the change that caused reselection."""
    configuration: str | None = attrs.field(default=None, validator=check.optional_text)
    """
    The fingerprint under which the store keeps the policy's exact content, calendar included
    (:class:`~iso10002.model.configuration.ConfigurationRecord`); None in events written before
    configurations were recorded, and left out of their JSON, so that their hashes hold.
    """


@attrs.frozen(kw_only=True)
class WorkflowApplied:
    """
    The complaint is handled under another workflow from now on: re-applied explicitly, after
    the organisation changed its workflow (``ComplaintDesk.reapply_configuration``). Its state
    is one the new workflow defines; ``configuration`` is the fingerprint under which the
    store keeps the workflow's content.
    """

    type: ClassVar[str] = "workflow_applied"

    workflow: str = attrs.field(validator=check.text)
    """The workflow's name."""
    configuration: str = attrs.field(validator=check.text)
    previous: str | None = attrs.field(default=None, validator=check.optional_text)
    """The fingerprint of the workflow it was handled under before, if one was recorded."""


@attrs.frozen(kw_only=True)
class SlaAlertRaised:
    """A metric crossed a warning threshold or its deadline; raised once per cycle and level."""

    type: ClassVar[str] = "sla_alert_raised"

    metric: str = attrs.field(validator=check.text)
    cycle: int = attrs.field(validator=check.int_range(1, 1_000_000))
    level: AlertLevel = attrs.field(validator=check.member_of(AlertLevel))
    percent: int = attrs.field(validator=check.int_range(1, 100))
    """The share of the target used when the alert fell due (100 for a breach)."""
    due_at: _dt.datetime = attrs.field(validator=check.aware)
    extension: int = attrs.field(default=0, validator=check.int_range(0, 1_000_000))
    """How many extensions had moved the deadline; a new extension re-arms the alerts."""


@attrs.frozen(kw_only=True)
class LegalHoldPlaced:
    """
    The complaint's records are under legal hold (litigation, an ombudsman's or regulator's
    inquiry): its personal data may be neither erased nor purged until the hold is released.
    """

    type: ClassVar[str] = "legal_hold_placed"

    reason: str = attrs.field(validator=check.text)
    """Why, e.g. a case number; not personal data."""


@attrs.frozen(kw_only=True)
class LegalHoldReleased:
    """The legal hold is over: erasure and retention apply again."""

    type: ClassVar[str] = "legal_hold_released"

    reason: str = attrs.field(validator=check.text)


@attrs.frozen(kw_only=True)
class PersonalDataErased:
    """
    The complaint's personal data was erased: on the data subject's request, or because its
    retention period ended. The history, its hashes and the monitoring facts remain; every
    personal field of the events before this one now reads as erased. Recording the erasure
    is itself what data-protection practice asks for: it holds no personal data.
    """

    type: ClassVar[str] = "personal_data_erased"

    reason: str = attrs.field(validator=check.text)
    """E.g. ``"erasure request"`` or ``"retention: fca, 3 years from receipt"``."""
    request: str | None = attrs.field(default=None, validator=check.optional_text)
    """The organization's reference for the request, if any."""
    values: int = attrs.field(default=0, validator=check.int_range(0, 1_000_000_000))
    """How many personal values were erased."""


EventPayload = Union[  # noqa: UP007 - kept as typing.Union so __args__ lists the types
    ComplaintReceived,
    Acknowledged,
    Assessed,
    Classified,
    Assigned,
    InvestigationStarted,
    NoteAdded,
    RootCauseRecorded,
    DecisionMade,
    DecisionCommunicated,
    CommunicationRecorded,
    ReactionRecorded,
    DecisionCarriedOut,
    InternalReviewRequested,
    ReferredExternally,
    Closed,
    Withdrawn,
    Reopened,
    SatisfactionRecorded,
    SurveyAnswered,
    StepRecorded,
    HoldStarted,
    HoldEnded,
    DeadlineExtended,
    SlaPolicyApplied,
    WorkflowApplied,
    SlaAlertRaised,
    LegalHoldPlaced,
    LegalHoldReleased,
    PersonalDataErased,
]
"""Any event payload."""


def payload_types() -> dict[str, type[EventPayload]]:
    """Map each payload's stable ``type`` name to its class."""
    return {cls.type: cls for cls in EventPayload.__args__}  # type: ignore[attr-defined]


def _positive(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError(attribute.name, f"must be a positive integer, got {value!r}")


@attrs.frozen(kw_only=True)
class Event:
    """
    One recorded fact about one complaint.

    ``seq`` numbers a complaint's events 1, 2, 3, … without gaps; ``state`` is the handling state
    the complaint is in after this event, so that the history replays without the workflow that
    produced it.
    """

    complaint_id: ComplaintId
    seq: int = attrs.field(validator=_positive)
    occurred_at: _dt.datetime = attrs.field(validator=check.aware)
    actor: Actor = attrs.field(validator=check.instance(Actor))
    state: str = attrs.field(validator=check.text)
    payload: EventPayload
    schema_version: int = SCHEMA_VERSION

    @property
    def type(self) -> str:
        """The payload's stable type name."""
        return self.payload.type
