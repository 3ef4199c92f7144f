"""
The KPI aggregation done with the database: filters, sums and the trend bucket in SQL over
plain scans of the complaints table, the counting in the shared accumulators.

SQL picks each cohort's rows (received in the period, closed in it) and computes what is cheap
there: conditional sums, the bucket, the stored durations. Where SQLite would sort every row
to group on several text columns (the breakdowns by channel, category, product and priority),
the narrow rows are counted with a ``Counter`` instead, which measured about twice as fast; the
groups are then given, with their sizes, to the same
:class:`~iso10002.monitoring._cohorts.Cohorts` methods the reference pass over fact rows
uses, so that both paths count by one set of rules. Instants are compared as the stored
fixed-width UTC text, which orders as the instants do.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol, TypeGuard, runtime_checkable

from iso10002.model.events import SurveyAnswered
from iso10002.monitoring._cohorts import Cohorts, Durations
from iso10002.serialization import structure
from iso10002.storage._columns import micros_sql, utc

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
    if not bounds:
        return "NULL"
    cases = " ".join(f"WHEN {column} < '{_text(b)}' THEN {i}" for i, b in enumerate(bounds[1:-1]))
    return f"CASE {cases} ELSE {len(bounds) - 2} END" if cases else "0"


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

    Without ``detail``, only what the comparison with a later period needs is filled: the
    breakdowns, remedies, redress, root causes and time to acknowledge are left out.
    """
    p = {"s": _text(c.start), "e": _text(c.end)}
    if not detail:
        if _totals(c, db, p):
            _sla(c, db, p)
        _earlier_responses(c, db, p)
        return
    if _received(c, db, p):
        _sla(c, db, p)
    _closed(c, db, p)


_DIMS = "channel, category, product, priority"
_OUTCOMES = ("upheld", "partially_upheld", "not_upheld")


def _totals(c: Cohorts, db: SqlSelect, p: Mapping[str, object]) -> bool:
    """
    The counts of the comparison with a later period, in one scan, without breakdowns;
    whether any of these complaints has deadlines.
    """
    received = "received_at >= :s AND received_at < :e"
    decided = "closed_at >= :s AND closed_at < :e AND withdrawn = 0"
    sums = [
        f"received_at < :s AND {_NOT_DUPLICATE}",
        f"(closed_at IS NULL OR closed_at >= :e) AND {_NOT_DUPLICATE}",
        f"(closed_at IS NULL OR closed_at >= :e) AND source IS NOT NULL AND {_NOT_DUPLICATE}",
        f"{received} AND closure_reason = 'duplicate'",
        f"{received} AND {_NOT_DUPLICATE}",
        f"{received} AND {_NOT_DUPLICATE} AND source IS NOT NULL",
        "closed_at >= :s AND closed_at < :e AND withdrawn = 1",
        f"{decided} AND {_NOT_DUPLICATE}",
        *(
            f"{decided} AND {_NOT_DUPLICATE} AND {flag}"
            for flag in (
                "first_contact = 1",
                "reopen_count > 0",
                "internal_reviews > 0",
                "referrals > 0",
            )
        ),
        *(f"{decided} AND {_NOT_DUPLICATE} AND outcome = '{o}'" for o in _OUTCOMES),
        "sla IS NOT NULL",
    ]
    # The rows of both cohorts and of the open counts: received before the end and not
    # closed before the start (a complaint closed in the period was received before its end).
    (
        (open_start, open_end, imported_open, duplicates, got, imported, withdrawn, closed, *rest),
    ) = db.select(
        "SELECT " + ", ".join(f"IFNULL(SUM({x}), 0)" for x in sums) + f" FROM {_TABLE} "
        "WHERE received_at < :e AND (closed_at IS NULL OR closed_at >= :s)",
        p,
    )
    first_contact, reopened, reviewed, referred, *outcomes, deadlines = rest
    c.open_start += open_start
    c.open_end += open_end
    c.imported_open += imported_open
    c.duplicates += duplicates
    c.received += got
    c.imported += imported
    c.withdrawn += withdrawn
    c.closed += closed
    c.first_contact += first_contact
    c.reopened += reopened
    c.reviewed += reviewed
    c.referred += referred
    for outcome, n in zip(_OUTCOMES, outcomes, strict=True):
        c.outcomes[outcome] += n
    return bool(deadlines)


