"""SVG charts: well-formed, proportional, accessible, escaped, deterministic; "No data" for none."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iso10002.errors import ValidationError
from iso10002.monitoring.charts import (
    SVG_NAMESPACE,
    Bar,
    Series,
    bar_chart,
    format_number,
    hbar_chart,
    line_chart,
    nice_ticks,
    pareto_chart,
    share_bar,
)

NS = {"s": SVG_NAMESPACE}
HOSTILE = "<script>alert('x')</script> & \"friends\""


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{{{SVG_NAMESPACE}}}svg"
    return root


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def find(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{{{SVG_NAMESPACE}}}{tag}") if cls in classes(e)]


def num(element: ET.Element, name: str) -> float:
    return float(element.get(name, "nan"))


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(f"{{{SVG_NAMESPACE}}}text")]


def titles(root: ET.Element) -> list[str]:
    return [e.text or "" for e in root.iter(f"{{{SVG_NAMESPACE}}}title")]


def bars(*values: float, highlight: tuple[int, ...] = ()) -> list[Bar]:
    return [Bar(label=f"B{i}", value=v, highlight=i in highlight) for i, v in enumerate(values)]


def assert_self_contained(svg: str) -> None:
    assert "<script" not in svg.lower()
    assert "href" not in svg
    assert "url(" not in svg
    # The namespace on the root is the only address in a chart, and it is never fetched.
    assert svg.count("http") == 1


GEOMETRY = ("x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height", "points", "d")


def assert_finite_geometry(root: ET.Element) -> None:
    for element in root.iter():
        for name in GEOMETRY:
            value = element.get(name, "").lower()
            assert "nan" not in value and "inf" not in value, (element.tag, name, value)


def assert_accessible(root: ET.Element, title: str) -> None:
    assert root.get("role") == "img"
    assert root.get("aria-label", "").startswith(title)
    first = root[0]
    assert first.tag == f"{{{SVG_NAMESPACE}}}title"
    assert (first.text or "").startswith(title)


# -- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("maximum", "integer", "expected"),
    [
        (7, True, (0, 2, 4, 6, 8)),
        (1, True, (0, 1)),
        (3, True, (0, 1, 2, 3)),
        (0.37, False, (0, 0.1, 0.2, 0.3, 0.4)),
        (95, True, (0, 20, 40, 60, 80, 100)),
        (1234, True, (0, 500, 1000, 1500)),
        (100, False, (0, 20, 40, 60, 80, 100)),
        (0, False, (0, 1)),
        (math.inf, False, (0, 1)),
    ],
)
def test_nice_ticks_use_1_2_5_steps(maximum: float, integer: bool, expected: tuple[float]) -> None:
    assert nice_ticks(maximum, integer=integer) == pytest.approx(expected)


@given(st.floats(min_value=0, exclude_min=True, allow_infinity=False), st.booleans())
def test_nice_ticks_cover_the_maximum_from_zero(maximum: float, integer: bool) -> None:
    ticks = nice_ticks(maximum, integer=integer)
    assert ticks[0] == 0
    assert all(a < b for a, b in itertools.pairwise(ticks))
    assert ticks[-1] >= maximum * (1 - 1e-9)
    assert all(math.isfinite(t) for t in ticks)
    if len(ticks) > 2:
        step = ticks[1]
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert any(math.isclose(mantissa, m, rel_tol=1e-9) for m in (1, 2, 5, 10))
        assert len(ticks) <= 12


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234567, None, "1,234,567"),
        (1234.56, None, "1,234.6"),
        (1234.5, 2, "1,234.50"),
        (0.0, 1, "0.0"),
        (-0.0001, 1, "0.0"),
        (1e16, None, "1e+16"),
        (math.nan, None, "n/a"),
    ],
)
def test_format_number_has_thousands_separators(
    value: float, decimals: int | None, expected: str
) -> None:
    assert format_number(value, decimals) == expected


# -- values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"value": -1}, "value"),
        ({"value": math.nan}, "value"),
        ({"value": math.inf}, "value"),
        ({"value": True}, "value"),
        ({"value": "3"}, "value"),
        ({"label": 3}, "label"),
        ({"highlight": "yes"}, "highlight"),
    ],
)
def test_a_bar_refuses_bad_values(changes: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"label": "Billing", "value": 3}
    values.update(changes)
    with pytest.raises(ValidationError) as info:
        Bar(**values)  # type: ignore[arg-type]
    assert info.value.field == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"values": (1, -2)}, "values[1]"),
        ({"values": (1, math.nan)}, "values[1]"),
        ({"values": 5}, "values"),
        ({"flagged": (-1,)}, "flagged"),
        ({"flagged": 3}, "flagged"),
        ({"name": None}, "name"),
    ],
)
def test_a_series_refuses_bad_values(changes: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"name": "Received", "values": (1, 2)}
    values.update(changes)
    with pytest.raises(ValidationError) as info:
        Series(**values)  # type: ignore[arg-type]
    assert info.value.field == field


# -- vertical bars ------------------------------------------------------------------------------


def test_bar_heights_are_proportional_to_values() -> None:
    values = (10, 20, 35, 0, 7)
    svg = bar_chart(bars(*values), title="Received per month", unit="complaints")
    root = parse(svg)
    rects = find(root, "rect", "bar")
    assert len(rects) == len(values)
    baseline = num(find(root, "line", "axis")[0], "y1")
    heights = [num(r, "height") for r in rects]
    assert heights[3] == 0
    per_unit = heights[0] / values[0]
    for r, h, v in zip(rects, heights, values, strict=True):
        assert h == pytest.approx(v * per_unit, abs=0.02)
        assert num(r, "y") + h == pytest.approx(baseline, abs=0.02)
    # Bars are left to right in the given order, the same width.
    xs = [num(r, "x") for r in rects]
    assert xs == sorted(xs)
    assert len({r.get("width") for r in rects}) == 1
    # Each bar tells its exact value.
    assert [e.findtext("s:title", namespaces=NS) for e in rects][2] == "B2: 35 complaints"


def test_bar_chart_is_accessible_and_self_contained() -> None:
    svg = bar_chart(bars(3, 8, 5), title="Received per month", unit="complaints")
    root = parse(svg)
    assert_accessible(root, "Received per month")
    assert "highest: B1 (8 complaints)" in root.get("aria-label", "")
    assert_self_contained(svg)
    # The axis says what is counted, and its ticks are labelled.
    assert "complaints" in texts(root)
    assert {"0", "2", "4", "6", "8"} <= set(texts(root))


def test_bar_chart_marks_highlighted_bars_with_a_shape_as_well_as_colour() -> None:
    svg = bar_chart(bars(3, 30, 5, 4, highlight=(1,)), title="Received", unit="complaints")
    root = parse(svg)
    assert len(find(root, "rect", "highlight")) == 1
    assert len(find(root, "polygon", "marker")) == 1
    assert "unusual value" in texts(root)
    assert "1 marked as unusual value" in root.get("aria-label", "")


def test_many_bars_thin_out_their_labels_but_keep_every_bar() -> None:
    svg = bar_chart(
        [Bar(label=f"2026-{d:03d}", value=d % 7) for d in range(1, 91)], title="Daily", unit="x"
    )
    root = parse(svg)
    assert len(find(root, "rect", "bar")) == 90
    labels = find(root, "text", "label")
    assert 1 < len(labels) < 90
    # Labels do not overlap: centres further apart than the longest label is wide.
    xs = [num(t, "x") for t in labels]
    assert (
        min(b - a for a, b in itertools.pairwise(xs)) >= max(len(t.text or "") for t in labels) * 6
    )


def test_decimals_line_up_when_any_value_needs_one() -> None:
    root = parse(bar_chart(bars(9, 20.5), title="Hours", unit="hours"))
    assert [t.text for t in find(root, "text", "value")] == ["9.0", "20.5"]


# -- horizontal bars ----------------------------------------------------------------------------


def test_hbar_widths_are_proportional_and_long_labels_cut_with_the_full_label_kept() -> None:
    long = "Returns, refunds and exchanges of goods bought online or in store"
    svg = hbar_chart(
        [Bar(label="Delivery", value=140), Bar(label=long, value=70), Bar(label="Web", value=0)],
        title="By category",
        unit="complaints",
        max_label=20,
    )
    root = parse(svg)
    rects = find(root, "rect", "bar")
    widths = [num(r, "width") for r in rects]
    assert widths[1] == pytest.approx(widths[0] / 2, abs=0.02)
    assert widths[2] == 0
    labels = [t.text or "" for t in find(root, "text", "label")]
    assert labels[0] == "Delivery"
    assert labels[1].endswith("\u2026")
    assert len(labels[1]) <= 20
    assert long.startswith(labels[1][:-1])
    assert f"{long}: 70 complaints" in titles(root)
    assert_accessible(root, "By category")
    assert_self_contained(svg)


def test_hbar_height_grows_with_the_rows() -> None:
    small = parse(hbar_chart(bars(1, 2), title="t", unit="u"))
    large = parse(hbar_chart(bars(*range(1, 21)), title="t", unit="u"))
    assert num(large, "height") - num(small, "height") == pytest.approx(18 * 24)


# -- lines --------------------------------------------------------------------------------------


def test_line_chart_draws_each_series_and_marks_flagged_points() -> None:
    labels = [f"W{i}" for i in range(1, 7)]
    received = Series(name="Received", values=(28, 31, 58, 30, None, 27), flagged={2})
    closed = Series(name="Closed", values=(20, 27, 36, 47, 33, 28), flagged={3})
    svg = line_chart(labels, [received, closed], title="Trend", unit="complaints")
    root = parse(svg)
    paths = find(root, "path", "line")
    assert len(paths) == 2
    # The gap at W5 lifts the pen: two subpaths for "Received", one for "Closed".
    assert paths[0].get("d", "").count("M") == 2
    assert paths[1].get("d", "").count("M") == 1
    assert len(find(root, "polygon", "flag")) == 2
    assert "Received, W3: 58 complaints (unusual value)" in titles(root)
    assert "Closed, W4: 47 complaints (unusual value)" in titles(root)
    # Series differ in dash pattern, not only colour; the legend names each.
    assert paths[0].get("stroke-dasharray") != paths[1].get("stroke-dasharray")
    assert {"Received", "Closed", "unusual value"} <= set(texts(root))
    assert_accessible(root, "Trend")
    assert "2 marked as unusual value" in root.get("aria-label", "")
    assert_self_contained(svg)


def test_line_points_sit_at_their_values() -> None:
    root = parse(
        line_chart(["a", "b", "c"], [Series(name="s", values=(0, 50, 100))], title="t", unit="u")
    )
    ys = [
        float(y)
        for y in re.findall(r"[ML][\d.]+ ([\d.]+)", find(root, "path", "line")[0].get("d", ""))
    ]
    assert ys[0] - ys[1] == pytest.approx(ys[1] - ys[2], abs=0.02)
    assert ys[0] > ys[2]


def test_line_chart_refuses_a_series_of_another_length() -> None:
    with pytest.raises(ValidationError) as info:
        line_chart(
            ["a", "b"],
            [Series(name="s", values=(1, 2)), Series(name="t", values=(1,))],
            title="t",
            unit="u",
        )
    assert info.value.field == "series[1].values"


# -- Pareto -------------------------------------------------------------------------------------


def test_pareto_sorts_bars_and_the_cumulative_line_ends_at_100_percent() -> None:
    causes = [
        Bar(label="Price", value=20),
        Bar(label="Courier", value=50, highlight=True),
        Bar(label="Staff", value=5),
        Bar(label="Refund", value=25, highlight=True),
    ]
    svg = pareto_chart(causes, title="Root causes", unit="complaints")
    root = parse(svg)
    rects = find(root, "rect", "bar")
    heights = [num(r, "height") for r in rects]
    assert heights == sorted(heights, reverse=True)
    assert [t.text for t in find(root, "text", "label")] == ["Courier", "Refund", "Price", "Staff"]
    right_axis = find(root, "line", "axis-right")[0]
    top, bottom = num(right_axis, "y1"), num(right_axis, "y2")
    points = [
        tuple(map(float, p.split(",")))
        for p in (find(root, "polyline", "cumulative")[0].get("points") or "").split()
    ]
    shares = [(bottom - y) / (bottom - top) for _, y in points]
    assert shares == pytest.approx([0.5, 0.75, 0.95, 1.0], abs=1e-3)
    assert points[-1][1] == pytest.approx(top)
    assert {"0%", "25%", "50%", "75%", "100%"} <= set(texts(root))
    assert len(find(root, "rect", "highlight")) == 2
    assert len(find(root, "polygon", "marker")) == 2
    assert "recurring cause" in texts(root)
    assert_accessible(root, "Root causes")
    assert_self_contained(svg)


def test_long_bar_labels_are_slanted_rather_than_cut_short_or_skipped() -> None:
    causes = [
        Bar(label=f"Cause number {i} with a long description of what went wrong", value=20 - i)
        for i in range(8)
    ]
    upright = parse(pareto_chart(causes[:2], title="t", unit="u"))
    root = parse(pareto_chart(causes, title="t", unit="u"))
    labels = find(root, "text", "label")
    assert len(labels) == len(causes)
    for label in labels:
        assert (label.get("transform") or "").startswith("rotate(-35 ")
        assert len(label.text or "") <= 24
        # The start of the slanted text stays inside the chart.
        assert (
            num(label, "x") - len(label.text or "") * 0.58 * 12 * math.cos(math.radians(35)) >= -1
        )
    assert num(root, "height") > num(upright, "height")
    assert all(t.get("transform") is None for t in find(upright, "text", "label"))


def test_pareto_sums_the_tail_into_other_and_still_ends_at_100_percent() -> None:
    causes = [Bar(label=f"C{i}", value=1 + i * 0.37) for i in range(30)]
    root = parse(pareto_chart(causes, title="t", unit="u", max_bars=8))
    assert len(find(root, "rect", "bar")) == 8
    other = find(root, "rect", "bar")[-1].findtext("s:title", namespaces=NS) or ""
    assert other.startswith(f"Other (23): {format_number(sum(1 + i * 0.37 for i in range(23)))}")
    assert titles(root)[-1] == "cumulative: 100.0%"


# -- share --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0.0, 0.25, 0.8807, 1.0])
def test_share_bar_fills_its_share_of_the_track(value: float) -> None:
    svg = share_bar(value, title="Deadlines met", caption="347 of 394")
    root = parse(svg)
    track = find(root, "rect", "track")[0]
    filled = find(root, "rect", "share")[0]
    assert num(filled, "width") == pytest.approx(value * num(track, "width"), abs=0.02)
    assert f"{format_number(value * 100, 1)}%" in texts(root)
    assert "347 of 394" in texts(root)
    assert_accessible(root, "Deadlines met")
    assert_self_contained(svg)


@pytest.mark.parametrize("value", [-0.1, 1.01, math.nan, True])
def test_share_bar_refuses_what_is_not_a_share(value: float) -> None:
    with pytest.raises(ValidationError) as info:
        share_bar(value, title="t")
    assert info.value.field == "share"


# -- no data, escaping, determinism -------------------------------------------------------------

CHARTS: dict[str, Callable[[list[Bar]], str]] = {
    "bar": lambda b: bar_chart(b, title="T", unit="u"),
    "hbar": lambda b: hbar_chart(b, title="T", unit="u"),
    "pareto": lambda b: pareto_chart(b, title="T", unit="u"),
    "line": lambda b: line_chart(
        [x.label for x in b], [Series(name="s", values=[x.value for x in b])], title="T", unit="u"
    ),
}


@pytest.mark.parametrize("kind", sorted(CHARTS))
@pytest.mark.parametrize("values", [(), (0,), (0, 0, 0)])
def test_no_data_or_only_zeros_says_so(kind: str, values: tuple[float, ...]) -> None:
    root = parse(CHARTS[kind](bars(*values)))
    assert "No data" in texts(root)
    assert find(root, "rect", "bar") == []
    assert root.get("aria-label") == "T: no data" + (" (all values are 0)" if values else "")


def test_share_bar_without_a_share_says_no_data() -> None:
    root = parse(share_bar(None, title="Satisfied", caption="0 responses"))
    assert "No data" in texts(root)
    assert find(root, "rect", "share") == []


def test_line_chart_of_gaps_only_says_no_data() -> None:
    root = parse(
        line_chart(["a", "b"], [Series(name="s", values=(None, None))], title="T", unit="u")
    )
    assert "No data" in texts(root)


@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_labels_and_titles_are_escaped(kind: str) -> None:
    chart = CHARTS[kind]([Bar(label=HOSTILE, value=3), Bar(label="A & B", value=2)])
    assert "<script" not in chart
    assert "&lt;script&gt;" in chart
    assert "A &amp; B" in chart
    root = parse(chart)
    assert any(HOSTILE in t for t in titles(root))


def test_titles_units_and_series_names_are_escaped() -> None:
    svg = line_chart(["<a>"], [Series(name="<b>&", values=(1,))], title="<i>T</i>", unit="<u>")
    assert "<i>" not in svg and "<b>" not in svg and "<u>" not in svg
    root = parse(svg)
    assert root.get("aria-label", "").startswith("<i>T</i>")


def test_characters_xml_forbids_are_dropped() -> None:
    svg = hbar_chart([Bar(label="bad\x00\x1b\ufffe label", value=1)], title="t\x07", unit="u")
    root = parse(svg)
    assert "bad label" in [t.text for t in find(root, "text", "label")]


@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_the_same_input_gives_the_same_bytes(kind: str) -> None:
    data = [Bar(label=f"L{i}", value=(i * 37) % 11 + 0.5, highlight=i % 3 == 0) for i in range(9)]
    assert CHARTS[kind](data) == CHARTS[kind](list(data))


def contrast(colour: str) -> float:
    """The WCAG contrast ratio of ``#rrggbb`` against white."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def test_every_colour_that_carries_meaning_contrasts_with_white() -> None:
    labels = [f"W{i}" for i in range(4)]
    series = [Series(name=f"s{i}", values=(1, 2, 3, 4), flagged={1}) for i in range(4)]
    charts = [
        *(chart(bars(3, 5, 2, highlight=(1,))) for chart in CHARTS.values()),
        line_chart(labels, series, title="t", unit="u"),
        share_bar(0.4, title="t", caption="c"),
    ]
    # Grid lines, the empty part of a share bar and the "No data" panel only frame the data.
    decorative = {"#d5dbe0", "#e8ecef", "#f6f8fa", "#ffffff"}
    for svg in charts:
        colours = set(re.findall(r'(?:fill|stroke)="(#[0-9a-f]{6})"', svg)) - decorative
        assert colours
        for colour in colours:
            assert contrast(colour) >= 4.5, colour


