"""
The SQLite store's fast :class:`~iso10002.ports.kpi.KpiSource` path over the rows: KPI
aggregation done with the database, one scan of the complaints table per period (the period's
two cohorts, received and closed, together; the earlier period's), the counting in the shared
accumulators. A period whose buckets begin at UTC midnight is counted from the daily rollups
instead (:mod:`iso10002.storage._sql.rollup_kpis`). The SQL both stores share is in
:mod:`iso10002.storage._sql.kpi_sql`.

SQL picks each period's rows and computes what is cheap there: the trend buckets, the
conditions of each row as one number per cohort, the stored durations. Reading the rows into
Python is most of a report's time, so each row is read once per period, and nothing runs in
Python per row: its grouping columns (bucket, channel, category,
product, priority, conditions, ...) are counted by a ``Counter`` fed in C, its duration
columns are kept with ``map`` and ``itemgetter``. SQLite's ``GROUP BY`` on several text
columns sorts every row and measured twice as slow as the ``Counter``. The groups are then
given, with their sizes, to the same :class:`~iso10002.monitoring._cohorts.Cohorts` methods
the reference pass over fact rows uses, so that both paths count by one set of rules.
Instants are compared as the stored fixed-width UTC text, which orders as the instants do.
"""

from __future__ import annotations

import datetime as _dt
import operator
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from iso10002.model.events import SurveyAnswered
from iso10002.model.fact_row import utc
from iso10002.monitoring._cohorts import Cohorts
from iso10002.ports.kpi import CohortScan
from iso10002.serialization import parse_json, structure
from iso10002.storage._sql.kpi_sql import (
    LITE,
    SqlSelect,
    add_measured,
    add_responses,
    chunks,
    count_sla,
    read,
    text,
    width,
)
from iso10002.storage._sql.rollup_kpis import aligned, fill_from_rollups
from iso10002.storage._sql.rollups import SQLITE_RECOUNT, differences

__all__ = ["SqlSelect", "fill_from_sql", "rollup_differences", "scan_cohort", "survey_answers"]

_NOT_DUPLICATE = LITE.not_duplicate
_CLOSED_IN = LITE.closed_in
_TOUCHED = LITE.touched


def scan_cohort(db: SqlSelect, cohort: CohortScan, *, detail: bool) -> bool:
    """
    Fill ``cohort`` in SQL if it is monitoring's accumulator: from the rollups when its
    period is :func:`~iso10002.storage._sql.rollup_kpis.aligned`, else (or when they cannot
    answer) from a scan of the rows; see :meth:`~iso10002.ports.kpi.KpiSource.scan_cohort`.
    """
    if not isinstance(cohort, Cohorts):
        return False
    if aligned(cohort) and fill_from_rollups(cohort, db, LITE, detail=detail):
        return True
    fill_from_sql(cohort, db, detail=detail)
    return True


def rollup_differences(db: SqlSelect) -> list[tuple[str, str]]:
    """The rollup rows that differ from the rows' counts; see :func:`differences`."""
    return differences(db.select(SQLITE_RECOUNT))


def survey_answers(
    db: SqlSelect, start: _dt.datetime, end: _dt.datetime
) -> Iterator[SurveyAnswered]:
    """The survey answers recorded in ``[start, end)``, decoded one at a time."""
    for (payload,) in db.select(
        "SELECT payload FROM events WHERE type = 'survey_answered' "
        "AND occurred_at >= :s AND occurred_at < :e",
        {"s": utc(start, "start"), "e": utc(end, "end")},
    ):
        yield structure(parse_json(payload, path="$.payload"), SurveyAnswered, path="$.payload")


def fill_from_sql(c: Cohorts, db: SqlSelect, *, detail: bool = True) -> None:
    """
    Aggregate the period of ``c`` in the database and add the results to ``c``.

    Without ``detail``, only what the comparison with a later period needs is filled (the
    figures of :meth:`Cohorts.headline`): the breakdowns, remedies, redress, root causes,
    time to acknowledge and the counts no headline shows are left out.
    """
    p = {"s": text(c.start), "e": text(c.end)}
    if not detail:
        if _totals(c, db, p):
            count_sla(c, db, LITE, p)
        return
    if _current(c, db, p):
        count_sla(c, db, LITE, p)


_DIMS = "channel, category, product, priority"
_DETAILS = "remedies, satisfaction_score, satisfaction_scale, root_cause_category, root_cause"


# Both cohorts and the open counts: received before the end and not closed before the start
# (a complaint closed in the period was received before its end).
def _totals(c: Cohorts, db: SqlSelect, p: Mapping[str, object]) -> bool:
    """
    What the comparison with a later period shows (:meth:`Cohorts.headline`): the counts,
    outcomes, first-contact resolution, satisfaction and response times, without breakdowns,
    in one scan; whether any of these complaints has deadlines. The counts no headline shows
    (imported, reopened, reviewed, referred, not measured) are left at zero: each condition
    SQLite evaluates on every row costs about a twentieth of the scan.

    Each row's conditions travel as one number: closed in the period (the rows are not
    closed before it), withdrawn, and so on.
    """
    ended = "closed_at IS NOT NULL AND closed_at < :e"
    decided = f"{ended} AND withdrawn = 0 AND {_NOT_DUPLICATE}"
    columns, _ = LITE.measured(
        decided, "received_at", "first_response_at", "first_response_us", c.final
    )
    flags = LITE.flags(
        "closure_reason IS 'duplicate'",
        "received_at >= :s",
        ended,
        "withdrawn",
        "first_contact",
        "sla IS NOT NULL",
        "NOT timed",
    )
    groups = read(
        db,
        f"SELECT {flags}, outcome, satisfaction_score, satisfaction_scale, {columns} "
        f"FROM {LITE.table} WHERE {_TOUCHED}",
        p,
        4,
        c.final,
    )
    deadlines = False
    for (bits, outcome, score, scale), n in groups.items():  # bit 1 << i: the i-th flag
        deadlines = deadlines or bool(bits & 32)
        came = bits & 2
        if bits & 1:  # a duplicate
            c.duplicates += n if came else 0
            continue
        c.open_start += 0 if came else n
        c.received += n if came else 0
        if not bits & 4:  # open at the end
            c.open_end += n
            continue
        if bits & 8:  # withdrawn
            c.withdrawn += n
            continue
        c.closed += n
        if bits & 64:  # dates only: first contact cannot be told
            c.first_contact_unmeasured += n
        else:
            c.first_contact += n if bits & 16 else 0
        if outcome is not None:
            c.outcomes[outcome] += n
        if score is not None and scale is not None:
            c.scores[score, scale] = c.scores.get((score, scale), 0) + n
    return deadlines


