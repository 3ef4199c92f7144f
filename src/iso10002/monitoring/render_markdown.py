"""
The KPI report as Markdown.

:func:`report_to_markdown` writes the report's view (:mod:`iso10002.monitoring._view`: the
headline figures, the sections with their sentences, facts and tables, the counting rules) as
Markdown, every text from the report escaped, so a category named ``<b>|*x*`` shows as
written. Markdown draws no charts, so it asks for the view without them; the tables carry
the same figures.
"""

from __future__ import annotations

from iso10002._markup import md, md_code
from iso10002.monitoring._view import (
    HEADLINE_KPIS,
    KPI_LABELS,
    Section,
    Table,
    report_view,
)
from iso10002.monitoring.report import KpiReport

__all__ = ["HEADLINE_KPIS", "KPI_LABELS", "report_to_markdown"]


def _md_table(table: Table) -> list[str]:
    lines = [f"**{md(table.caption)}**", ""]
    if not table.rows:
        return [*lines, md(table.empty), ""]
    lines.append("| " + " | ".join(md(h) for h in table.headers) + " |")
    lines.append("|" + "|".join("---:" if n else "---" for n in table.numeric) + "|")
    for row in table.rows:
        lines.append("| " + " | ".join(md(c) if c else " " for c in row) + " |")
    return [*lines, ""]


def _md_section(section: Section) -> list[str]:
    lines = [f"## {md(section.heading)}", ""]
    for sentence in section.text:
        lines += [md(sentence), ""]
    if section.facts:
        lines += [f"- {md(label)}: {md(value)}" for label, value in section.facts]
        lines.append("")
    for table in section.tables:
        lines += _md_table(table)
    if section.items:
        lines += [f"{i}. {md(item)}" for i, item in enumerate(section.items, 1)]
        lines.append("")
    return lines


def report_to_markdown(report: KpiReport) -> str:
    """
    The report as Markdown: the period and the headline figures (received, closed, open at
    the end, upheld rate, median time to final response, deadlines met, satisfaction) with
    their change on the previous period, then a section per subject with its tables
    (volume and trend, categories and products, channels and priorities, timeliness,
    deadlines, outcomes, remedies and redress, root causes, satisfaction, any figure the
    report holds beyond these, the comparison) and the counting rules last.
    """
    view = report_view(report, charts=False)
    lines = [f"# {md(view.title)}", ""]
    for detail in view.details:
        shown = md_code(detail.value) if detail.code else md(detail.value)
        lines.append(f"- {detail.label}: {shown}")
    lines += [
        "",
        "## Headline figures",
        "",
        "| Figure | This period | Change on the previous period | Note |",
        "|---|---:|---|---|",
    ]
    for f in view.figures:
        change = f"{f.arrow} {f.change}".strip()
        lines.append(f"| {md(f.label)} | {md(f.value)} | {md(change)} | {md(f.note)} |")
    lines.append("")
    for section in view.sections:
        lines += _md_section(section)
    return "\n".join(lines).rstrip("\n") + "\n"
