"""
The KPI aggregation done with the database: filters, sums and small groupings in SQL over a
plain scan of the complaints table.

Where SQLite would sort every row to group on several text columns (the breakdowns by
channel, category, product and priority), the narrow rows are counted in Python instead,
which measured about twice as fast; the measured durations are read as one integer each.

It fills the same :class:`~iso10002.monitoring._cohorts.Cohorts` as the reference pass over
fact rows, with the same rules; the tests compare the two on the same data. Instants are
compared as the stored fixed-width UTC text, which orders as the instants do.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol, TypeGuard, runtime_checkable

from iso10002.model.events import SurveyAnswered
from iso10002.monitoring._cohorts import NO_PRIORITY, NONE_KEYS, UPHELD, Cohorts
from iso10002.serialization import structure
from iso10002.storage._columns import micros_sql, parse_redress, utc

__all__ = ["SqlSelect", "fill_from_sql", "speaks_sqlite", "survey_answers"]

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
# Reports read most of the table: a scan beats following an index to every row.
_TABLE = "complaints NOT INDEXED"
_NOT_DUPLICATE = "IFNULL(closure_reason, '') <> 'duplicate'"
_CLOSED_IN = f"closed_at >= :s AND closed_at < :e AND {_NOT_DUPLICATE}"
_RECEIVED_IN = f"received_at >= :s AND received_at < :e AND {_NOT_DUPLICATE}"


@runtime_checkable
class SqlSelect(Protocol):
    """**Protocol:** a store that runs read-only ``SELECT`` statements for reports."""

    sql_dialect: str
    """The SQL it speaks; this module writes ``"sqlite"``."""

    def select(
        self, sql: str, params: Sequence[object] | Mapping[str, object] = ()
    ) -> Iterable[tuple[Any, ...]]:
        """
        The rows of one read-only ``SELECT`` (named parameters given as a mapping), read
        before the next call.
        """
        ...


def _text(us: int) -> str:
    return utc(_EPOCH + _dt.timedelta(microseconds=us), "bound")


def _bucket_sql(column: str, bounds: list[int]) -> str:
    # The bucket index by the inner bounds; the bounds are our own instants, not user text.
    cases = " ".join(f"WHEN {column} < '{_text(b)}' THEN {i}" for i, b in enumerate(bounds[1:-1]))
    return f"CASE {cases} ELSE {len(bounds) - 2} END" if cases else "0"


def _add(dim: dict[str, list[int]], key: str, index: int, n: int) -> None:
    counts = dim.get(key)
    if counts is None:
        counts = dim[key] = [0, 0, 0]
    counts[index] += n


def speaks_sqlite(store: object) -> TypeGuard[SqlSelect]:
    """Whether ``store`` runs this module's SQL."""
    return isinstance(store, SqlSelect) and store.sql_dialect == "sqlite"


def survey_answers(
    db: SqlSelect, start: _dt.datetime, end: _dt.datetime
) -> Iterator[SurveyAnswered]:
    """The survey answers recorded in ``[start, end)``, decoded one at a time."""
    for (payload,) in db.select(
        "SELECT payload FROM events WHERE type = 'survey_answered' "
        "AND occurred_at >= :s AND occurred_at < :e",
        {"s": utc(start, "start"), "e": utc(end, "end")},
    ):
        yield structure(json.loads(payload), SurveyAnswered, path="$.payload")


def fill_from_sql(c: Cohorts, db: SqlSelect, *, detail: bool = True) -> None:
    """
    Aggregate the period of ``c`` in the database and add the results to ``c``.

    Without ``detail``, only what the period-over-period comparison needs is filled: not the
    remedies, redress, root causes or time to acknowledge.
    """
    p = {"s": _text(c.start), "e": _text(c.end)}
    if detail:
        _received(c, db, p)
        _closed(c, db, p)
    else:
        _totals(c, db, p)
    _satisfaction(c, db, p)
    _final_responses(c, db, p)
    _sla(c, db, p)
    if detail:
        _acknowledgements(c, db, p)
        _closed_details(c, db, p)


def _duration_sql(start: str, end: str, stored: str, calendar: bool) -> str:
    if calendar:  # business time is computed in Python from both instants
        return f"{micros_sql(start)}, {micros_sql(end)}"
    return f"0, {stored}"


_DIMS = "channel, category, product, priority"
_OUTCOMES = ("upheld", "partially_upheld", "not_upheld")


