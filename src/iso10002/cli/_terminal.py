"""
Output to a terminal without the terminal control characters that complaint text may hold.

A complaint's text comes from outside: an escape sequence in a description or an imported
category would move the cursor, clear the screen, retitle the window or forge a line when
``show``, ``history``, ``list`` or a report prints it. On a terminal, text output loses those
characters and JSON output carries them as ``\\u`` escapes (the same JSON value); stored data,
files written with ``--out`` and output to a pipe or a file are left exactly as they are.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any, TextIO

__all__ = ["CONTROLS", "strip_controls", "terminal_safe"]

CONTROLS = frozenset([*range(0x20), 0x7F, *range(0x80, 0xA0)]) - {ord("\t"), ord("\n")}
"""C0 controls but tab and line feed, DEL and the C1 controls (0x9B starts a sequence on
terminals that read 8-bit controls): the code points a terminal may act on."""

_DROP: dict[int, str | None] = dict.fromkeys(CONTROLS)
_ESCAPE: dict[int, str | None] = {c: f"\\u{c:04x}" for c in CONTROLS}


def strip_controls(text: str) -> str:
    """``text`` without :data:`CONTROLS`."""
    return text.translate(_DROP)


class _Filtered:
    """A text stream that writes to ``stream`` what ``table`` leaves of each string."""

    def __init__(self, stream: TextIO, table: dict[int, str | None]) -> None:
        self._stream = stream
        self._table = table

    def write(self, text: str) -> int:
        self._stream.write(text.translate(self._table))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding, ...
        return getattr(self._stream, name)


@contextlib.contextmanager
def terminal_safe(*, json: bool) -> Iterator[None]:
    """
    While it is open, what is printed to stdout is safe for a terminal if stdout is one:
    control characters dropped from text, or escaped if the output is ``json``.
    """
    stream = sys.stdout
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):  # replaced by an object without it, or closed
        interactive = False
    if not interactive:
        yield
        return
    sys.stdout = _Filtered(stream, _ESCAPE if json else _DROP)
    try:
        yield
    finally:
        if isinstance(sys.stdout, _Filtered):
            sys.stdout = stream
