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
        out.append(marker(index, x, y, colour))
        if unusual:
            out.append(diamond(x, y - 12, 6, HIGHLIGHT))
        out.append("</g>")
    out.append("</g>")
    return out


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
    summaries = []
    for line in series:
        shown = [v for v in line.values if v is not None]
        if shown:
            summaries.append(
                f"{line.name}: from {with_unit(shown[0], unit, shared_decimals(present))} "
                f"to {with_unit(shown[-1], unit, shared_decimals(present))}"
            )
    label = f"{title}. {count} buckets, {labels[0]} to {labels[-1]}; " + "; ".join(summaries)
    if flags:
        label += f"; {flags} marked as {flag_label}"
    return svg(width, height, label, body)
