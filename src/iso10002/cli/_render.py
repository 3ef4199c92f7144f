"""
Text output of the command line: a complaint, its history, a page of summaries, the workflow
and the demo's summary. Each function returns the text; the caller prints it.

Times are shown in UTC to the minute. Text output is plain ASCII apart from what people wrote
(names, descriptions), so that it survives any terminal or log file.
"""

from __future__ import annotations

import datetime as _dt
import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal

from typing_extensions import assert_never

from iso10002 import (
    ERASED,
    Acknowledged,
    Actor,
    Assessed,
    Assigned,
    Channel,
    Classified,
    Closed,
    CommunicationRecorded,
    Complaint,
    ComplaintReceived,
    DecisionCommunicated,
    DecisionMade,
    Event,
    EventPayload,
    InternalReviewRequested,
    InvestigationStarted,
    NoteAdded,
    Outcome,
    Page,
    Priority,
    ReactionRecorded,
    ReferredExternally,
    Remedy,
    Reopened,
    RootCauseRecorded,
    SatisfactionRecorded,
    State,
    StepRecorded,
    ValidationError,
    Withdrawn,
    Workflow,
)
from iso10002.model.events import (
    DeadlineExtended,
    DecisionCarriedOut,
    HoldEnded,
    HoldStarted,
    LegalHoldPlaced,
    LegalHoldReleased,
    PersonalDataErased,
    SlaAlertRaised,
    SlaPolicyApplied,
    SurveyAnswered,
    WorkflowApplied,
)
from iso10002.model.values import exact_sum
from iso10002.simulation import DemoResult

__all__ = ["complaint", "demo_summary", "history", "page", "workflow"]

LABEL = 18
"""Width of the labels in key-value blocks."""
WIDTH = 100
DETAIL = 72
"""Longest event detail shown in a history line."""


def _when(value: _dt.datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M")


def _actor(actor: Actor | None) -> str:
    if actor is None:
        return "-"
    if actor.name:
        return f"{actor.name} ({actor.id}, {_words(actor.role.value)})"
    return f"{actor.id} ({_words(actor.role.value)})"


def _words(value: str) -> str:
    """An enum value as words: ``partially_upheld`` -> ``partially upheld``."""
    return value.replace("_", " ")


_CHANNEL_PHRASES = {
    Channel.IN_PERSON: "in person",
    Channel.SOCIAL_MEDIA: "on social media",
    Channel.REFERRAL: "by referral",
}


def _by(channel: Channel) -> str:
    """How something came or went: ``by email``, ``in person``, ``on social media``."""
    return _CHANNEL_PHRASES.get(channel) or f"by {_words(channel.value)}"


def _short(text: str, width: int = DETAIL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


def _field(label: str, value: str) -> str:
    """``label`` then ``value``, continuation lines indented under the value."""
    return textwrap.fill(
        value,
        width=WIDTH,
        initial_indent=f"{label:<{LABEL}}",
        subsequent_indent=" " * LABEL,
        break_on_hyphens=False,
    )


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """Left-aligned columns two spaces apart; the last column is not padded."""
    rows = [list(r) for r in rows]
    widths = [max(len(str(r[i])) for r in (headers, *rows)) for i in range(len(headers))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=False)) + "  " + row[-1]
        for row in (list(headers), *rows)
    ]


def _remedy(remedy: Remedy) -> str:
    text = _words(remedy.kind.value)
    if remedy.amount is not None:
        text += f" {remedy.amount.currency} {remedy.amount.amount}"
    if remedy.description:
        text += f" ({remedy.description})"
    return text


# -- show -------------------------------------------------------------------------------------


def _state(c: Complaint) -> str:
    if c.closure_reason is not None:
        detail = _words(c.closure_reason.value)
        if c.duplicate_of:
            detail += f" of {c.duplicate_of}"
        return f"{c.state} ({detail})"
    if c.state == State.REFERRED and c.referred_to:
        return f"{c.state} (to the {c.referred_to})"
    return c.state


def _priority(c: Complaint) -> str:
    if c.priority is None or c.assessment is None:
        return "- (not assessed yet)"
    a = c.assessment
    facts = [f"severity {a.severity.value}", f"impact {a.impact.value}", a.complexity.value]
    if a.safety_implication:
        facts.insert(0, "safety implication")
    return f"{c.priority.value} ({', '.join(facts)})"


