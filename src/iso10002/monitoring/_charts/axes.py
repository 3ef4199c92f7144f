"""
The value axis and the plot area of the charts with vertical bars or lines: ticks, the frame,
labels under the axis (slanted when long) and the columns of a bar chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs

from iso10002._markup import escape
from iso10002.monitoring._charts.svg import (
    BAR,
    CHAR_WIDTH,
    FONT_SIZE,
    GRID,
    HIGHLIGHT,
    INK,
    MUTED,
    all_integers,
    coord,
    shared_decimals,
    svg_text,
    text_width,
    triangle,
    truncate,
    with_unit,
)
from iso10002.monitoring._charts.values import Bar
from iso10002.monitoring._numbers import format_number

__all__ = [
    "SLANT",
    "SLANT_CHARS",
    "Frame",
    "axis_caption",
    "baseline",
    "column_bars",
    "nice_ticks",
    "plot_frame",
    "slant_room",
    "tick_texts",
    "x_labels",
]

SLANT = 35
"""Degrees by which long bar labels are turned so that they need not be cut short."""


SLANT_CHARS = 24


def nice_ticks(maximum: float, *, count: int = 5, integer: bool = False) -> tuple[float, ...]:
    """
    Axis ticks from 0 to the first tick at or above ``maximum``, about ``count`` steps of
    1, 2 or 5 times a power of ten; with ``integer`` the step is at least 1. Degenerate
    maxima (0, not finite, too small or too large for such steps) give ``(0, maximum)`` or
    ``(0, 1)``.
    """
    if not (math.isfinite(maximum) and maximum > 0):
        return (0.0, 1.0)
    raw = maximum / max(count, 1)
    if integer:
        raw = max(raw, 1.0)
    if not raw > 0:
        return (0.0, float(maximum))
    exponent = math.floor(math.log10(raw))
    base = 10.0**exponent
    multiple = next((m for m in (1, 2, 5) if m * base >= raw * (1 - 1e-12)), 10)
    step = multiple * base
    if not (step > 0 and math.isfinite(maximum / step)):
        return (0.0, float(maximum))
    steps = math.ceil(maximum / step - 1e-9)
    if exponent < 0 and -exponent <= 22:
        # Dividing by an exact power of ten gives 0.3, where 3 * 0.1 gives 0.30000000000000004.
        ticks = tuple(i * multiple / 10.0**-exponent for i in range(steps + 1))
    else:
        ticks = tuple(i * step for i in range(steps + 1))
    if not (math.isfinite(ticks[-1]) and ticks[-1] >= maximum * (1 - 1e-9) and ticks[-1] > 0):
        return (0.0, float(maximum))
    return ticks


def tick_texts(ticks: Sequence[float]) -> list[str]:
    """The tick labels, with as many decimals as the step needs and no more."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    if step >= 1 or step <= 0:
        return [format_number(t, 0) for t in ticks]
    decimals = math.ceil(-math.log10(step) - 1e-9)
    if decimals > 6:
        return [f"{t:.3g}" for t in ticks]
    return [format_number(t, decimals) for t in ticks]


@attrs.frozen
class Frame:
    """The plot area of a chart with a vertical value axis."""

    left: float
    right: float
    top: float
    bottom: float
    ticks: tuple[float, ...]

    @property
    def maximum(self) -> float:
        return self.ticks[-1]

    def y(self, value: float) -> float:
        return self.bottom - min(value / self.maximum, 1.0) * (self.bottom - self.top)

    def slot(self, count: int) -> float:
        return (self.right - self.left) / count

    def centre(self, index: int, count: int) -> float:
        return self.left + (index + 0.5) * self.slot(count)


def plot_frame(
    values: Sequence[float],
    *,
    width: float,
    height: float,
    top: float,
    right_margin: float,
    slant: tuple[float, float] = (0, 0),
) -> tuple[Frame, list[str]]:
    """The plot area and its value axis, with room for slanted labels (:func:`slant_room`)."""
    below, reach = slant
    ticks = nice_ticks(max(values), integer=all_integers(values))
    texts = tick_texts(ticks)
    left = max(22 + max(text_width(t) for t in texts) + 6, reach + 4)
    frame = Frame(left, width - right_margin, top, height - 34 - below, ticks)
    out = ['<g class="y-axis">']
    for tick, text in zip(ticks, texts, strict=True):
        y = frame.y(tick)
        out.append(
            f'<line class="grid" x1="{coord(frame.left)}" y1="{coord(y)}" '
            f'x2="{coord(frame.right)}" y2="{coord(y)}" stroke="{GRID}"/>'
        )
        out.append(svg_text(frame.left - 6, y + 4, text, anchor="end", cls="tick", fill=MUTED))
    out.append("</g>")
    return frame, out


