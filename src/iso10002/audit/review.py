"""
Management review (ISO 10002 8.6) and continual improvement (8.7).

An :class:`~iso10002.audit.actions.ImprovementAction` (in :mod:`iso10002.audit.actions`) is
one thing the organisation will do, linked to the audit criterion whose finding it answers. A
:class:`ReviewPack` gathers what top management reviews: the audit's findings, a few figures
from the store, the nonconformities, the improvement actions (open, overdue) and the
nonconformities no open action answers, arranged under the review inputs of 8.6.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from iso10002 import serialization
from iso10002.audit.actions import (
    ActionStatus,
    ImprovementAction,
    actions_from_json,
    actions_to_json,
)
from iso10002.audit.findings import AuditReport, Finding, FindingStatus
from iso10002.audit.reports import (
    STATUS_LABELS,
    _badge,
    _e,
    _md,
    _md_code,
    _ordered_counts,
    _page,
    _provenance,
    report_to_dict,
)
from iso10002.audit.run import midnight_utc as _midnight
from iso10002.errors import ValidationError
from iso10002.model.complaint import Complaint
from iso10002.monitoring.kpis import RULES as KPI_RULES
from iso10002.monitoring.kpis import kpis_from_complaints
from iso10002.monitoring.report import KpiReport, Rate
from iso10002.ports.store import ComplaintQuery, EventStore, iter_summaries

__all__ = [
    "FIGURE_RULE",
    "KPI_LABELS",
    "REVIEW_FORMAT",
    "ActionStatus",
    "ImprovementAction",
    "ReviewInput",
    "ReviewPack",
    "actions_from_json",
    "actions_to_json",
    "build_review_pack",
    "review_to_dict",
    "review_to_html",
    "review_to_json",
    "review_to_markdown",
]

REVIEW_FORMAT = "iso10002-review/1"
"""Identifies the JSON layout of a review pack; bumped only by an incompatible change."""

ACKNOWLEDGEMENT_CRITERION = "7.4-acknowledged-in-time"
"""The audit criterion whose conforming rate the pack reports as acknowledgements in time."""

NONCONFORMITIES = (FindingStatus.MAJOR_NONCONFORMITY, FindingStatus.MINOR_NONCONFORMITY)


# -- the pack -----------------------------------------------------------------------------------

KPI_LABELS: Mapping[str, str] = {
    "received": "Complaints received in the period (duplicates apart)",
    "closed": "Complaints closed in the period (withdrawn and duplicates apart)",
    "open_at_end": "Complaints open at the end of the period",
    "acknowledged_in_time": "Acknowledged within target (audit criterion 7.4)",
    "upheld": "Upheld rate: decisions on closed complaints upholding them, fully or partly",
    "first_contact_resolution": "Resolved at first contact, of the closed complaints",
    "satisfaction": "Satisfaction with the handling (average score, as a share of the scale)",
}
"""The pack's figures, by key, with what each one counts; a figure that cannot be computed
(nothing to count) is left out of :attr:`ReviewPack.kpis`, one the data cannot support says
``not measured`` and why."""

FIGURE_RULE = (
    "The figures are counted by the KPI report's rules (listed below; the monitoring guide "
    "explains them) on each complaint's history up to the end of the period, except the "
    "acknowledgements, which are the audit's criterion 7.4-acknowledged-in-time. A KPI report "
    "of the same period made later also counts what happened after the period ended (a "
    "reopening, a late survey answer), and differs from these figures by that alone."
)
"""How the pack's figures relate to the KPI report's, as the pack states it."""


@attrs.frozen(kw_only=True)
class ReviewInput:
    """One input to the management review (8.6): a heading and the lines of evidence under it."""

    heading: str
    lines: tuple[str, ...]


@attrs.frozen(kw_only=True)
class ReviewPack:
    """What top management reviews (8.6) for one period, built by :func:`build_review_pack`."""

    organisation: str | None
    period_from: _dt.date
    period_to: _dt.date
    """Exclusive, as in the audit."""
    prepared_on: _dt.date
    audit: AuditReport
    kpis: Mapping[str, str] = attrs.field(hash=False)
    """Figures from the store, keyed as in :data:`KPI_LABELS`, as display text."""
    nonconformities: tuple[Finding, ...]
    """The audit's major and minor nonconformities, majors first."""
    actions: tuple[ImprovementAction, ...]
    open_actions: tuple[ImprovementAction, ...]
    overdue_actions: tuple[ImprovementAction, ...]
    findings_without_action: tuple[str, ...]
    """Criterion ids of nonconformities that no open action answers."""
    inputs: tuple[ReviewInput, ...]
    rules: tuple[str, ...] = (FIGURE_RULE, *KPI_RULES)
    """How the figures are counted: how they relate to the KPI report, then its rules."""


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.1%} ({part} of {whole})"