def _count_dims(
    c: Cohorts, values: tuple[str | None, ...], index: int, n: int, upheld: int
) -> None:
    channel, category, product, priority = values
    keys = (
        channel or "",
        category or NONE_KEYS["category"],
        product or NONE_KEYS["product"],
        priority or NO_PRIORITY,
    )
    for dim, key in zip(c.dims, keys, strict=True):
        _add(dim, key, index, n)
        if index == 1:
            _add(dim, key, 2, upheld)


def _open(c: Cohorts, db: SqlSelect, p: Mapping[str, object]) -> None:
    # Open at the start and at the end: received before, not closed or withdrawn before.
    ((open_start, open_end, imported_open),) = db.select(
        "SELECT IFNULL(SUM(received_at < :s), 0), "
        "IFNULL(SUM(closed_at IS NULL OR closed_at >= :e), 0), "
        "IFNULL(SUM((closed_at IS NULL OR closed_at >= :e) AND source IS NOT NULL), 0) "
        f"FROM {_TABLE} WHERE received_at < :e AND (closed_at IS NULL OR closed_at >= :s) "
        f"AND {_NOT_DUPLICATE}",
        p,
    )
    c.open_start += open_start
    c.open_end += open_end
    c.imported_open += imported_open


def _totals(c: Cohorts, db: SqlSelect, p: Mapping[str, object]) -> None:
    """The counts the comparison with an earlier period needs, without breakdowns."""
    _open(c, db, p)
    ((duplicates, received, imported),) = db.select(
        "SELECT IFNULL(SUM(closure_reason = 'duplicate'), 0), "
        "IFNULL(SUM(IFNULL(closure_reason, '') <> 'duplicate'), 0), "
        "IFNULL(SUM(IFNULL(closure_reason, '') <> 'duplicate' AND source IS NOT NULL), 0) "
        f"FROM {_TABLE} WHERE received_at >= :s AND received_at < :e",
        p,
    )
    c.duplicates += duplicates
    c.received += received
    c.imported += imported
    counts = ", ".join(f"IFNULL(SUM(withdrawn = 0 AND outcome = '{o}'), 0)" for o in _OUTCOMES)
    ((withdrawn, closed, first_contact, reopened, reviewed, referred, unrecorded, *outcomes),) = (
        db.select(
            "SELECT IFNULL(SUM(withdrawn), 0), IFNULL(SUM(withdrawn = 0), 0), "
            "IFNULL(SUM(withdrawn = 0 AND first_contact), 0), "
            "IFNULL(SUM(withdrawn = 0 AND reopen_count > 0), 0), "
            "IFNULL(SUM(withdrawn = 0 AND internal_reviews > 0), 0), "
            "IFNULL(SUM(withdrawn = 0 AND referrals > 0), 0), "
            f"IFNULL(SUM(withdrawn = 0 AND root_cause IS NULL), 0), {counts} "
            f"FROM {_TABLE} WHERE {_CLOSED_IN}",
            p,
        )
    )
    c.withdrawn += withdrawn
    c.closed += closed
    c.first_contact += first_contact
    c.reopened += reopened
    c.reviewed += reviewed
    c.referred += referred
    c.unrecorded += unrecorded
    for outcome, n in zip(_OUTCOMES, outcomes, strict=True):
        c.outcomes[outcome] += n


def _received(c: Cohorts, db: SqlSelect, p: Mapping[str, object]) -> None:
    _open(c, db, p)
    bucket = _bucket_sql("received_at", c.bounds) if c.bounds else "NULL"
    rows = db.select(
        f"SELECT {bucket}, {_DIMS}, IFNULL(closure_reason, '') = 'duplicate', "
        f"source IS NOT NULL FROM {_TABLE} WHERE received_at >= :s AND received_at < :e",
        p,
    )
    for (index, channel, category, product, priority, duplicate, imported), n in Counter(
        rows
    ).items():
        if duplicate:
            c.duplicates += n
            continue
        c.received += n
        c.imported += n if imported else 0
        _count_dims(c, (channel, category, product, priority), 0, n, 0)
        if index is not None:
            c.trend_received[index] += n


def _acknowledgements(c: Cohorts, db: SqlSelect, p: Mapping[str, object]) -> None:
    span = _duration_sql(
        "received_at", "acknowledged_at", "acknowledge_us", c.ack.calendar is not None
    )
    for start, end, timed in db.select(
        f"SELECT {span}, timed FROM {_TABLE} WHERE {_RECEIVED_IN} AND acknowledged_at IS NOT NULL",
        p,
    ):
        c.ack.add(start, end, timed)


