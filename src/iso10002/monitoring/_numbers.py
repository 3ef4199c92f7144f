"""Numbers as a reader sees them, shared by the report's words and its charts."""

from __future__ import annotations

import math

__all__ = ["format_number"]


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