def complaint(c: Complaint) -> str:
    """One complaint as it stands, in labelled lines."""
    lines = [
        _field("Reference", c.reference),
        _field("State", _state(c) + _reopened(c)),
        _field("Channel", _words(c.channel.value)),
        _field("Priority", _priority(c)),
        _field("Category", c.classification.path if c.classification else "-"),
        _field("Assignee", _actor(c.assignee)),
    ]
    who = c.complainant.name
    if c.complainant.organization:
        who += f", {c.complainant.organization}"
    if c.complainant.representative is not None:
        rep = c.complainant.representative
        who += f" (represented by {rep.name}"
        who += f", {rep.relationship})" if rep.relationship else ")"
    lines.append(_field("Complainant", who))
    if c.product is not None:
        product = c.product.name + (f" ({c.product.reference})" if c.product.reference else "")
        lines.append(_field("Product", product))
    lines.append(_field("Description", c.description))
    if c.remedy_requested:
        lines.append(_field("Remedy asked", c.remedy_requested))
    if c.decision is None:
        lines.append(_field("Decision", "-"))
    else:
        d = c.decision
        lines.append(_field("Decision", f"{_words(d.outcome.value)}: {d.reasons}"))
        if d.remedies:
            lines.append(_field("Remedies", "; ".join(_remedy(r) for r in d.remedies)))
    if c.reaction is not None:
        lines.append(_field("Reaction", f"complainant {c.reaction.value}"))
    if c.internal_reviews:
        lines.append(_field("Reviews", f"{c.internal_reviews} internal review(s)"))
    if c.satisfaction is not None:
        s = c.satisfaction
        lines.append(_field("Satisfaction", f"{s.score} / {s.scale}"))
    lines.append(_field("Events", str(c.version)))
    lines.append("")
    lines.append("Dates (UTC)")
    dates = [
        ("received", c.received_at),
        ("recorded", c.recorded_at),
        ("acknowledged", c.acknowledged_at),
        ("assessed", c.assessed_at),
        ("investigating", c.investigation_started_at),
        ("decided", c.decided_at),
        ("communicated", c.decision_communicated_at),
        ("reaction", c.reaction_at),
        ("referred", c.referred_at),
        ("closed", c.closed_at),
        ("withdrawn", c.withdrawn_at),
    ]
    lines.extend(f"  {label:<{LABEL - 2}}{_when(at)}" for label, at in dates if at is not None)
    return "\n".join(lines)


def _reopened(c: Complaint) -> str:
    if not c.reopen_count:
        return ""
    return f", reopened {c.reopen_count} time" + ("s" if c.reopen_count > 1 else "")


# -- history ----------------------------------------------------------------------------------


def _detail(p: EventPayload) -> str:  # noqa: PLR0912 - one case per payload type
    """What an event says, in a few words."""
    if isinstance(p, ComplaintReceived):
        return f"{_by(p.channel)}: {p.description}"
    if isinstance(p, Acknowledged):
        return _by(p.channel)
    if isinstance(p, Assessed):
        a = p.assessment
        safety = ", safety implication" if a.safety_implication else ""
        return f"priority {p.priority.value} (severity {a.severity.value}{safety})"
    if isinstance(p, Classified):
        return p.classification.path
    if isinstance(p, Assigned):
        return f"to {p.assignee.id} ({p.assignee.role.value})"
    if isinstance(p, InvestigationStarted):
        return p.plan or ""
    if isinstance(p, NoteAdded):
        return ("" if p.internal else "customer-visible: ") + p.text
    if isinstance(p, RootCauseRecorded):
        return p.root_cause.cause
    if isinstance(p, DecisionMade):
        remedies = ", ".join(_remedy(r).split(" (")[0] for r in p.decision.remedies)
        return _words(p.decision.outcome.value) + (f": {remedies}" if remedies else "")
    if isinstance(p, DecisionCommunicated):
        recourse = "recourse explained" if p.recourse_explained else "recourse not explained"
        return f"{_by(p.channel)}, {recourse}"
    if isinstance(p, CommunicationRecorded):
        m = p.communication
        return (
            f"{m.direction.value} {_words(m.kind.value)} by {_words(m.channel.value)}: {m.summary}"
        )
    if isinstance(p, DecisionCarriedOut):
        return p.summary
    if isinstance(p, ReactionRecorded):
        return f"complainant {p.reaction.value}" + (f": {p.comment}" if p.comment else "")
    if isinstance(p, InternalReviewRequested):
        return p.reason
    if isinstance(p, ReferredExternally):
        return p.body + (f" ({p.external_reference})" if p.external_reference else "")
    if isinstance(p, Closed):
        text = _words(p.reason.value)
        if p.duplicate_of:
            text += f" of {p.duplicate_of}"
        return text + (f": {p.note}" if p.note else "")
    if isinstance(p, Withdrawn):
        return p.reason or ""
    if isinstance(p, Reopened):
        return p.reason
    if isinstance(p, SatisfactionRecorded):
        return f"{p.score} / {p.scale}" + (f": {p.comment}" if p.comment else "")
    if isinstance(p, SurveyAnswered):
        answers = ", ".join(f"{q} {a}" for q, a in p.answers.items())
        return f"{p.survey} v{p.survey_version}: {answers}" + (
            f"; {p.comment}" if p.comment else ""
        )
    if isinstance(p, StepRecorded):
        return _step(p)
    if isinstance(p, (LegalHoldPlaced, LegalHoldReleased)):
        return p.reason
    if isinstance(p, PersonalDataErased):
        request = f" ({p.request})" if p.request else ""
        return f"{p.values} personal values: {p.reason}{request}"
    return _timeliness_detail(p)


