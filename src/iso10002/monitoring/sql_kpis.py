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
from iso10002.monitoring._cohorts import Cohorts
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
        _satisfaction_and_causes(c, db, p, detail)
        _final_responses(c, db, p)
        return
    if _open(c, db, p):
        _sla(c, db, p)
    _received(c, db, p)
    _closed(c, db, p)
    _satisfaction_and_causes(c, db, p, detail)
    _final_responses(c, db, p)
    if detail:
        _acknowledgements(c, db, p)
        for redress, n in db.select(
            f"SELECT redress, COUNT(*) FROM {_TABLE} WHERE {_DECIDED} AND redress IS NOT NULL "
            "GROUP BY 1",
            p,
        ):
            c.count_redress(redress, n)


def _open(c: Cohorts, db: SqlSelect, p: Mapping[str, object]) -> bool:
    """Open at the start and at the end; whether any of these complaints has deadlines."""
    ((open_start, open_end, imported_open, deadlines),) = db.select(
        "SELECT IFNULL(SUM(received_at < :s), 0), "
        "IFNULL(SUM(closed_at IS NULL OR closed_at >= :e), 0), "
        "IFNULL(SUM((closed_at IS NULL OR closed_at >= :e) AND source IS NOT NULL), 0), "
        "IFNULL(SUM(sla IS NOT NULL), 0) "
        f"FROM {_TABLE} WHERE received_at < :e AND (closed_at IS NULL OR closed_at >= :s) "
        f"AND {_NOT_DUPLICATE}",
        p,
    )
    c.open_start += open_start
    c.open_end += open_end
    c.imported_open += imported_open
    return bool(deadlines)


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


def _received(c: Cohorts, db: SqlSelect, p: Mapping[str, object]) -> None:
    bucket = _bucket_sql("received_at", c.bounds)
    rows = db.select(
        f"SELECT {bucket}, {_DIMS}, "
        "IFNULL(closure_reason, '') = 'duplicate', source IS NOT NULL "
        f"FROM {_TABLE} WHERE received_at >= :s AND received_at < :e",
        p,
    )
    for (index, *dims, duplicate, imported), n in Counter(rows).items():
        c.count_received(index, tuple(dims), bool(duplicate), bool(imported), n)


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
    rows = db.select(
        f"SELECT {_bucket_sql('closed_at', c.bounds)}, {_DIMS}, "
        "outcome, withdrawn, first_contact, reopen_count > 0, internal_reviews > 0, "
        f"referrals > 0 FROM {_TABLE} WHERE {_CLOSED_IN}",
        p,
    )
    for (index, *dims, outcome, withdrawn, first, reopened, reviewed, referred), n in Counter(
        rows
    ).items():
        ending = (outcome, withdrawn, first, bool(reopened), bool(reviewed), bool(referred))
        c.count_closed(index, tuple(dims), ending, n)


_DECIDED = f"{_CLOSED_IN} AND withdrawn = 0"


def _satisfaction_and_causes(
    c: Cohorts, db: SqlSelect, p: Mapping[str, object], detail: bool
) -> None:
    details = (
        "remedies, satisfaction_score, satisfaction_scale, root_cause_category, root_cause"
        if detail
        else "NULL, satisfaction_score, satisfaction_scale, NULL, NULL"
    )
    rows = db.select(f"SELECT {details} FROM {_TABLE} WHERE {_DECIDED}", p)
    for values, n in Counter(rows).items():
        c.count_details(values, n)


def _duration_sql(start: str, end: str, stored: str, calendar: bool) -> str:
    if calendar:  # business time is computed in Python from both instants
        return f"{micros_sql(start)}, {micros_sql(end)}"
    return f"0, {stored}"


def _final_responses(c: Cohorts, db: SqlSelect, p: Mapping[str, object]) -> None:
    span = _duration_sql(
        "received_at", "first_response_at", "first_response_us", c.final.calendar is not None
    )
    for index, start, end, timed in db.select(
        f"SELECT {_bucket_sql('closed_at', c.bounds)}, {span}, timed FROM {_TABLE} "
        f"WHERE {_DECIDED} AND first_response_at IS NOT NULL",
        p,
    ):
        c.count_response(index, start, end, timed)


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
