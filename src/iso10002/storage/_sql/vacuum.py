"""
What a ``VACUUM`` after an erasure did, for both SQL stores (``iso10002 vacuum``): the report
that :mod:`iso10002.storage.sqlite.vacuum` and :mod:`iso10002.storage.postgres.vacuum` return.
"""

from __future__ import annotations

import attrs

__all__ = ["ERASED_TABLES", "Vacuum"]

ERASED_TABLES = ("events", "outbox", "access_denials")
"""The tables an erasure changes: personal values cleared from the events, the complaint's
outbox records deleted, the actor ids of its access denials cleared. Their old row versions
(PostgreSQL) or pages (SQLite) are what a vacuum removes."""


@attrs.frozen(kw_only=True)
class Vacuum:
    """What a vacuum did: where, which tables, how, and what it had to leave."""

    where: str
    """The database, as messages name it (never a password)."""
    tables: tuple[str, ...]
    """The tables vacuumed (SQLite: the whole file)."""
    full: bool
    """Whether the tables were rewritten into new files (``VACUUM FULL``; always on SQLite)."""
    skipped: tuple[str, ...] = ()
    """Tables the server would not vacuum, with its reason (not the tables' owner)."""
    wal: str | None = None
    """SQLite: why the write-ahead log could not be truncated; None when it was."""

    @property
    def ok(self) -> bool:
        """Whether every table was vacuumed and, on SQLite, the log truncated."""
        return not self.skipped and self.wal is None

    def __str__(self) -> str:
        how = "VACUUM FULL" if self.full else "VACUUM"
        done = f"{self.where}: {how} of {', '.join(self.tables) or 'no table'}"
        if self.skipped:
            done += f"; skipped: {'; '.join(self.skipped)}"
        if self.wal is not None:
            done += f"; {self.wal}"
        return done
