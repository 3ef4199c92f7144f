"""
What a command records about timeliness, when the desk has policies (:class:`RecordedSla`):
the policy the complaint now falls under (an ``sla_policy_applied`` event naming the recorded
policy, when the selection changed), and the next deadline, warning and alert in the
complaint's summary row, computed with the policy the history recorded.

The summary row and the timeliness evaluation are carried forward from one command to the next
(:class:`Derived`): a command derives them from the events it appends, not from the whole
history, so its cost does not grow with the complaint's length. Whenever nothing can be carried
(the first command a desk runs on a complaint, another writer's events, a new policy, an event
dated after the command's instant) they are derived from the whole history, as the reference
the property tests compare the carried ones with.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

import attrs

from iso10002.model.complaint import Complaint, ComplaintSummary, apply
from iso10002.model.events import Event, SlaPolicyApplied
from iso10002.model.facts import ComplaintFacts
from iso10002.model.values import Actor
from iso10002.sla._upcoming import Upcoming, upcoming
from iso10002.sla.engine import Evaluation, SlaReport, evaluate
from iso10002.sla.recorded import RecordedSla

__all__ = ["Derived", "derive", "reselect", "sla_report", "summary_of"]


@attrs.frozen
class Derived:
    """
    What a command derived besides the complaint's state, kept for the next command: the
    summary row it wrote, and the timeliness evaluation behind it (None without a policy, or
    when it could not be carried).
    """

    summary: ComplaintSummary
    evaluation: Evaluation | None = None


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
    if reapply and sla.record(policy) == applied:
        return complaint
    event = Event(
        complaint_id=complaint.id,
        seq=complaint.version + 1,
        occurred_at=now,
        actor=actor,
        state=complaint.state,
        # One payload object for every complaint put under this policy alike.
        payload=sla.payload(policy, reason),
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


def summary_of(
    complaint: Complaint,
    report: SlaReport | Upcoming | None,
    facts: ComplaintFacts | None = None,
) -> ComplaintSummary:
    """
    The projection row, with the next deadline, warning and alert of ``report`` (or of what a
    summary keeps of one); ``facts``, when given, are the monitoring facts already carried
    forward (else derived from the complaint).
    """
    if report is None:
        return ComplaintSummary.of(complaint, facts=facts)
    kept = report if isinstance(report, Upcoming) else Upcoming.of(report)
    return ComplaintSummary.of(
        complaint,
        sla_due_at=kept.due,
        sla_warning_at=kept.warning,
        sla_alert_at=kept.alert,
        sla_outcomes=kept.outcomes,
        facts=facts,
    )


def derive(
    sla: RecordedSla | None,
    previous: tuple[Complaint, Derived] | None,
    complaint: Complaint,
    *,
    new: Sequence[Event],
    history: Sequence[Event],
    now: _dt.datetime,
    report_wanted: bool = True,
) -> tuple[SlaReport | None, Derived]:
    """
    The timeliness report and the summary row of ``complaint`` after ``new``, as of ``now``:
    carried forward from ``previous`` (the complaint before ``new`` and what was derived for
    it) when there is one, else derived from ``history`` (the whole history, ``new``
    included, when the desk has policies).

    Without ``report_wanted`` the report is left out (``None``) whenever the evaluation is
    carried: the summary's timeliness fields are then carried over unchanged when ``new``
    feeds no metric, else read from the evaluation without a report (:func:`upcoming`).
    """
    report: SlaReport | None = None
    fields: Upcoming | None = None
    evaluation: Evaluation | None = None
    kept: ComplaintSummary | None = None
    if sla is not None and complaint.sla_policy is not None:
        carried = previous[1].evaluation if previous is not None else None
        if (
            carried is not None
            and carried.version + len(new) == complaint.version
            and not any(isinstance(e.payload, SlaPolicyApplied) for e in new)
        ):
            # The same recorded policy still governs: carry its evaluation forward.
            policy = carried.policy
            evaluation = carried.advanced(new)
            if not report_wanted and not carried.moves(new) and evaluation.covers(now):
                # The summary keeps the previous one's timeliness fields, which are exactly
                # what a report at ``now`` would give. The previous summary came from
                # ``carried.report(t)`` at an instant ``t`` it covers (``previous`` has an
                # evaluation only then). ``new`` fed no track and raised no alert (``moves``),
                # so the advanced evaluation holds the same tracks, alerts raised and
                # withdrawn/duplicate flag (changed only by withdrawals, closures and
                # reopenings, which every track takes; without tracks nothing is reported).
                # Such a report depends on its instant only through the open segment of a
                # running clock and the statuses, and none of what the summary keeps does:
                # - a deadline or warning instant placed in the open segment is
                #   ``add(segment start, amount - time used before it)`` whether the instant
                #   falls before or after it, so due and warning instants do not move;
                # - the status moves with the instant only among running, warning, breached
                #   and paused (a paused clock under an agreed date turns breached), all live
                #   and none cancelled; met and cancelled are decided by stops, closures and
                #   flags fed, and by time used in closed segments;
                # so the live metrics (next deadline and warning), the pending alerts (from
                # those instants and the alerts raised: the next alert) and the outcomes (due
                # and stop instants of the metrics not cancelled) are the same at ``t`` and at
                # ``now``. The statuses themselves are not in the summary: a query's warning
                # or breach bucket compares these stored instants with its own instant.
                assert previous is not None
                kept = previous[1].summary
                fields = Upcoming(
                    kept.sla_due_at, kept.sla_warning_at, kept.sla_alert_at, kept.facts.sla
                )
        else:
            found = sla.current(history) or sla.for_complaint(complaint)
            assert found is not None
            policy = found
            if len(history) == complaint.version:
                evaluation = Evaluation.of(history, policy)
        if kept is None and evaluation is not None and evaluation.covers(now):
            if report_wanted:
                report = evaluation.report(now)
            else:
                # Only what the summary keeps of the report: the same fields, without it.
                fields = upcoming(evaluation, now)
        elif kept is None:
            # An event dated after now (a receipt entered ahead of the clock) counts later.
            report = evaluate(history, policy, now, detail=False)
            evaluation = None
        if report is not None:
            fields = Upcoming.of(report)
    facts = None
    if previous is not None:
        before, derived = previous
        outcomes = fields.outcomes if fields is not None else ()
        facts = derived.summary.facts.advanced(before, complaint, outcomes)
    return report, Derived(summary_of(complaint, fields, facts), evaluation)
