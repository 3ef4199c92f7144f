"""
Management review (ISO 10002 8.6) and continual improvement (8.7).

An :class:`ImprovementAction` is a typed record of one thing the organisation will do, with an
owner, a due date and a status, linked to the audit criterion whose finding it answers. A
:class:`ReviewPack` gathers what top management reviews: the audit's findings, a few figures
from the store, the nonconformities, the improvement actions (open, overdue) and the
nonconformities no open action answers, arranged under the review inputs of 8.6.

Actions are kept as a JSON array of records (see :func:`actions_to_json`) read and written
through the library's one converter; a bad record is reported with its path (``$[2].due``).
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any

import attrs

from iso10002 import serialization
from iso10002.audit.findings import AuditReport, Finding, FindingStatus
from iso10002.audit.reports import (
    STATUS_LABELS,
    _badge,
    _e,
    _md,
    _md_code,
    _ordered_counts,
    _page,
)
from iso10002.audit.run import midnight_utc as _midnight
from iso10002.errors import SerializationError, ValidationError
from iso10002.model import _checks as check
from iso10002.model.complaint import Complaint
from iso10002.model.events import Event, SatisfactionRecorded, SurveyAnswered
from iso10002.model.values import Outcome
from iso10002.ports.store import ComplaintQuery, EventStore, iter_summaries

__all__ = [
    "KPI_LABELS",
    "ActionStatus",
    "ImprovementAction",
    "ReviewInput",
    "ReviewPack",
    "actions_from_json",
    "actions_to_json",
    "build_review_pack",
    "review_to_html",
    "review_to_markdown",
]

ACKNOWLEDGEMENT_CRITERION = "7.4-acknowledged-in-time"
"""The audit criterion whose conforming rate the pack reports as acknowledgements in time."""

NONCONFORMITIES = (FindingStatus.MAJOR_NONCONFORMITY, FindingStatus.MINOR_NONCONFORMITY)


class ActionStatus(str, Enum):
    """Where an improvement action stands."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        """Whether the action still has work to do (open or in progress)."""
        return self in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


def _action_status(value: object) -> object:
    if isinstance(value, str) and not isinstance(value, ActionStatus):
        for member in ActionStatus:
            if member.value == value:
                return member
    return value


def _date(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
        raise ValidationError(attribute.name, f"expected a date, got {value!r}")


@attrs.frozen(kw_only=True)
class ImprovementAction:
    """
    One continual-improvement action (8.7): what, who, by when, where it stands, and the audit
    criterion whose finding it answers.

    ``closed_on`` is given exactly when the action is done or cancelled, and neither it nor
    ``due`` may fall before ``opened_on``.
    """

    id: str = attrs.field(validator=check.text)
    title: str = attrs.field(validator=check.text)
    owner: str = attrs.field(validator=check.text)
    """The named person accountable for the action."""
    due: _dt.date = attrs.field(validator=_date)
    status: ActionStatus = attrs.field(
        converter=_action_status, validator=check.member_of(ActionStatus)
    )
    opened_on: _dt.date = attrs.field(validator=_date)
    finding: str | None = attrs.field(default=None, validator=check.optional_text)
    """The id of the audit criterion whose finding the action answers, if any."""
    closed_on: _dt.date | None = attrs.field(default=None, validator=check.optional_date)
    notes: str | None = attrs.field(default=None, validator=check.optional_text)

    def __attrs_post_init__(self) -> None:
        if self.due < self.opened_on:
            raise ValidationError("due", f"{self.due} is before opened_on {self.opened_on}")
        if self.status.is_open and self.closed_on is not None:
            raise ValidationError(
                "closed_on", f"an action that is {self.status.value} has no closing date"
            )
        if not self.status.is_open and self.closed_on is None:
            raise ValidationError(
                "closed_on", f"an action that is {self.status.value} needs its closing date"
            )
        if self.closed_on is not None and self.closed_on < self.opened_on:
            raise ValidationError(
                "closed_on", f"{self.closed_on} is before opened_on {self.opened_on}"
            )

    def overdue(self, on: _dt.date) -> bool:
        """Whether the action is still open after its due date, as of ``on``."""
        return self.status.is_open and self.due < on


def actions_to_json(actions: Iterable[ImprovementAction], *, indent: int | None = 2) -> str:
    """Improvement actions as a JSON array of records (dates as ``YYYY-MM-DD``)."""
    data = [serialization.unstructure(a) for a in actions]
    return json.dumps(data, indent=indent, ensure_ascii=False)


def actions_from_json(text: str | bytes) -> tuple[ImprovementAction, ...]:
    """
    Read improvement actions written by :func:`actions_to_json`.

    Raises:
        SerializationError: the text is not JSON, not an array, has unknown keys, or a value is
            bad; the message starts with the path of the bad value, e.g. ``$[1].closed_on``.
        ValidationError: two actions share an id (``field`` is ``id``).
    """
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as e:  # JSONDecodeError, UnicodeDecodeError, int digits
        raise SerializationError(f"$: not valid JSON: {e}") from e
    if not isinstance(data, list):
        raise SerializationError("$: expected a JSON array of improvement actions")
    actions = tuple(
        serialization.structure(item, ImprovementAction, path=f"$[{i}]")
        for i, item in enumerate(data)
    )
    seen: set[str] = set()
    for a in actions:
        if a.id in seen:
            raise ValidationError("id", f"two improvement actions have the id {a.id!r}")
        seen.add(a.id)
    return actions


# -- the pack -----------------------------------------------------------------------------------

KPI_LABELS: Mapping[str, str] = {
    "received": "Complaints received in the period",
    "closed": "Complaints closed in the period",
    "open_at_end": "Complaints open at the end of the period",
    "acknowledged_in_time": "Acknowledged within target",
    "upheld": "Decisions upholding the complaint (fully or partly)",
    "satisfaction": "Satisfaction with the handling",
}
"""The pack's figures, by key, with what each one counts; a figure that cannot be computed
(nothing to count) is left out of :attr:`ReviewPack.kpis`."""


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


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.1%} ({part} of {whole})"


def _kpis(store: EventStore, audit: AuditReport) -> dict[str, str]:
    """
    The pack's figures, from each complaint received before the period ends, replayed up to
    that end (later events do not change the past period): complaints received; closed in the
    period (any receipt date); open at its end (neither closed nor withdrawn); the share of
    decisions made in the period that upheld the complaint fully or partly; the mean
    satisfaction score recorded in the period; and the audit's conforming rate for
    acknowledgement within target.
    """
    start, end = _midnight(audit.period_from), _midnight(audit.period_to)
    received = closed = open_at_end = decisions = upheld = 0
    scores: list[tuple[int, int]] = []
    for summary in iter_summaries(store, ComplaintQuery(received_to=end)):
        events = [e for e in store.read(summary.id) if e.occurred_at < end]
        if not events:
            continue
        c = Complaint.replay(events)
        if c.received_at >= start:
            received += 1
        if c.closed_at is not None and start <= c.closed_at < end:
            closed += 1
        if c.closed_at is None and c.withdrawn_at is None:
            open_at_end += 1
        if c.decision is not None and c.decided_at is not None and c.decided_at >= start:
            decisions += 1
            upheld += c.decision.outcome in (Outcome.UPHELD, Outcome.PARTIALLY_UPHELD)
        scores += [
            score for e in events if e.occurred_at >= start and (score := _score(e)) is not None
        ]
    kpis = {"received": str(received), "closed": str(closed), "open_at_end": str(open_at_end)}
    try:
        ack = audit.finding(ACKNOWLEDGEMENT_CRITERION).evidence
    except KeyError:
        ack = None
    if ack is not None and ack.checked:
        kpis["acknowledged_in_time"] = _percent(ack.checked - len(ack.failed), ack.checked)
    if decisions:
        kpis["upheld"] = _percent(upheld, decisions)
    if scores:
        scales = {scale for _, scale in scores}
        if len(scales) == 1:
            mean = sum(s for s, _ in scores) / len(scores)
            kpis["satisfaction"] = f"{mean:.1f} of {scales.pop()} ({len(scores)} responses)"
        else:  # different scales: each score as a share of its scale's top
            share = sum(s / scale for s, scale in scores) / len(scores)
            kpis["satisfaction"] = f"{share:.0%} of the top score ({len(scores)} responses)"
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
        f"{f.criterion}: {f.evidence.rate:.1%} of {f.evidence.checked} conforming"
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


def _score(e: Event) -> tuple[int, int] | None:
    """A satisfaction score and its scale: recorded alone, or a survey's overall question."""
    p = e.payload
    if isinstance(p, SatisfactionRecorded):
        return p.score, p.scale
    if isinstance(p, SurveyAnswered) and p.satisfaction_score is not None:
        assert p.satisfaction_scale is not None  # the event holds both or neither
        return p.satisfaction_score, p.satisfaction_scale
    return None


def build_review_pack(
    store: EventStore,
    audit: AuditReport,
    actions: Iterable[ImprovementAction],
    *,
    on: _dt.date,
) -> ReviewPack:
    """
    The management review pack for ``audit``'s period, as of the day ``on``: the audit, the
    figures from ``store`` (see :data:`KPI_LABELS`), the nonconformities, the improvement
    actions with those open and overdue on ``on``, and the nonconformities no open action
    answers, under the inputs of 8.6.

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
    kpis = _kpis(store, audit)
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
        "",
        "## Figures",
        "",
        "| Figure | Value |",
        "|---|---|",
        *(f"| {KPI_LABELS[k]} | {_md(v)} |" for k, v in pack.kpis.items()),
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
        "</dl>",
        "</header>",
        "<h2>Figures</h2>",
        f"<table><tbody>{kpis}</tbody></table>",
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
