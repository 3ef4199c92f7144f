"""
Value objects of a complaint: who complains, how, about what, and what was decided.

The fields follow the complaint form and the follow-up form of ISO 10002 (annexes C and E):
complainant and representative, contact details, channel, product or service and its reference,
date and place of the event, description, remedy requested, received by, reference number; then
initial assessment, classification, investigation, decision and remedies, communication, the
complainant's reaction, escalation, closure and satisfaction with the handling.

Every class is frozen and keyword-only, and validates its fields when it is built: a bad value
raises :class:`~iso10002.errors.ValidationError` naming the field.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from datetime import datetime
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from enum import Enum
from uuid import UUID

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check
from iso10002.model.personal import PERSONAL, masked

__all__ = [
    "ACTION_REMEDIES",
    "Actor",
    "AlertLevel",
    "Assessment",
    "Attachment",
    "Channel",
    "Classification",
    "ClosureReason",
    "Communication",
    "CommunicationKind",
    "Complainant",
    "ComplaintId",
    "Complexity",
    "ContactDetails",
    "ContactMethod",
    "Decision",
    "Direction",
    "ExtensionKind",
    "Impact",
    "ImportSource",
    "Money",
    "Outcome",
    "Priority",
    "ProductOrService",
    "Reaction",
    "Remedy",
    "RemedyKind",
    "Representative",
    "Role",
    "RootCause",
    "Severity",
    "Visibility",
]

ComplaintId = UUID
"""A complaint's permanent identity; the human reference is :attr:`Complaint.reference`."""


_ROLE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_CUSTOM_ROLES: dict[str, Role] = {}
_ROLES_LOCK = threading.Lock()


class Role(str, Enum):
    """
    What an actor does in complaints handling (ISO 10002 5.4).

    The members are the standard roles. A product adds its own with :meth:`define`
    (``Role.define("legal")``): a defined role is a ``Role`` like the standard ones, compares
    and hashes by its value, is stored by its value, and is found by value (``Role("legal")``)
    once defined, in this process. Iterating ``Role`` lists the standard roles only; stored
    events that name them read as before, and a stored event naming a role that was not
    defined is refused as before, so a mistyped role never passes as a new one.
    """

    COMPLAINANT = "complainant"
    FRONT_LINE = "front_line"
    COMPLAINTS_MANAGER = "complaints_manager"
    INVESTIGATOR = "investigator"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"
    SYSTEM = "system"

    @classmethod
    def define(cls, name: str) -> Role:
        """
        The role named ``name``: a standard role, or a product's own, defined on first use
        (defining it again returns the same role).

        Raises:
            ValidationError: ``name`` is not lower-case letters, digits and ``_``, starting
                with a letter, at most 64 characters.
        """
        if not isinstance(name, str) or not _ROLE_NAME.match(name):
            raise ValidationError(
                "role",
                f"{_shown_role(name)} is not a role name: lower-case letters, digits and _, "
                "starting with a letter",
            )
        with _ROLES_LOCK:
            try:
                return cls(name)
            except ValueError:
                pass
            role = str.__new__(cls, name)
            role._name_ = name.upper()
            role._value_ = name
            _CUSTOM_ROLES[name] = role
            return role

    @classmethod
    def defined(cls) -> tuple[Role, ...]:
        """The roles defined beside the standard ones, in the order they were defined."""
        return tuple(_CUSTOM_ROLES.values())

    @property
    def standard(self) -> bool:
        """Whether the role is one of the standard roles (a member of the enum)."""
        return self._name_ in type(self).__members__

    @classmethod
    def _missing_(cls, value: object) -> Role | None:
        return _CUSTOM_ROLES.get(value) if isinstance(value, str) else None


def _shown_role(value: object) -> str:
    """A bad role name as a message shows it (a role name is never personal data)."""
    return repr(value) if isinstance(value, str) and len(value) <= 64 else type(value).__name__


