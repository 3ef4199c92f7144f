"""
An audit report as JSON (documented and stable), Markdown, and a self-contained printable HTML
page.

The JSON layout is identified by :data:`~iso10002.audit.findings.REPORT_FORMAT` and documented
field by field in the audit guide; within a major version fields are added, never renamed or
removed. Markdown and HTML are for people: every finding, its evidence, the configuration
values it read and any attestation, with long lists of complaint references cut after
``max_references`` (the JSON always lists them all).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from iso10002._markup import escape, md, md_code, page
from iso10002.audit.digest import DIGEST_FIELD, report_digest
from iso10002.audit.findings import (
    REPORT_FORMAT,
    Attestation,
    AuditReport,
    Evidence,
    Finding,
    FindingStatus,
    RecordState,
)
from iso10002.audit.signing import signature_to_dict
from iso10002.serialization import pretty_json

__all__ = [
    "MAX_REFERENCES",
    "STATUS_LABELS",
    "report_to_dict",
    "report_to_html",
    "report_to_json",
    "report_to_markdown",
]

MAX_REFERENCES = 50
"""How many complaint references a finding lists in Markdown and HTML before "and N more"."""

STATUS_LABELS: Mapping[FindingStatus, str] = {
    FindingStatus.MAJOR_NONCONFORMITY: "Major nonconformity",
    FindingStatus.MINOR_NONCONFORMITY: "Minor nonconformity",
    FindingStatus.OBSERVATION: "Observation",
    FindingStatus.AWAITING_ATTESTATION: "Awaiting attestation",
    FindingStatus.CONFORMING: "Conforming",
    FindingStatus.NOT_APPLICABLE: "Not applicable",
}
"""Each status as a person reads it, in the order reports list them: the most serious first."""


# -- JSON ---------------------------------------------------------------------------------------


def _attestation_dict(a: Attestation) -> dict[str, Any]:
    return {
        "criterion": a.criterion,
        "by": a.by,
        "at": a.at.isoformat(),
        "conforms": a.conforms,
        "statement": a.statement,
        "evidence": a.evidence,
        "signature": None if a.signature is None else signature_to_dict(a.signature),
    }


_UNMET = "Without it (a sample suffices, so not a nonconformity)"


def _evidence_dict(e: Evidence) -> dict[str, Any]:
    return {
        "checked": e.checked,
        "failed": list(e.failed),
        "conforming_rate": e.rate,
        "configuration": dict(e.configuration),
        "notes": list(e.notes),
        "unit": e.unit,
        "unmet": list(e.unmet),
    }


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "criterion": f.criterion,
        "clause": f.clause,
        "question": f.question,
        "evidence_kind": f.evidence_kind.value,
        "weight": f.weight.value,
        "status": f.status.value,
        "summary": f.summary,
        "evidence": _evidence_dict(f.evidence),
        "attestation": None if f.attestation is None else _attestation_dict(f.attestation),
    }


def _record_dict(r: RecordState | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "verified": r.verified,
        "head": r.head,
        "events": r.events,
        "position": r.position,
        "detail": r.detail,
        "reference": r.reference,
    }


def report_to_dict(report: AuditReport) -> dict[str, Any]:
    """
    The report as plain JSON data (dicts, lists, strings, numbers, booleans, None) in the
    stable layout :data:`~iso10002.audit.findings.REPORT_FORMAT`: dates as ``YYYY-MM-DD``,
    instants as ISO 8601 with offset, enums by value, findings in the report's order; last,
    the ``digest`` of all the rest (see :func:`~iso10002.audit.digest.verify_report`).
    """
    data = {
        "format": REPORT_FORMAT,
        "organisation": report.organisation,
        "programme_version": report.programme_version,
        "period": {
            "from": report.period_from.isoformat(),
            "to": report.period_to.isoformat(),
        },
        "generated_at": report.generated_at.isoformat(),
        "complaints": report.complaints,
        "counts": {status.value: n for status, n in report.counts().items()},
        "findings": [_finding_dict(f) for f in report.findings],
        "sample": {"seed": report.sample_seed, "references": list(report.sample)},
        "scope": {
            "period": {
                "from": report.period_from.isoformat(),
                "to": report.period_to.isoformat(),
            },
            "as_of": report.generated_at.isoformat(),
            "complaints": report.complaints,
            "workflow": report.workflow,
            # Only when kept to one tenant, so that other reports read as they always did.
            **({} if report.tenant is None else {"tenant": report.tenant}),
        },
        "library_version": report.library_version,
        "record": _record_dict(report.record),
        "configurations": list(report.configurations),
        "auditor": report.auditor,
        "signed_off_by": report.signed_off_by,
        "signed_off_at": None if report.signed_off_at is None else report.signed_off_at.isoformat(),
    }
    data[DIGEST_FIELD] = report_digest(data)
    return data


def report_to_json(report: AuditReport, *, indent: int | None = 2) -> str:
    """:func:`report_to_dict` as JSON text (UTF-8 characters kept as they are)."""
    return pretty_json(report_to_dict(report), indent=indent)


# -- shared wording -----------------------------------------------------------------------------


def _rate(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def _period(report: AuditReport) -> str:
    return f"{report.period_from.isoformat()} to {report.period_to.isoformat()} (exclusive)"


def _title(report: AuditReport) -> str:
    who = report.organisation or "unnamed organisation"
    return f"Complaints-handling audit: {who}"


def _programme(report: AuditReport) -> str:
    return report.programme_version or "no programme configuration"


def _record_text(r: RecordState | None) -> str:
    if r is None:
        return "not checked"
    if r.verified is None:
        return f"not verifiable ({r.detail})" if r.detail else "not verifiable"
    verdict = "verified" if r.verified else f"did NOT verify ({r.detail})"
    text = f"{verdict}; {r.events} events; chain head {r.head}"
    if r.position is not None:
        text += f" (position {r.position})"
    if r.verified and r.detail:
        text += f"; {r.detail}"
    return text


def _provenance(report: AuditReport) -> list[tuple[str, str]]:
    """What the report rests on: the record, workflow, configurations, versions, people."""
    kept = [] if report.tenant is None else [("Kept to organisation", report.tenant)]
    return [
        *kept,
        ("Workflow judged", report.workflow or "not named"),
        ("Stored record", _record_text(report.record)),
        ("Recorded configurations", ", ".join(report.configurations) or "none"),
        ("Library version", report.library_version),
        ("Auditor", report.auditor or "not named"),
        ("Signed off by", _sign_off(report)),
    ]


def _sign_off(report: AuditReport) -> str:
    if report.signed_off_by is None:
        return "not signed off"
    if report.signed_off_at is None:
        return report.signed_off_by
    return f"{report.signed_off_by}, at {report.signed_off_at.isoformat()}"


def _capped(items: Sequence[str], limit: int) -> tuple[Sequence[str], int]:
    """The first ``limit`` items and how many were left out."""
    return items[:limit], max(0, len(items) - limit)


def _ordered_counts(report: AuditReport) -> list[tuple[FindingStatus, int]]:
    counted = report.counts()
    return [(status, counted[status]) for status in STATUS_LABELS]


# -- Markdown -----------------------------------------------------------------------------------

_md = md
_md_code = md_code


def _md_references(refs: Sequence[str], limit: int) -> str:
    shown, more = _capped(refs, limit)
    text = ", ".join(_md_code(r) for r in shown)
    return text + (f" and {more} more" if more else "")


def _md_attestation(a: Attestation) -> list[str]:
    verdict = "conforms" if a.conforms else "does not conform"
    return [
        f"- Attested by {_md(a.by)} at {a.at.isoformat()}: {verdict}.",
        f"  - Statement: {_md(a.statement)}",
        f"  - Evidence: {_md(a.evidence)}",
    ]


def _md_finding(f: Finding, limit: int) -> list[str]:
    e = f.evidence
    lines = [
        f"### {_md_code(f.criterion)} ({_md(f.clause)}): {STATUS_LABELS[f.status]}",
        "",
        f"**Question:** {_md(f.question)}",
        "",
        f"**Found:** {_md(f.summary)}",
        "",
        f"- Evidence from: {f.evidence_kind.value}; weight of a failure: {f.weight.value}",
    ]
    if e.checked and e.unmet:
        lines.append(
            f"- Checked: {e.checked} {e.unit}; without it: {len(e.unmet)}; "
            f"share with it: {_rate(e.rate)}"
        )
    elif e.checked:
        lines.append(
            f"- Checked: {e.checked} {e.unit}; not conforming: {len(e.failed)}; "
            f"conforming rate: {_rate(e.rate)}"
        )
    if e.failed:
        lines.append(f"- Not conforming: {_md_references(e.failed, limit)}")
    if e.unmet:
        lines.append(f"- {_UNMET}: {_md_references(e.unmet, limit)}")
    for key, value in sorted(e.configuration.items()):
        lines.append(f"- Configuration {_md_code(key)}: {_md(value)}")
    for note in e.notes:
        lines.append(f"- Note: {_md(note)}")
    if f.attestation is not None:
        lines += _md_attestation(f.attestation)
    lines.append("")
    return lines


def report_to_markdown(report: AuditReport, *, max_references: int = MAX_REFERENCES) -> str:
    """
    The report as Markdown: the period and programme, a table of findings by status, then
    every finding with its question, summary, evidence, configuration values and attestation,
    and the sample drawn for manual review.
    """
    lines = [
        f"# {_md(_title(report))}",
        "",
        f"- Period: {_period(report)}",
        f"- Programme version: {_md(_programme(report))}",
        f"- Generated at: {report.generated_at.isoformat()}",
        f"- Complaints received in the period: {report.complaints}",
        *(f"- {label}: {_md(value)}" for label, value in _provenance(report)),
        f"- Report format: {_md_code(REPORT_FORMAT)}",
        "",
        "## Summary",
        "",
        "| Status | Findings |",
        "|---|---:|",
    ]
    lines += [f"| {STATUS_LABELS[s]} | {n} |" for s, n in _ordered_counts(report)]
    lines += ["", "| Criterion | Clause | Status | Summary |", "|---|---|---|---|"]
    lines += [
        f"| {_md_code(f.criterion)} | {_md(f.clause)} | {STATUS_LABELS[f.status]} "
        f"| {_md(f.summary)} |"
        for f in report.findings
    ]
    lines += ["", "## Findings", ""]
    for f in report.findings:
        lines += _md_finding(f, max_references)
    lines += ["## Sample for manual review", ""]
    if report.sample:
        lines.append(
            f"{len(report.sample)} complaints drawn with seed {report.sample_seed} "
            "(the same seed and store draw the same sample):"
        )
        lines.append("")
        lines += [f"- {_md_code(ref)}" for ref in report.sample]
    else:
        lines.append(f"No complaint to draw (seed {report.sample_seed}).")
    return "\n".join(lines) + "\n"


# -- HTML ---------------------------------------------------------------------------------------

_STYLE = """
:root { --ink: #1d2329; --muted: #5b6670; --rule: #d5dbe0; --paper: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 60rem; padding: 2rem 1.5rem; color: var(--ink);
  background: var(--paper); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto,
  "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; border-bottom: 2px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
  border-bottom: 1px solid var(--rule); }
