"""KPI report renderings: the stable JSON layout and back, Markdown, and the HTML page."""

from __future__ import annotations

import json
import re
import typing
import xml.etree.ElementTree as ET
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iso10002.errors import SerializationError
from iso10002.model.values import Money
from iso10002.monitoring import render_json
from iso10002.monitoring.render import (
    HEADLINE_KPIS,
    report_from_dict,
    report_from_json,
    report_to_dict,
    report_to_html,
    report_to_json,
    report_to_markdown,
)
from iso10002.monitoring.report import (
    REPORT_SCHEMA,
    Breakdown,
    KpiReport,
    ParetoEntry,
    RootCauses,
    Satisfaction,
)

from .sample_report import HOSTILE_CATEGORY, LONG_CATEGORY, empty_kpi_report, kpi_report

TOP_KEYS = [
    "schema",
    "generated_at",
    "period",
    "previous",
    "volume",
    "by_channel",
    "by_category",
    "by_product",
    "by_priority",
    "timeliness",
    "sla",
    "outcomes",
    "remedies",
    "redress",
    "rates",
    "satisfaction",
    "customers",
    "per_1000_customers",
    "root_causes",
    "trend",
    "comparison",
    "rules",
    "surveys",
]

SECTIONS = [
    "Headline figures",
    "Complaints received and closed",
    "What complaints are about",
    "How complaints reached us",
    "How quickly we respond",
    "Deadlines met",
    "Outcomes",
    "Remedies and redress",
    "Root causes",
    "Satisfaction with how complaints were handled",
    "Compared with the previous period",
    "How the figures are counted",
]


@attrs.frozen(kw_only=True)
class SurveyQuestion:
    question: str
    responses: int
    mean_score: float | None
    distribution: tuple[int, ...]


@attrs.frozen(kw_only=True)
class SurveyedReport(KpiReport):
    """A report with a field the renderers do not know, as a later release may add."""

    question_scores: tuple[SurveyQuestion, ...] = ()


@attrs.frozen(kw_only=True)
class PointCount:
    point: int
    count: int


@attrs.frozen(kw_only=True)
class Question:
    question: str
    mean_percent: float | None
    distribution: tuple[PointCount, ...]


@attrs.frozen(kw_only=True)
class Survey:
    survey: str
    responses: int
    questions: tuple[Question, ...]


@attrs.frozen(kw_only=True)
class NestedReport(KpiReport):
    """Records holding records, and a plain value, beyond the layout."""

    survey_results: tuple[Survey, ...] = ()
    complaints_per_branch: float = 0.0


def surveyed(base: KpiReport) -> SurveyedReport:
    questions = (
        SurveyQuestion(
            question="Was it easy to complain?",
            responses=120,
            mean_score=4.1,
            distribution=(3, 5, 10, 40, 62),
        ),
        SurveyQuestion(
            question="<b>Were you kept informed?</b> & updated",
            responses=118,
            mean_score=None,
            distribution=(),
        ),
    )
    return SurveyedReport(**attrs.asdict(base, recurse=False), question_scores=questions)


def hostile_report() -> KpiReport:
    base = kpi_report()
    category = Breakdown(key=HOSTILE_CATEGORY, received=9, closed=4, upheld=1)
    cause = ParetoEntry(
        cause=HOSTILE_CATEGORY,
        category="a|b*c*",
        count=9,
        share=1.0,
        cumulative_share=1.0,
        recurring=True,
    )
    return kpi_report(
        by_category=(*base.by_category, category),
        by_channel=(Breakdown(key="<i>fax</i>", received=3, closed=1, upheld=0),),
        root_causes=attrs.evolve(base.root_causes, pareto=(cause,)),
        rules=(*base.rules, "Counted <script>alert(1)</script> & more"),
    )


def page_tree(page: str) -> ET.Element:
    return ET.fromstring(page)


def svgs(root: ET.Element) -> list[ET.Element]:
    return list(root.iter("svg"))


