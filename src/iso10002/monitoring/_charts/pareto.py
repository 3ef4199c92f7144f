"""The Pareto chart: causes sorted by count, with the cumulative share on a 0-100 % axis."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence

from iso10002._markup import escape
from iso10002.monitoring._charts.axes import (
    axis_caption,
    baseline,
    column_bars,
    plot_frame,
    slant_room,
    x_labels,
)
from iso10002.monitoring._charts.svg import (
    BAR,
    CUMULATIVE,
    box_swatch,
    coord,
    empty_reason,
    heading,
    legend,
    line_swatch,
    no_data_chart,
    percent_text,
    shared_decimals,
    svg,
    svg_text,
    triangle_swatch,
    with_unit,
)
from iso10002.monitoring._charts.values import Bar

__all__ = ["pareto_chart"]


def pareto_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    unit: str,
    highlight_label: str = "recurring cause",
    max_bars: int = 12,
    width: int = 640,
    height: int = 300,
) -> str:
    """
    A Pareto chart: bars sorted by value, largest first (ties keep their order), and a line
    of the cumulative share on a 0-100 % axis at the right, ending at 100 %. Beyond
    ``max_bars`` the smallest bars are summed into a last bar "Other (n)". Highlighted bars
    (e.g. recurring causes) are red with a triangle, explained in the legend.
    """
    ordered = sorted(bars, key=lambda b: -b.value)
    reason = empty_reason([b.value for b in ordered])
    if reason is not None:
        return no_data_chart(title, width, height, reason)
    limit = max(max_bars, 2)
    if len(ordered) > limit:
        kept, rest = ordered[: limit - 1], ordered[limit - 1 :]
        # Summed in units of the largest of them: the sum of huge values would overflow.
        largest = max(b.value for b in rest) or 1.0
        other = min(math.fsum(b.value / largest for b in rest) * largest, sys.float_info.max)
        ordered = [*kept, Bar(label=f"Other ({len(rest)})", value=other)]
    # Summed in units of the largest bar, so that no total of huge values overflows.
    scale = max(b.value for b in ordered)
    running = 0.0
    cumulative = []
    for bar in ordered:
        running += bar.value / scale
        cumulative.append(running)
    shares = [c / running for c in cumulative]
    parts = [b.value / scale / running for b in ordered]
    items: list[tuple[Callable[[float, float], str], str]] = [
        (box_swatch(BAR), unit),
        (line_swatch(0, CUMULATIVE), "cumulative share"),
    ]
    flagged = sum(b.highlight for b in ordered)
    if flagged:
        items.append((triangle_swatch, highlight_label))
    slant = slant_room([b.label for b in ordered], width)
    height = math.ceil(height + slant[0])
    frame, axis = plot_frame(
        [b.value for b in ordered],
        width=width,
        height=height,
        top=68,
        right_margin=44,
        slant=slant,
    )
    body = [heading(title), *legend(items, 34, width), *axis]
    body.append('<g class="y2-axis">')
    for percent in (0, 25, 50, 75, 100):
        y = frame.bottom - percent / 100 * (frame.bottom - frame.top)
        body.append(
            svg_text(frame.right + 6, y + 4, f"{percent}%", cls="tick-right", fill=CUMULATIVE)
        )
    body.append(
        f'<line class="axis-right" x1="{coord(frame.right)}" y1="{coord(frame.top)}" '
        f'x2="{coord(frame.right)}" y2="{coord(frame.bottom)}" stroke="{CUMULATIVE}"/>'
    )
    body.append("</g>")
    notes = [
        f" ({percent_text(p)} of all; cumulative {percent_text(s)})"
        for p, s in zip(parts, shares, strict=True)
    ]
    body += column_bars(frame, ordered, unit, notes=notes)
    count = len(ordered)
    points = [
        (frame.centre(i, count), frame.bottom - share * (frame.bottom - frame.top))
        for i, share in enumerate(shares)
    ]
    line = " ".join(f"{coord(x)},{coord(y)}" for x, y in points)
    body.append(
        f'<polyline class="cumulative" points="{line}" fill="none" stroke="{CUMULATIVE}" '
        'stroke-width="2"/>'
    )
    for (x, y), share in zip(points, shares, strict=True):
        body.append(
            f'<circle class="cumulative-point" cx="{coord(x)}" cy="{coord(y)}" r="3" '
            f'fill="{CUMULATIVE}"><title>cumulative: {escape(percent_text(share))}</title></circle>'
        )
    body += [baseline(frame), *x_labels(frame, [b.label for b in ordered], slant=slant[0] > 0)]
    body.append(axis_caption(frame, unit))
    first = ordered[0]
    label = (
        f"{title}. {count} bars, largest first: {first.label} "
        f"({with_unit(first.value, unit, shared_decimals([first.value]))}, "
        f"{percent_text(parts[0])})"
    )
    if flagged:
        label += f"; {flagged} marked as {highlight_label}"
    return svg(width, height, label, body)
