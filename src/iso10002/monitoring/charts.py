"""
SVG charts for the KPI report: plain strings, built with the standard library only.

Every chart is one ``<svg>`` element that stands on its own: no script, no stylesheet, font
or image fetched, no identifiers that could clash when several charts share a page. The same
input gives the same bytes (coordinates are written with two decimals at most). Each chart is
an accessible image: ``role="img"``, an ``aria-label`` and a ``<title>`` that say what it shows
and its most important values, and a ``<title>`` on every bar and point with its exact value;
the HTML report puts a table with the same figures next to each chart for readers who cannot
see it. All text is escaped, and characters XML does not allow are dropped.

Colours keep a contrast of at least 4.5:1 against white, and nothing is told by colour alone:
highlighted bars (unusual values, recurring causes) also carry a triangle marker, unusual points
on a line a diamond, and the lines of a chart differ in dash pattern and marker shape.

Values are counts, hours or shares: finite and never negative (a bar or a series refuses
anything else with :class:`~iso10002.errors.ValidationError`). A chart without data, or whose
values are all 0, says "No data" instead of drawing an empty axis.

- :func:`bar_chart`: vertical bars, e.g. complaints received per month;
- :func:`hbar_chart`: horizontal bars for long labels (categories, channels, products);
- :func:`line_chart`: several series over the same buckets, unusual points marked;
- :func:`pareto_chart`: causes sorted by count with the cumulative share on a 0-100 % axis;
- :func:`share_bar`: one share of a whole, e.g. the share of deadlines met.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from iso10002._markup import escape
from iso10002.errors import ValidationError
from iso10002.model import _checks as check

__all__ = [
    "SVG_NAMESPACE",
    "Bar",
    "Series",
    "bar_chart",
    "format_number",
    "hbar_chart",
    "line_chart",
    "nice_ticks",
    "pareto_chart",
    "share_bar",
]

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
"""The namespace on each chart's root; a page that inlines the charts in HTML may drop it."""

_INK = "#1d2329"
_MUTED = "#5b6670"
_GRID = "#d5dbe0"
_BAR = "#2f5d8a"
_HIGHLIGHT = "#a4161a"
_CUMULATIVE = "#8a4b08"
_SHARE = "#166534"
_SHARE_REST = "#e8ecef"
_SERIES_COLOURS = ("#1f4e79", "#b45309", "#166534", "#6d28d9")
_SERIES_DASHES = ("", "7 4", "2 3", "9 3 2 3")
_FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"
_FONT_SIZE = 12
# Without measuring fonts, an average glyph of a sans-serif face is about 0.58 em wide.
_CHAR_WIDTH = 0.58 * _FONT_SIZE
_NO_DATA = "No data"
_SLANT = 35
"""Degrees by which long bar labels are turned so that they need not be cut short."""
_SLANT_CHARS = 24


# -- values -------------------------------------------------------------------------------------


