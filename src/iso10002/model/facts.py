"""
What monitoring needs to know about one complaint, kept beside its summary.

:class:`ComplaintFacts` is derived from the complaint's state whenever it changes and stored
with the summary row, so that KPIs over a million complaints read one flat row each instead
of replaying every history. It holds no personal data: no names, contact details,
descriptions or free-text notes, only classifications, instants, outcomes and amounts.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

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
        decision = complaint.decision
        remedies = decision.remedies if decision is not None else ()
        source = complaint.source
        classification = complaint.classification
        product = (classification.product if classification else None) or (
            complaint.product.name if complaint.product else None
        )
        first_response = complaint.first_response_at
        first_contact = (
            complaint.closure_reason is ClosureReason.RESOLVED
            and first_response is not None
            and first_response - complaint.received_at <= FIRST_CONTACT_WINDOW
            and complaint.investigation_started_at is None
            and complaint.reopen_count == 0
            and complaint.internal_reviews == 0
            and complaint.referrals == 0
        )
        satisfaction = complaint.satisfaction
        root = complaint.root_cause
        return cls(
            product=product,
            source=source.system if source else None,
            timed=source is None or source.timed,
            first_response_at=first_response,
            acknowledge_time=None
            if complaint.acknowledged_at is None
            else complaint.acknowledged_at - complaint.received_at,
            first_response_time=None
            if first_response is None
            else first_response - complaint.received_at,
            outcome=decision.outcome if decision else None,
            closure_reason=complaint.closure_reason,
            withdrawn=complaint.withdrawn_at is not None,
            remedies=tuple(r.kind for r in remedies),
            redress=_sum_by_currency(r.amount for r in remedies if r.amount is not None),
            reopen_count=complaint.reopen_count,
            internal_reviews=complaint.internal_reviews,
            referrals=complaint.referrals,
            first_contact=first_contact,
            satisfaction_score=satisfaction.score if satisfaction else None,
            satisfaction_scale=satisfaction.scale if satisfaction else None,
            root_cause=root.cause if root else None,
            root_cause_category=root.category if root else None,
            sla=sla,
        )