def _as_of_end(
    store: EventStore, end: _dt.datetime, organisation: str | None
) -> Iterator[Complaint]:
    """Each complaint received before ``end`` (of ``organisation``), replayed up to then."""
    query = ComplaintQuery(received_to=end, organisation=organisation)
    for summary in iter_summaries(store, query):
        events = [e for e in store.read(summary.id) if e.occurred_at < end]
        if events:
            yield Complaint.replay(events)


def _rate(r: Rate, of: str) -> str | None:
    return None if r.value is None else f"{r.value:.1%} ({r.numerator} of {r.denominator} {of})"


def _figures(report: KpiReport, audit: AuditReport) -> dict[str, str]:
    """The pack's figures in words, from a KPI report of its period (see :data:`FIGURE_RULE`)."""
    v = report.volume
    kpis = {"received": str(v.received), "closed": str(v.closed), "open_at_end": str(v.open_at_end)}
    try:
        ack = audit.finding(ACKNOWLEDGEMENT_CRITERION).evidence
    except KeyError:
        ack = None
    if ack is not None and ack.checked:
        kpis["acknowledged_in_time"] = _percent(ack.checked - len(ack.failed), ack.checked)
    upheld = _rate(report.outcomes.upheld_rate, "decided")
    if upheld is not None:
        kpis["upheld"] = upheld
    rates = report.rates
    unmeasured = rates.first_contact_not_measured
    first = _rate(rates.first_contact_resolution, "closed with timed records")
    if first is not None:
        kpis["first_contact_resolution"] = first + (
            f"; not measured for {unmeasured} imported with dates only" if unmeasured else ""
        )
    elif unmeasured:
        kpis["first_contact_resolution"] = (
            f"not measured: all {unmeasured} closed complaints were imported with dates only, "
            "so 24 hours from receipt cannot be told"
        )
    s = report.satisfaction
    if s.mean_percent is not None:
        kpis["satisfaction"] = f"{s.mean_percent:.1f}% of the scale ({s.responses} responses)"
    return kpis


def _action_line(a: ImprovementAction, on: _dt.date) -> str:
    late = f", overdue since {a.due}" if a.overdue(on) else f", due {a.due}"
    answers = f", answers {a.finding}" if a.finding else ""
    return f"{a.id} {a.title} ({a.owner}, {a.status.value.replace('_', ' ')}{late}{answers})"


