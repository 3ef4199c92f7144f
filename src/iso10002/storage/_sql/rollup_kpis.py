"""
KPIs from the daily rollups (:mod:`iso10002.storage._sql.rollups`): the path of both SQL
stores for a period, and buckets, that begin at UTC midnight, written once for the two
dialects (:class:`~iso10002.storage._sql.kpi_sql.KpiSql`).

Every count comes from the rollups: the period's days, summed per bucket for the trend and
per value for the breakdowns in SQL, and the days before it for the complaints open at its
start and end (received before an instant, less those closed before it; a complaint is never
closed before it was received, and when one is, the report reads the rows instead). What
needs each complaint's own value is read in one narrow scan: the durations, for medians and
percentiles, and the redress, summed exactly per currency. The groups are given to the same
:class:`~iso10002.monitoring._cohorts.Cohorts` methods the reference pass uses.
"""

from __future__ import annotations

import bisect
import operator
from collections import Counter
from collections.abc import Mapping

from iso10002.monitoring._cohorts import Cohorts
from iso10002.serialization import parse_json
from iso10002.storage._sql.kpi_sql import (
    KpiSql,
    SqlSelect,
    add_measured,
    add_responses,
    chunks,
    count_sla,
    read,
    text,
    width,
)
from iso10002.storage._sql.rollups import COUNTS

__all__ = ["aligned", "fill_from_rollups"]

_DAY = 86_400_000_000


def aligned(c: Cohorts) -> bool:
    """Whether the period of ``c`` and its buckets begin and end at UTC midnight."""
    return all(x % _DAY == 0 for x in (c.start, c.end, *c.bounds))


def _day(us: int) -> str:
    return text(us)[:10]


_AT = {c: i for i, c in enumerate(COUNTS)}


def fill_from_rollups(c: Cohorts, db: SqlSelect, x: KpiSql, *, detail: bool) -> bool:
    """
    Fill ``c`` (an :func:`aligned` period) from the rollups and one narrow scan, in the
    dialect ``x``; ``False``, with nothing added, when a stored complaint was closed before
    it was received.
    """
    p = {"s": text(c.start), "e": text(c.end)}
    days = {"s": _day(c.start), "e": _day(c.end)}
    ((inverted,),) = list(
        db.select(f"SELECT {x.total('inverted')} FROM complaint_rollups WHERE kind = 0")
    )
    if inverted:
        return False
    before, during = _before_during(db, x, days)
    received, imported = _AT["received"], _AT["imported"]
    ended, ended_imported = _AT["ended"], _AT["ended_imported"]
    c.open_start += before[received] - before[ended]
    c.open_end += before[received] + during[received] - before[ended] - during[ended]
    c.imported_open += (
        before[imported] + during[imported] - before[ended_imported] - during[ended_imported]
    )
    _period(c, db, x, days, detail=detail)
    if detail:
        _values(c, db, x, days)
        deadlines = _scan(c, db, x, p)
    else:
        _responses(c, db, x, p)
        deadlines = True
    if deadlines:
        count_sla(c, db, x, p)
    return True


def _before_during(
    db: SqlSelect, x: KpiSql, days: Mapping[str, str]
) -> tuple[list[int], list[int]]:
    """The day totals summed before the period and in it."""
    sums = {False: [0] * len(COUNTS), True: [0] * len(COUNTS)}
    totals = ", ".join(x.total(c) for c in COUNTS)
    for inside, *found in db.select(
        f"SELECT day >= {x.mark('s')}, {totals} FROM complaint_rollups "
        f"WHERE kind = 0 AND day < {x.mark('e')} GROUP BY 1",
        days,
    ):
        sums[bool(inside)] = found
    return sums[False], sums[True]


