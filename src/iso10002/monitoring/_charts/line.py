"""The line chart: several series over the same buckets, unusual points marked."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from iso10002._markup import escape
from iso10002.errors import ValidationError
from iso10002.monitoring._charts.axes import (
    Frame,
    axis_caption,
    baseline,
    plot_frame,
    x_labels,
)
from iso10002.monitoring._charts.svg import (
    HIGHLIGHT,
    SERIES_COLOURS,
    SERIES_DASHES,
    coord,
    diamond,
    diamond_swatch,
    empty_reason,
    heading,
    legend,
    line_swatch,
    marker,
    no_data_chart,
    shared_decimals,
    svg,
    with_unit,
)
from iso10002.monitoring._charts.values import Series

__all__ = ["line_chart"]


def _series(
    frame: Frame,
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
    colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
    dash = SERIES_DASHES[index % len(SERIES_DASHES)]
    path: list[str] = []
    pen_down = False
    for i, value in enumerate(line.values):
        if value is None:
            pen_down = False
            continue
        path.append(
            f"{'L' if pen_down else 'M'}{coord(frame.centre(i, count))} {coord(frame.y(value))}"
        )
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
        tip = f"{line.name}, {labels[i]}: {with_unit(value, unit, decimals)}"
        out.append(f"<g><title>{escape(tip + (f' ({flag_label})' if unusual else ''))}</title>")
        if unusual:
            # Centred on the point and drawn first: the point's own marker stays on top.
            out.append(diamond(x, y, 9, HIGHLIGHT))
        out.append(marker(index, x, y, colour))
        out.append("</g>")
    out.append("</g>")
    return out


def _summary(line: Series, labels: Sequence[str], shown: Callable[[float], str]) -> str:
    """
    A series in words for the text alternative: its highest and lowest values and where, and
    its last. The first and last buckets alone say little (a partial bucket is often 0).
    """
    points = [(labels[i], v) for i, v in enumerate(line.values) if v is not None]
    if not points:
        return ""
    high = max(points, key=lambda p: p[1])
    low = min(points, key=lambda p: p[1])
    if high[1] == low[1]:
        return f"{line.name}: {shown(high[1])} in each of {len(points)} buckets"
    last = points[-1]
    return (
        f"{line.name}: highest {shown(high[1])} ({high[0]}), lowest {shown(low[1])} "
        f"({low[0]}), last {shown(last[1])} ({last[0]})"
    )


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
    reason = empty_reason(everything) if labels else ""
    if reason is not None:
        return no_data_chart(title, width, height, reason)
    present = [v for v in everything if v is not None]
    count = len(labels)
    flags = sum(
        1 for line in series for i in line.flagged if i < count and line.values[i] is not None
    )
    items: list[tuple[Callable[[float, float], str], str]] = [
        (line_swatch(i, SERIES_COLOURS[i % len(SERIES_COLOURS)]), line.name)
        for i, line in enumerate(series)
    ]
    if flags:
        items.append((diamond_swatch, flag_label))
    frame, axis = plot_frame(present, width=width, height=height, top=56, right_margin=12)
    body = [heading(title), *legend(items, 34, width), *axis]
    for index, line in enumerate(series):
        body += _series(
            frame,
            index,
            line,
            labels=labels,
            unit=unit,
            flag_label=flag_label,
            decimals=shared_decimals(present),
        )
    body += [baseline(frame), *x_labels(frame, labels), axis_caption(frame, unit)]
    decimals = shared_decimals(present)
    summaries = [_summary(line, labels, lambda v: with_unit(v, unit, decimals)) for line in series]
    summaries = [s for s in summaries if s]
    label = f"{title}. {count} buckets, {labels[0]} to {labels[-1]}; " + "; ".join(summaries)
    if flags:
        label += f"; {flags} marked as {flag_label}"
    return svg(width, height, label, body)
