"""
How summary values become SQL column values and back; shared by the SQL stores.

Instants are stored as fixed-width UTC ISO 8601 text, which sorts as the instants do. The
monitoring facts (:class:`~iso10002.model.facts.ComplaintFacts`) are flat columns of the
complaints table, so that KPIs can be aggregated in SQL.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from iso10002.errors import CorruptRecord
from iso10002.model._checks import organisation_id
from iso10002.model.complaint import ComplaintSummary
from iso10002.model.fact_row import parse_redress, sla_column, utc, utc_or_none
from iso10002.model.facts import ComplaintFacts, MetricOutcome
from iso10002.model.values import Channel, ClosureReason, Outcome, Priority, RemedyKind
from iso10002.serialization import parse_json

__all__ = [
    "FACT_COLUMNS",
    "SUMMARY_COLUMN_COUNT",
    "facts_from_values",
    "facts_values",
    "instant",
    "instant_or_none",
    "parse_redress",
    "sla_column",
    "summary_from_values",
    "utc",
    "utc_or_none",
]


def instant(text: object, column: str) -> _dt.datetime:
    """
    The instant stored as ``text``.

    Raises:
        ValueError: the column does not hold ISO 8601 text with an offset.
    """
    if not isinstance(text, str):
        raise ValueError(f"{column} is {text!r}, not an ISO 8601 text")
    value = _dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"{column} {text!r} has no UTC offset")
    return value


Instant = Callable[[object, str], _dt.datetime]
"""Reads one stored instant, naming its column when it cannot (raises ValueError)."""


def instant_or_none(text: object, column: str) -> _dt.datetime | None:
    """:func:`instant`, passing ``None`` through."""
    return None if text is None else instant(text, column)


FACT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("product", "TEXT"),
    ("source", "TEXT"),
    ("timed", "INTEGER NOT NULL DEFAULT 1"),
    ("first_response_at", "TEXT"),
    ("acknowledge_us", "INTEGER"),
    ("first_response_us", "INTEGER"),
    ("outcome", "TEXT"),
    ("closure_reason", "TEXT"),
    ("withdrawn", "INTEGER NOT NULL DEFAULT 0"),
    ("remedies", "TEXT"),
    ("redress", "TEXT"),
    ("reopen_count", "INTEGER NOT NULL DEFAULT 0"),
    ("internal_reviews", "INTEGER NOT NULL DEFAULT 0"),
    ("referrals", "INTEGER NOT NULL DEFAULT 0"),
    ("first_contact", "INTEGER NOT NULL DEFAULT 0"),
    ("satisfaction_score", "INTEGER"),
    ("satisfaction_scale", "INTEGER"),
    ("root_cause", "TEXT"),
    ("root_cause_category", "TEXT"),
    ("sla", "TEXT"),
)
"""The facts' columns in the complaints table, in order, with their SQL types."""


def facts_values(f: ComplaintFacts) -> tuple[object, ...]:
    """The column values of ``f``, in :data:`FACT_COLUMNS` order."""
    return (
        f.product,
        f.source,
        int(f.timed),
        utc_or_none(f.first_response_at, "first_response_at"),
        _span(f.acknowledge_time),
        _span(f.first_response_time),
        None if f.outcome is None else f.outcome.value,
        None if f.closure_reason is None else f.closure_reason.value,
        int(f.withdrawn),
        " ".join(k.value for k in f.remedies) or None,
        " ".join(f"{m.currency}:{m.amount}" for m in f.redress) or None,
        f.reopen_count,
        f.internal_reviews,
        f.referrals,
        int(f.first_contact),
        f.satisfaction_score,
        f.satisfaction_scale,
        f.root_cause,
        f.root_cause_category,
        sla_column(f.sla),
    )


_MICROSECOND = _dt.timedelta(microseconds=1)


def _span(value: _dt.timedelta | None) -> int | None:
    return None if value is None else value // _MICROSECOND


def _duration(value: object, column: str) -> _dt.timedelta | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{column} is {value!r}, not a number of microseconds")
    return _dt.timedelta(microseconds=value)


def _flag(value: object, column: str) -> bool:
    if value not in (0, 1):
        raise ValueError(f"{column} is {value!r}, not 0 or 1")
    return bool(value)