def _inputs(
    *,
    audit: AuditReport,
    kpis: Mapping[str, str],
    nonconformities: tuple[Finding, ...],
    actions: tuple[ImprovementAction, ...],
    without_action: tuple[str, ...],
    on: _dt.date,
) -> tuple[ReviewInput, ...]:
    counts = audit.counts()
    failing_rates = [
        f"{f.criterion}: {f.evidence.rate:.1%} of {f.evidence.checked} {f.evidence.unit} conforming"
        for f in audit.findings
        if f.evidence.rate is not None and f.evidence.failed
    ]
    performance = [f"{KPI_LABELS[k]}: {v}" for k, v in kpis.items()]
    audit_lines = [f"{STATUS_LABELS[s]}: {counts[s]}" for s in STATUS_LABELS if counts[s]] or [
        "The audit has no findings."
    ]
    majors = [
        f"{f.criterion} (clause {f.clause}): {f.summary}"
        for f in nonconformities
        if f.status is FindingStatus.MAJOR_NONCONFORMITY
    ]
    satisfaction = []
    if "satisfaction" in kpis:
        satisfaction.append(f"{KPI_LABELS['satisfaction']}: {kpis['satisfaction']}")
    for f in audit.findings:
        if f.clause == "8.3":
            satisfaction.append(f"{f.criterion}: {STATUS_LABELS[f.status]}. {f.summary}")
    done = [a for a in actions if a.status is ActionStatus.DONE]
    action_lines = [
        (
            f"Open: {sum(a.status.is_open for a in actions)}; overdue: "
            f"{sum(a.overdue(on) for a in actions)}; done: {len(done)}; cancelled: "
            f"{sum(a.status is ActionStatus.CANCELLED for a in actions)}"
        ),
        *(_action_line(a, on) for a in actions if a.status.is_open),
    ]
    recommendations = [f"Open an improvement action for {c}." for c in without_action]
    recommendations += [
        f"Follow up {a.id} ({a.owner}), overdue since {a.due}." for a in actions if a.overdue(on)
    ]
    awaiting = [
        f.criterion for f in audit.findings if f.status is FindingStatus.AWAITING_ATTESTATION
    ]
    if awaiting:
        recommendations.append(f"Obtain attestations for {', '.join(awaiting)}.")
    return (
        ReviewInput(
            heading="Suitability, adequacy, effectiveness and efficiency of the process",
            lines=(*performance, *failing_rates),
        ),
        ReviewInput(heading="Results of the audit (8.5)", lines=tuple(audit_lines)),
        ReviewInput(
            heading="Nonconformities with legal, regulatory and customer requirements",
            lines=tuple(majors) or ("No major nonconformity.",),
        ),
        ReviewInput(
            heading="Complainants' satisfaction with the handling (8.3)",
            lines=tuple(satisfaction) or ("Not measured in the period.",),
        ),
        ReviewInput(
            heading="Status of improvement actions (8.7)",
            lines=tuple(action_lines),
        ),
        ReviewInput(
            heading="Changes in external and internal factors",
            lines=(
                f"Programme version: {audit.programme_version or 'no programme configuration'}.",
                (
                    "Changes in law, regulation, organisation and resources are stated by the "
                    "reviewers; the records do not show them."
                ),
            ),
        ),
        ReviewInput(
            heading="Recommendations for improvement",
            lines=tuple(recommendations) or ("None arising from the records.",),
        ),
    )


def build_review_pack(
    store: EventStore,
    audit: AuditReport,
    actions: Iterable[ImprovementAction],
    *,
    on: _dt.date,
    organisation: str | None = None,
) -> ReviewPack:
    """
    The management review pack for ``audit``'s period, as of the day ``on``: the audit, the
    figures from ``store`` (see :data:`KPI_LABELS`; counted by the KPI report's rules on the
    histories up to the period's end, :data:`FIGURE_RULE`), the nonconformities, the improvement
    actions with those open and overdue on ``on``, and the nonconformities no open action
    answers, under the inputs of 8.6. ``organisation`` counts the figures over that
    organisation's (tenant's) complaints only: give the audit taken for it.

    Raises:
        ValidationError: ``on`` is not a date (field ``on``), or two actions share an id.
    """
    if not isinstance(on, _dt.date) or isinstance(on, _dt.datetime):
        raise ValidationError("on", f"expected a date, got {on!r}")
    actions = tuple(actions)
    seen: set[str] = set()
    for a in actions:
        if a.id in seen:
            raise ValidationError("id", f"two improvement actions have the id {a.id!r}")
        seen.add(a.id)
    rank = {FindingStatus.MAJOR_NONCONFORMITY: 0, FindingStatus.MINOR_NONCONFORMITY: 1}
    nonconformities = tuple(
        sorted((f for f in audit.findings if f.status in rank), key=lambda f: rank[f.status])
    )
    open_actions = tuple(a for a in actions if a.status.is_open)
    answered = {a.finding for a in open_actions}
    without_action = tuple(f.criterion for f in nonconformities if f.criterion not in answered)
    start, end = _midnight(audit.period_from), _midnight(audit.period_to)
    report = kpis_from_complaints(
        _as_of_end(store, end, organisation), start=start, end=end, generated_at=audit.generated_at
    )
    kpis = _figures(report, audit)
    return ReviewPack(
        organisation=audit.organisation,
        period_from=audit.period_from,
        period_to=audit.period_to,
        prepared_on=on,
        audit=audit,
        kpis=kpis,
        nonconformities=nonconformities,
        actions=actions,
        open_actions=open_actions,
        overdue_actions=tuple(a for a in actions if a.overdue(on)),
        findings_without_action=without_action,
        inputs=_inputs(
            audit=audit,
            kpis=kpis,
            nonconformities=nonconformities,
            actions=actions,
            without_action=without_action,
            on=on,
        ),
    )


