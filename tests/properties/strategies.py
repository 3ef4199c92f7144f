"""
Hypothesis strategies for the model: valid value objects, payloads and events, and the invalid
inputs each validator must refuse.

The valid strategies are written from the documented rules (docstrings of ``iso10002.model``), not
from the validators' code, so that a validator that is stricter or looser than its documentation
makes a property fail.
"""

from __future__ import annotations

import datetime as _dt
import string
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from hypothesis import strategies as st

from iso10002 import (
    Acknowledged,
    Actor,
    Assessed,
    Assessment,
    Assigned,
    Attachment,
    Channel,
    Classification,
    Classified,
    Closed,
    ClosureReason,
    Communication,
    CommunicationKind,
    CommunicationRecorded,
    Complainant,
    ComplaintReceived,
    Complexity,
    ContactDetails,
    ContactMethod,
    Decision,
    DecisionCommunicated,
    DecisionMade,
    Direction,
    Event,
    EventPayload,
    Impact,
    InternalReviewRequested,
    InvestigationStarted,
    LegalHoldPlaced,
    LegalHoldReleased,
    Money,
    NoteAdded,
    Outcome,
    PersonalDataErased,
    Priority,
    ProductOrService,
    Reaction,
    ReactionRecorded,
    ReferredExternally,
    Remedy,
    RemedyKind,
    Reopened,
    Representative,
    Role,
    RootCause,
    RootCauseRecorded,
    SatisfactionRecorded,
    Severity,
    StepRecorded,
    Visibility,
    Withdrawn,
)
from iso10002.model._checks import MONEY_DIGITS
from iso10002.model.events import (
    DeadlineExtended,
    DecisionCarriedOut,
    HoldEnded,
    HoldStarted,
    SlaAlertRaised,
    SlaPolicyApplied,
    SurveyAnswered,
    WorkflowApplied,
)
from iso10002.model.values import AlertLevel, ExtensionKind

T = TypeVar("T")

# -- primitives ------------------------------------------------------------------------------


# No white space is outside these categories, so a character from elsewhere makes text non-blank.
_VISIBLE = st.characters(exclude_categories=["Zs", "Zl", "Zp", "Cc", "Cs"])


def texts(*, max_size: int = 24) -> st.SearchStrategy[str]:
    """Text with at least one non-blank character (what ``check.text`` documents)."""
    side = st.text(max_size=max(0, (max_size - 1) // 2))
    return st.builds(lambda a, c, b: a + c + b, side, _VISIBLE, side)


def optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    """``None`` or a value of ``strategy``."""
    return st.none() | strategy


def text_tuples(*, min_size: int = 0, max_size: int = 3) -> st.SearchStrategy[tuple[str, ...]]:
    """A tuple of non-blank texts."""
    return st.lists(texts(), min_size=min_size, max_size=max_size).map(tuple)


_BLANKS = " \t\n\r\x0b\x0c\x1c\x85\xa0\u2003\u2028\u3000"


def blank_texts() -> st.SearchStrategy[str]:
    """Empty or whitespace-only text: what every required text field refuses."""
    return st.text(alphabet=_BLANKS, max_size=4)


def utc_offsets() -> st.SearchStrategy[_dt.timezone]:
    """UTC and fixed offsets in whole minutes between -23:59 and +23:59."""
    minutes = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1)
    return st.just(_dt.timezone.utc) | minutes.map(lambda m: _dt.timezone(_dt.timedelta(minutes=m)))


MIN_INSTANT = _dt.datetime(1990, 1, 1)
MAX_INSTANT = _dt.datetime(2090, 12, 31)


def aware_datetimes(
    *, min_value: _dt.datetime = MIN_INSTANT, max_value: _dt.datetime = MAX_INSTANT
) -> st.SearchStrategy[_dt.datetime]:
    """Aware datetimes with a fixed UTC offset (naive bounds are local wall-clock bounds)."""
    return st.datetimes(min_value=min_value, max_value=max_value, timezones=utc_offsets())


def naive_datetimes() -> st.SearchStrategy[_dt.datetime]:
    """Datetimes without a time zone: refused everywhere."""
    return st.datetimes(min_value=MIN_INSTANT, max_value=MAX_INSTANT)


def dates() -> st.SearchStrategy[_dt.date]:
    """Calendar dates (never datetimes)."""
    return st.dates(min_value=MIN_INSTANT.date(), max_value=MAX_INSTANT.date())


def emails() -> st.SearchStrategy[str]:
    """Plausible e-mail addresses: one ``@``, no whitespace, a dot in the domain."""
    return st.from_regex(
        r"[A-Za-z0-9._%+'-]{1,16}@[A-Za-z0-9-]{1,12}(\.[A-Za-z0-9-]{1,8}){0,2}\.[A-Za-z]{2,6}",
        fullmatch=True,
    )


def malformed_emails() -> st.SearchStrategy[str]:
    """Strings that break the documented e-mail rule in one specific way each."""
    local = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=8)
    label = local
    return st.one_of(
        local,  # no "@" at all
        st.builds(lambda a, b: f"{a}@{b}", local, label),  # no dot in the domain
        st.builds(lambda a, b, c: f"{a}@{b}@{c}.com", local, label, label),  # two "@"
        st.builds(lambda a, b, c: f"{a} {b}@{c}.org", local, local, label),  # a space
        st.builds(lambda b: f"@{b}.net", label),  # nothing before "@"
        st.builds(lambda a, b: f"{a}@{b}.", local, label),  # nothing after the last dot
        st.builds(lambda a, b: f"{a}@{b}.co\tm", local, label),  # a tab
    )


