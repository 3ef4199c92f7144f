"""
What the report view says about figures that used to mislead: many categories in one chart,
the survey sections, and first-contact resolution that the data cannot support.
"""

from __future__ import annotations

from iso10002.monitoring._view import BarChart, report_view
from iso10002.monitoring._view.handling import TOP_BARS
from iso10002.monitoring.render_markdown import report_to_markdown
from iso10002.monitoring.report import Breakdown, Rate, Rates
from iso10002.survey.results import PointCount, QuestionResult, SurveyResults

from .sample_report import kpi_report


def _categories(n: int) -> tuple[Breakdown, ...]:
    return tuple(
        Breakdown(key=f"Category {i:03d}", received=i, closed=0, upheld=0) for i in range(1, n + 1)
    )


def test_categories_beyond_the_largest_fold_into_other_and_the_table_lists_all() -> None:
    view = report_view(kpi_report(by_category=_categories(30)))
    subjects = next(s for s in view.sections if s.id == "subjects")
    chart = subjects.charts[0]
    assert isinstance(chart, BarChart)

    assert len(chart.bars) == TOP_BARS == 12
    assert [b.label for b in chart.bars[:2]] == ["Category 030", "Category 029"]
    other = chart.bars[-1]
    assert other.label == "Other (19 more)"
    assert other.value == sum(range(1, 20))  # the 19 smallest, 1 to 19
    assert chart.title == "By category: the 11 largest, the other 19 together"
    table = subjects.tables[0]
    assert len(table.rows) == 30  # every category, by its full name


def test_a_few_categories_keep_one_bar_each() -> None:
    view = report_view(kpi_report(by_category=_categories(TOP_BARS)))
    chart = next(s for s in view.sections if s.id == "subjects").charts[0]
    assert isinstance(chart, BarChart)
    assert [b.label for b in chart.bars] == [f"Category {i:03d}" for i in range(1, 13)]
    assert chart.title == "By category"


def test_a_report_without_surveys_has_no_survey_section() -> None:
    ids = [s.id for s in report_view(kpi_report()).sections]
    assert not [i for i in ids if "survey" in i]
    assert "Surveys" not in report_to_markdown(kpi_report())


def test_each_survey_asked_for_has_its_section() -> None:
    overall = QuestionResult(
        question="overall",
        overall=True,
        low=1,
        high=5,
        count=8,
        mean=3.75,
        mean_percent=68.75,
        satisfied=5,
        satisfied_share=0.625,
        distribution=tuple(PointCount(point=p, label=None, count=0) for p in range(1, 6)),
    )
    results = SurveyResults(
        survey="after-closure",
        version="2",
        responses=8,
        other_versions=1,
        comments=3,
        questions=(overall,),
        overall_question="overall",
    )
    view = report_view(kpi_report(surveys=(results,)))
    (section,) = [s for s in view.sections if s.id.startswith("survey")]
    assert section.heading == "Survey after-closure, version 2"
    assert section.facts[0] == ("Responses", "8 responses")
    assert section.tables[0].rows == (
        ("overall (overall)", "8 answers", "3.75 on 1-5", "68.8%", "62.5%"),
    )
    assert not [s for s in view.sections if s.id.startswith("extra-")]


def test_first_contact_resolution_partly_measured_names_what_was_left_out() -> None:
    rates = Rates(
        first_contact_resolution=Rate.of(3, 10),
        reopened=Rate.of(0, 14),
        internal_review=Rate.of(0, 14),
        external_referral=Rate.of(0, 14),
        first_contact_not_measured=4,
    )
    view = report_view(kpi_report(rates=rates))
    outcomes = next(s for s in view.sections if s.id == "outcomes")
    expected = (
        "Resolved at first contact: not measured for 4 complaints of those closed, imported "
        "with dates only: whether a decision went out within 24 hours of receipt cannot be "
        "told from dates."
    )
    assert outcomes.text == (expected,)
    row = next(r for r in outcomes.tables[0].rows if r[0] == "Resolved at first contact")
    assert row[1] == "30.0%"