def chart(root: ET.Element, title: str) -> ET.Element:
    found = [s for s in svgs(root) if s.get("aria-label", "").startswith(title)]
    assert len(found) == 1, title
    return found[0]


def with_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(tag) if cls in e.get("class", "").split()]


# -- JSON ---------------------------------------------------------------------------------------


def test_json_has_the_documented_keys_schema_first() -> None:
    data = json.loads(report_to_json(kpi_report()))
    assert list(data) == TOP_KEYS
    assert data["schema"] == REPORT_SCHEMA == "iso10002.kpi-report/1"
    assert list(data["period"]) == ["start", "end", "zone", "bucket"]
    assert set(data["volume"]) == {
        "received",
        "closed",
        "withdrawn",
        "duplicates",
        "open_at_start",
        "open_at_end",
        "imported",
        "imported_open",
    }
    assert set(data["by_category"][0]) == {"key", "received", "closed", "upheld"}
    assert set(data["timeliness"]) == {"acknowledge", "final_response"}
    assert set(data["timeliness"]["final_response"][0]) == {
        "measure",
        "count",
        "mean",
        "median",
        "p90",
        "not_measured",
    }
    assert set(data["outcomes"]["upheld_rate"]) == {"numerator", "denominator", "value"}
    assert set(data["root_causes"]["pareto"][0]) == {
        "cause",
        "category",
        "count",
        "share",
        "cumulative_share",
        "recurring",
    }
    assert set(data["comparison"][0]) == {"kpi", "current", "previous", "change", "relative"}


def test_json_values_follow_the_library_rules() -> None:
    data = report_to_dict(kpi_report())
    assert json.loads(json.dumps(data)) == data  # plain JSON types only
    assert data["generated_at"] == "2026-04-01T06:30:00+00:00"
    assert data["period"]["start"] == "2026-01-01T00:00:00+00:00"
    assert data["period"]["end"] == "2026-03-31T23:00:00+00:00"
    assert data["trend"][0]["start"] == "2026-01-01T00:00:00+00:00"
    # Money keeps every digit, as a string; durations are numbers of hours.
    assert data["redress"] == [
        {"amount": "12345.67", "currency": "GBP"},
        {"amount": "250.10", "currency": "EUR"},
    ]
    assert data["timeliness"]["final_response"][0]["median"] == 120.5
    assert data["trend"][12]["median_final_response"] is None
    assert data["outcomes"]["upheld_rate"] == {
        "numerator": 180,
        "denominator": 380,
        "value": 0.4737,
    }
    assert data["root_causes"]["pareto"][5]["category"] is None
    assert data["root_causes"]["pareto"][7]["recurring"] is False
    assert data["trend"][6]["anomalies"] == ["received above expected"]


@pytest.mark.parametrize("build", [kpi_report, empty_kpi_report], ids=["sample", "empty"])
def test_json_round_trip(build: typing.Callable[[], KpiReport]) -> None:
    report = build()
    text = report_to_json(report)
    back = report_from_json(text)
    assert back == report
    assert report_to_json(back) == text
    assert report_from_json(text.encode("utf-8")) == report
    assert report_from_dict(report_to_dict(report)) == report


def test_json_round_trip_keeps_every_digit_of_money() -> None:
    amount = Decimal("123456789012345678.000000001")
    report = kpi_report(redress=(Money(amount=amount, currency="JPY"),))
    assert report_from_json(report_to_json(report)).redress[0].amount == amount


