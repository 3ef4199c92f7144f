"""
What monitoring needs to know about one complaint, kept beside its summary.

:class:`ComplaintFacts` is derived from the complaint's state whenever it changes and stored
with the summary row, so that KPIs over a million complaints read one flat row each instead
of replaying every history. It holds no personal data: no names, contact details,
descriptions or free-text notes, only classifications, instants, outcomes and amounts.
"""

from __future__ import annotations

import datetime as _dt
import operator
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from iso10002.model import _checks as check
from iso10002.model.values import ClosureReason, Money, Outcome, RemedyKind, exact_sum

if TYPE_CHECKING:
    from iso10002.model.complaint import Complaint

__all__ = ["FIRST_CONTACT_WINDOW", "ComplaintFacts", "MetricOutcome"]

FIRST_CONTACT_WINDOW = _dt.timedelta(hours=24)
"""How soon after receipt a decision must go out for a complaint to count as resolved at first
contact (with no investigation, review, referral or reopening)."""


@attrs.frozen(kw_only=True)
class MetricOutcome:
    """
    Where one timeliness metric of a complaint stands: its deadline, and when it stopped.

    Met if ``done_at`` is at or before ``due_at``; breached if it stopped late, or is still
    running past ``due_at`` at the moment a report looks.
    """

    metric: str = attrs.field(validator=check.text)
    due_at: _dt.datetime = attrs.field(validator=check.aware)
    done_at: _dt.datetime | None = attrs.field(default=None, validator=check.optional_aware)

    def met(self, as_of: _dt.datetime) -> bool | None:
        """True if met, False if breached, None if still running and not yet due, at ``as_of``."""
        if self.done_at is not None and self.done_at <= as_of:
            return self.done_at <= self.due_at
        return False if as_of > self.due_at else None


def _sum_by_currency(amounts: Iterable[Money]) -> tuple[Money, ...]:
    totals: dict[str, Decimal] = {}
    for money in amounts:
        totals[money.currency] = exact_sum((money.amount,), totals.get(money.currency, Decimal(0)))
    return tuple(Money(amount=totals[c], currency=c) for c in sorted(totals))


@attrs.frozen(kw_only=True)
class ComplaintFacts:
    """
    The monitoring facts of one complaint (ISO 10002 8.2 to 8.4), derived from its state.

    Every field is a classification, an instant, a count or an amount; nothing here
    identifies the complainant.
    """

    product: str | None = None
    """The product or service: the classification's, else the one named on receipt."""
    source: str | None = None
    """The system it was imported from; ``None`` for a complaint received here."""
    timed: bool = True
    """Whether its instants can be used to measure durations (false for most imports)."""
    first_response_at: _dt.datetime | None = None
    """When a decision was first communicated (the final response)."""
    acknowledge_time: _dt.timedelta | None = None
    """From receipt to the first acknowledgement."""
    first_response_time: _dt.timedelta | None = None
    """From receipt to the final response."""
    outcome: Outcome | None = None
    """The decision in force."""
    closure_reason: ClosureReason | None = None
    withdrawn: bool = False
    remedies: tuple[RemedyKind, ...] = ()
    """The kinds of remedy in the decision in force, one entry per remedy."""
    redress: tuple[Money, ...] = ()
    """Money in the decision in force, totalled per currency, currencies in order."""
    reopen_count: int = 0
    internal_reviews: int = 0
    referrals: int = 0
    first_contact: bool = False
    """Resolved at first contact; see :data:`FIRST_CONTACT_WINDOW`."""
    satisfaction_score: int | None = None
    satisfaction_scale: int | None = None
    root_cause: str | None = None
    root_cause_category: str | None = None
    sla: tuple[MetricOutcome, ...] = ()
    """Each timeliness metric with a deadline, in the policy's order."""

    @classmethod
    def of(cls, complaint: Complaint, sla: tuple[MetricOutcome, ...] = ()) -> ComplaintFacts:
        """The facts of ``complaint``, with the outcomes of its timeliness metrics if any."""
        values: dict[str, Any] = {"sla": sla}
        for _, read in _PARTS:
            values.update(read(complaint))
        return cls(**values)

    def advanced(
        self, before: Complaint, after: Complaint, sla: tuple[MetricOutcome, ...] = ()
    ) -> ComplaintFacts:
        """
        The facts of ``after``, given that these are the facts of ``before`` (with other
        timeliness outcomes): only the facts whose inputs the events between them changed are
        derived again, so the cost follows the events applied, not the complaint's size.
        Equal to ``ComplaintFacts.of(after, sla)``, which the property tests check.
        """
        old, new = _GET_INPUTS(before), _GET_INPUTS(after)
        # The fold copies the slots an event leaves alone, so an input that is the very same
        # object is unchanged; a changed one is always a new object.
        parts = {_READERS[i] for i in range(len(old)) if old[i] is not new[i]}
        if not parts and sla == self.sla:
            return self
        values = list(_GET_ALL(self))
        for part in parts:
            for name, value in _PARTS[part][1](after).items():
                values[_INDEX[name]] = value
        values[_INDEX["sla"]] = sla
        # Every value comes from a valid complaint, as in of(): nothing needs checking again.
        facts = object.__new__(ComplaintFacts)
        for setter, value in zip(_SETTERS, values, strict=True):
            setter(facts, value)
        return facts