class Channel(str, Enum):
    """How a complaint or a communication reached, or left, the organization."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    WEB_FORM = "web_form"
    CHAT = "chat"
    SOCIAL_MEDIA = "social_media"
    REFERRAL = "referral"


class ContactMethod(str, Enum):
    """How the complainant prefers to be contacted."""

    EMAIL = "email"
    PHONE = "phone"
    LETTER = "letter"
    SMS = "sms"
    IN_PERSON = "in_person"


class Severity(str, Enum):
    """How serious the matter complained about is (initial assessment, 7.5)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Complexity(str, Enum):
    """How hard the complaint is to investigate (7.5)."""

    SIMPLE = "simple"
    MODERATE = "moderate"
    COMPLEX = "complex"


class Impact(str, Enum):
    """How much the matter affects the complainant or others (7.5)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Priority(str, Enum):
    """Handling priority derived from the initial assessment by a priority policy."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class Outcome(str, Enum):
    """The organization's decision on the complaint (7.7)."""

    UPHELD = "upheld"
    PARTIALLY_UPHELD = "partially_upheld"
    NOT_UPHELD = "not_upheld"


class RemedyKind(str, Enum):
    """Kinds of response or remedy (annex on responses)."""

    EXPLANATION = "explanation"
    APOLOGY = "apology"
    REPAIR_OR_REPLACEMENT = "repair_or_replacement"
    REFUND = "refund"
    COMPENSATION = "compensation"
    PROCESS_CHANGE = "process_change"
    OTHER = "other"


ACTION_REMEDIES = frozenset(
    {
        RemedyKind.REPAIR_OR_REPLACEMENT,
        RemedyKind.REFUND,
        RemedyKind.COMPENSATION,
        RemedyKind.PROCESS_CHANGE,
        RemedyKind.OTHER,
    }
)
"""
The remedies that promise an action to carry out after the decision (7.9). An explanation or
an apology is given by the decision letter itself; every other kind (``other`` included, since
nothing says it is only words) is something the organization still has to do.
"""


class Direction(str, Enum):
    """Whether a communication came in from, or went out to, the complainant."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Visibility(str, Enum):
    """Whether a record may be shown to the complainant."""

    CUSTOMER_VISIBLE = "customer_visible"
    INTERNAL = "internal"


class CommunicationKind(str, Enum):
    """What a communication was for."""

    ACKNOWLEDGEMENT = "acknowledgement"
    PROGRESS_UPDATE = "progress_update"
    HOLDING_RESPONSE = "holding_response"
    REQUEST_FOR_INFORMATION = "request_for_information"
    DECISION = "decision"
    OTHER = "other"


class Reaction(str, Enum):
    """The complainant's reaction to the decision (7.9)."""

    ACCEPTS = "accepts"
    REJECTS = "rejects"


class ExtensionKind(str, Enum):
    """How a deadline was extended; a metric says which kinds its regime allows."""

    HOLDING_RESPONSE = "holding_response"
    """A written holding response explaining the delay (FCA DISP 1.6, PSD2 Art. 101)."""
    DELAY_NOTICE = "delay_notice"
    """A delay notification with reasons and the right to go to the external body (ASIC RG 271)."""
    AGREED = "agreed"
    """A longer period agreed with the complainant (NHS complaints regulations)."""


class AlertLevel(str, Enum):
    """How far a timeliness metric has gone: a warning before its deadline, or the breach."""

    WARNING = "warning"
    BREACH = "breach"


class ClosureReason(str, Enum):
    """Why a complaint was closed; each one is a documented reason the guards accept."""

    RESOLVED = "resolved"
    """The decision was communicated and accepted."""
    REFERRED_EXTERNALLY = "referred_externally"
    """The complaint went to an external dispute-resolution body (ISO 10003)."""
    NO_REPLY = "no_reply"
    """The complainant did not react to the decision within the configured time."""
    DUPLICATE = "duplicate"
    """Another complaint covers the same matter."""


@attrs.frozen(kw_only=True)
class Actor:
    """Somebody, or something, that runs a command; every event names one (4.12)."""

    id: str = attrs.field(validator=check.text)
    role: Role = attrs.field(validator=check.member_of(Role))
    name: str | None = attrs.field(default=None, validator=check.optional_text)
    organisation: str | None = attrs.field(default=None, validator=check.optional_organisation)
    """
    The organisation (tenant) the actor belongs to, in a product that serves many: with
    access control, the actor reaches only that organisation's complaints. None for an actor
    of no one organisation (a system job, or a single-organisation deployment), who reaches
    every complaint its role allows. Left out of the actor's JSON when None, so that events
    recorded before organisations existed keep their hashes.
    """