def test_json_is_compact_on_request_and_keeps_text_as_written() -> None:
    report = kpi_report(rules=("Zählung: Beschwerden über 1 000 €",))
    assert "Zählung" in report_to_json(report, indent=None)
    assert "\n" not in report_to_json(report, indent=None)


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda d: d.update(schema="iso10002.kpi-report/2"), "$.schema", "unsupported"),
        (lambda d: d.pop("schema"), "$.schema", "missing"),
        (lambda d: d["volume"].update(received="many"), "$.volume.received", "integer"),
        (lambda d: d["volume"].update(extra=1), "$.volume", "unknown keys"),
        (lambda d: d.update(question_scores=[]), "$", "unknown keys"),
        (lambda d: d["period"].update(start="2026-01-01T00:00:00"), "$.period.start", "offset"),
        (lambda d: d["redress"][0].update(amount="lots"), "$.redress[0].amount", "decimal"),
        (lambda d: d["root_causes"]["pareto"][0].pop("count"), "$.root_causes.pareto[0]", ""),
    ],
)
def test_reading_bad_json_names_the_path(
    change: typing.Callable[[dict[str, typing.Any]], object], path: str, words: str
) -> None:
    data = report_to_dict(kpi_report())
    change(data)
    with pytest.raises(SerializationError) as info:
        report_from_json(json.dumps(data))
    assert info.value.path.startswith(path)
    assert str(info.value).startswith(path)
    assert words in str(info.value)


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '"report"', b"\xff\xfe"])
def test_reading_what_is_not_a_report_object_fails_clearly(text: str | bytes) -> None:
    with pytest.raises(SerializationError) as info:
        report_from_json(text)
    assert info.value.path == "$"


def test_a_number_json_cannot_hold_is_refused() -> None:
    satisfied = kpi_report().satisfaction.satisfied
    nan = Satisfaction(responses=1, mean_percent=float("nan"), satisfied=satisfied)
    report = kpi_report(satisfaction=nan)
    with pytest.raises(SerializationError, match="JSON cannot hold"):
        report_to_json(report)


def _fields(cls: type, seen: set[type]) -> set[str]:
    """Every attrs field name reachable from ``cls``, through tuples and optionals."""
    if cls in seen or not attrs.has(cls):
        return set()
    seen.add(cls)
    names = set()
    for name, hint in typing.get_type_hints(cls).items():
        names.add(name)
        stack = [hint]
        while stack:
            t = stack.pop()
            stack += [a for a in typing.get_args(t) if a is not Ellipsis]
            if isinstance(t, type):
                names |= _fields(t, seen)
    return names


def test_the_module_docstring_documents_every_field_of_the_layout() -> None:
    doc = render_json.__doc__ or ""
    documented = set(re.findall(r"``(\w+)``", doc)) | set(re.findall(r'"(\w+)"', doc))
    missing = sorted(_fields(KpiReport, set()) - documented)
    assert missing == []


def test_fields_beyond_the_layout_are_written_and_read_as_the_subclass() -> None:
    report = surveyed(kpi_report())
    data = report_to_dict(report)
    assert next(iter(data)) == "schema"
    assert data["question_scores"][0] == {
        "question": "Was it easy to complain?",
        "responses": 120,
        "mean_score": 4.1,
        "distribution": [3, 5, 10, 40, 62],
    }


# -- Markdown -----------------------------------------------------------------------------------


def test_markdown_has_every_section_and_the_rules_at_the_end() -> None:
    report = kpi_report()
    text = report_to_markdown(report)
    positions = [text.index(f"\n## {heading}\n") for heading in SECTIONS]
    assert positions == sorted(positions)
    assert text.startswith("# Complaints monitoring report: 1 January 2026 to 31 March 2026\n")
    assert text.rstrip().endswith(
        "3. Durations are in hours; business time counts the opening hours of the calendar."
    )
    assert "- Report layout: `iso10002.kpi-report/1`" in text


def test_markdown_headline_figures_have_units_and_changes() -> None:
    text = report_to_markdown(kpi_report())
    assert (
        "| Complaints received | 412 complaints | \u25b2 up 8.4% (previous period: 380 complaints) "
        "| 40 complaints imported |"
    ) in text
    assert (
        "| Upheld (fully or partly) | 47.4% | \u25bc down 2.6 percentage points "
        "(previous period: 50.0%) |"
    ) in text
    assert "| Median time to final response | 120.5 hours (5.0 days) | \u25bc down 8.0%" in text
    assert "| Deadlines met | 92.6% | \u25b2 up 2.6 percentage points" in text
    assert "| Satisfaction (average score) | 71.4% |" in text
    rows = [
        line for line in text.splitlines() if line.startswith("| ") and "previous period:" in line
    ]
    assert len(rows) == len(HEADLINE_KPIS)


