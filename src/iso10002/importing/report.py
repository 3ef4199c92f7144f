"""
What an import did: how many records it brought in or skipped, and every record it refused.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from iso10002.serialization import compact_json

__all__ = ["ImportReport", "RowError", "quote"]

_SHOWN = 60  # characters of a value shown in a message; narratives run to pages


def quote(value: str) -> str:
    """``value`` in double quotes as a message shows it: escaped, and cut short if long."""
    shown = value if len(value) <= _SHOWN else value[: _SHOWN - 1] + "…"
    text = compact_json(shown)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, read from a JSON escape: shown escaped
        return compact_json(shown, ascii_only=True)
    return text


def header_shown(columns: Sequence[str], real: bool) -> str:
    """
    The end of a message about a header that lacks a column: `` ("A", "B")`` listing it when it
    is ``real`` (it has some of the expected columns), else only how many cells it has. A file
    without a header starts with a record, whose cells may be personal data.
    """
    if real:
        return f" ({', '.join(quote(c) for c in columns) or 'no columns'})"
    return (
        f" (none of its {len(columns)} cells is a column the import reads, so they are not "
        "shown: the first line may be a record rather than a header)"
    )


@attrs.frozen(kw_only=True)
class RowError:
    """
    A record of the input that was not imported, and why; nothing of it was written.

    ``row`` locates the record: in a CSV file, the line on which the record starts (the
    header is line 1); in JSON Lines, the line; in a JSON array or a sequence of rows given
    in Python, the index, from 0 (as in ``$[0]``).
    """

    row: int
    column: str | None
    """The column (CSV header, JSON key) holding the bad value; ``None`` for the whole record."""
    value: str | None = attrs.field(repr=False)
    """The bad value as read, if one value is to blame; left out of ``repr``, as a cell in the
    wrong column may hold personal data (the message shows at most its first characters)."""
    message: str
    """What is wrong, e.g. ``"2020-13-45" is not a date (YYYY-MM-DD or MM/DD/YYYY)``."""
    record_id: str | None = None
    """The text of the record's id cell, unless blank."""

    def __str__(self) -> str:
        where = f"row {self.row}"
        if self.column is not None:
            where += f", column {quote(self.column)}"
        return f"{where}: {self.message}"


@attrs.frozen(kw_only=True)
class ImportReport:
    """
    The outcome of one import run.

    Every record read is counted once: ``imported`` (written, with its whole history),
    ``skipped`` (its record id was imported before, or appears earlier in the same input) or
    ``failed`` (refused, with the reason; nothing of it was written).
    """

    system: str
    """The source system, as in each imported complaint's ``source``."""
    read: int
    """Records read from the input (blank lines are not records)."""
    imported: int
    skipped: int
    """Records whose complaint is already in the store: re-running an import adds nothing."""
    failed: tuple[RowError, ...] = ()
    """The refused records, in input order."""

    @property
    def complete(self) -> bool:
        """True if no record was refused."""
        return not self.failed

    def summary(self) -> str:
        """One line: ``3000 read: 2990 imported, 8 skipped (already imported), 2 failed``."""
        return (
            f"{self.read} read: {self.imported} imported, {self.skipped} skipped "
            f"(already imported), {len(self.failed)} failed"
        )
