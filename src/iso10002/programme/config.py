"""
The complaints-handling programme as typed, validated data (ISO 10002 clauses 5, 6 and 7.1).

A :class:`Programme` is what an organisation says about its own complaints handling: the policy
and where it is published, how to complain, charges, who is responsible for what, measurable
objectives, resources, training, confidentiality and the escalation path. It is a versioned value
(``version`` and ``effective_from``): a change makes a new programme, never an edited one.

Each record checks its own fields and raises :class:`~iso10002.errors.ValidationError` naming
the field. Facts the standard asks *against* — a charge for complaining, a policy published
nowhere — are valid configuration: saying so is the audit's job, not the loader's.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any, cast

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check
from iso10002.model.values import Channel

__all__ = [
    "STANDARD_ROLES",
    "Access",
    "Charges",
    "Confidentiality",
    "Escalation",
    "ExternalBody",
    "Objective",
    "PolicyStatement",
    "Programme",
    "Resource",
    "Responsibility",
    "TrainingRecord",
]

STANDARD_ROLES: tuple[str, ...] = (
    "top_management",
    "management_representative",
    "manager",
    "customer_contact_staff",
    "staff",
)
"""The roles of clause 5.4, as written in :attr:`Responsibility.role`; other roles are free text."""


def _date(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # datetime is a subclass of date; an instant where a calendar day is meant is a mistake.
    if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
        raise ValidationError(attribute.name, f"expected a date, got {value!r}")


def _not_empty(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not value:
        raise ValidationError(attribute.name, "must list at least one item")


def _unique(_inst: object, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    seen: set[object] = set()
    for index, item in enumerate(value):
        if item in seen:
            raise ValidationError(f"{attribute.name}[{index}]", f"{item!r} is listed twice")
        seen.add(item)


def _tuple_of_channels(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise ValidationError(attribute.name, f"expected a tuple, got {type(value).__name__}")
    for index, item in enumerate(value):
        if not isinstance(item, Channel):
            allowed = ", ".join(c.value for c in Channel)
            raise ValidationError(
                f"{attribute.name}[{index}]", f"{item!r} is not a Channel (allowed: {allowed})"
            )


def _to_decimal(value: Decimal | int) -> Decimal:
    # Whole-number targets are natural to write as ints; at rest every target is a Decimal so
    # that comparisons and the stored form ("95", never a float) are the same for all.
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    # Anything else that is not a Decimal (a bool, a float) is refused by the validator.
    return cast(Decimal, value)


@attrs.frozen(kw_only=True)
class PolicyStatement:
    """
    The complaints-handling policy (clause 5.3): its text, who approved it and when, and where
    it is published (URLs, notices, documents). An empty ``published_at`` is valid; the audit
    reports it.
    """

    text: str = attrs.field(validator=check.text)
    approved_by: str = attrs.field(validator=check.text)
    approved_on: _dt.date = attrs.field(validator=_date)
    published_at: tuple[str, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=[check.tuple_of_text, _unique]
    )


@attrs.frozen(kw_only=True)
class Access:
    """
    How to complain (clauses 4.4, 4.5, 7.1): the published explanation, the channels offered
    (at least one), accessible formats, languages (at least one) and where it is published.
    """

    how_to_complain: str = attrs.field(validator=check.text)
    channels: tuple[Channel, ...] = attrs.field(
        converter=check.to_tuple, validator=[_tuple_of_channels, _not_empty, _unique]
    )
    accessible_formats: tuple[str, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=[check.tuple_of_text, _unique]
    )
    languages: tuple[str, ...] = attrs.field(
        converter=check.to_tuple, validator=[check.tuple_of_text, _not_empty, _unique]
    )
    published_at: tuple[str, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=[check.tuple_of_text, _unique]
    )


@attrs.frozen(kw_only=True)
class Charges:
    """
    Whether complainants pay to complain (clause 4.8). The standard says access is free, but a
    charge is recorded as it is (``charged=True`` with its ``description``) so that the audit
    can report it.
    """

    charged: bool = attrs.field(default=False, validator=check.instance(bool))
    description: str | None = attrs.field(default=None, validator=check.optional_text)


@attrs.frozen(kw_only=True)
class Responsibility:
    """
    One person's role in complaints handling (clause 5.4), with what they are responsible for
    (at least one item) and the authorities they hold.

    ``role`` is one of :data:`STANDARD_ROLES` or an organisation's own role name.
    """

    role: str = attrs.field(validator=check.text)
    person: str = attrs.field(validator=check.text)
    responsibilities: tuple[str, ...] = attrs.field(
        converter=check.to_tuple, validator=[check.tuple_of_text, _not_empty]
    )
    authorities: tuple[str, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of_text
    )


def _target(inst: Objective, attribute: attrs.Attribute[Any], value: object) -> None:
    check.non_negative_decimal(inst, attribute, value)
    unit = inst.unit if isinstance(inst.unit, str) else ""
    if isinstance(value, Decimal) and unit.startswith("percent") and value > 100:
        raise ValidationError(attribute.name, f"a percentage cannot exceed 100 (got {value})")


@attrs.frozen(kw_only=True)
class Objective:
    """
    A measurable complaints-handling objective (clause 6.2).

    Args:
        id: unique within the programme, e.g. ``"final-response-8-weeks"``.
        description: what the objective is, in words.
        measure: what is measured: an SLA metric name (``"final_response"``) or a KPI id.
        target: the value to reach; an int is accepted and kept as a ``Decimal``.
        unit: what ``target`` counts, e.g. ``"percent_within_target"`` or ``"days"``; a unit
            starting with ``percent`` caps the target at 100.
        reviewed_every: how often the objective is reviewed, e.g. ``"quarter"``.
    """

    id: str = attrs.field(validator=check.text)
    description: str = attrs.field(validator=check.text)
    measure: str = attrs.field(validator=check.text)
    target: Decimal = attrs.field(converter=_to_decimal, validator=_target)
    unit: str = attrs.field(validator=check.text)
    reviewed_every: str | None = attrs.field(default=None, validator=check.optional_text)


@attrs.frozen(kw_only=True)
class Resource:
    """A resource committed to complaints handling (clause 6.4): people, systems, budget."""

    description: str = attrs.field(validator=check.text)
    amount: str | None = attrs.field(default=None, validator=check.optional_text)


@attrs.frozen(kw_only=True)
class TrainingRecord:
    """
    A course a person completed (clauses 6.4, 8.1); valid from ``completed_on`` up to the day
    before ``expires_on`` (or for good when there is no expiry).
    """

    person: str = attrs.field(validator=check.text)
    course: str = attrs.field(validator=check.text)
    completed_on: _dt.date = attrs.field(validator=_date)
    expires_on: _dt.date | None = attrs.field(default=None, validator=check.optional_date)

    def __attrs_post_init__(self) -> None:
        if self.expires_on is not None and self.expires_on <= self.completed_on:
            raise ValidationError(
                "expires_on",
                f"must be after completed_on ({self.completed_on}), got {self.expires_on}",
            )

    def valid_on(self, day: _dt.date) -> bool:
        """True if the training counts on ``day``."""
        return self.completed_on <= day and (self.expires_on is None or day < self.expires_on)


@attrs.frozen(kw_only=True)
class Confidentiality:
    """
    How complainants' personal data are protected (clauses 4.10, 8.1): who may see them, how
    long records are kept and why, and when they may be disclosed.
    """

    who_may_see_personal_data: tuple[str, ...] = attrs.field(
        converter=check.to_tuple, validator=[check.tuple_of_text, _not_empty]
    )
    retention_years: int = attrs.field(validator=check.int_range(1, 100))
    retention_basis: str = attrs.field(validator=check.text)
    disclosure_rules: str | None = attrs.field(default=None, validator=check.optional_text)


@attrs.frozen(kw_only=True)
class ExternalBody:
    """
    The external dispute-resolution body a complainant may turn to (clause 7.9, ISO 10003), and
    the time limit for doing so, in words (``"6 months after the final response"``).
    """

    name: str = attrs.field(validator=check.text)
    url: str | None = attrs.field(default=None, validator=check.optional_text)
    time_limit: str = attrs.field(validator=check.text)


@attrs.frozen(kw_only=True)
class Escalation:
    """
    Where a complainant goes when not satisfied (clause 7.9): who reviews the decision inside
    the organisation, and the external body, if there is one (the audit reports its absence).
    """

    internal_review_by: str = attrs.field(validator=check.text)
    external_body: ExternalBody | None = attrs.field(
        default=None, validator=check.optional_instance(ExternalBody)
    )


@attrs.frozen(kw_only=True)
class Programme:
    """
    An organisation's complaints-handling programme, one version of it.

    Raises:
        ValidationError: a field is missing or malformed, two objectives share an id, a
            (role, person) pair repeats, or no ``management_representative`` is named.
    """

    organisation: str = attrs.field(validator=check.text)
    version: str = attrs.field(validator=check.text)
    effective_from: _dt.date = attrs.field(validator=_date)
    policy: PolicyStatement = attrs.field(validator=check.instance(PolicyStatement))
    access: Access = attrs.field(validator=check.instance(Access))
    charges: Charges = attrs.field(factory=Charges, validator=check.instance(Charges))
    responsibilities: tuple[Responsibility, ...] = attrs.field(
        converter=check.to_tuple, validator=check.tuple_of(Responsibility)
    )
    objectives: tuple[Objective, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of(Objective)
    )
    resources: tuple[Resource, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of(Resource)
    )
    training: tuple[TrainingRecord, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of(TrainingRecord)
    )
    confidentiality: Confidentiality = attrs.field(validator=check.instance(Confidentiality))
    escalation: Escalation = attrs.field(validator=check.instance(Escalation))

    def __attrs_post_init__(self) -> None:
        ids: set[str] = set()
        for index, objective in enumerate(self.objectives):
            if objective.id in ids:
                raise ValidationError(
                    f"objectives[{index}].id", f"objective id {objective.id!r} is used twice"
                )
            ids.add(objective.id)
        pairs: set[tuple[str, str]] = set()
        for index, r in enumerate(self.responsibilities):
            if (r.role, r.person) in pairs:
                raise ValidationError(
                    f"responsibilities[{index}]",
                    f"{r.person!r} is listed twice in the role {r.role!r}",
                )
            pairs.add((r.role, r.person))
        if not any(r.role == "management_representative" for r in self.responsibilities):
            # Clause 5.4: one named person answers for the process as a whole.
            raise ValidationError(
                "responsibilities", "no one holds the role 'management_representative'"
            )

    def person_for(self, role: str) -> tuple[str, ...]:
        """The people who hold ``role``, in the order they are listed (empty if nobody)."""
        return tuple(r.person for r in self.responsibilities if r.role == role)

    def trained(self, person: str, on: _dt.date) -> bool:
        """True if ``person`` has a training record that is valid on ``on``."""
        return any(t.person == person and t.valid_on(on) for t in self.training)

    def objective(self, id: str) -> Objective:
        """
        The objective called ``id``.

        Raises:
            ValidationError: no such objective (the message lists the known ids).
        """
        for o in self.objectives:
            if o.id == id:
                return o
        known = ", ".join(o.id for o in self.objectives) or "none"
        raise ValidationError("objective", f"no objective {id!r} (known: {known})")