def test_markdown_tables_carry_the_figures() -> None:
    text = report_to_markdown(kpi_report())
    assert "| Delivery | 140 complaints | 34.0% | 135 complaints | 51.8% (70 of 135) |" in text
    assert f"| {LONG_CATEGORY} | 80 complaints |" in text
    assert "| Web form | 90 complaints |" in text
    assert "| 2026-W07 | 2026-02-12 | 58 complaints | 36 complaints | 61.0% |" in text
    assert "received above expected" in text
    assert (
        "| Final response | 394 deadlines | 347 deadlines | 47 deadlines | 88.1% | 6 complaints |"
        in text
    )
    assert "| GBP | 12,345.67 GBP |" in text
    assert "| Repair or replacement | 25 times |" in text
    assert (
        "| 1 | Courier missed the delivery slot | Delivery | 64 complaints | 30.3% | 30.3% "
        "| recurring |"
    ) in text
    assert "| 6 | Wrong item sent | - |" in text
    assert "- Complaints per 1,000 customers: 7.92 complaints" in text
    assert "Satisfied (75% of the scale or above): 62.9% (88 of 140 responses)" in text


def test_markdown_escapes_every_text_from_the_report() -> None:
    text = report_to_markdown(hostile_report())
    # Escaped markup (``\<script\>``) shows as text; nothing is left unescaped.
    assert re.search(r"(?<!\\)<", text) is None
    assert r"\<script\>alert('x')\</script\> & friends" in text
    assert r"a\|b\*c\*" in text
    assert r"\<i\>fax\</i\>" in text


def test_markdown_of_an_empty_period() -> None:
    text = report_to_markdown(empty_kpi_report())
    for heading in SECTIONS:
        assert f"\n## {heading}\n" in text
    assert "| Complaints received | 0 complaints | no figure for the previous period |" in text
    assert "No complaints in the period." in text
    assert "No root cause was recorded in the period." in text
    assert "Upheld rate (fully or partly): no data" in text


def test_markdown_shows_fields_beyond_the_layout() -> None:
    text = report_to_markdown(surveyed(kpi_report()))
    assert "\n## Other figures: Question scores\n" in text
    assert "| Question | Responses | Mean score | Distribution |" in text
    assert "| Was it easy to complain? | 120 | 4.1 | 3, 5, 10, 40, 62 |" in text
    assert "| \\<b\\>Were you kept informed?\\</b\\> & updated | 118 | - |" in text
    assert r"\<b\>Were you kept informed?\</b\> & updated" in text
    assert text.index("Other figures: Question scores") < text.index(
        "## How the figures are counted"
    )


def nested(base: KpiReport) -> NestedReport:
    def question(text: str, *counts: int) -> Question:
        points = tuple(PointCount(point=i, count=n) for i, n in enumerate(counts, 1))
        return Question(question=text, mean_percent=70.5, distribution=points)

    surveys = (
        Survey(
            survey="after-closure",
            responses=140,
            questions=(question("Easy to complain?", 3, 5, 60), question("Kept informed?", 9, 1)),
        ),
        Survey(survey="<i>branch</i>", responses=0, questions=()),
    )
    fields = attrs.asdict(base, recurse=False)
    return NestedReport(**fields, survey_results=surveys, complaints_per_branch=1234.5)