def _step(p: StepRecorded) -> str:
    """A custom step: its name, the closure it made if it closed, its data and its note."""
    text = f"step {p.command}"
    if p.closure_reason is not None:
        closed = _words(p.closure_reason.value)
        if p.duplicate_of:
            closed += f" of {p.duplicate_of}"
        text += f" closed it ({closed})"
    try:
        fields = p.data_fields
    except ValidationError:
        fields = None
        text += " (data unreadable)"
    if p.data == ERASED:
        text += " (data erased)"
    elif fields:
        text += " {" + ", ".join(f"{k}: {_value(v)}" for k, v in fields.items()) + "}"
    if p.note:
        text += f": {p.note}"
    return text


def _value(v: object) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    return "-" if v is None else str(v)


def _timeliness_detail(
    p: HoldStarted
    | HoldEnded
    | DeadlineExtended
    | SlaPolicyApplied
    | WorkflowApplied
    | SlaAlertRaised,
) -> str:
    if isinstance(p, HoldStarted):
        return p.reason
    if isinstance(p, HoldEnded):
        return p.note or ""
    if isinstance(p, DeadlineExtended):
        until = f" to {_when(p.until)}" if p.until else ""
        return f"{p.metric}: {_words(p.kind.value)}{until}: {p.reason}"
    if isinstance(p, SlaPolicyApplied):
        return f"{p.policy} v{p.version} ({p.reason})"
    if isinstance(p, SlaAlertRaised):
        return f"{p.metric} {p.level.value} at {p.percent}%, due {_when(p.due_at)}"
    if isinstance(p, WorkflowApplied):
        return f"workflow {p.workflow} ({p.configuration[:19]}) re-applied"
    assert_never(p)


def history(events: Sequence[Event]) -> str:
    """A complaint's events, one line each, oldest first."""
    rows = [
        (
            str(e.seq).rjust(3),
            _when(e.occurred_at),
            f"{e.actor.id} ({e.actor.role.value})",
            e.type,
            e.state,
            _short(_detail(e.payload)),
        )
        for e in events
    ]
    head = ("SEQ", "TIME (UTC)", "ACTOR", "EVENT", "STATE", "DETAIL")
    table = _table(head, rows)
    reference = (
        events[0].payload.reference if isinstance(events[0].payload, ComplaintReceived) else ""
    )
    title = f"{reference}: {len(events)} event" + ("s" if len(events) != 1 else "")
    return "\n".join([title, "", *(line.rstrip() for line in table)])


# -- list -------------------------------------------------------------------------------------


def page(result: Page, next_command: str | None) -> str:
    """A page of summaries as a table, with the count and how to get the next page."""
    if result.total == 0:
        return "No complaints match."
    if not result.items:
        return f"No complaints on this page: offset {result.offset}, {result.total} match."
    rows = [
        (
            s.reference,
            _when(s.received_at),
            s.state,
            s.priority.value if s.priority else "-",
            s.channel.value,
            _short(s.category or "-", 32),
            s.assignee or "-",
        )
        for s in result.items
    ]
    head = ("REFERENCE", "RECEIVED (UTC)", "STATE", "PRIORITY", "CHANNEL", "CATEGORY", "ASSIGNEE")
    first, last = result.offset + 1, result.offset + len(result.items)
    lines = [line.rstrip() for line in _table(head, rows)]
    noun = "complaint" if result.total == 1 else "complaints"
    lines.append("")
    lines.append(f"{first}-{last} of {result.total} {noun}, newest first.")
    if next_command is not None:
        lines.append(f"Next page: {next_command}")
    return "\n".join(lines)


# -- workflow ---------------------------------------------------------------------------------


