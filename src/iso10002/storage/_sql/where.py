"""The WHERE clause of a :class:`~iso10002.ports.store.ComplaintQuery`, in either SQL dialect."""

from __future__ import annotations

from collections.abc import Callable

from iso10002.model.fact_row import utc
from iso10002.ports.store import ComplaintQuery

__all__ = ["query_where"]


def query_where(
    query: ComplaintQuery, *, mark: str, instant: str, flag: Callable[[bool], object]
) -> tuple[str, list[object]]:
    """
    The WHERE clause and parameters for ``query``'s criteria (paging aside), in a driver's
    dialect: ``mark`` is its parameter placeholder, ``instant`` the placeholder of a UTC text
    compared with an instant column, ``flag`` how it stores a boolean.
    """
    clauses: list[str] = []
    params: list[object] = []
    for column, value in (
        ("state", query.state),
        ("is_open", None if query.is_open is None else flag(query.is_open)),
        ("assignee", query.assignee),
        ("priority", None if query.priority is None else query.priority.value),
        ("channel", None if query.channel is None else query.channel.value),
        ("organisation", query.organisation),
    ):
        if value is not None:
            clauses.append(f"{column} = {mark}")
            params.append(value)
    for column, op, bound in (
        ("received_at", ">=", query.received_from),
        ("received_at", "<", query.received_to),
        ("sla_due_at", "<=", query.sla_due_by),
        ("sla_warning_at", "<=", query.sla_warning_by),
        ("sla_alert_at", "<=", query.sla_alert_by),
    ):
        if bound is not None:
            clauses.append(f"{column} {op} {instant}")
            params.append(utc(bound, column))
    if query.order == "sla_due":
        clauses.append("sla_due_at IS NOT NULL")
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