def _closed(c: Cohorts, db: SqlSelect, p: Mapping[str, object]) -> None:
    bucket = _bucket_sql("closed_at", c.bounds) if c.bounds else "NULL"
    rows = db.select(
        f"SELECT {bucket}, {_DIMS}, outcome, withdrawn, first_contact, reopen_count > 0, "
        "internal_reviews > 0, referrals > 0, root_cause IS NULL "
        f"FROM {_TABLE} WHERE {_CLOSED_IN}",
        p,
    )
    for (
        index,
        channel,
        category,
        product,
        priority,
        outcome,
        withdrawn,
        first_contact,
        reopened,
        reviewed,
        referred,
        unrecorded,
    ), n in Counter(rows).items():
        if withdrawn:
            c.withdrawn += n
            continue
        c.closed += n
        upheld = n if outcome in UPHELD else 0
        _count_dims(c, (channel, category, product, priority), 1, n, upheld)
        if outcome is not None:
            c.outcomes[outcome] += n
        c.first_contact += first_contact * n
        c.reopened += reopened * n
        c.reviewed += reviewed * n
        c.referred += referred * n
        c.unrecorded += unrecorded * n
        if index is not None:
            c.trend_closed[index] += n
            if outcome is not None:
                c.trend_decided[index] += n
                c.trend_upheld[index] += upheld


_DECIDED = f"{_CLOSED_IN} AND withdrawn = 0"


def _satisfaction(c: Cohorts, db: SqlSelect, p: Mapping[str, object]) -> None:
    for score, scale, n in db.select(
        f"SELECT satisfaction_score, satisfaction_scale, COUNT(*) FROM {_TABLE} "
        f"WHERE {_DECIDED} AND satisfaction_score IS NOT NULL "
        "AND satisfaction_scale IS NOT NULL GROUP BY 1, 2",
        p,
    ):
        c.scores[score, scale] = c.scores.get((score, scale), 0) + n


def _closed_details(c: Cohorts, db: SqlSelect, p: Mapping[str, object]) -> None:
    for remedies, n in db.select(
        f"SELECT remedies, COUNT(*) FROM {_TABLE} WHERE {_DECIDED} AND remedies IS NOT NULL "
        "GROUP BY 1",
        p,
    ):
        for kind in remedies.split():
            c.remedies[kind] = c.remedies.get(kind, 0) + n
    for redress, n in db.select(
        f"SELECT redress, COUNT(*) FROM {_TABLE} WHERE {_DECIDED} AND redress IS NOT NULL "
        "GROUP BY 1",
        p,
    ):
        for money in parse_redress(redress):
            held = c.redress.get(money.currency, Decimal(0))
            c.redress[money.currency] = held + money.amount * n
    for category, cause, n in db.select(
        f"SELECT root_cause_category, root_cause, COUNT(*) FROM {_TABLE} "
        f"WHERE {_DECIDED} AND root_cause IS NOT NULL GROUP BY 1, 2",
        p,
    ):
        c.causes[category, cause] = c.causes.get((category, cause), 0) + n


def _final_responses(c: Cohorts, db: SqlSelect, p: Mapping[str, object]) -> None:
    bucket = _bucket_sql("closed_at", c.bounds) if c.bounds else "NULL"
    span = _duration_sql(
        "received_at", "first_response_at", "first_response_us", c.final.calendar is not None
    )
    for index, start, end, timed in db.select(
        f"SELECT {bucket}, {span}, timed FROM {_TABLE} "
        f"WHERE {_DECIDED} AND first_response_at IS NOT NULL",
        p,
    ):
        duration = c.final.add(start, end, timed)
        if duration is not None and index is not None:
            c.trend_final[index].append(duration)


def _sla(c: Cohorts, db: SqlSelect, p: Mapping[str, object]) -> None:
    done = "json_extract(j.value, '$[2]')"
    due = "json_extract(j.value, '$[1]')"
    for metric, met, breached, overdue in db.select(
        f"SELECT json_extract(j.value, '$[0]'), "
        f"IFNULL(SUM({done} >= :s AND {done} < :e AND {done} <= {due}), 0), "
        f"IFNULL(SUM({done} >= :s AND {done} < :e AND {done} > {due}), 0), "
        f"IFNULL(SUM(({done} IS NULL OR {done} >= :e) AND {due} < :e "
        "AND (c.closed_at IS NULL OR c.closed_at >= :e)), 0) "
        "FROM complaints AS c NOT INDEXED, json_each(c.sla) AS j "
        "WHERE c.sla IS NOT NULL AND c.received_at < :e "
        "AND (c.closed_at IS NULL OR c.closed_at >= :s) GROUP BY 1",
        p,
    ):
        counts = c.sla.setdefault(metric, [0, 0, 0])
        counts[0] += met
        counts[1] += breached
        counts[2] += overdue