# -- properties ---------------------------------------------------------------------------------

values = st.floats(min_value=0, allow_nan=False, allow_infinity=False)
labels = st.text(max_size=60)
bar_lists = st.lists(
    st.builds(Bar, label=labels, value=values, highlight=st.booleans()), max_size=30
)


@settings(max_examples=150, deadline=None)
@given(bar_lists, st.sampled_from(sorted(CHARTS)))
def test_any_bars_give_a_well_formed_chart(data: list[Bar], kind: str) -> None:
    svg = CHARTS[kind](data)
    root = parse(svg)
    assert root.get("role") == "img"
    assert_finite_geometry(root)
    for rect in find(root, "rect", "bar"):
        assert num(rect, "height" if kind != "hbar" else "width") >= 0


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=0, max_value=40).flatmap(
        lambda n: st.tuples(
            st.lists(labels, min_size=n, max_size=n),
            st.lists(
                st.builds(
                    Series,
                    name=labels,
                    values=st.lists(st.none() | values, min_size=n, max_size=n),
                    flagged=st.frozensets(st.integers(min_value=0, max_value=n + 2)),
                ),
                max_size=4,
            ),
        )
    )
)
def test_any_series_give_a_well_formed_line_chart(data: tuple[list[str], list[Series]]) -> None:
    labels_, series = data
    root = parse(line_chart(labels_, series, title="T", unit="u"))
    assert root.get("role") == "img"
    assert_finite_geometry(root)