def workflow(wf: Workflow) -> str:
    """The workflow's states and commands as text."""
    open_states = {s.name for s in wf.states if not s.closed}
    every = {s.name for s in wf.states}
    lines = [f"Workflow {wf.name}: a complaint starts in state {wf.initial!r}.", "", "States"]
    width = max(len(s.name) for s in wf.states) + 2
    for s in wf.states:
        mark = " [closed]" if s.closed else ""
        lines.append(f"  {s.name:<{width}}{s.description}{mark}")
    lines += ["", "Commands"]
    width = max(len(t.command) for t in wf.transitions) + 2
    for t in wf.transitions:
        sources = set(t.sources)
        if sources == every:
            where = "any state"
        elif sources == open_states:
            where = "any open state"
        else:
            where = ", ".join(t.sources)
        move = f"{where} -> {t.target}" if t.target else f"{where} (state unchanged)"
        guards = f"  [{', '.join(g.name for g in t.guards)}]" if t.guards else ""
        lines.append(f"  {t.command:<{width}}{move}{guards}")
    return "\n".join(lines)


# -- demo -------------------------------------------------------------------------------------


def _breakdown(title: str, counts: Counter[str], order: Sequence[str], total: int) -> list[str]:
    lines = [title]
    for key in order:
        if counts[key]:
            lines.append(f"  {key:<{LABEL}}{counts[key]:>5}  {counts[key] / total:6.1%}")
    return lines


def _number(n: float) -> str:
    return f"{n:,}"


def demo_summary(result: DemoResult, database: str) -> str:
    """What the demo did, and the state of the complaints it received."""
    s = result.settings
    complaints = result.complaints
    n = len(complaints)
    end = s.start + _dt.timedelta(days=s.days - 1)
    lines = [f"Simulated {s.days} days, {s.start} to {end}, seed {s.seed}.", ""]
    received = str(n)
    if complaints:
        received += f"  ({complaints[0].reference} to {complaints[-1].reference})"
    lines.append(_field("Received", received))
    if result.skipped:
        lines.append(
            _field(
                "Skipped",
                f"{result.skipped} already in the database, left as they were "
                "(another --seed adds more)",
            )
        )
    lines.append(_field("Events", _number(result.events)))
    if complaints:
        lines += ["", *_demo_breakdowns(complaints), ""]
        lines += _demo_outcomes(complaints)
    per_second = result.events / result.elapsed if result.elapsed > 0 else 0.0
    lines += [
        "",
        _field("Elapsed", f"{result.elapsed:.2f} s ({_number(round(per_second))} events/s)"),
        _field("Database", database),
    ]
    return "\n".join(lines)


def _demo_breakdowns(complaints: Sequence[Complaint]) -> list[str]:
    n = len(complaints)
    still_open = sum(1 for c in complaints if c.is_open)
    states = Counter(c.state for c in complaints)
    channels = Counter(c.channel.value for c in complaints)
    priorities = Counter(c.priority.value if c.priority else "not assessed" for c in complaints)
    return [
        _field("Still open", f"{still_open} ({still_open / n:.1%})"),
        "",
        *_breakdown("By state", states, [x.value for x in State], n),
        *_breakdown("By channel", channels, sorted(channels, key=lambda k: -channels[k]), n),
        *_breakdown("By priority", priorities, [*(p.value for p in Priority), "not assessed"], n),
    ]


def _demo_outcomes(complaints: Sequence[Complaint]) -> list[str]:
    decisions = [c.decision for c in complaints if c.decision is not None]
    outcomes = Counter(d.outcome for d in decisions)
    lines = []
    if decisions:
        upheld = outcomes[Outcome.UPHELD] + outcomes[Outcome.PARTIALLY_UPHELD]
        parts = ", ".join(f"{_words(o.value)} {outcomes[o]}" for o in Outcome)
        lines.append(_field("Decisions", f"{len(decisions)} ({parts})"))
        lines.append(
            _field("Upheld rate", f"{upheld / len(decisions):.1%} (partially upheld counts)")
        )
        redress: dict[str, Decimal] = {}
        for d in decisions:
            for r in d.remedies:
                if r.amount is not None:
                    cur = r.amount.currency
                    redress[cur] = exact_sum((r.amount.amount,), redress.get(cur, Decimal(0)))
        if redress:
            paid = ", ".join(f"{cur} {amount:,.2f}" for cur, amount in sorted(redress.items()))
            lines.append(_field("Redress offered", paid))
    closed = [c for c in complaints if c.closed_at is not None]
    if closed:
        days = sum((c.closed_at - c.received_at).total_seconds() for c in closed if c.closed_at)
        mean = days / 86400 / len(closed)
        lines.append(_field("Days to close", f"{mean:.1f} on average ({len(closed)} closed)"))
    scores = [c.satisfaction for c in complaints if c.satisfaction is not None]
    if scores:
        mean_score = sum(x.score / x.scale * 5 for x in scores) / len(scores)
        lines.append(_field("Satisfaction", f"{mean_score:.1f} / 5 ({len(scores)} responses)"))
    return lines
