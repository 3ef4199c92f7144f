"""
What a command writes about timeliness, when the desk has policies (:class:`SlaConfig`): the
policy the complaint now falls under (an ``sla_policy_applied`` event when the selection
changed), and the next deadline, warning and alert in the complaint's summary row.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from iso10002.model.complaint import Complaint, ComplaintSummary, apply
from iso10002.model.events import Event, SlaPolicyApplied
from iso10002.model.values import Actor
from iso10002.sla.config import SlaConfig
from iso10002.sla.engine import SlaReport, evaluate

__all__ = ["reselect", "sla_report", "summary_of"]


def reselect(
    sla: SlaConfig | None, complaint: Complaint, new: list[Event], actor: Actor, now: _dt.datetime
) -> Complaint:
    """
    Record the timeliness policy the complaint now falls under, if it changed (appending
    to ``new``). A closed complaint keeps its policy; one no rule matches keeps its own.
    """
    if sla is None or not complaint.is_open:
        return complaint
    selected = sla.select(complaint)
    if selected is None:
        return complaint
    policy, reason = selected
    if policy.key == (complaint.sla_policy, complaint.sla_policy_version):
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
        ),
    )
    new.append(event)
    return apply(complaint, event)


def sla_report(
    sla: SlaConfig | None, complaint: Complaint, history: Sequence[Event], now: _dt.datetime
) -> SlaReport | None:
    """The complaint's timeliness report as of ``now``, when a policy applies."""
    if sla is None or complaint.sla_policy is None:
        return None
    policy = sla.current(complaint)
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