def _received(c: Cohorts, db: SqlSelect, p: Mapping[str, object]) -> bool:
    """
    Complaints received in the period, with their time to acknowledge, and those open at its
    start or end; whether any of them has deadlines. One scan: everything received before
    the end and not closed before the start.
    """
    measured = _measured("received_at", "acknowledged_at", "acknowledge_us", c.ack)
    groups: Counter[tuple[Any, ...]] = Counter()
    spans = []
    for *key, start, end, timed in db.select(
        f"SELECT {_bucket_sql('received_at', c.bounds)}, {_DIMS}, "
        "IFNULL(closure_reason, '') = 'duplicate', source IS NOT NULL, received_at < :s, "
        f"closed_at IS NULL OR closed_at >= :e, sla IS NOT NULL, {measured} FROM {_TABLE} "
        "WHERE received_at < :e AND (closed_at IS NULL OR closed_at >= :s)",
        p,
    ):
        if end is not None and not key[5] and not key[7]:  # neither duplicate nor earlier
            spans.append((start, end, timed))
        groups[tuple(key)] += 1
    deadlines = False
    for (
        index,
        *dims,
        duplicate,
        imported,
        before,
        still_open,
        sla,
    ), n in groups.items():
        deadlines = deadlines or bool(sla)
        if not duplicate:
            c.open_start += n if before else 0
            c.open_end += n if still_open else 0
            c.imported_open += n if still_open and imported else 0
        if not before:
            c.count_received(index, tuple(dims), bool(duplicate), bool(imported), n)
    c.ack.extend(spans)
    return deadlines


def _measured(start: str, end: str, stored: str, durations: Durations) -> str:
    """
    Three columns for a duration: both instants when business time is computed here, else
    0 and the stored duration; then whether it can be measured at all.
    """
    if durations.calendar is not None:
        return f"{micros_sql(start)}, {micros_sql(end)}, timed"
    return f"0, {stored}, timed"


_DECIDED = f"{_CLOSED_IN} AND withdrawn = 0"


def _closed(c: Cohorts, db: SqlSelect, p: Mapping[str, object]) -> None:
    """
    Complaints closed or withdrawn in the period: how, remedies, redress, causes, response
    times.
    """
    measured = _measured("received_at", "first_response_at", "first_response_us", c.final)
    # The flags travel as one number: fewer values to read and to hash per row.
    flags = (
        "withdrawn + 2 * first_contact + 4 * (reopen_count > 0) + 8 * (internal_reviews > 0) "
        "+ 16 * (referrals > 0)"
    )
    bucket = _bucket_sql("closed_at", c.bounds)
    endings: Counter[tuple[Any, ...]] = Counter()
    details: Counter[tuple[Any, ...]] = Counter()
    redress: Counter[str] = Counter()
    responses = []
    for row in db.select(
        f"SELECT {bucket}, {_DIMS}, outcome, {flags}, remedies, "
        "satisfaction_score, satisfaction_scale, root_cause_category, root_cause, redress, "
        f"{measured} FROM {_TABLE} WHERE {_CLOSED_IN}",
        p,
    ):
        endings[row[:7]] += 1
        if not row[6] & 1:  # withdrawn complaints have no decision to count
            details[row[7:12]] += 1
            if row[12] is not None:
                redress[row[12]] += 1
            if row[14] is not None:
                responses.append((row[0], row[13], row[14], row[15]))
    for (index, *dims, outcome, bits), n in endings.items():
        ending = (outcome, bits & 1, bits & 2, bool(bits & 4), bool(bits & 8), bool(bits & 16))
        c.count_closed(index, tuple(dims), ending, n)
    for values, n in details.items():
        c.count_details(values, n)
    for text, n in redress.items():
        c.count_redress(text, n)
    c.count_responses(responses)


def _earlier_responses(c: Cohorts, db: SqlSelect, p: Mapping[str, object]) -> None:
    """Satisfaction and response times of the complaints decided in an earlier period."""
    for score, scale, n in db.select(
        f"SELECT satisfaction_score, satisfaction_scale, COUNT(*) FROM {_TABLE} "
        f"WHERE {_DECIDED} AND satisfaction_score IS NOT NULL GROUP BY 1, 2",
        p,
    ):
        c.count_details((None, score, scale, None, None), n)
    measured = _measured("received_at", "first_response_at", "first_response_us", c.final)
    # Sorting in Python measured faster than the database's window functions.
    c.final.extend(
        list(
            db.select(
                f"SELECT {measured} FROM {_TABLE} "
                f"WHERE {_DECIDED} AND first_response_at IS NOT NULL",
                p,
            )
        )
    )


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