# -- rendering ----------------------------------------------------------------------------------


def _title(pack: ReviewPack) -> str:
    return f"Management review: {pack.organisation or 'unnamed organisation'}"


def _period(pack: ReviewPack) -> str:
    return f"{pack.period_from.isoformat()} to {pack.period_to.isoformat()} (exclusive)"


def _action_cells(a: ImprovementAction, on: _dt.date) -> list[str]:
    return [
        a.id,
        a.title,
        a.owner,
        a.status.value.replace("_", " ") + (" (overdue)" if a.overdue(on) else ""),
        a.due.isoformat(),
        a.finding or "-",
    ]


_ACTION_HEADERS = ["Action", "Title", "Owner", "Status", "Due", "Answers"]


def review_to_markdown(pack: ReviewPack) -> str:
    """
    The pack as Markdown: figures, the review inputs of 8.6 with their evidence, the
    nonconformities, the improvement actions, and the nonconformities without an action.
    """
    lines = [
        f"# {_md(_title(pack))}",
        "",
        f"- Period: {_period(pack)}",
        f"- Prepared on: {pack.prepared_on.isoformat()}",
        f"- Audit generated at: {pack.audit.generated_at.isoformat()}",
        # What the figures rest on, as the audit report says it.
        *(f"- {label}: {_md(value)}" for label, value in _provenance(pack.audit)),
        "",
        "## Figures",
        "",
        "| Figure | Value |",
        "|---|---|",
        *(f"| {KPI_LABELS[k]} | {_md(v)} |" for k, v in pack.kpis.items()),
        "",
        "### How the figures are counted",
        "",
        *(f"- {_md(rule)}" for rule in pack.rules),
        "",
        "## Review inputs (8.6)",
        "",
    ]
    for item in pack.inputs:
        lines += [f"### {_md(item.heading)}", "", *(f"- {_md(line)}" for line in item.lines), ""]
    lines += ["## Audit findings", "", "| Status | Findings |", "|---|---:|"]
    lines += [f"| {STATUS_LABELS[s]} | {n} |" for s, n in _ordered_counts(pack.audit)]
    lines += ["", "## Nonconformities", ""]
    if pack.nonconformities:
        lines += [
            f"- {_md_code(f.criterion)} (clause {_md(f.clause)}, {STATUS_LABELS[f.status]}): "
            f"{_md(f.summary)}"
            for f in pack.nonconformities
        ]
    else:
        lines.append("None.")
    lines += ["", "## Improvement actions (8.7)", ""]
    if pack.actions:
        lines += ["| " + " | ".join(_ACTION_HEADERS) + " |", "|---|---|---|---|---|---|"]
        lines += [
            "| " + " | ".join(_md(cell) for cell in _action_cells(a, pack.prepared_on)) + " |"
            for a in pack.actions
        ]
    else:
        lines.append("No improvement action recorded.")
    lines += ["", "## Nonconformities without an open action", ""]
    if pack.findings_without_action:
        lines += [f"- {_md_code(c)}" for c in pack.findings_without_action]
    else:
        lines.append("None: every nonconformity has an open action.")
    return "\n".join(lines) + "\n"