def _period(c: Cohorts, db: SqlSelect, x: KpiSql, days: Mapping[str, str], *, detail: bool) -> None:
    """The period's days: the volumes, outcomes and rates, and the trend by bucket."""
    starts = [_day(b) for b in c.bounds]
    inside = f"day >= {x.mark('s')} AND day < {x.mark('e')}"
    for day, *n in db.select(
        f"SELECT day, {', '.join(COUNTS)} FROM complaint_rollups WHERE kind = 0 AND {inside}",
        days,
    ):
        row = dict(zip(COUNTS, n, strict=True))
        c.received += row["received"]
        c.duplicates += row["duplicates"]
        c.imported += row["imported"]
        c.closed += row["closed"]
        c.withdrawn += row["withdrawn"]
        upheld = row["upheld"] + row["partially_upheld"]
        for outcome in ("upheld", "partially_upheld", "not_upheld"):
            c.outcomes[outcome] += row[outcome]
        c.first_contact += row["first_contact"]
        c.first_contact_unmeasured += row["untimed"]
        c.reopened += row["reopened"]
        c.reviewed += row["reviewed"]
        c.referred += row["referred"]
        if starts:
            # Bucket i runs from bound i; the first also takes what is before it.
            index = max(bisect.bisect_right(starts, day) - 1, 0)
            index = min(index, len(c.trend_received) - 1)
            c.trend_received[index] += row["received"]
            c.trend_closed[index] += row["closed"]
            c.trend_decided[index] += upheld + row["not_upheld"]
            c.trend_upheld[index] += upheld
    kinds = "kind = 6" if not detail else "kind BETWEEN 5 AND 7"
    for kind, key, n in db.select(
        f"SELECT kind, key, {x.total('details')} FROM complaint_rollups WHERE {kinds} "
        f"AND {inside} GROUP BY kind, key",
        days,
    ):
        if not n:
            continue
        if kind == 5:
            for remedy in key.split():
                c.remedies[remedy] = c.remedies.get(remedy, 0) + n
        elif kind == 6:
            if key:
                score, _, scale = key.partition("/")
                found = (int(score), int(scale))
                c.scores[found] = c.scores.get(found, 0) + n
        elif key:
            category, cause = parse_json(key, path="$.root_cause")
            c.causes[category, cause] = c.causes.get((category, cause), 0) + n
        else:
            c.unrecorded += n


def _values(c: Cohorts, db: SqlSelect, x: KpiSql, days: Mapping[str, str]) -> None:
    """The breakdowns: received, closed and upheld per channel, category, product, priority."""
    sums = ", ".join(x.total(n) for n in ("received", "closed", "upheld + partially_upheld"))
    for kind, key, received, closed, upheld in db.select(
        f"SELECT kind, key, {sums} FROM complaint_rollups WHERE kind BETWEEN 1 AND 4 "
        f"AND day >= {x.mark('s')} AND day < {x.mark('e')} GROUP BY kind, key",
        days,
    ):
        if not received and not closed:  # no complaint the report counts has this value
            continue
        c.count_value(kind - 1, key, (received, closed, upheld))


def _scan(c: Cohorts, db: SqlSelect, x: KpiSql, p: Mapping[str, object]) -> bool:
    """
    The durations and redress of the period, in one scan of the rows it touches; whether any
    of them has deadlines.
    """
    ack, unmeasured_ack = x.measured(
        f"received_at >= {x.mark('s')} AND {x.not_duplicate}",
        "received_at",
        "acknowledged_at",
        "acknowledge_us",
        c.ack,
    )
    final, unmeasured_final = x.measured(
        f"{x.closed_in} AND {x.not_withdrawn}",
        "received_at",
        "first_response_at",
        "first_response_us",
        c.final,
    )
    flags = x.flags(unmeasured_ack, unmeasured_final, "sla IS NOT NULL")
    # 0 flags, 1 bucket closed, 2 redress, 3- durations: acknowledge, then final.
    wide = width(c.ack)
    rows = db.select(
        f"SELECT {flags}, CASE WHEN {x.closed_in} THEN {x.bucket('closed_at', c.bounds)} END, "
        f"CASE WHEN {x.closed_in} AND {x.not_withdrawn} THEN redress END, {ack}, {final} "
        f"FROM {x.table} WHERE {x.touched}",
        p,
    )
    conditions: Counter[int] = Counter()
    flag, redress = operator.itemgetter(0), operator.itemgetter(2)
    acknowledged = operator.itemgetter(*range(3, 3 + wide))
    for chunk in chunks(rows):
        conditions.update(map(flag, chunk))
        c.count_redress_texts(filter(None, map(redress, chunk)))
        add_measured(c.ack, list(map(acknowledged, chunk)))
        add_responses(c, chunk, 3 + wide, 1)
    deadlines = False
    for bits, n in conditions.items():
        c.ack.not_measured += n if bits & 1 else 0
        c.final.not_measured += n if bits & 2 else 0
        deadlines = deadlines or bool(bits & 4)
    return deadlines


def _responses(c: Cohorts, db: SqlSelect, x: KpiSql, p: Mapping[str, object]) -> None:
    """The times to final response of the complaints closed in the period, alone."""
    final, _ = x.measured("true", "received_at", "first_response_at", "first_response_us", c.final)
    read(
        db,
        f"SELECT {final} FROM {x.table} WHERE {x.closed_in} AND {x.not_withdrawn}",
        p,
        0,
        c.final,
    )
