"""
Number claims in SQL (:attr:`Append.number <iso10002.ports.store.Append.number>`): the
counter's compare-and-set, made in the append's transaction, and the read of a counter; the
same statements on SQLite and PostgreSQL, but for the parameter mark and the schema.
"""

from __future__ import annotations

from typing import Any, Protocol

import attrs

from iso10002.errors import DuplicateKeyError
from iso10002.ports.store import Append

__all__ = ["NumberStatements", "claim", "claimed"]


class _Connection(Protocol):
    def execute(self, sql: Any, params: Any = ..., /) -> Any: ...


@attrs.frozen
class NumberStatements:
    """The statements of number claims, for one backend (``mark``) and table prefix."""

    prefix: str
    mark: str
    returning: str = ""
    """``" RETURNING value"`` where a pipelined append reads the answer instead of a count."""

    @property
    def last(self) -> str:
        """The counter's value, or no row: the read of ``last_number``."""
        m = self.mark
        return f"SELECT value FROM {self.prefix}counters WHERE scope = {m}"

    @property
    def first(self) -> str:
        """Claim from 0: create the counter, or set a counter that holds 0 (never made)."""
        m = self.mark
        return (
            f"INSERT INTO {self.prefix}counters AS c (scope, value) VALUES ({m}, {m}) "
            f"ON CONFLICT (scope) DO UPDATE SET value = excluded.value WHERE c.value = 0"
            + self.returning
        )

    @property
    def next(self) -> str:
        """Claim from a value: set the counter if, and only if, it still holds that value."""
        m = self.mark
        return (
            f"UPDATE {self.prefix}counters SET value = {m} WHERE scope = {m} AND value = {m}"
            + self.returning
        )

    def of(self, a: Append) -> tuple[str, tuple[object, ...]] | None:
        """The statement and parameters of ``a``'s claim, if it has one."""
        c = a.number
        if c is None:
            return None
        if c.after == 0:
            return self.first, (c.scope, c.number)
        return self.next, (c.number, c.scope, c.after)


def claimed(a: Append, done: bool) -> None:
    """
    Refuse ``a`` when its claim was not applied (``done`` false): another writer moved the
    counter since the claim was made; the caller's transaction then rolls back.

    Raises:
        DuplicateKeyError: key ``"reference"``, as for a taken reference.
    """
    if not done:
        raise DuplicateKeyError("reference", a.summary.reference)


def claim(conn: _Connection, sql: NumberStatements, a: Append) -> None:
    """Apply ``a``'s claim, if it has one, in the caller's transaction, or refuse ``a``."""
    statement = sql.of(a)
    if statement is not None:
        claimed(a, conn.execute(*statement).rowcount == 1)