def _count(value: object, column: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{column} is {value!r}, not a count")
    return value


def facts_from_values(values: Sequence[object], read: Instant = instant) -> ComplaintFacts:
    """
    The facts stored in ``values`` (in :data:`FACT_COLUMNS` order); ``read`` reads a stored
    instant (the driver's value), the UTC text this module writes by default.

    Raises:
        ValueError, TypeError: a column does not hold what it should; the store reports
            the row as corrupt.
    """
    (
        product,
        source,
        timed,
        first_response_at,
        acknowledge_us,
        first_response_us,
        outcome,
        closure_reason,
        withdrawn,
        remedies,
        redress,
        reopen_count,
        internal_reviews,
        referrals,
        first_contact,
        satisfaction_score,
        satisfaction_scale,
        root_cause,
        root_cause_category,
        sla,
    ) = values
    return ComplaintFacts(
        product=product,  # type: ignore[arg-type]
        source=source,  # type: ignore[arg-type]
        timed=_flag(timed, "timed"),
        first_response_at=None
        if first_response_at is None
        else read(first_response_at, "first_response_at"),
        acknowledge_time=_duration(acknowledge_us, "acknowledge_us"),
        first_response_time=_duration(first_response_us, "first_response_us"),
        outcome=None if outcome is None else Outcome(outcome),
        closure_reason=None if closure_reason is None else ClosureReason(closure_reason),
        withdrawn=_flag(withdrawn, "withdrawn"),
        remedies=tuple(RemedyKind(k) for k in str(remedies).split()) if remedies else (),
        redress=parse_redress(str(redress)) if redress else (),
        reopen_count=_count(reopen_count, "reopen_count"),
        internal_reviews=_count(internal_reviews, "internal_reviews"),
        referrals=_count(referrals, "referrals"),
        first_contact=_flag(first_contact, "first_contact"),
        satisfaction_score=satisfaction_score,  # type: ignore[arg-type]
        satisfaction_scale=satisfaction_scale,  # type: ignore[arg-type]
        root_cause=root_cause,  # type: ignore[arg-type]
        root_cause_category=root_cause_category,  # type: ignore[arg-type]
        sla=tuple(
            MetricOutcome(
                metric=m, due_at=instant(due, "sla"), done_at=instant_or_none(done, "sla")
            )
            for m, due, done in parse_json(str(sla), path="$.sla")
        )
        if sla
        else (),
    )


SUMMARY_COLUMN_COUNT = 17
"""Columns of a summary row before its facts (see :func:`summary_from_values`)."""


_ORGANISATION_AT = SUMMARY_COLUMN_COUNT + len(FACT_COLUMNS)
"""Where a summary row holds its organisation: after the facts (migration 10 added it)."""


def _organisation(value: object) -> str | None:
    if value is None:
        return None
    return organisation_id("organisation", value)


def summary_from_values(row: Sequence[Any], read: Instant = instant) -> ComplaintSummary:
    """
    The summary in ``row``: id, reference, client key, version, state, is_open, channel,
    priority, category, assignee, received, acknowledged, closed, updated, the three
    timeliness instants, the facts, then the organisation. ``read`` reads a stored instant as
    :func:`facts_from_values` does; ids may come as text or as UUIDs, flags as 0/1 or booleans.

    Raises:
        CorruptRecord: a column does not hold what it should (names the complaint).
    """
    (
        id_,
        reference,
        client_key,
        version,
        state,
        is_open,
        channel,
        priority,
        category,
        assignee,
        received_at,
        acknowledged_at,
        closed_at,
        updated_at,
        sla_due_at,
        sla_warning_at,
        sla_alert_at,
    ) = row[:SUMMARY_COLUMN_COUNT]

    def maybe(value: object, column: str) -> _dt.datetime | None:
        return None if value is None else read(value, column)

    try:
        return ComplaintSummary(
            id=UUID(str(id_)),
            reference=reference,
            version=version,
            state=state,
            is_open=_flag(is_open, "is_open"),
            channel=Channel(channel),
            priority=None if priority is None else Priority(priority),
            category=category,
            assignee=assignee,
            received_at=read(received_at, "received_at"),
            acknowledged_at=maybe(acknowledged_at, "acknowledged_at"),
            closed_at=maybe(closed_at, "closed_at"),
            updated_at=read(updated_at, "updated_at"),
            client_key=client_key,
            sla_due_at=maybe(sla_due_at, "sla_due_at"),
            sla_warning_at=maybe(sla_warning_at, "sla_warning_at"),
            sla_alert_at=maybe(sla_alert_at, "sla_alert_at"),
            facts=facts_from_values(row[SUMMARY_COLUMN_COUNT:_ORGANISATION_AT], read),
            organisation=_organisation(row[_ORGANISATION_AT]),
        )
    except (ValueError, TypeError, AttributeError, ArithmeticError) as e:
        raise CorruptRecord(
            complaint=str(reference or id_),
            seq=version if isinstance(version, int) else 0,
            reason=f"its summary row cannot be read: {e}",
        ) from e