# -- each group of facts, and the complaint fields it is derived from -----------------------------


def _product(c: Complaint) -> dict[str, Any]:
    classification = c.classification
    product = (classification.product if classification else None) or (
        c.product.name if c.product else None
    )
    return {"product": product}


def _source(c: Complaint) -> dict[str, Any]:
    source = c.source
    return {"source": source.system if source else None, "timed": source is None or source.timed}


def _acknowledged(c: Complaint) -> dict[str, Any]:
    at = c.acknowledged_at
    return {"acknowledge_time": None if at is None else at - c.received_at}


def _responded(c: Complaint) -> dict[str, Any]:
    first = c.first_response_at
    return {
        "first_response_at": first,
        "first_response_time": None if first is None else first - c.received_at,
    }


def _decided(c: Complaint) -> dict[str, Any]:
    decision = c.decision
    remedies = decision.remedies if decision is not None else ()
    return {
        "outcome": decision.outcome if decision else None,
        "remedies": tuple(r.kind for r in remedies),
        "redress": _sum_by_currency(r.amount for r in remedies if r.amount is not None),
    }


def _ended(c: Complaint) -> dict[str, Any]:
    first_response = c.first_response_at
    return {
        "closure_reason": c.closure_reason,
        "withdrawn": c.withdrawn_at is not None,
        "reopen_count": c.reopen_count,
        "internal_reviews": c.internal_reviews,
        "referrals": c.referrals,
        "first_contact": (
            c.closure_reason is ClosureReason.RESOLVED
            and first_response is not None
            and first_response - c.received_at <= FIRST_CONTACT_WINDOW
            and c.investigation_started_at is None
            and c.reopen_count == 0
            and c.internal_reviews == 0
            and c.referrals == 0
        ),
    }


def _satisfied(c: Complaint) -> dict[str, Any]:
    satisfaction = c.satisfaction
    return {
        "satisfaction_score": satisfaction.score if satisfaction else None,
        "satisfaction_scale": satisfaction.scale if satisfaction else None,
    }


def _rooted(c: Complaint) -> dict[str, Any]:
    root = c.root_cause
    return {
        "root_cause": root.cause if root else None,
        "root_cause_category": root.category if root else None,
    }


_PARTS: tuple[tuple[tuple[str, ...], Callable[[Complaint], dict[str, Any]]], ...] = (
    (("classification", "product"), _product),
    (("source",), _source),
    (("acknowledged_at", "received_at"), _acknowledged),
    (("first_response_at", "received_at"), _responded),
    (("decision",), _decided),
    (
        (
            "closure_reason",
            "withdrawn_at",
            "reopen_count",
            "internal_reviews",
            "referrals",
            "investigation_started_at",
            "first_response_at",
            "received_at",
        ),
        _ended,
    ),
    (("satisfaction",), _satisfied),
    (("root_cause",), _rooted),
)
"""Every fact but ``sla``, in groups: the complaint fields a group reads, and how it reads them."""

# Each (complaint field, group reading it) once, and one getter for all those fields.
_INPUTS = tuple((name, i) for i, (names, _) in enumerate(_PARTS) for name in names)
_GET_INPUTS = operator.attrgetter(*(name for name, _ in _INPUTS))
_READERS = tuple(i for _, i in _INPUTS)
_NAMES = tuple(a.name for a in attrs.fields(ComplaintFacts))
_INDEX = {name: i for i, name in enumerate(_NAMES)}
_GET_ALL = operator.attrgetter(*_NAMES)
_SETTERS = tuple(ComplaintFacts.__dict__[name].__set__ for name in _NAMES)