def review_to_html(pack: ReviewPack) -> str:
    """The pack as one self-contained, printable HTML page (inline styles, no scripts)."""
    kpis = "".join(
        f"<tr><th>{_e(KPI_LABELS[k])}</th><td>{_e(v)}</td></tr>" for k, v in pack.kpis.items()
    )
    inputs = "".join(
        f"<h3>{_e(item.heading)}</h3><ul>"
        + "".join(f"<li>{_e(line)}</li>" for line in item.lines)
        + "</ul>"
        for item in pack.inputs
    )
    counts = "".join(
        f'<tr><td>{_badge(s)}</td><td class="n">{n}</td></tr>'
        for s, n in _ordered_counts(pack.audit)
    )
    if pack.nonconformities:
        nonconformities = (
            "<table><thead><tr><th>Criterion</th><th>Clause</th><th>Status</th><th>Summary</th>"
            "</tr></thead><tbody>"
            + "".join(
                f"<tr><td><code>{_e(f.criterion)}</code></td><td>{_e(f.clause)}</td>"
                f"<td>{_badge(f.status)}</td><td>{_e(f.summary)}</td></tr>"
                for f in pack.nonconformities
            )
            + "</tbody></table>"
        )
    else:
        nonconformities = "<p>None.</p>"
    if pack.actions:
        head = "".join(f"<th>{h}</th>" for h in _ACTION_HEADERS)
        rows = "".join(
            "<tr>"
            + "".join(f"<td>{_e(c)}</td>" for c in _action_cells(a, pack.prepared_on))
            + "</tr>"
            for a in pack.actions
        )
        actions = f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    else:
        actions = "<p>No improvement action recorded.</p>"
    if pack.findings_without_action:
        without = (
            "<ul>"
            + "".join(f"<li><code>{_e(c)}</code></li>" for c in pack.findings_without_action)
            + "</ul>"
        )
    else:
        without = "<p>None: every nonconformity has an open action.</p>"
    body = [
        "<header>",
        f"<h1>{_e(_title(pack))}</h1>",
        '<dl class="meta">',
        f"<dt>Period</dt><dd>{_e(_period(pack))}</dd>",
        f"<dt>Prepared on</dt><dd>{_e(pack.prepared_on.isoformat())}</dd>",
        f"<dt>Audit generated at</dt><dd>{_e(pack.audit.generated_at.isoformat())}</dd>",
        *(f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>" for label, value in _provenance(pack.audit)),
        "</dl>",
        "</header>",
        "<h2>Figures</h2>",
        f"<table><tbody>{kpis}</tbody></table>",
        "<h3>How the figures are counted</h3>",
        "<ul>" + "".join(f"<li>{_e(rule)}</li>" for rule in pack.rules) + "</ul>",
        "<h2>Review inputs (8.6)</h2>",
        inputs,
        "<h2>Audit findings</h2>",
        (
            '<table class="counts"><thead><tr><th>Status</th><th>Findings</th></tr></thead>'
            f"<tbody>{counts}</tbody></table>"
        ),
        "<h2>Nonconformities</h2>",
        nonconformities,
        "<h2>Improvement actions (8.7)</h2>",
        actions,
        "<h2>Nonconformities without an open action</h2>",
        without,
    ]
    return _page(_title(pack), body)


def review_to_dict(pack: ReviewPack) -> dict[str, Any]:
    """
    The pack as plain data (the layout :data:`REVIEW_FORMAT`): the figures with their labels
    and counting rules, the review inputs, the nonconformities, the improvement actions and
    the audit it rests on (as :func:`~iso10002.audit.report_to_dict` gives it).
    """
    return {
        "format": REVIEW_FORMAT,
        "organisation": pack.organisation,
        "period_from": pack.period_from.isoformat(),
        "period_to": pack.period_to.isoformat(),
        "prepared_on": pack.prepared_on.isoformat(),
        "figures": [{"key": k, "label": KPI_LABELS[k], "value": v} for k, v in pack.kpis.items()],
        "rules": list(pack.rules),
        "inputs": [{"heading": i.heading, "lines": list(i.lines)} for i in pack.inputs],
        "nonconformities": [f.criterion for f in pack.nonconformities],
        "actions": [serialization.unstructure(a) for a in pack.actions],
        "open_actions": [a.id for a in pack.open_actions],
        "overdue_actions": [a.id for a in pack.overdue_actions],
        "findings_without_action": list(pack.findings_without_action),
        "audit": report_to_dict(pack.audit),
    }


def review_to_json(pack: ReviewPack, *, indent: int | None = 2) -> str:
    """The pack as JSON text (see :func:`review_to_dict`)."""
    return serialization.pretty_json(review_to_dict(pack), indent=indent)
