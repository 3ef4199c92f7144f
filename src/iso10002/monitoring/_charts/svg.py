"""
The SVG primitives every chart is drawn with: the palette and font, byte-stable coordinates,
escaped text, the chart's root element and its "No data" form, markers and legends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from iso10002._markup import escape
from iso10002.monitoring._numbers import format_number

__all__ = [
    "BAR",
    "CHAR_WIDTH",
    "CUMULATIVE",
    "FONT",
    "FONT_SIZE",
    "GRID",
    "HIGHLIGHT",
    "INK",
    "MUTED",
    "NO_DATA",
    "SERIES_COLOURS",
    "SERIES_DASHES",
    "SHARE",
    "SHARE_REST",
    "SVG_NAMESPACE",
    "all_integers",
    "box_swatch",
    "coord",
    "diamond",
    "diamond_swatch",
    "empty_reason",
    "heading",
    "legend",
    "line_swatch",
    "marker",
    "no_data_chart",
    "percent_text",
    "shared_decimals",
    "svg",
    "svg_text",
    "text_width",
    "triangle",
    "triangle_swatch",
    "truncate",
    "with_unit",
]

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
"""The namespace on each chart's root; a page that inlines the charts in HTML may drop it."""


INK = "#1d2329"
MUTED = "#5b6670"
GRID = "#d5dbe0"
BAR = "#2f5d8a"
HIGHLIGHT = "#a4161a"
CUMULATIVE = "#8a4b08"
SHARE = "#166534"
SHARE_REST = "#e8ecef"
SERIES_COLOURS = ("#1f4e79", "#b45309", "#166534", "#6d28d9")
SERIES_DASHES = ("", "7 4", "2 3", "9 3 2 3")
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"
FONT_SIZE = 12
# Without measuring fonts, an average glyph of a sans-serif face is about 0.58 em wide.
CHAR_WIDTH = 0.58 * FONT_SIZE
NO_DATA = "No data"


def all_integers(values: Sequence[float]) -> bool:
    """Whether every value is a whole number (an axis of counts steps by 1 at least)."""
    return all(float(v).is_integer() for v in values)


def percent_text(share: float) -> str:
    """A share from 0 to 1 as a percentage with one decimal."""
    return f"{format_number(share * 100, 1)}%"


def coord(x: float) -> str:
    """A coordinate with at most two decimals, so output is compact and byte-stable."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """The estimated width of ``text`` at font ``size`` (see ``CHAR_WIDTH``)."""
    return len(text) * size * 0.58


def truncate(text: str, chars: int) -> str:
    """``text`` cut to ``chars`` characters, the last one an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= chars:
        return text
    return text[: max(chars - 1, 1)].rstrip() + "\u2026"


def shared_decimals(values: Sequence[float | None]) -> int:
    """One decimal for every value of a chart if any needs it, so labels line up."""
    return 0 if all_integers([v for v in values if v is not None]) else 1


def with_unit(value: float, unit: str, decimals: int) -> str:
    """``value`` with ``decimals`` decimals and its unit: ``1,234 complaints``."""
    return f"{format_number(value, decimals)} {unit}".rstrip()


def svg(width: float, height: float, label: str, body: Sequence[str]) -> str:
    """The chart's root element around ``body``, labelled for a screen reader."""
    return "".join(
        [
            (
                f'<svg xmlns="{SVG_NAMESPACE}" class="chart" width="{coord(width)}" '
                f'height="{coord(height)}" viewBox="0 0 {coord(width)} {coord(height)}" role="img" '
                f'aria-label="{escape(label)}" font-family="{FONT}" font-size="{FONT_SIZE}" '
                f'fill="{INK}">'
            ),
            f"<title>{escape(label)}</title>",
            *body,
            "</svg>",
        ]
    )


