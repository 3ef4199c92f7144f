"""
The survey sections: one per survey the report was asked for, with its responses and, per
question, the answers, the mean and the share satisfied. A report asked for no survey has no
survey section at all.
"""

from __future__ import annotations

from iso10002.monitoring._view.layout import Section, Table
from iso10002.monitoring._view.words import count, percent, share
from iso10002.monitoring.report import KpiReport
from iso10002.survey.results import QuestionResult, SurveyResults

__all__ = ["surveys"]


def _row(q: QuestionResult) -> tuple[str, ...]:
    mean = "-" if q.mean is None else f"{q.mean:.2f} on {q.low}-{q.high}"
    return (
        q.question + (" (overall)" if q.overall else ""),
        count(q.count, "answers"),
        mean,
        percent(q.mean_percent),
        share(q.satisfied_share),
    )


def _survey(index: int, results: SurveyResults) -> Section:
    facts = (
        ("Responses", count(results.responses, "responses")),
        ("Responses to other versions, not counted", count(results.other_versions, "responses")),
        ("Comments", count(results.comments, "comments")),
    )
    table = Table(
        caption="Per question",
        headers=("Question", "Answers", "Mean", "Mean, share of the scale", "Satisfied"),
        numeric=(False, True, True, True, True),
        rows=tuple(_row(q) for q in results.questions),
        empty="No question was answered in the period.",
    )
    return Section(
        id=f"survey-{index}",
        heading=f"Survey {results.survey}, version {results.version}",
        facts=facts,
        tables=(table,),
    )


def surveys(report: KpiReport) -> tuple[Section, ...]:
    """One section per survey in the report; none when it was asked for no survey."""
    return tuple(_survey(i, s) for i, s in enumerate(report.surveys, 1))