def _current(c: Cohorts, db: SqlSelect, p: Mapping[str, object]) -> bool:
    """
    The period's two cohorts in one scan of everything received before its end and not
    closed before its start (a complaint closed in the period is among them): those received
    in it, with their time to acknowledge, and those open at its start or end; those closed
    or withdrawn in it, with how, remedies, redress, causes and response times. Whether any
    of them has deadlines.

    Each row is read once, its shared columns (the breakdowns) converted once: two scans,
    one per cohort, read the closed complaints twice. The closed cohort's conditions carry a
    bit of their own that says whether the row is in it, and the groups without it are
    skipped; its outcome and details are read as they are (nulling them on the other rows
    in SQL cost more than reading them), its bucket, redress and durations are null on the
    other rows, since they are counted without that bit.
    """
    ack, unmeasured_ack = LITE.measured(
        f"received_at >= :s AND {_NOT_DUPLICATE}",
        "received_at",
        "acknowledged_at",
        "acknowledge_us",
        c.ack,
    )
    received = LITE.flags(
        "closure_reason IS 'duplicate'",
        "source IS NOT NULL",
        "received_at < :s",
        "closed_at IS NULL OR closed_at >= :e",
        "sla IS NOT NULL",
        unmeasured_ack,
    )
    final, unmeasured_final = LITE.measured(
        f"{_CLOSED_IN} AND withdrawn = 0",
        "received_at",
        "first_response_at",
        "first_response_us",
        c.final,
    )
    closed = LITE.flags(
        "withdrawn",
        "first_contact",
        "reopen_count > 0",
        "internal_reviews > 0",
        "referrals > 0",
        unmeasured_final,
        "timed",
        f"closed_at IS NOT NULL AND {_CLOSED_IN}",  # never null
    )

    # 0 bucket received, 1-4 dims, 5 flags received, 6 bucket closed, 7 outcome,
    # 8 flags closed, 9-13 details, 14 redress, 15- durations: acknowledge, then final.
    wide = width(c.ack)
    rows = db.select(
        f"SELECT {LITE.bucket('received_at', c.bounds)}, {_DIMS}, {received}, "
        f"CASE WHEN {_CLOSED_IN} THEN {LITE.bucket('closed_at', c.bounds)} END, "
        f"outcome, {closed}, {_DETAILS}, "
        f"CASE WHEN {_CLOSED_IN} AND withdrawn = 0 THEN redress END, {ack}, {final} "
        f"FROM {LITE.table} WHERE {_TOUCHED}",
        p,
    )
    came: Counter[tuple[Any, ...]] = Counter()
    endings: Counter[tuple[Any, ...]] = Counter()
    details: Counter[tuple[Any, ...]] = Counter()
    coming, ending = operator.itemgetter(slice(0, 6)), operator.itemgetter(1, 2, 3, 4, 6, 7, 8)
    detail, redress = operator.itemgetter(slice(8, 14)), operator.itemgetter(14)
    acknowledged = operator.itemgetter(*range(15, 15 + wide))
    for chunk in chunks(rows):
        came.update(map(coming, chunk))
        endings.update(map(ending, chunk))
        details.update(map(detail, chunk))
        c.count_redress_texts(filter(None, map(redress, chunk)))
        add_measured(c.ack, list(map(acknowledged, chunk)))
        add_responses(c, chunk, 15 + wide, 6)
    deadlines = False
    for (index, *dims, bits), n in came.items():  # bit 1 << i: the i-th flag
        deadlines = deadlines or bool(bits & 16)
        duplicate, imported, before, still_open = bits & 1, bits & 2, bits & 4, bits & 8
        if not duplicate:
            c.open_start += n if before else 0
            c.open_end += n if still_open else 0
            c.imported_open += n if still_open and imported else 0
        if not before:
            c.count_received(index, tuple(dims), bool(duplicate), bool(imported), n)
        c.ack.not_measured += n if bits & 32 else 0
    for (*dims, index, outcome, bits), n in endings.items():
        if not bits & 128:  # not closed in the period
            continue
        how = (
            outcome,
            bits & 1,
            bits & 2,
            bool(bits & 4),
            bool(bits & 8),
            bool(bits & 16),
            bool(bits & 64),
        )
        c.count_closed(index, tuple(dims), how, n)
        c.final.not_measured += n if bits & 32 else 0
    for (bits, *values), n in details.items():
        # Withdrawn complaints have no decision to count.
        if bits & 128 and not bits & 1:
            c.count_details(tuple(values), n)
    return deadlines