def test_records_holding_records_get_a_section_each_with_their_tables() -> None:
    report = nested(kpi_report())
    text = report_to_markdown(report)
    assert "\n## Other figures: Survey results (1 of 2)\n" in text
    assert "\n## Other figures: Survey results (2 of 2)\n" in text
    assert "- Survey: after-closure" in text
    assert "- Responses: 140" in text
    assert "| Question | Mean percent | Distribution |" in text
    assert (
        "| Easy to complain? | 70.5 | Point: 1, Count: 3; Point: 2, Count: 5; Point: 3, Count: 60 |"
    ) in text
    assert "- Survey: \\<i\\>branch\\</i\\>" in text
    assert "- Questions: " in text  # an empty list of records is a plain (empty) value
    assert "- Complaints per branch: 1,234.5" in text
    root = page_tree(report_to_html(report))
    first = root.find(".//section[@id='extra-survey_results-1']")
    assert first is not None
    assert "Kept informed?" in "".join(first.itertext())
    assert root.find(".//section[@id='extra-complaints_per_branch']") is not None
    assert report_to_dict(report)["survey_results"][0]["questions"][1]["distribution"] == [
        {"point": 1, "count": 9},
        {"point": 2, "count": 1},
    ]


# -- HTML ---------------------------------------------------------------------------------------


def assert_self_contained(page: str) -> None:
    lowered = page.lower()
    assert "<script" not in lowered
    assert "http" not in lowered  # no address at all: nothing fetched, no namespace URL
    assert "<link" not in lowered and "<img" not in lowered and "<iframe" not in lowered
    assert "@import" not in lowered and "url(" not in lowered
    assert re.search(r"\son[a-z]+\s*=", page) is None  # no event handler attributes


def test_html_is_one_self_contained_printable_well_formed_page() -> None:
    page = report_to_html(kpi_report())
    assert page.startswith("<!DOCTYPE html>")
    assert "@media print" in page
    assert_self_contained(page)
    root = page_tree(page)
    body = root.find("body")
    assert body is not None
    charts = svgs(root)
    assert len(charts) >= 12
    for svg in charts:
        assert svg.get("role") == "img"
        assert svg.get("aria-label")
        assert svg[0].tag == "title" and svg[0].text == svg.get("aria-label")
    # Every section is there, in reading order.
    headings = ["".join(h.itertext()) for h in root.iter("h2")]
    assert [h for h in headings if h in SECTIONS] == SECTIONS


def test_html_headline_strip_shows_each_figure_with_its_change() -> None:
    root = page_tree(report_to_html(kpi_report()))
    cards = with_class(root, "li", "figure")
    assert [c.get("id") for c in cards] == [f"kpi-{k}" for k in HEADLINE_KPIS]
    received = cards[0]
    assert "".join(received.itertext()) == (
        "Complaints received412 complaints\u25b2 up 8.4% (previous period: 380 complaints)"
        "40 complaints imported"
    )
    arrow = with_class(received, "span", "arrow")[0]
    assert arrow.get("aria-hidden") == "true"
    values = ["".join(with_class(c, "span", "value")[0].itertext()) for c in cards]
    assert values == [
        "412 complaints",
        "396 complaints",
        "57 complaints",
        "47.4%",
        "120.5 hours (5.0 days)",
        "92.6%",
        "71.4%",
    ]


def test_html_trend_marks_unusual_values_and_pareto_marks_recurring_causes() -> None:
    root = page_tree(report_to_html(kpi_report()))
    trend = chart(root, "Complaints received and closed per week")
    assert len(with_class(trend, "polygon", "flag")) == 2
    assert len(with_class(trend, "path", "line")) == 2
    timeliness = chart(root, "Median time to final response per week")
    assert len(with_class(timeliness, "polygon", "flag")) == 1
    pareto = chart(root, "Root causes, most frequent first")
    assert len(with_class(pareto, "rect", "bar")) == 8
    assert len(with_class(pareto, "rect", "highlight")) == 6
    assert "recurring cause (5 or more)" in "".join(pareto.itertext())
    # Each chart has the same figures in a table beside it.
    captions = ["".join(c.itertext()) for c in root.iter("caption")]
    assert {"By week", "By category", "Causes, most frequent first", "Deadlines by target"} <= set(
        captions
    )
    marked = with_class(root, "tr", "marked")
    assert any("2026-W07" in "".join(r.itertext()) for r in marked)