def svg_text(
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
    """A ``<text>`` element, escaped; only the attributes that differ from the defaults."""
    attributes = [f'x="{coord(x)}"', f'y="{coord(y)}"']
    if anchor != "start":
        attributes.append(f'text-anchor="{anchor}"')
    if cls:
        attributes.append(f'class="{cls}"')
    if fill:
        attributes.append(f'fill="{fill}"')
    if size:
        attributes.append(f'font-size="{coord(size)}"')
    if bold:
        attributes.append('font-weight="bold"')
    if extra:
        attributes.append(extra)
    return f"<text {' '.join(attributes)}>{escape(text)}</text>"


def heading(title: str) -> str:
    """The chart's title, top left."""
    return svg_text(0, 15, title, cls="chart-title", bold=True, size=13)


def no_data_chart(title: str, width: float, height: float, reason: str) -> str:
    """The chart of nothing: its title and the words "No data", never an empty axis."""
    height = min(height, 100)
    body = [
        heading(title),
        (
            f'<rect class="frame" x="0.5" y="24.5" width="{coord(width - 1)}" '
            f'height="{coord(height - 25)}" fill="#f6f8fa" stroke="{GRID}"/>'
        ),
        svg_text(width / 2, (height + 24) / 2, NO_DATA, anchor="middle", cls="no-data", bold=True),
    ]
    if reason:
        body.append(
            svg_text(
                width / 2, (height + 24) / 2 + 16, reason, anchor="middle", fill=MUTED, size=11
            )
        )
    label = f"{title}: {NO_DATA.lower()}" + (f" ({reason})" if reason else "")
    return svg(width, height, label, body)


def empty_reason(values: Sequence[float | None]) -> str | None:
    """Why there is nothing to draw (``""`` for no values at all), or None if there is."""
    present = [v for v in values if v is not None]
    if not present:
        return ""
    if not any(present):
        return "all values are 0"
    return None


def triangle(x: float, y: float, size: float, fill: str, cls: str = "marker") -> str:
    """An upward triangle whose tip is at ``(x, y - size)`` and base at ``y``."""
    points = (
        f"{coord(x - size * 0.6)},{coord(y)} {coord(x + size * 0.6)},{coord(y)} "
        f"{coord(x)},{coord(y - size)}"
    )
    return f'<polygon class="{cls}" points="{points}" fill="{fill}"/>'


def diamond(x: float, y: float, size: float, fill: str, cls: str = "flag") -> str:
    """A diamond centred at ``(x, y)``, outlined in white so it stands out on a line."""
    points = (
        f"{coord(x)},{coord(y - size)} {coord(x + size)},{coord(y)} "
        f"{coord(x)},{coord(y + size)} {coord(x - size)},{coord(y)}"
    )
    return (
        f'<polygon class="{cls}" points="{points}" fill="{fill}" stroke="#ffffff" '
        'stroke-width="1.5"/>'
    )


def marker(shape: int, x: float, y: float, colour: str) -> str:
    """The point marker of the ``shape``-th series: circle, square, triangle or cross."""
    kind = shape % 4
    if kind == 0:
        return f'<circle class="point" cx="{coord(x)}" cy="{coord(y)}" r="3.5" fill="{colour}"/>'
    if kind == 1:
        return (
            f'<rect class="point" x="{coord(x - 3.5)}" y="{coord(y - 3.5)}" width="7" height="7" '
            f'fill="{colour}"/>'
        )
    if kind == 2:
        return triangle(x, y + 3.5, 7.5, colour, cls="point")
    d = (
        f"M{coord(x - 4)} {coord(y - 4)}L{coord(x + 4)} {coord(y + 4)}"
        f"M{coord(x - 4)} {coord(y + 4)}L{coord(x + 4)} {coord(y - 4)}"
    )
    return f'<path class="point" d="{d}" stroke="{colour}" stroke-width="2.5"/>'


def legend(
    items: Sequence[tuple[Callable[[float, float], str], str]], y: float, width: float
) -> list[str]:
    """One row of legend entries (a swatch drawn at ``(x, y)`` and a label), left to right."""
    out = ['<g class="legend">']
    x = 0.0
    for swatch, label in items:
        text = truncate(label, 40)
        needed = 26 + text_width(text, 11) + 14
        if x > 0 and x + needed > width:
            break
        out.append(swatch(x, y))
        out.append(svg_text(x + 24, y + 4, text, size=11, fill=MUTED))
        x += needed
    out.append("</g>")
    return out


def box_swatch(fill: str) -> Callable[[float, float], str]:
    """A legend swatch: a filled box."""
    return lambda x, y: (
        f'<rect x="{coord(x + 4)}" y="{coord(y - 5)}" width="14" height="10" fill="{fill}"/>'
    )


def triangle_swatch(x: float, y: float) -> str:
    """A legend swatch: the triangle that marks a highlighted bar."""
    return triangle(x + 11, y + 5, 10, HIGHLIGHT, cls="legend-marker")


def diamond_swatch(x: float, y: float) -> str:
    """A legend swatch: the diamond that marks an unusual point."""
    return diamond(x + 11, y, 5.5, HIGHLIGHT, cls="legend-marker")


def line_swatch(index: int, colour: str) -> Callable[[float, float], str]:
    """A legend swatch: the ``index``-th series' line with its dash pattern and marker."""
    dash = SERIES_DASHES[index % len(SERIES_DASHES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return lambda x, y: (
        f'<line x1="{coord(x)}" y1="{coord(y)}" x2="{coord(x + 22)}" y2="{coord(y)}" '
        f'stroke="{colour}" stroke-width="2"{dash_attr}/>' + marker(index, x + 11, y, colour)
    )