def _label(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise ValidationError(attribute.name, f"expected text, got {type(value).__name__}")


def _amount(value: object, field: str) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ValidationError(field, f"expected a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValidationError(field, f"must be a finite number, got {value!r}")
    if value < 0:
        raise ValidationError(field, f"must not be negative, got {value!r}")


def _value(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _amount(value, attribute.name)


def _values(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise ValidationError(attribute.name, f"expected a tuple, got {type(value).__name__}")
    for index, item in enumerate(value):
        if item is not None:
            _amount(item, f"{attribute.name}[{index}]")


def _to_indices(value: Iterable[int]) -> frozenset[int]:
    if not isinstance(value, Iterable) or isinstance(value, (str, bytes)):
        raise ValidationError("flagged", f"expected indices, got {type(value).__name__}")
    return frozenset(value)


def _indices(_inst: object, attribute: attrs.Attribute[Any], value: frozenset[object]) -> None:
    for item in value:
        if not isinstance(item, int) or isinstance(item, bool) or item < 0:
            raise ValidationError(attribute.name, f"expected indices (int >= 0), got {item!r}")


@attrs.frozen(kw_only=True)
class Bar:
    """One bar: its label, its value (a finite number, never negative) and whether to mark it."""

    label: str = attrs.field(validator=_label)
    value: float = attrs.field(validator=_value)
    highlight: bool = attrs.field(default=False, validator=check.instance(bool))
    """Drawn in red with a triangle above it (an unusual value, a recurring cause)."""


@attrs.frozen(kw_only=True)
class Series:
    """One line of a :func:`line_chart`: a value (or ``None`` for a gap) per bucket."""

    name: str = attrs.field(validator=_label)
    values: tuple[float | None, ...] = attrs.field(converter=check.to_tuple, validator=_values)
    flagged: frozenset[int] = attrs.field(
        default=frozenset(), converter=_to_indices, validator=_indices
    )
    """Indices of the buckets where the value looks unusual; marked with a diamond."""


# -- numbers ------------------------------------------------------------------------------------


def format_number(value: float, decimals: int | None = None) -> str:
    """
    ``value`` with thousands separators (``12,345``; ``1,234.5``). Without ``decimals``, whole
    numbers get none and others one. Magnitudes of 10^15 and more are written in scientific
    notation, and a value that is not finite as ``n/a``.
    """
    if not math.isfinite(value):
        return "n/a"
    if abs(value) >= 1e15:
        return f"{value:.3g}"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


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


def _tick_texts(ticks: Sequence[float]) -> list[str]:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    if step >= 1 or step <= 0:
        return [format_number(t, 0) for t in ticks]
    decimals = math.ceil(-math.log10(step) - 1e-9)
    if decimals > 6:
        return [f"{t:.3g}" for t in ticks]
    return [format_number(t, decimals) for t in ticks]


def _integers(values: Sequence[float]) -> bool:
    return all(float(v).is_integer() for v in values)


def _percent(share: float) -> str:
    return f"{format_number(share * 100, 1)}%"


# -- SVG text -----------------------------------------------------------------------------------


_esc = escape


def _n(x: float) -> str:
    """A coordinate with at most two decimals, so output is compact and byte-stable."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _width(text: str, size: float = _FONT_SIZE) -> float:
    return len(text) * size * 0.58


def _truncate(text: str, chars: int) -> str:
    """``text`` cut to ``chars`` characters, the last one an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= chars:
        return text
    return text[: max(chars - 1, 1)].rstrip() + "\u2026"


def _decimals(values: Sequence[float | None]) -> int:
    """One decimal for every value of a chart if any needs it, so labels line up."""
    return 0 if _integers([v for v in values if v is not None]) else 1


def _with_unit(value: float, unit: str, decimals: int) -> str:
    return f"{format_number(value, decimals)} {unit}".rstrip()


def _svg(width: float, height: float, label: str, body: Sequence[str]) -> str:
    return "".join(
        [
            (
                f'<svg xmlns="{SVG_NAMESPACE}" class="chart" width="{_n(width)}" '
                f'height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}" role="img" '
                f'aria-label="{_esc(label)}" font-family="{_FONT}" font-size="{_FONT_SIZE}" '
                f'fill="{_INK}">'
            ),
            f"<title>{_esc(label)}</title>",
            *body,
            "</svg>",
        ]
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    cls: str | None = None,
    fill: str | None = None,
    size: float | None = None,
    bold: bool = False,
    extra: str = "",
) -> str:
    attributes = [f'x="{_n(x)}"', f'y="{_n(y)}"']
    if anchor != "start":
        attributes.append(f'text-anchor="{anchor}"')
    if cls:
        attributes.append(f'class="{cls}"')
    if fill:
        attributes.append(f'fill="{fill}"')
    if size:
        attributes.append(f'font-size="{_n(size)}"')
    if bold:
        attributes.append('font-weight="bold"')
    if extra:
        attributes.append(extra)
    return f"<text {' '.join(attributes)}>{_esc(text)}</text>"


def _heading(title: str) -> str:
    return _text(0, 15, title, cls="chart-title", bold=True, size=13)


def _no_data(title: str, width: float, height: float, reason: str) -> str:
    """The chart of nothing: its title and the words "No data", never an empty axis."""
    height = min(height, 100)
    body = [
        _heading(title),
        (
            f'<rect class="frame" x="0.5" y="24.5" width="{_n(width - 1)}" '
            f'height="{_n(height - 25)}" fill="#f6f8fa" stroke="{_GRID}"/>'
        ),
        _text(width / 2, (height + 24) / 2, _NO_DATA, anchor="middle", cls="no-data", bold=True),
    ]
    if reason:
        body.append(
            _text(width / 2, (height + 24) / 2 + 16, reason, anchor="middle", fill=_MUTED, size=11)
        )
    label = f"{title}: {_NO_DATA.lower()}" + (f" ({reason})" if reason else "")
    return _svg(width, height, label, body)


def _empty_reason(values: Sequence[float | None]) -> str | None:
    """Why there is nothing to draw (``""`` for no values at all), or None if there is."""
    present = [v for v in values if v is not None]
    if not present:
        return ""
    if not any(present):
        return "all values are 0"
    return None


# -- markers ------------------------------------------------------------------------------------


def _triangle(x: float, y: float, size: float, fill: str, cls: str = "marker") -> str:
    """An upward triangle whose tip is at ``(x, y - size)`` and base at ``y``."""
    points = f"{_n(x - size * 0.6)},{_n(y)} {_n(x + size * 0.6)},{_n(y)} {_n(x)},{_n(y - size)}"
    return f'<polygon class="{cls}" points="{points}" fill="{fill}"/>'


def _diamond(x: float, y: float, size: float, fill: str, cls: str = "flag") -> str:
    points = (
        f"{_n(x)},{_n(y - size)} {_n(x + size)},{_n(y)} "
        f"{_n(x)},{_n(y + size)} {_n(x - size)},{_n(y)}"
    )
    return (
        f'<polygon class="{cls}" points="{points}" fill="{fill}" stroke="#ffffff" '
        'stroke-width="1.5"/>'
    )


def _marker(shape: int, x: float, y: float, colour: str) -> str:
    """The point marker of the ``shape``-th series: circle, square, triangle or cross."""
    kind = shape % 4
    if kind == 0:
        return f'<circle class="point" cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{colour}"/>'
    if kind == 1:
        return (
            f'<rect class="point" x="{_n(x - 3.5)}" y="{_n(y - 3.5)}" width="7" height="7" '
            f'fill="{colour}"/>'
        )
    if kind == 2:
        return _triangle(x, y + 3.5, 7.5, colour, cls="point")
    d = (
        f"M{_n(x - 4)} {_n(y - 4)}L{_n(x + 4)} {_n(y + 4)}"
        f"M{_n(x - 4)} {_n(y + 4)}L{_n(x + 4)} {_n(y - 4)}"
    )
    return f'<path class="point" d="{d}" stroke="{colour}" stroke-width="2.5"/>'


def _legend(
    items: Sequence[tuple[Callable[[float, float], str], str]], y: float, width: float
) -> list[str]:
    """One row of legend entries (a swatch drawn at ``(x, y)`` and a label), left to right."""
    out = ['<g class="legend">']
    x = 0.0
    for swatch, label in items:
        text = _truncate(label, 40)
        needed = 26 + _width(text, 11) + 14
        if x > 0 and x + needed > width:
            break
        out.append(swatch(x, y))
        out.append(_text(x + 24, y + 4, text, size=11, fill=_MUTED))
        x += needed
    out.append("</g>")
    return out


def _box_swatch(fill: str) -> Callable[[float, float], str]:
    return lambda x, y: (
        f'<rect x="{_n(x + 4)}" y="{_n(y - 5)}" width="14" height="10" fill="{fill}"/>'
    )


def _triangle_swatch(x: float, y: float) -> str:
    return _triangle(x + 11, y + 5, 10, _HIGHLIGHT, cls="legend-marker")


def _diamond_swatch(x: float, y: float) -> str:
    return _diamond(x + 11, y, 5.5, _HIGHLIGHT, cls="legend-marker")


def _line_swatch(index: int, colour: str) -> Callable[[float, float], str]:
    dash = _SERIES_DASHES[index % len(_SERIES_DASHES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return lambda x, y: (
        f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x + 22)}" y2="{_n(y)}" stroke="{colour}" '
        f'stroke-width="2"{dash_attr}/>' + _marker(index, x + 11, y, colour)
    )


# -- shared axis geometry -----------------------------------------------------------------------


@attrs.frozen
class _Frame:
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


def _frame(
    values: Sequence[float],
    *,
    width: float,
    height: float,
    top: float,
    right_margin: float,
    slant: tuple[float, float] = (0, 0),
) -> tuple[_Frame, list[str]]:
    """The plot area and its value axis, with room for slanted labels (:func:`_slant_room`)."""
    below, reach = slant
    ticks = nice_ticks(max(values), integer=_integers(values))
    texts = _tick_texts(ticks)
    left = max(22 + max(_width(t) for t in texts) + 6, reach + 4)
    frame = _Frame(left, width - right_margin, top, height - 34 - below, ticks)
    out = ['<g class="y-axis">']
    for tick, text in zip(ticks, texts, strict=True):
        y = frame.y(tick)
        out.append(
            f'<line class="grid" x1="{_n(frame.left)}" y1="{_n(y)}" x2="{_n(frame.right)}" '
            f'y2="{_n(y)}" stroke="{_GRID}"/>'
        )
        out.append(_text(frame.left - 6, y + 4, text, anchor="end", cls="tick", fill=_MUTED))
    out.append("</g>")
    return frame, out


def _axis_caption(frame: _Frame, unit: str) -> str:
    mid = (frame.top + frame.bottom) / 2
    return _text(
        12,
        mid,
        unit,
        anchor="middle",
        cls="axis-caption",
        fill=_MUTED,
        size=11,
        extra=f'transform="rotate(-90 12 {_n(mid)})"',
    )


def _baseline(frame: _Frame) -> str:
    return (
        f'<line class="axis" x1="{_n(frame.left)}" y1="{_n(frame.bottom)}" '
        f'x2="{_n(frame.right)}" y2="{_n(frame.bottom)}" stroke="{_INK}"/>'
    )


def _slant_room(labels: Sequence[str], width: float) -> tuple[float, float]:
    """
    How much taller a bar chart grows to slant its labels, and how far left of the first
    bar's centre they reach, when upright labels would have to be cut short; ``(0, 0)``
    when they fit, or when there are too many bars to label each.
    """
    if not labels:
        return 0, 0
    slot = (width - 90) / len(labels)
    longest = min(max(len(" ".join(label.split())) for label in labels), _SLANT_CHARS)
    if (slot - 6) / _CHAR_WIDTH >= longest or slot < _FONT_SIZE + 2:
        return 0, 0
    length = longest * _CHAR_WIDTH
    reach = length * math.cos(math.radians(_SLANT)) - slot / 2
    return length * math.sin(math.radians(_SLANT)) + 2, reach


def _x_labels(frame: _Frame, labels: Sequence[str], *, slant: bool = False) -> list[str]:
    """
    Bucket labels under the axis, cut to fit their slot; every k-th only when even six
    characters would not fit. The first and last stay inside the chart. ``slant`` writes
    every label at an angle instead, cut at ``_SLANT_CHARS`` characters.
    """
    count = len(labels)
    slot = frame.slot(count)
    if slant:
        out = ['<g class="x-axis">']
        for i, label in enumerate(labels):
            x, y = frame.centre(i, count) + 4, frame.bottom + 12
            out.append(
                _text(
                    x,
                    y,
                    _truncate(label, _SLANT_CHARS),
                    anchor="end",
                    cls="label",
                    extra=f'transform="rotate(-{_SLANT} {_n(x)} {_n(y)})"',
                )
            )
        out.append("</g>")
        return out
    longest = max(len(" ".join(label.split())) for label in labels)
    every = 1
    chars = int((slot - 6) / _CHAR_WIDTH)
    if chars < min(longest, 6):
        every = max(1, math.ceil((min(longest, 10) * _CHAR_WIDTH + 8) / slot))
        chars = int((every * slot - 8) / _CHAR_WIDTH)
    chars = max(chars, 3)
    out = ['<g class="x-axis">']
    for i in range(0, count, every):
        text = _truncate(labels[i], chars)
        half = _width(text) / 2
        x = min(max(frame.centre(i, count), half), frame.right + 8 - half)
        out.append(_text(x, frame.bottom + 16, text, anchor="middle", cls="label"))
    out.append("</g>")
    return out


def _bars(frame: _Frame, bars: Sequence[Bar], unit: str, *, notes: Sequence[str] = ()) -> list[str]:
    """Vertical bars in slots across the frame, each with its value above it if it fits."""
    count = len(bars)
    slot = frame.slot(count)
    bar_width = min(slot * 0.72, 64)
    decimals = _decimals([b.value for b in bars])
    out = ['<g class="bars">']
    for i, bar in enumerate(bars):
        x = frame.left + i * slot + (slot - bar_width) / 2
        y = frame.y(bar.value)
        cls, fill = ("bar highlight", _HIGHLIGHT) if bar.highlight else ("bar", _BAR)
        note = notes[i] if i < len(notes) else ""
        tip = f"{bar.label}: {_with_unit(bar.value, unit, decimals)}{note}"
        out.append(
            f'<rect class="{cls}" x="{_n(x)}" y="{_n(y)}" width="{_n(bar_width)}" '
            f'height="{_n(frame.bottom - y)}" fill="{fill}"><title>{_esc(tip)}</title></rect>'
        )
        value_text = format_number(bar.value, decimals)
        above = y - 4
        if _width(value_text, 11) + 2 <= slot:
            out.append(
                _text(x + bar_width / 2, above, value_text, anchor="middle", cls="value", size=11)
            )
            above -= 13
        if bar.highlight:
            out.append(_triangle(x + bar_width / 2, above, 8, _HIGHLIGHT))
    out.append("</g>")
    return out


def _series(
    frame: _Frame,
    index: int,
    line: Series,
    *,
    labels: Sequence[str],
    unit: str,
    flag_label: str,
    decimals: int,
) -> list[str]:
    """One line of a line chart: the path (broken at gaps), a marker per point, flags."""
    count = len(labels)
    colour = _SERIES_COLOURS[index % len(_SERIES_COLOURS)]
    dash = _SERIES_DASHES[index % len(_SERIES_DASHES)]
    path: list[str] = []
    pen_down = False
    for i, value in enumerate(line.values):
        if value is None:
            pen_down = False
            continue
        path.append(f"{'L' if pen_down else 'M'}{_n(frame.centre(i, count))} {_n(frame.y(value))}")
        pen_down = True
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    out = [
        '<g class="series">',
        (
            f'<path class="line" d="{"".join(path)}" fill="none" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>'
        ),
    ]
    for i, value in enumerate(line.values):
        if value is None:
            continue
        x, y = frame.centre(i, count), frame.y(value)
        unusual = i in line.flagged
        tip = f"{line.name}, {labels[i]}: {_with_unit(value, unit, decimals)}"
        out.append(f"<g><title>{_esc(tip + (f' ({flag_label})' if unusual else ''))}</title>")
        out.append(_marker(index, x, y, colour))
        if unusual:
            out.append(_diamond(x, y - 12, 6, _HIGHLIGHT))
        out.append("</g>")
    out.append("</g>")
    return out


def _summary(title: str, bars: Sequence[Bar], unit: str) -> str:
    highest = max(bars, key=lambda b: b.value)
    value = _with_unit(highest.value, unit, _decimals([highest.value]))
    return f"{title}. {len(bars)} bars; highest: {highest.label} ({value})"


# -- charts -------------------------------------------------------------------------------------


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
    reason = _empty_reason([b.value for b in bars])
    if reason is not None:
        return _no_data(title, width, height, reason)
    flagged = any(b.highlight for b in bars)
    top = 54.0 if flagged else 36.0
    slant = _slant_room([b.label for b in bars], width)
    height = math.ceil(height + slant[0])
    frame, axis = _frame(
        [b.value for b in bars],
        width=width,
        height=height,
        top=top + 14,
        right_margin=8,
        slant=slant,
    )
    body = [_heading(title)]
    if flagged:
        body += _legend([(_triangle_swatch, highlight_label)], 34, width)
    body += axis
    body += _bars(frame, bars, unit)
    body += [_baseline(frame), *_x_labels(frame, [b.label for b in bars], slant=slant[0] > 0)]
    body.append(_axis_caption(frame, unit))
    label = _summary(title, bars, unit)
    if flagged:
        label += f"; {sum(b.highlight for b in bars)} marked as {highlight_label}"
    return _svg(width, height, label, body)


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
    reason = _empty_reason([b.value for b in bars])
    if reason is not None:
        return _no_data(title, width, 120, reason)
    flagged = any(b.highlight for b in bars)
    top = 50.0 if flagged else 32.0
    labels = [_truncate(b.label, max_label) for b in bars]
    decimals = _decimals([b.value for b in bars])
    values = [format_number(b.value, decimals) for b in bars]
    left = 4 + max(_width(t) for t in labels) + 8
    right = width - max(_width(v, 11) for v in values) - 28
    if right - left < 80:
        left = max(width * 0.45, 4)
        right = width - max(_width(v, 11) for v in values) - 28
    height = top + len(bars) * row + 40
    bottom = top + len(bars) * row
    ticks = nice_ticks(max(b.value for b in bars), integer=_integers([b.value for b in bars]))
    maximum = ticks[-1]

    def x_of(value: float) -> float:
        return left + min(value / maximum, 1.0) * (right - left)

    body = [_heading(title)]
    if flagged:
        body += _legend([(_triangle_swatch, highlight_label)], 32, width)
    body.append('<g class="x-axis">')
    for tick, text in zip(ticks, _tick_texts(ticks), strict=True):
        x = x_of(tick)
        body.append(
            f'<line class="grid" x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(bottom)}" '
            f'stroke="{_GRID}"/>'
        )
        body.append(_text(x, bottom + 15, text, anchor="middle", cls="tick", fill=_MUTED))
    body.append("</g>")
    body.append(_text((left + right) / 2, bottom + 32, unit, anchor="middle", fill=_MUTED, size=11))
    body.append('<g class="bars">')
    for i, (bar, text, value) in enumerate(zip(bars, labels, values, strict=True)):
        y = top + i * row
        end = x_of(bar.value)
        cls, fill = ("bar highlight", _HIGHLIGHT) if bar.highlight else ("bar", _BAR)
        tip = f"{bar.label}: {_with_unit(bar.value, unit, decimals)}"
        body.append(f'<g class="row"><title>{_esc(tip)}</title>')
        body.append(_text(left - 8, y + row / 2 + 4, text, anchor="end", cls="label"))
        body.append(
            f'<rect class="{cls}" x="{_n(left)}" y="{_n(y + 4)}" width="{_n(end - left)}" '
            f'height="{_n(row - 8)}" fill="{fill}"/>'
        )
        after = end + 5
        if bar.highlight:
            body.append(_triangle(end + 10, y + row / 2 + 4, 8, _HIGHLIGHT))
            after += 12
        body.append(_text(after, y + row / 2 + 4, value, cls="value", size=11))
        body.append("</g>")
    body.append("</g>")
    body.append(
        f'<line class="axis" x1="{_n(left)}" y1="{_n(top)}" x2="{_n(left)}" y2="{_n(bottom)}" '
        f'stroke="{_INK}"/>'
    )
    label = _summary(title, bars, unit)
    return _svg(width, height, label, body)


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    unit: str,
    flag_label: str = "unusual value",
    width: int = 640,
    height: int = 280,
) -> str:
    """
    One line per series over the buckets ``labels`` (a ``None`` value leaves a gap). Lines
    differ in colour, dash pattern and marker shape; flagged points get a red diamond,
    explained in the legend as ``flag_label``.

    Raises:
        ValidationError: a series has not one value per label (``series[i].values``).
    """
    labels = tuple(labels)
    series = tuple(series)
    for index, line in enumerate(series):
        if len(line.values) != len(labels):
            raise ValidationError(
                f"series[{index}].values",
                f"expected {len(labels)} values (one per label), got {len(line.values)}",
            )
    everything = [v for line in series for v in line.values]
    reason = _empty_reason(everything) if labels else ""
    if reason is not None:
        return _no_data(title, width, height, reason)
    present = [v for v in everything if v is not None]
    count = len(labels)
    flags = sum(
        1 for line in series for i in line.flagged if i < count and line.values[i] is not None
    )
    items: list[tuple[Callable[[float, float], str], str]] = [
        (_line_swatch(i, _SERIES_COLOURS[i % len(_SERIES_COLOURS)]), line.name)
        for i, line in enumerate(series)
    ]
    if flags:
        items.append((_diamond_swatch, flag_label))
    frame, axis = _frame(present, width=width, height=height, top=56, right_margin=12)
    body = [_heading(title), *_legend(items, 34, width), *axis]
    for index, line in enumerate(series):
        body += _series(
            frame,
            index,
            line,
            labels=labels,
            unit=unit,
            flag_label=flag_label,
            decimals=_decimals(present),
        )
    body += [_baseline(frame), *_x_labels(frame, labels), _axis_caption(frame, unit)]
    summaries = []
    for line in series:
        shown = [v for v in line.values if v is not None]
        if shown:
            summaries.append(
                f"{line.name}: from {_with_unit(shown[0], unit, _decimals(present))} "
                f"to {_with_unit(shown[-1], unit, _decimals(present))}"
            )
    label = f"{title}. {count} buckets, {labels[0]} to {labels[-1]}; " + "; ".join(summaries)
    if flags:
        label += f"; {flags} marked as {flag_label}"
    return _svg(width, height, label, body)


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
    reason = _empty_reason([b.value for b in ordered])
    if reason is not None:
        return _no_data(title, width, height, reason)
    limit = max(max_bars, 2)
    if len(ordered) > limit:
        kept, rest = ordered[: limit - 1], ordered[limit - 1 :]
        other = min(math.fsum(b.value for b in rest), sys.float_info.max)
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
        (_box_swatch(_BAR), unit),
        (_line_swatch(0, _CUMULATIVE), "cumulative share"),
    ]
    flagged = sum(b.highlight for b in ordered)
    if flagged:
        items.append((_triangle_swatch, highlight_label))
    slant = _slant_room([b.label for b in ordered], width)
    height = math.ceil(height + slant[0])
    frame, axis = _frame(
        [b.value for b in ordered],
        width=width,
        height=height,
        top=68,
        right_margin=44,
        slant=slant,
    )
    body = [_heading(title), *_legend(items, 34, width), *axis]
    body.append('<g class="y2-axis">')
    for percent in (0, 25, 50, 75, 100):
        y = frame.bottom - percent / 100 * (frame.bottom - frame.top)
        body.append(
            _text(frame.right + 6, y + 4, f"{percent}%", cls="tick-right", fill=_CUMULATIVE)
        )
    body.append(
        f'<line class="axis-right" x1="{_n(frame.right)}" y1="{_n(frame.top)}" '
        f'x2="{_n(frame.right)}" y2="{_n(frame.bottom)}" stroke="{_CUMULATIVE}"/>'
    )
    body.append("</g>")
    notes = [
        f" ({_percent(p)} of all; cumulative {_percent(s)})"
        for p, s in zip(parts, shares, strict=True)
    ]
    body += _bars(frame, ordered, unit, notes=notes)
    count = len(ordered)
    points = [
        (frame.centre(i, count), frame.bottom - share * (frame.bottom - frame.top))
        for i, share in enumerate(shares)
    ]
    body.append(
        f'<polyline class="cumulative" points="{" ".join(f"{_n(x)},{_n(y)}" for x, y in points)}" '
        f'fill="none" stroke="{_CUMULATIVE}" stroke-width="2"/>'
    )
    for (x, y), share in zip(points, shares, strict=True):
        body.append(
            f'<circle class="cumulative-point" cx="{_n(x)}" cy="{_n(y)}" r="3" '
            f'fill="{_CUMULATIVE}"><title>cumulative: {_esc(_percent(share))}</title></circle>'
        )
    body += [_baseline(frame), *_x_labels(frame, [b.label for b in ordered], slant=slant[0] > 0)]
    body.append(_axis_caption(frame, unit))
    first = ordered[0]
    label = (
        f"{title}. {count} bars, largest first: {first.label} "
        f"({_with_unit(first.value, unit, _decimals([first.value]))}, "
        f"{_percent(parts[0])})"
    )
    if flagged:
        label += f"; {flagged} marked as {highlight_label}"
    return _svg(width, height, label, body)


def share_bar(share: float | None, *, title: str, caption: str = "", width: int = 360) -> str:
    """
    A single bar filled to ``share`` (0 to 1), with the percentage and an optional
    ``caption`` such as "29 of 40 met". ``None`` draws "No data".

    Raises:
        ValidationError: ``share`` is not a number from 0 to 1.
    """
    height = 62
    if share is None:
        return _no_data(title, width, height, caption)
    if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 <= share <= 1:
        raise ValidationError("share", f"must be a number from 0 to 1, got {share!r}")
    percent = _percent(share)
    track = width - 64
    filled = share * (track - 1)
    body = [
        _text(0, 14, _truncate(title, int(width / _CHAR_WIDTH)), cls="chart-title", bold=True),
        (
            f'<rect class="track" x="0.5" y="22.5" width="{_n(track - 1)}" height="15" '
            f'fill="{_SHARE_REST}" stroke="{_MUTED}"/>'
        ),
        f'<rect class="share" x="0.5" y="22.5" width="{_n(filled)}" height="15" fill="{_SHARE}"/>',
        _text(track + 8, 35, percent, cls="value", bold=True),
    ]
    if caption:
        body.append(_text(0, 55, caption, fill=_MUTED, size=11))
    label = f"{title}: {percent}" + (f" ({caption})" if caption else "")
    return _svg(width, height, label, body)