def test_html_numbers_have_units() -> None:
    page = report_to_html(kpi_report())
    root = page_tree(page)
    facts = dict(
        zip(
            ["".join(e.itertext()) for e in root.iter("dt")],
            ["".join(e.itertext()) for e in root.iter("dd")],
            strict=True,
        )
    )
    assert facts["Received in the period"] == "412 complaints"
    assert facts["Upheld rate (fully or partly)"] == "47.4% (180 of 380 decided)"
    assert facts["Survey responses"] == "140 responses"
    # A bare number in a table is a rank; every other figure says what it counts.
    for table in root.iter("table"):
        headers = ["".join(th.itertext()) for th in table.iter("th")]
        for row in table.iter("tr"):
            for header, cell in zip(headers, row.findall("td"), strict=False):
                if re.fullmatch(r"[\d,.]+", "".join(cell.itertext())):
                    assert header == "Rank"
    assert "12,345.67 GBP" in page


def test_html_escapes_every_text_from_the_report() -> None:
    page = report_to_html(hostile_report())
    assert_self_contained(page)
    assert "<i>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; friends" in page
    root = page_tree(page)
    all_text = "".join(root.itertext())
    assert HOSTILE_CATEGORY in all_text
    assert "Counted <script>alert(1)</script> & more" in all_text
    category_chart = chart(root, "By category")
    assert any((t.text or "").startswith(HOSTILE_CATEGORY) for t in category_chart.iter("title"))


def test_html_of_an_empty_period() -> None:
    page = report_to_html(empty_kpi_report())
    assert_self_contained(page)
    root = page_tree(page)
    for svg in svgs(root):
        assert "No data" in "".join(svg.itertext())
    assert "No complaints in the period." in page
    cards = with_class(root, "li", "figure")
    assert len(cards) == len(HEADLINE_KPIS)
    assert "no figure for the previous period" in "".join(cards[0].itertext())


def test_html_shows_fields_beyond_the_layout() -> None:
    page = report_to_html(surveyed(kpi_report()))
    root = page_tree(page)
    section = root.find(".//section[@id='extra-question_scores']")
    assert section is not None
    text = "".join(section.itertext())
    assert "Other figures: Question scores" in text
    assert "Was it easy to complain?" in text
    assert "<b>Were you kept informed?</b> & updated" in text
    assert "<b>" not in page


@pytest.mark.parametrize("build", [kpi_report, empty_kpi_report, hostile_report])
def test_renderings_are_deterministic(build: typing.Callable[[], KpiReport]) -> None:
    report = build()
    assert report_to_html(report) == report_to_html(build())
    assert report_to_markdown(report) == report_to_markdown(build())
    assert report_to_json(report) == report_to_json(build())
    # The page depends on the figures only: the same report read back renders the same.
    again = report_from_json(report_to_json(report))
    assert report_to_html(again) == report_to_html(report)


names = st.text(min_size=1, max_size=40)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.builds(
            Breakdown,
            key=names,
            received=st.integers(0, 10**9),
            closed=st.integers(0, 10**6),
            upheld=st.integers(0, 10**6),
        ),
        max_size=12,
    ),
    st.lists(st.tuples(names, st.integers(0, 10**6), st.booleans()), max_size=15),
)
def test_any_categories_and_causes_render_a_well_formed_page(
    categories: list[Breakdown], causes: list[tuple[str, int, bool]]
) -> None:
    total = sum(n for _, n, _ in causes) or 1
    pareto = tuple(
        ParetoEntry(
            cause=cause,
            category=None,
            count=n,
            share=n / total,
            cumulative_share=1.0,
            recurring=recurring,
        )
        for cause, n, recurring in causes
    )
    base = kpi_report()
    report = kpi_report(
        by_category=tuple(categories),
        root_causes=RootCauses(
            recorded=total,
            unrecorded=0,
            recurring_threshold=3,
            recurring=0,
            single_incident=0,
            pareto=pareto,
        ),
        rules=base.rules,
    )
    page = report_to_html(report)
    root = page_tree(page)
    assert len(svgs(root)) >= 12
    assert "<script" not in page.lower()
    text = report_to_markdown(report)
    assert "<script" not in text.lower()
