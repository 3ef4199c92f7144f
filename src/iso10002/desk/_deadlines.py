"""
What a command writes about timeliness, when the desk has policies (:class:`RecordedSla`): the
policy the complaint now falls under (an ``sla_policy_applied`` event naming the recorded
policy, when the selection changed), and the next deadline, warning and alert in the
complaint's summary row, computed with the policy the history recorded.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from iso10002.model.complaint import Complaint, ComplaintSummary, apply
from iso10002.model.events import Event, SlaPolicyApplied
from iso10002.model.values import Actor
from iso10002.sla.engine import SlaReport, evaluate
from iso10002.sla.recorded import RecordedSla

__all__ = ["reselect", "sla_report", "summary_of"]


def reselect(
    sla: RecordedSla | None,
    complaint: Complaint,
    new: list[Event],
    actor: Actor,
    now: _dt.datetime,
    *,
    reapply: bool = False,
    applied: str | None = None,
) -> Complaint:
    """
    Record the timeliness policy the complaint now falls under, if it changed (appending to
    ``new``). A closed complaint keeps its policy; one no rule matches keeps its own.

    A command moves a complaint to another policy when the rules now pick another one for it;
    a new version of its own policy (an edited configuration, a newer holidays package) reaches
    it only when policies are re-applied (``reapply``), and then only if its content differs
    from the one ``applied`` (the fingerprint its history recorded).
    """
    if sla is None or not complaint.is_open:
        return complaint
    selected = sla.select(complaint)
    if selected is None:
        return complaint
    policy, reason = selected
    if not reapply and policy.name == complaint.sla_policy:
        return complaint
    fingerprint = sla.record(policy)
    if reapply and fingerprint == applied:
        return complaint
    calendar = policy.calendar
    event = Event(
        complaint_id=complaint.id,
        seq=complaint.version + 1,
        occurred_at=now,
        actor=actor,
        state=complaint.state,
        payload=SlaPolicyApplied(
            policy=policy.name,
            version=policy.version,
            calendar=calendar.name,
            calendar_version=calendar.version,
            calendar_fingerprint=calendar.fingerprint(),
            reason=reason,
            configuration=fingerprint,
        ),
    )
    new.append(event)
    return apply(complaint, event)


def sla_report(
    sla: RecordedSla | None, complaint: Complaint, history: Sequence[Event], now: _dt.datetime
) -> SlaReport | None:
    """
    The complaint's timeliness report as of ``now``, when a policy applies: computed with the
    policy its history recorded, never with today's version of it.
    """
    if sla is None or complaint.sla_policy is None:
        return None
    policy = sla.current(history) or sla.for_complaint(complaint)
    assert policy is not None
    return evaluate(history, policy, now, detail=False)


def summary_of(complaint: Complaint, report: SlaReport | None) -> ComplaintSummary:
    """The projection row, with the next deadline, warning and alert of ``report``."""
    if report is None:
        return ComplaintSummary.of(complaint)
    return ComplaintSummary.of(
        complaint,
        sla_due_at=report.next_due,
        sla_warning_at=report.next_warning,
        sla_alert_at=report.next_alert,
        sla_outcomes=report.outcomes(),
    )
