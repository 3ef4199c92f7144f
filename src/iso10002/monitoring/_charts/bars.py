"""Bar charts: vertical bars in slots, and horizontal bars for long labels."""

from __future__ import annotations

import math
from collections.abc import Sequence

from iso10002._markup import escape
from iso10002.monitoring._charts.axes import (
    axis_caption,
    baseline,
    column_bars,
    nice_ticks,
    plot_frame,
    slant_room,
    tick_texts,
    x_labels,
)
from iso10002.monitoring._charts.svg import (
    BAR,
    GRID,
    HIGHLIGHT,
    INK,
    MUTED,
    all_integers,
    coord,
    empty_reason,
    heading,
    legend,
    no_data_chart,
    shared_decimals,
    svg,
    svg_text,
    text_width,
    triangle,
    triangle_swatch,
    truncate,
    with_unit,
)
from iso10002.monitoring._charts.values import Bar
from iso10002.monitoring._numbers import format_number

__all__ = ["bar_chart", "hbar_chart"]


def _summary(title: str, bars: Sequence[Bar], unit: str) -> str:
    highest = max(bars, key=lambda b: b.value)
    value = with_unit(highest.value, unit, shared_decimals([highest.value]))
    return f"{title}. {len(bars)} bars; highest: {highest.label} ({value})"


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    unit: str,
    highlight_label: str = "unusual value",
    width: int = 640,
    height: int = 280,
) -> str:
    """
    Vertical bars in the given order, e.g. complaints received per month. ``unit`` names
    what the values count (``complaints``, ``hours``) on the axis and in every tooltip;
    highlighted bars are red with a triangle, explained in a legend as ``highlight_label``.
    """
    bars = tuple(bars)
    reason = empty_reason([b.value for b in bars])
    if reason is not None:
        return no_data_chart(title, width, height, reason)
    flagged = any(b.highlight for b in bars)
    top = 54.0 if flagged else 36.0
    slant = slant_room([b.label for b in bars], width)
    height = math.ceil(height + slant[0])
    frame, axis = plot_frame(
        [b.value for b in bars],
        width=width,
        height=height,
        top=top + 14,
        right_margin=8,
        slant=slant,
    )
    body = [heading(title)]
    if flagged:
        body += legend([(triangle_swatch, highlight_label)], 34, width)
    body += axis
    body += column_bars(frame, bars, unit)
    body += [baseline(frame), *x_labels(frame, [b.label for b in bars], slant=slant[0] > 0)]
    body.append(axis_caption(frame, unit))
    label = _summary(title, bars, unit)
    if flagged:
        label += f"; {sum(b.highlight for b in bars)} marked as {highlight_label}"
    return svg(width, height, label, body)


def hbar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    unit: str,
    highlight_label: str = "highlighted",
    max_label: int = 28,
    width: int = 640,
) -> str:
    """
    Horizontal bars in the given order, one row each, for long labels (categories,
    channels, products). A label longer than ``max_label`` characters is cut with an
    ellipsis; the full label stays in the row's ``<title>``. The height follows the rows.
    """
    bars = tuple(bars)
    row = 24
    reason = empty_reason([b.value for b in bars])
    if reason is not None:
        return no_data_chart(title, width, 120, reason)
    flagged = any(b.highlight for b in bars)
    top = 50.0 if flagged else 32.0
    labels = [truncate(b.label, max_label) for b in bars]
    decimals = shared_decimals([b.value for b in bars])
    values = [format_number(b.value, decimals) for b in bars]
    left = 4 + max(text_width(t) for t in labels) + 8
    right = width - max(text_width(v, 11) for v in values) - 28
    if right - left < 80:
        left = max(width * 0.45, 4)
        right = width - max(text_width(v, 11) for v in values) - 28
    height = top + len(bars) * row + 40
    bottom = top + len(bars) * row
    ticks = nice_ticks(max(b.value for b in bars), integer=all_integers([b.value for b in bars]))
    maximum = ticks[-1]

    def x_of(value: float) -> float:
        return left + min(value / maximum, 1.0) * (right - left)

    body = [heading(title)]
    if flagged:
        body += legend([(triangle_swatch, highlight_label)], 32, width)
    body.append('<g class="x-axis">')
    for tick, text in zip(ticks, tick_texts(ticks), strict=True):
        x = x_of(tick)
        body.append(
            f'<line class="grid" x1="{coord(x)}" y1="{coord(top)}" x2="{coord(x)}" '
            f'y2="{coord(bottom)}" stroke="{GRID}"/>'
        )
        body.append(svg_text(x, bottom + 15, text, anchor="middle", cls="tick", fill=MUTED))
    body.append("</g>")
    body.append(
        svg_text((left + right) / 2, bottom + 32, unit, anchor="middle", fill=MUTED, size=11)
    )
    body.append('<g class="bars">')
    for i, (bar, text, value) in enumerate(zip(bars, labels, values, strict=True)):
        y = top + i * row
        end = x_of(bar.value)
        cls, fill = ("bar highlight", HIGHLIGHT) if bar.highlight else ("bar", BAR)
        tip = f"{bar.label}: {with_unit(bar.value, unit, decimals)}"
        body.append(f'<g class="row"><title>{escape(tip)}</title>')
        body.append(svg_text(left - 8, y + row / 2 + 4, text, anchor="end", cls="label"))
        body.append(
            f'<rect class="{cls}" x="{coord(left)}" y="{coord(y + 4)}" width="{coord(end - left)}" '
            f'height="{coord(row - 8)}" fill="{fill}"/>'
        )
        after = end + 5
        if bar.highlight:
            body.append(triangle(end + 10, y + row / 2 + 4, 8, HIGHLIGHT))
            after += 12
        body.append(svg_text(after, y + row / 2 + 4, value, cls="value", size=11))
        body.append("</g>")
    body.append("</g>")
    body.append(
        f'<line class="axis" x1="{coord(left)}" y1="{coord(top)}" x2="{coord(left)}" '
        f'y2="{coord(bottom)}" stroke="{INK}"/>'
    )
    label = _summary(title, bars, unit)
    return svg(width, height, label, body)