th { font-weight: 600; color: var(--muted); }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: .9em; }
.finding { border: 1px solid var(--rule); border-left-width: 6px; border-radius: 4px;
  padding: .75rem 1rem; margin: 0 0 1rem; }
.finding p { margin: .3rem 0; }
.label { color: var(--muted); }
.refs { word-break: break-word; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .8rem;
  font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.s-major_nonconformity { color: #a4161a; border-left-color: #a4161a; }
.s-minor_nonconformity { color: #b45309; border-left-color: #b45309; }
.s-observation { color: #1d4ed8; border-left-color: #1d4ed8; }
.s-awaiting_attestation { color: #6d28d9; border-left-color: #6d28d9; }
.s-conforming { color: #166534; border-left-color: #166534; }
.s-not_applicable { color: #5b6670; border-left-color: #5b6670; }
.finding.s-major_nonconformity, .finding.s-minor_nonconformity, .finding.s-observation,
.finding.s-awaiting_attestation, .finding.s-conforming, .finding.s-not_applicable {
  color: var(--ink); }
footer { margin-top: 2rem; color: var(--muted); font-size: .85rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h2 { break-after: avoid; }
  .finding, tr { break-inside: avoid; }
  .badge { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  @page { margin: 18mm 15mm; }
}
"""
"""The report pages' stylesheet: inline, no fonts or images fetched, a print layout."""


_e = escape


def _badge(status: FindingStatus) -> str:
    return f'<span class="badge s-{status.value}">{_e(STATUS_LABELS[status])}</span>'


def _html_references(refs: Sequence[str], limit: int) -> str:
    shown, more = _capped(refs, limit)
    text = ", ".join(f"<code>{_e(r)}</code>" for r in shown)
    return text + (f" and {more} more" if more else "")


def _html_attestation(a: Attestation) -> str:
    verdict = "conforms" if a.conforms else "does not conform"
    return (
        '<table class="attestation"><tbody>'
        f"<tr><th>Attested by</th><td>{_e(a.by)}</td></tr>"
        f"<tr><th>At</th><td>{_e(a.at.isoformat())}</td></tr>"
        f"<tr><th>Verdict</th><td>{verdict}</td></tr>"
        f"<tr><th>Statement</th><td>{_e(a.statement)}</td></tr>"
        f"<tr><th>Evidence</th><td>{_e(a.evidence)}</td></tr>"
        "</tbody></table>"
    )


def _html_finding(f: Finding, limit: int) -> str:
    e = f.evidence
    parts = [
        f'<section class="finding s-{f.status.value}" id="c-{_e(f.criterion)}">',
        (
            f"<h3><code>{_e(f.criterion)}</code> &middot; clause {_e(f.clause)} "
            f"{_badge(f.status)}</h3>"
        ),
        f'<p><span class="label">Question:</span> {_e(f.question)}</p>',
        f'<p><span class="label">Found:</span> {_e(f.summary)}</p>',
        (
            f'<p class="label">Evidence from {_e(f.evidence_kind.value)}; '
            f"weight of a failure: {_e(f.weight.value)}.</p>"
        ),
    ]
    if e.checked and e.unmet:
        parts.append(
            f"<p>Checked {e.checked} {_e(e.unit)}; without it {len(e.unmet)}; "
            f"share with it {_e(_rate(e.rate))}.</p>"
        )
    elif e.checked:
        parts.append(
            f"<p>Checked {e.checked} {_e(e.unit)}; not conforming {len(e.failed)}; "
            f"conforming rate {_e(_rate(e.rate))}.</p>"
        )
    if e.failed:
        parts.append(
            f'<p class="refs"><span class="label">Not conforming:</span> '
            f"{_html_references(e.failed, limit)}</p>"
        )
    if e.unmet:
        parts.append(
            f'<p class="refs"><span class="label">{_e(_UNMET)}:</span> '
            f"{_html_references(e.unmet, limit)}</p>"
        )
    if e.configuration:
        rows = "".join(
            f"<tr><th><code>{_e(k)}</code></th><td>{_e(v)}</td></tr>"
            for k, v in sorted(e.configuration.items())
        )
        parts.append(
            '<table class="configuration"><thead><tr><th>Configuration</th><th>Value</th>'
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
    if e.notes:
        parts.append("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in e.notes) + "</ul>")
    if f.attestation is not None:
        parts.append(_html_attestation(f.attestation))
    parts.append("</section>")
    return "\n".join(parts)


def _page(title: str, body: Iterable[str]) -> str:
    """A complete, self-contained HTML page: ``title`` escaped, ``body`` already HTML."""
    return page(title, body, style=_STYLE)


def report_to_html(report: AuditReport, *, max_references: int = MAX_REFERENCES) -> str:
    """
    The report as one self-contained, printable HTML page: inline styles only (with a print
    layout), no scripts, nothing fetched; every text escaped. A summary of findings by status,
    every finding with its badge, question, summary, evidence, configuration values and
    attestation, then the sample for manual review.
    """
    counts = "".join(
        f'<tr><td>{_badge(s)}</td><td class="n">{n}</td></tr>' for s, n in _ordered_counts(report)
    )
    overview = "".join(
        f'<tr><td><a href="#c-{_e(f.criterion)}"><code>{_e(f.criterion)}</code></a></td>'
        f"<td>{_e(f.clause)}</td><td>{_badge(f.status)}</td><td>{_e(f.summary)}</td></tr>"
        for f in report.findings
    )
    if report.sample:
        sample = (
            f"<p>{len(report.sample)} complaints drawn with seed {report.sample_seed} "
            "(the same seed and store draw the same sample):</p>"
            '<ol class="refs">'
            + "".join(f"<li><code>{_e(r)}</code></li>" for r in report.sample)
            + "</ol>"
        )
    else:
        sample = f"<p>No complaint to draw (seed {report.sample_seed}).</p>"
    body = [
        "<header>",
        f"<h1>{_e(_title(report))}</h1>",
        '<dl class="meta">',
        f"<dt>Period</dt><dd>{_e(_period(report))}</dd>",
        f"<dt>Programme version</dt><dd>{_e(_programme(report))}</dd>",
        f"<dt>Generated at</dt><dd>{_e(report.generated_at.isoformat())}</dd>",
        f"<dt>Complaints in the period</dt><dd>{report.complaints}</dd>",
        *(f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>" for label, value in _provenance(report)),
        "</dl>",
        "</header>",
        "<h2>Summary</h2>",
        (
            '<table class="counts"><thead><tr><th>Status</th><th>Findings</th></tr></thead>'
            f"<tbody>{counts}</tbody></table>"
        ),
        (
            '<table class="overview"><thead><tr><th>Criterion</th><th>Clause</th><th>Status</th>'
            f"<th>Summary</th></tr></thead><tbody>{overview}</tbody></table>"
        ),
        "<h2>Findings</h2>",
        *(_html_finding(f, max_references) for f in report.findings),
        "<h2>Sample for manual review</h2>",
        sample,
        f"<footer>Report format <code>{_e(REPORT_FORMAT)}</code>.</footer>",
    ]
    return _page(_title(report), body)
