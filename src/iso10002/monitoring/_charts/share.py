"""One share of a whole as a single filled bar, e.g. the share of deadlines met."""

from __future__ import annotations

from iso10002.errors import ValidationError
from iso10002.monitoring._charts.svg import (
    CHAR_WIDTH,
    MUTED,
    SHARE,
    SHARE_REST,
    coord,
    no_data_chart,
    percent_text,
    svg,
    svg_text,
    truncate,
)

__all__ = ["share_bar"]


def share_bar(share: float | None, *, title: str, caption: str = "", width: int = 360) -> str:
    """
    A single bar filled to ``share`` (0 to 1), with the percentage and an optional
    ``caption`` such as "29 of 40 met". ``None`` draws "No data".

    Raises:
        ValidationError: ``share`` is not a number from 0 to 1.
    """
    height = 62
    if share is None:
        return no_data_chart(title, width, height, caption)
    if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 <= share <= 1:
        raise ValidationError("share", f"must be a number from 0 to 1, got {share!r}")
    percent = percent_text(share)
    track = width - 64
    filled = share * (track - 1)
    body = [
        svg_text(0, 14, truncate(title, int(width / CHAR_WIDTH)), cls="chart-title", bold=True),
        (
            f'<rect class="track" x="0.5" y="22.5" width="{coord(track - 1)}" height="15" '
            f'fill="{SHARE_REST}" stroke="{MUTED}"/>'
        ),
        (
            f'<rect class="share" x="0.5" y="22.5" width="{coord(filled)}" height="15" '
            f'fill="{SHARE}"/>'
        ),
        svg_text(track + 8, 35, percent, cls="value", bold=True),
    ]
    if caption:
        body.append(svg_text(0, 55, caption, fill=MUTED, size=11))
    label = f"{title}: {percent}" + (f" ({caption})" if caption else "")
    return svg(width, height, label, body)