def axis_caption(frame: Frame, unit: str) -> str:
    """The unit, written upwards along the value axis."""
    mid = (frame.top + frame.bottom) / 2
    return svg_text(
        12,
        mid,
        unit,
        anchor="middle",
        cls="axis-caption",
        fill=MUTED,
        size=11,
        extra=f'transform="rotate(-90 12 {coord(mid)})"',
    )


def baseline(frame: Frame) -> str:
    """The horizontal axis line at the foot of the frame."""
    return (
        f'<line class="axis" x1="{coord(frame.left)}" y1="{coord(frame.bottom)}" '
        f'x2="{coord(frame.right)}" y2="{coord(frame.bottom)}" stroke="{INK}"/>'
    )


def slant_room(labels: Sequence[str], width: float) -> tuple[float, float]:
    """
    How much taller a bar chart grows to slant its labels, and how far left of the first
    bar's centre they reach, when upright labels would have to be cut short; ``(0, 0)``
    when they fit, or when there are too many bars to label each.
    """
    if not labels:
        return 0, 0
    slot = (width - 90) / len(labels)
    longest = min(max(len(" ".join(label.split())) for label in labels), SLANT_CHARS)
    if (slot - 6) / CHAR_WIDTH >= longest or slot < FONT_SIZE + 2:
        return 0, 0
    length = longest * CHAR_WIDTH
    reach = length * math.cos(math.radians(SLANT)) - slot / 2
    return length * math.sin(math.radians(SLANT)) + 2, reach


def x_labels(frame: Frame, labels: Sequence[str], *, slant: bool = False) -> list[str]:
    """
    Bucket labels under the axis, cut to fit their slot; every k-th only when even six
    characters would not fit. The first and last stay inside the chart. ``slant`` writes
    every label at an angle instead, cut at ``SLANT_CHARS`` characters.
    """
    count = len(labels)
    slot = frame.slot(count)
    if slant:
        out = ['<g class="x-axis">']
        for i, label in enumerate(labels):
            x, y = frame.centre(i, count) + 4, frame.bottom + 12
            out.append(
                svg_text(
                    x,
                    y,
                    truncate(label, SLANT_CHARS),
                    anchor="end",
                    cls="label",
                    extra=f'transform="rotate(-{SLANT} {coord(x)} {coord(y)})"',
                )
            )
        out.append("</g>")
        return out
    longest = max(len(" ".join(label.split())) for label in labels)
    every = 1
    chars = int((slot - 6) / CHAR_WIDTH)
    if chars < min(longest, 6):
        every = max(1, math.ceil((min(longest, 10) * CHAR_WIDTH + 8) / slot))
        chars = int((every * slot - 8) / CHAR_WIDTH)
    chars = max(chars, 3)
    out = ['<g class="x-axis">']
    for i in range(0, count, every):
        text = truncate(labels[i], chars)
        half = text_width(text) / 2
        x = min(max(frame.centre(i, count), half), frame.right + 8 - half)
        out.append(svg_text(x, frame.bottom + 16, text, anchor="middle", cls="label"))
    out.append("</g>")
    return out


def column_bars(
    frame: Frame, bars: Sequence[Bar], unit: str, *, notes: Sequence[str] = ()
) -> list[str]:
    """Vertical bars in slots across the frame, each with its value above it if it fits."""
    count = len(bars)
    slot = frame.slot(count)
    bar_width = min(slot * 0.72, 64)
    decimals = shared_decimals([b.value for b in bars])
    out = ['<g class="bars">']
    for i, bar in enumerate(bars):
        x = frame.left + i * slot + (slot - bar_width) / 2
        y = frame.y(bar.value)
        cls, fill = ("bar highlight", HIGHLIGHT) if bar.highlight else ("bar", BAR)
        note = notes[i] if i < len(notes) else ""
        tip = f"{bar.label}: {with_unit(bar.value, unit, decimals)}{note}"
        out.append(
            f'<rect class="{cls}" x="{coord(x)}" y="{coord(y)}" width="{coord(bar_width)}" '
            f'height="{coord(frame.bottom - y)}" fill="{fill}"><title>{escape(tip)}</title></rect>'
        )
        value_text = format_number(bar.value, decimals)
        above = y - 4
        if text_width(value_text, 11) + 2 <= slot:
            out.append(
                svg_text(
                    x + bar_width / 2, above, value_text, anchor="middle", cls="value", size=11
                )
            )
            above -= 13
        if bar.highlight:
            out.append(triangle(x + bar_width / 2, above, 8, HIGHLIGHT))
    out.append("</g>")
    return out
