"""
The tables of ``bench_guarantees.py``: each row a sum of the pieces a round timed, the rows of
a table adding up to its whole command, and what each write-path target leaves a command.
"""

from __future__ import annotations

import statistics
from typing import NamedTuple

Timing = tuple[float, float]
"""Processor seconds and seconds on the clock (in a round: µs a command)."""

Round = dict[str, Timing]
"""Each piece's processor and clock time a command, in µs, in one round."""

TARGETS = (
    # name, the baseline it is set against, the ratio asked for
    ("SQLite NORMAL >= 0.5x the projection baseline", "NORMAL", 0.5),
    ("SQLite FULL >= 0.7x the projection baseline", "FULL", 0.7),
    ("in memory >= 3x the NORMAL projection baseline", "memory", 3.0),
)


Formula = dict[str, int]
"""A row as a sum of pieces, each with its sign."""

Row = tuple[str, str, Formula]
"""A row of a table: what it measures, the guarantee it serves, its formula."""

MEMORY_PATH: list[Row] = [
    ("payload and event built (validated)", "validation, immutability", {"build": 1}),
    ("workflow guard check", "the workflow", {"guards": 1}),
    ("fold (apply)", "immutability", {"fold": 1}),
    ("summary row and facts (derive)", "the projection", {"summary": 1}),
    ("sealing personal values (seal_event)", "sealing", {"seal": 1}),
    ("canonical encoding (prepared_event)", "chains: the hashed bytes", {"encode": 1}),
    ("Append built (checks the prepared events)", "validation, immutability", {"append built": 1}),
    ("hashes and links of both chains (link)", "chains", {"links": 1}),
    ("writer lock and cache of states", "conflicts", {"cache": 1}),
]
"""The rows of the desk's path, the same in memory and on SQLite."""

PLUMBING: Row = (
    "the desk's plumbing (what the rows leave)",
    "",
    {
        "whole memory": 1,
        "whole memory, store": -1,
        **{key: -sign for _, _, f in MEMORY_PATH for key, sign in f.items()},
        "links": 0,  # inside the store's append
    },
)
"""The desk's side of a command in memory (the whole less its store's append) less its rows."""

BASELINE = "SQL the baseline also does (RawWriter)"
WALL = "@wall"
"""A piece's key with this suffix stands for its time on the clock, else processor time."""


def memory_rows() -> list[Row]:
    """The rows of a command in memory; they add up to the whole."""
    return [
        *MEMORY_PATH,
        PLUMBING,
        ("in-memory store's own work", "conflicts", {"memory store": 1, "links": -1}),
        (
            "the store's append in the desk, beyond its replay",
            "",
            {"whole memory, store": 1, "memory store": -1},
        ),
    ]


def sqlite_rows(s: str) -> list[Row]:
    """
    The rows of a command on SQLite with ``synchronous=s``; they add up to the whole. With
    FULL the whole and the baseline are read on the clock, and the time the command waits for
    the disk beyond the baseline's wait is a row of its own; every other row is processor time.
    """
    clock = on_clock(s)
    rows: list[Row] = [
        *MEMORY_PATH,
        PLUMBING,
        (
            "the desk's Python slowed by SQL between commands",
            "",
            {
                "whole memory, between": 1,
                "whole memory, between, store": -1,
                "whole memory": -1,
                "whole memory, store": 1,
            },
        ),
        (
            "the desk's side on SQLite, beyond that",
            "",
            {
                f"whole {s}": 1,
                f"whole {s}, store": -1,
                "whole memory, between": -1,
                "whole memory, between, store": 1,
            },
        ),
        ("SQLite store's Python", "conflicts", {f"store {s}": 1, f"sql {s}": -1, "links": -1}),
        (BASELINE, "baseline", {f"baseline {s}{clock}": 1}),
        (
            "wider rows, the link and claim statements",
            "chains, sealing, the projection",
            {f"sql {s}, bare": 1, f"baseline {s}": -1},
        ),
        ("secondary indexes", "queries", {f"sql {s}, no triggers": 1, f"sql {s}, bare": -1}),
        ("rollups' triggers", "reports", {f"sql {s}": 1, f"sql {s}, no triggers": -1}),
        (
            "the store's append in the desk, beyond its replay",
            "",
            {f"whole {s}, store": 1, f"store {s}": -1},
        ),
    ]
    if clock:
        rows.append(
            (
                "waiting for the disk, beyond the baseline's wait",
                "durability of wider commits",
                {
                    f"whole {s}{clock}": 1,
                    f"whole {s}": -1,
                    f"baseline {s}{clock}": -1,
                    f"baseline {s}": 1,
                },
            )
        )
    return rows


