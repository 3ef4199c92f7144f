"""Progress of a long command on stderr: one updating line on a terminal, else every 10%."""

from __future__ import annotations

from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """
    Report how far the demo has got.

    On a terminal the line is redrawn in place (carriage return) whenever the percentage
    changes; anywhere else (a pipe, a CI log) a new line is written at each tenth, so that logs
    stay readable.

    Args:
        stream: where to write, usually ``sys.stderr``.
        days: the simulated period, to show the day reached.
        enabled: False writes nothing (``--quiet``).
    """

    def __init__(self, stream: TextIO, *, days: int, enabled: bool = True) -> None:
        self._stream = stream
        self._days = days
        self._enabled = enabled
        self._tty = enabled and stream.isatty()
        self._shown = -1
        self._drawn = 0  # length of the line drawn in place; 0 when there is none

    def update(self, done: float, received: int) -> None:
        """Record that ``done`` (0 to 1) of the period is simulated, ``received`` complaints in."""
        if not self._enabled:
            return
        percent = min(100, max(0, int(done * 100)))
        step = percent if self._tty else percent // 10 * 10
        if step <= self._shown or (not self._tty and step == 0):
            return
        self._shown = step
        day = min(self._days, int(done * self._days) + 1)
        text = f"demo: {step:3d}% simulated (day {day} of {self._days}), {received} received"
        if self._tty:
            # Pad over the end of a longer previous line.
            self._stream.write(f"\r{text.ljust(self._drawn)}")
            self._drawn = max(self._drawn, len(text))
        else:
            self._stream.write(f"{text}\n")
        self._stream.flush()

    def finish(self) -> None:
        """End the updating line, so that what follows starts on a line of its own."""
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = 0