@attrs.frozen(kw_only=True)
class ContactDetails:
    """How to reach a person; at least one way must be given."""

    email: str | None = attrs.field(
        default=None, validator=check.email, metadata=PERSONAL, repr=masked
    )
    phone: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )
    address: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )
    postcode: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )

    def __attrs_post_init__(self) -> None:
        if self.email is None and self.phone is None and self.address is None:
            raise ValidationError("contact", "give at least an e-mail, a phone or an address")


@attrs.frozen(kw_only=True)
class Representative:
    """Someone acting for the complainant, with their own contact details."""

    name: str = attrs.field(validator=check.text, metadata=PERSONAL, repr=masked)
    relationship: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )
    contact: ContactDetails | None = attrs.field(
        default=None, validator=check.optional_instance(ContactDetails)
    )


@attrs.frozen(kw_only=True)
class Complainant:
    """The person or organization making the complaint (complaint form, part 1)."""

    name: str = attrs.field(validator=check.text, metadata=PERSONAL, repr=masked)
    contact: ContactDetails = attrs.field(validator=check.instance(ContactDetails))
    preferred_contact: ContactMethod = attrs.field(
        default=ContactMethod.EMAIL, validator=check.member_of(ContactMethod)
    )
    organization: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )
    language: str = attrs.field(default="en", validator=check.text)
    """BCP 47 language tag for communications, e.g. ``en``, ``cy``, ``fr-CA``."""
    accessibility_needs: tuple[str, ...] = attrs.field(
        default=(), validator=check.tuple_of_text, metadata=PERSONAL, repr=masked
    )
    """Support the complainant needs, e.g. ``large print``, ``BSL interpreter`` (4.5)."""
    representative: Representative | None = attrs.field(
        default=None, validator=check.optional_instance(Representative)
    )
    customer_id: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )
    """The complainant's identity in the organization's own systems, if any."""


@attrs.frozen(kw_only=True)
class ProductOrService:
    """What the complaint is about and the organization's reference for it (order, account)."""

    name: str = attrs.field(validator=check.text)
    reference: str | None = attrs.field(default=None, validator=check.optional_text)


@attrs.frozen(kw_only=True)
class Attachment:
    """A reference to a document kept elsewhere; the library never stores file contents."""

    uri: str = attrs.field(validator=check.text, metadata=PERSONAL, repr=masked)
    name: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )
    media_type: str | None = attrs.field(default=None, validator=check.optional_text)


@attrs.frozen(kw_only=True)
class Assessment:
    """The initial assessment (7.5): the criteria the standard lists, and any immediate action."""

    severity: Severity = attrs.field(validator=check.member_of(Severity))
    safety_implication: bool = attrs.field(default=False, validator=check.instance(bool))
    complexity: Complexity = attrs.field(
        default=Complexity.SIMPLE, validator=check.member_of(Complexity)
    )
    impact: Impact = attrs.field(default=Impact.LOW, validator=check.member_of(Impact))
    immediate_action_needed: bool = attrs.field(default=False, validator=check.instance(bool))
    immediate_action_possible: bool = attrs.field(default=False, validator=check.instance(bool))
    immediate_action_taken: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )


@attrs.frozen(kw_only=True)
class Classification:
    """Where the complaint sits in the organization's category tree, and the product line."""

    category: tuple[str, ...] = attrs.field(validator=check.tuple_of_text)
    """Path in the category tree, most general first, e.g. ``("Billing", "Wrong amount")``."""
    product: str | None = attrs.field(default=None, validator=check.optional_text)

    def __attrs_post_init__(self) -> None:
        if not self.category:
            raise ValidationError("category", "give at least one category level")

    @property
    def path(self) -> str:
        """The category path joined with ``" / "``."""
        return " / ".join(self.category)