def amounts() -> st.SearchStrategy[Decimal]:
    """Finite, non-negative Decimals with as many places as an amount of money may have."""
    return st.decimals(min_value=0, max_value=10**12, allow_nan=False, allow_infinity=False).filter(
        _within_money_places
    )


def _within_money_places(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -MONEY_DIGITS


def negative_amounts() -> st.SearchStrategy[Decimal]:
    """Finite Decimals below zero."""
    return st.decimals(
        max_value=Decimal("-0.000001"), min_value=-(10**12), allow_nan=False, allow_infinity=False
    )


def non_finite_amounts() -> st.SearchStrategy[Decimal]:
    """NaN, signalling NaN and the infinities."""
    return st.sampled_from(
        [Decimal("NaN"), Decimal("-NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Inf")]
    )


def currencies() -> st.SearchStrategy[str]:
    """ISO 4217 alphabetic codes: three capital letters."""
    return st.from_regex(r"[A-Z]{3}", fullmatch=True)


def bad_currencies() -> st.SearchStrategy[str]:
    """Codes that are not three capital letters: lower or mixed case, too short or too long."""
    return st.one_of(
        st.from_regex(r"[a-z]{3}", fullmatch=True),
        st.from_regex(r"[A-Z][a-z][A-Za-z]|[A-Za-z][a-z][A-Z]", fullmatch=True),
        st.from_regex(r"[A-Z]{0,2}|[A-Z]{4,6}", fullmatch=True),
        st.from_regex(r"[A-Z]{1,2}[0-9 ]", fullmatch=True),
    )


def unknown_values(enum: type[Enum]) -> st.SearchStrategy[str]:
    """Plain strings that are not a value of ``enum``."""
    known = {str(m.value) for m in enum}
    return st.text(max_size=12).filter(lambda s: s not in known)


# -- value objects ---------------------------------------------------------------------------


def actors(ids: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Actor]:
    """Actors with any role; ``ids`` narrows the ids (e.g. to a small pool of staff)."""
    return st.builds(
        Actor,
        id=ids if ids is not None else texts(max_size=12),
        role=st.sampled_from(Role),
        name=optional(texts()),
    )


@st.composite
def contact_details(draw: st.DrawFn) -> ContactDetails:
    """Contact details with at least one of e-mail, phone and address."""
    email = draw(optional(emails()))
    phone = draw(optional(texts(max_size=16)))
    address = draw(optional(texts()))
    if email is None and phone is None and address is None:
        choice = draw(st.sampled_from(["email", "phone", "address"]))
        if choice == "email":
            email = draw(emails())
        elif choice == "phone":
            phone = draw(texts(max_size=16))
        else:
            address = draw(texts())
    return ContactDetails(
        email=email, phone=phone, address=address, postcode=draw(optional(texts(max_size=8)))
    )


def representatives() -> st.SearchStrategy[Representative]:
    """Someone acting for the complainant."""
    return st.builds(
        Representative,
        name=texts(),
        relationship=optional(texts()),
        contact=optional(contact_details()),
    )


def complainants() -> st.SearchStrategy[Complainant]:
    """Complainants with every optional part sometimes present."""
    return st.builds(
        Complainant,
        name=texts(),
        contact=contact_details(),
        preferred_contact=st.sampled_from(ContactMethod),
        organization=optional(texts()),
        language=st.sampled_from(["en", "cy", "fr-CA", "de", "ga"]),
        accessibility_needs=text_tuples(),
        representative=optional(representatives()),
        customer_id=optional(texts(max_size=10)),
    )


def products() -> st.SearchStrategy[ProductOrService]:
    """What a complaint is about."""
    return st.builds(ProductOrService, name=texts(), reference=optional(texts(max_size=10)))


def attachments() -> st.SearchStrategy[Attachment]:
    """References to documents kept elsewhere."""
    return st.builds(
        Attachment,
        uri=texts(),
        name=optional(texts()),
        media_type=optional(st.sampled_from(["application/pdf", "image/png", "text/plain"])),
    )


def assessments() -> st.SearchStrategy[Assessment]:
    """Initial assessments over every combination of criteria."""
    return st.builds(
        Assessment,
        severity=st.sampled_from(Severity),
        safety_implication=st.booleans(),
        complexity=st.sampled_from(Complexity),
        impact=st.sampled_from(Impact),
        immediate_action_needed=st.booleans(),
        immediate_action_possible=st.booleans(),
        immediate_action_taken=optional(texts()),
    )


def classifications() -> st.SearchStrategy[Classification]:
    """A category path of one to three levels."""
    return st.builds(
        Classification,
        category=text_tuples(min_size=1, max_size=3),
        product=optional(texts()),
    )


def money() -> st.SearchStrategy[Money]:
    """Non-negative amounts in a currency."""
    return st.builds(Money, amount=amounts(), currency=currencies())


@st.composite
def remedies(draw: st.DrawFn) -> Remedy:
    """A remedy: compensation always has an amount, 'other' always a description."""
    kind = draw(st.sampled_from(RemedyKind))
    description = draw(optional(texts()))
    amount = draw(optional(money()))
    if kind is RemedyKind.COMPENSATION and amount is None:
        amount = draw(money())
    if kind is RemedyKind.OTHER and description is None:
        description = draw(texts())
    return Remedy(kind=kind, description=description, amount=amount)


@st.composite
def decisions(draw: st.DrawFn, outcome: Outcome | None = None) -> Decision:
    """A decision; upheld and partly upheld ones name at least one remedy."""
    chosen = outcome if outcome is not None else draw(st.sampled_from(Outcome))
    least = 0 if chosen is Outcome.NOT_UPHELD else 1
    return Decision(
        outcome=chosen,
        reasons=draw(texts()),
        remedies=tuple(draw(st.lists(remedies(), min_size=least, max_size=3))),
    )


def communications() -> st.SearchStrategy[Communication]:
    """Any exchange with the complainant, or an internal message."""
    return st.builds(
        Communication,
        direction=st.sampled_from(Direction),
        channel=st.sampled_from(Channel),
        kind=st.sampled_from(CommunicationKind),
        visibility=st.sampled_from(Visibility),
        summary=texts(),
    )


def root_causes() -> st.SearchStrategy[RootCause]:
    """A root cause with optional category and actions."""
    return st.builds(
        RootCause,
        cause=texts(),
        category=optional(texts()),
        corrective_action=optional(texts()),
        preventive_action=optional(texts()),
    )


@st.composite
def survey_answers(draw: st.DrawFn) -> SurveyAnswered:
    """Answers by question id, each a non-negative point, and maybe an overall score."""
    scale = draw(optional(st.integers(min_value=2, max_value=10)))
    return SurveyAnswered(
        survey=draw(texts(max_size=16)),
        survey_version=draw(texts(max_size=8)),
        answers=draw(
            st.dictionaries(texts(max_size=8), st.integers(min_value=0, max_value=10), min_size=1)
        ),
        comment=draw(optional(texts())),
        satisfaction_score=None if scale is None else draw(st.integers(1, scale)),
        satisfaction_scale=scale,
    )


@st.composite
def satisfactions(draw: st.DrawFn) -> SatisfactionRecorded:
    """A score from 1 to the scale, the scale from 2 to 10."""
    scale = draw(st.integers(min_value=2, max_value=10))
    return SatisfactionRecorded(
        score=draw(st.integers(min_value=1, max_value=scale)),
        scale=scale,
        comment=draw(optional(texts())),
    )


@st.composite
def closures(draw: st.DrawFn) -> Closed:
    """A closure; a duplicate always names the original."""
    reason = draw(st.sampled_from(ClosureReason))
    duplicate_of = draw(optional(texts(max_size=16)))
    if reason is ClosureReason.DUPLICATE and duplicate_of is None:
        duplicate_of = draw(texts(max_size=16))
    return Closed(reason=reason, note=draw(optional(texts())), duplicate_of=duplicate_of)


# -- payloads and events ---------------------------------------------------------------------


def complaints_received() -> st.SearchStrategy[ComplaintReceived]:
    """Receipts with every optional field sometimes present."""
    return st.builds(
        ComplaintReceived,
        reference=texts(max_size=16),
        complainant=complainants(),
        channel=st.sampled_from(Channel),
        description=texts(max_size=60),
        received_at=aware_datetimes(),
        remedy_requested=optional(texts()),
        product=optional(products()),
        incident_date=optional(dates()),
        incident_place=optional(texts()),
        people_involved=text_tuples(),
        attachments=st.lists(attachments(), max_size=2).map(tuple),
        client_key=optional(texts(max_size=12)),
        attributes=st.dictionaries(texts(max_size=10), st.text(max_size=10), max_size=3),
        workflow=optional(texts(max_size=71)),
        programme=optional(texts(max_size=71)),
    )


PAYLOADS: Mapping[str, st.SearchStrategy[Any]] = {
    "complaint_received": complaints_received(),
    "acknowledged": st.builds(
        Acknowledged, channel=st.sampled_from(Channel), message=optional(texts())
    ),
    "assessed": st.builds(
        Assessed,
        assessment=assessments(),
        priority=st.sampled_from(Priority),
        priority_policy=texts(max_size=12),
    ),
    "classified": st.builds(Classified, classification=classifications()),
    "assigned": st.builds(Assigned, assignee=actors()),
    "investigation_started": st.builds(InvestigationStarted, plan=optional(texts())),
    "note_added": st.builds(NoteAdded, text=texts(), internal=st.booleans()),
    "root_cause_recorded": st.builds(RootCauseRecorded, root_cause=root_causes()),
    "decision_made": st.builds(DecisionMade, decision=decisions()),
    "decision_communicated": st.builds(
        DecisionCommunicated,
        channel=st.sampled_from(Channel),
        summary=texts(),
        recourse_explained=st.booleans(),
    ),
    "decision_carried_out": st.builds(DecisionCarriedOut, summary=texts()),
    "communication_recorded": st.builds(CommunicationRecorded, communication=communications()),
    "reaction_recorded": st.builds(
        ReactionRecorded, reaction=st.sampled_from(Reaction), comment=optional(texts())
    ),
    "internal_review_requested": st.builds(InternalReviewRequested, reason=texts()),
    "referred_externally": st.builds(
        ReferredExternally, body=texts(), external_reference=optional(texts(max_size=12))
    ),
    "closed": closures(),
    "withdrawn": st.builds(Withdrawn, reason=optional(texts())),
    "reopened": st.builds(Reopened, reason=texts()),
    "satisfaction_recorded": satisfactions(),
    "survey_answered": survey_answers(),
    "step_recorded": st.builds(StepRecorded, command=texts(max_size=16), note=optional(texts())),
    "legal_hold_placed": st.builds(LegalHoldPlaced, reason=texts()),
    "legal_hold_released": st.builds(LegalHoldReleased, reason=texts()),
    "personal_data_erased": st.builds(
        PersonalDataErased,
        reason=texts(),
        request=optional(texts(max_size=16)),
        values=st.integers(0, 1000),
    ),
    "hold_started": st.builds(HoldStarted, reason=texts()),
    "hold_ended": st.builds(HoldEnded, note=optional(texts())),
    "deadline_extended": st.builds(
        DeadlineExtended,
        metric=texts(max_size=16),
        kind=st.sampled_from(ExtensionKind),
        reason=texts(),
        until=optional(aware_datetimes()),
    ),
    "sla_policy_applied": st.builds(
        SlaPolicyApplied,
        policy=texts(max_size=16),
        version=texts(max_size=8),
        calendar=texts(max_size=16),
        calendar_version=texts(max_size=8),
        calendar_fingerprint=texts(max_size=64),
        reason=texts(),
        configuration=optional(texts(max_size=71)),
    ),
    "workflow_applied": st.builds(
        WorkflowApplied,
        workflow=texts(max_size=16),
        configuration=texts(max_size=71),
        previous=optional(texts(max_size=71)),
    ),
    "sla_alert_raised": st.builds(
        SlaAlertRaised,
        metric=texts(max_size=16),
        cycle=st.integers(min_value=1, max_value=50),
        level=st.sampled_from(AlertLevel),
        percent=st.integers(min_value=1, max_value=100),
        due_at=aware_datetimes(),
        extension=st.integers(min_value=0, max_value=5),
    ),
}
"""A strategy per payload type name; a test checks it covers every payload type."""


def payloads() -> st.SearchStrategy[EventPayload]:
    """Any event payload, of every type."""
    return st.one_of(*PAYLOADS.values())


def events(payload: st.SearchStrategy[EventPayload] | None = None) -> st.SearchStrategy[Event]:
    """A single event envelope around any payload (or those of ``payload``)."""
    return st.builds(
        Event,
        complaint_id=st.uuids(),
        seq=st.integers(min_value=1, max_value=2**53),
        occurred_at=aware_datetimes(),
        actor=actors(),
        state=texts(max_size=20),
        payload=payload if payload is not None else payloads(),
    )


# -- JSON ------------------------------------------------------------------------------------

JSON = Any
"""A value ``json.loads`` can return."""


def json_values(*, max_leaves: int = 20) -> st.SearchStrategy[JSON]:
    """Arbitrary JSON: null, booleans, numbers, strings, arrays and objects, nested."""
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=10),
    )
    return st.recursive(
        leaves,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=max_leaves,
    )