def sqlite_whole(s: str) -> Formula:
    """The whole command on SQLite with ``synchronous=s``: on the clock for FULL."""
    return {f"whole {s}{on_clock(s)}": 1}


def on_clock(s: str) -> str:
    """The suffix of the figures read on the clock: for FULL, whose commits wait for the disk."""
    return WALL if s == "FULL" else ""


def adds_up(whole: Formula, rows: list[Row]) -> bool:
    """Whether ``rows`` add up to ``whole``, piece by piece."""
    total: dict[str, int] = {}
    for _, _, formula in rows:
        for key, sign in formula.items():
            total[key] = total.get(key, 0) + sign
    return {k: v for k, v in total.items() if v} == whole


class Figure(NamedTuple):
    """A row's median over the rounds, its lowest and highest, µs a command."""

    median: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.median:8.1f} ({self.low:6.1f} to {self.high:6.1f})"


def figure(rounds: list[Round], formula: Formula) -> Figure:
    """The row ``formula`` over ``rounds``."""
    values = [
        sum(
            sign * (r[key.removesuffix(WALL)][1] if key.endswith(WALL) else r[key][0])
            for key, sign in formula.items()
        )
        for r in rounds
    ]
    return Figure(statistics.median(values), min(values), max(values))


def table(
    title: str, whole: Formula, rows: list[tuple[str, str, Formula]], rounds: list[Round]
) -> dict[str, float]:
    """Print one table; return each row's median, the whole's under ``"whole"``."""
    total = figure(rounds, whole)
    print(f"\n{title} (µs a command, median of {len(rounds)} rounds, lowest to highest)")
    print(f"  {'whole command':<50} {total}  100 %")
    if not adds_up(whole, rows):
        raise AssertionError(f"{title}: the rows do not add up to the whole")
    medians = {"whole": total.median}
    for label, guarantee, formula in rows:
        f = figure(rounds, formula)
        medians[label] = f.median
        share = 100 * f.median / total.median if total.median else 0.0
        tag = f"  [{guarantee}]" if guarantee else ""
        print(f"  {label:<50} {f} {share:4.0f} %{tag}")
    return medians


def budgets(label: str, medians: dict[str, float], baseline: float, ratio: float) -> None:
    """
    Print what target ``label`` leaves a command (``baseline`` / ``ratio``; for a store, less
    the baseline's own work, which ours does too) and which rows alone exceed that.
    """
    budget = baseline / ratio
    store = BASELINE in medians
    left = budget - baseline if store else budget
    ours = medians["whole"]
    now = baseline / ours if store else ratio * budget / ours
    print(
        f"  {label}: now {now:.2f}x. The target allows {budget:.1f} µs a command in all"
        + (f", {left:.1f} µs beside the baseline's own SQL" if store else "")
    )
    over = [
        f"{row} {value:.1f}"
        for row, value in medians.items()
        if row not in ("whole", BASELINE) and value > left
    ]
    print(f"    alone over {left:.1f} µs: {'; '.join(over) if over else 'none'}")
    added = ours - baseline if store else ours
    print(f"    all that ours adds: {added:.1f} µs, {added / left:.1f}x that")