@attrs.frozen(kw_only=True)
class ImportSource:
    """
    Where an imported complaint came from: it was handled elsewhere, and its history was
    brought in afterwards with its past timestamps.

    KPIs count imported complaints by stated rules (see the monitoring guide): their
    timestamps are those the source gave, often dates only, so measured durations are
    left out unless ``timed`` is set.
    """

    system: str = attrs.field(validator=check.text)
    """The source system, e.g. ``"cfpb"``."""
    record_id: str = attrs.field(validator=check.text)
    """The record's identity in the source; an import never brings one record in twice."""
    imported_at: datetime = attrs.field(validator=check.aware)
    """When the record was imported."""
    timed: bool = attrs.field(default=False, validator=check.instance(bool))
    """Whether the source's instants are precise enough to measure durations with."""


@attrs.frozen(kw_only=True)
class Money:
    """An amount in a currency; never negative, never a float."""

    amount: Decimal = attrs.field(validator=check.money_amount)
    currency: str = attrs.field(validator=check.currency)


# The default context rounds a sum to 28 significant digits. Amounts are bounded (see
# check.money_amount), so a context without that limit keeps every sum exact at no extra cost:
# libmpdec's work follows the digits of the operands, not the precision allowed.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


def exact_sum(amounts: Iterable[Decimal], start: Decimal = Decimal(0)) -> Decimal:
    """The sum of ``amounts`` and ``start``, never rounded (unlike ``sum`` or ``+``)."""
    total = start
    add = _EXACT.add
    for amount in amounts:
        total = add(total, amount)
    return total


def exact_product(amount: Decimal, n: int) -> Decimal:
    """``amount * n``, never rounded."""
    return _EXACT.multiply(amount, Decimal(n))


@attrs.frozen(kw_only=True)
class Remedy:
    """One remedy offered; compensation and refunds may carry an amount."""

    kind: RemedyKind = attrs.field(validator=check.member_of(RemedyKind))
    description: str | None = attrs.field(
        default=None, validator=check.optional_text, metadata=PERSONAL, repr=masked
    )
    amount: Money | None = attrs.field(default=None, validator=check.optional_instance(Money))

    def __attrs_post_init__(self) -> None:
        if self.kind is RemedyKind.COMPENSATION and self.amount is None:
            raise ValidationError("amount", "compensation needs an amount")
        if self.kind is RemedyKind.OTHER and self.description is None:
            raise ValidationError("description", "an 'other' remedy needs a description")


@attrs.frozen(kw_only=True)
class Decision:
    """The organization's decision (7.7) with its reasons and the remedies offered."""

    outcome: Outcome = attrs.field(validator=check.member_of(Outcome))
    reasons: str = attrs.field(validator=check.text, metadata=PERSONAL, repr=masked)
    remedies: tuple[Remedy, ...] = attrs.field(default=(), validator=check.tuple_of(Remedy))

    @property
    def promises_action(self) -> bool:
        """
        Whether the decision promises an action to carry out and record before the complaint
        is resolved (7.9): it names at least one remedy of :data:`ACTION_REMEDIES`. A decision
        with only an explanation or an apology, or none, promises nothing beyond the letter.
        """
        return any(r.kind in ACTION_REMEDIES for r in self.remedies)

    def __attrs_post_init__(self) -> None:
        if self.outcome is not Outcome.NOT_UPHELD and not self.remedies:
            raise ValidationError(
                "remedies", "an upheld or partially upheld decision names at least one remedy"
            )


@attrs.frozen(kw_only=True)
class Communication:
    """One exchange with the complainant, or an internal message about the complaint."""

    direction: Direction = attrs.field(validator=check.member_of(Direction))
    channel: Channel = attrs.field(validator=check.member_of(Channel))
    kind: CommunicationKind = attrs.field(
        default=CommunicationKind.OTHER, validator=check.member_of(CommunicationKind)
    )
    visibility: Visibility = attrs.field(
        default=Visibility.CUSTOMER_VISIBLE, validator=check.member_of(Visibility)
    )
    summary: str = attrs.field(validator=check.text, metadata=PERSONAL, repr=masked)


@attrs.frozen(kw_only=True)
class RootCause:
    """The root cause found (8.2) and the corrective or preventive action decided."""

    cause: str = attrs.field(validator=check.text)
    category: str | None = attrs.field(default=None, validator=check.optional_text)
    corrective_action: str | None = attrs.field(default=None, validator=check.optional_text)
    preventive_action: str | None = attrs.field(default=None, validator=check.optional_text)