@given(st.none() | st.floats(min_value=0, max_value=1), labels, labels)
def test_any_share_gives_a_well_formed_bar(share: float | None, title: str, caption: str) -> None:
    root = parse(share_bar(share, title=title, caption=caption))
    assert root.get("role") == "img"


def test_an_unusual_point_is_marked_where_it_is_not_above_it() -> None:
    chart = parse(
        line_chart(
            ["W1", "W2", "W3"],
            [Series(name="Received", values=(4, 9, 5), flagged={1})],
            title="Received",
            unit="complaints",
        )
    )
    (flag,) = chart.findall(".//s:polygon[@class='flag']", NS)
    corners = [tuple(map(float, p.split(","))) for p in (flag.get("points") or "").split()]
    centre_x = sum(x for x, _ in corners) / 4
    centre_y = sum(y for _, y in corners) / 4
    # The point the diamond marks is in its group, drawn after it so it stays on top.
    group = next(g for g in chart.iter(f"{{{SVG_NAMESPACE}}}g") if flag in list(g))
    assert [c.tag.split("}")[1] for c in group] == ["title", "polygon", "circle"]
    point = group[2]
    assert (centre_x, centre_y) == pytest.approx(
        (float(point.get("cx") or 0), float(point.get("cy") or 0))
    )
    assert "W2: 9 complaints (unusual value)" in (group[0].text or "")


def test_the_text_alternative_says_how_high_and_low_a_line_went() -> None:
    label = parse(
        line_chart(
            ["W1", "W2", "W3", "W4"],
            [
                Series(name="Received", values=(0, 12, 7, 0)),
                Series(name="Closed", values=(3, 3, None, 3)),
            ],
            title="Per week",
            unit="complaints",
        )
    ).get("aria-label")
    assert label == (
        "Per week. 4 buckets, W1 to W4; Received: highest 12 complaints (W2), lowest "
        "0 complaints (W1), last 0 complaints (W4); Closed: 3 complaints in each of 3 buckets"
    )
