"""
The accumulators of one reporting period, and the figures they finish into.

Two things fill them: the reference pass over fact rows (:meth:`Cohorts.add`, any store) and
the SQL aggregation of the SQLite store (:mod:`iso10002.storage.sqlite.kpis`). Both must
leave them in the same state; the tests hold them to it.
"""

from __future__ import annotations

import array
import bisect
import datetime as _dt
import math
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from iso10002.model.fact_row import FactRow, micros, parse_redress
from iso10002.model.values import Money, exact_product, exact_sum
from iso10002.monitoring.report import (
    Breakdown,
    DurationStats,
    Outcomes,
    ParetoEntry,
    Rate,
    Rates,
    RootCauses,
    Satisfaction,
    SlaShare,
    Volume,
)
from iso10002.serialization import parse_json
from iso10002.sla.calendar import BusinessCalendar

__all__ = ["NONE_KEYS", "UPHELD", "Cohorts", "Durations", "hours", "median"]

_HOUR = 3_600_000_000
UPHELD = ("upheld", "partially_upheld")
NONE_KEYS = {"channel": "(none)", "category": "unclassified", "product": "unspecified"}
NO_PRIORITY = "not assessed"
_BLANK = ("", NONE_KEYS["category"], NONE_KEYS["product"], NO_PRIORITY)
"""Each breakdown's key for a complaint without a value (channel, category, ...)."""


class Durations:
    """One duration's values in µs, calendar and (with a calendar) business time."""

    def __init__(self, calendar: BusinessCalendar | None) -> None:
        self.calendar = calendar
        self.elapsed = array.array("q")
        self.business = array.array("q")
        self.not_measured = 0
        self._picked: tuple[int, dict[int, int]] = (0, {})

    def add(self, start: int, end: int, timed: int) -> int | None:
        """One duration from ``start`` to ``end``; counted as not measured unless ``timed``."""
        if not timed:
            self.not_measured += 1
            return None
        self.elapsed.append(end - start)
        if self.calendar is not None:
            self.business.append(self.calendar.between_micros(start, end))
        return end - start

    def extend_elapsed(self, elapsed: Sequence[int]) -> None:
        """Many measured elapsed durations in µs; only without a calendar."""
        self.elapsed.extend(elapsed)

    def extend_spans(self, spans: Sequence[tuple[int, int]]) -> None:
        """Many measured durations from start to end, in µs since the epoch."""
        for start, end in spans:
            self.add(start, end, 1)

    def median(self) -> float | None:
        """The median elapsed duration in µs, ``None`` without durations."""
        return _median(len(self.elapsed), self._elapsed_at)

    def _elapsed_at(self, ranks: Sequence[int]) -> list[int]:
        """The elapsed durations at ``ranks``, shortest first; picked once per count."""
        n, picked = self._picked
        if n != len(self.elapsed):
            picked = {}
            self._picked = (len(self.elapsed), picked)
        missing = [r for r in ranks if r not in picked]
        if missing:
            picked.update(zip(missing, order_statistics(self.elapsed, missing), strict=True))
        return [picked[r] for r in ranks]

    def stats(self) -> tuple[DurationStats, ...]:
        found = [_stats("calendar", self.elapsed, self.not_measured, self._elapsed_at)]
        if self.calendar is not None:
            business = self.business
            found.append(
                _stats(
                    "business",
                    business,
                    self.not_measured,
                    lambda ranks: order_statistics(business, ranks),
                )
            )
        return tuple(found)


_SORTED_BELOW = 4096
"""Fewer values than this are sorted outright by :func:`order_statistics`."""


def order_statistics(values: Sequence[int], ranks: Sequence[int]) -> list[int]:
    """
    The values at ``ranks`` (0-based) of ``values`` in ascending order.

    A report wants two or three ranks of hundreds of thousands of durations, and sorting them
    all took a tenth of its time. Instead, a sorted sample of the values brackets each rank
    between two of them; one pass keeps the values on the near side of the bracket's far end,
    a pass over those keeps the values in the bracket, and only these are sorted. Should a
    bracket miss its rank (the sample is taken at even steps, not at random), the values are
    sorted after all: the answer never depends on the sample, only the time does.
    """
    n = len(values)
    if n < _SORTED_BELOW:
        ordered = sorted(values)
        return [ordered[r] for r in ranks]
    sample = sorted(values[:: max(1, n // (8 * math.isqrt(n)))])
    m = len(sample)
    # The rank's place in the sample strays by about half the sample's square root.
    margin = 2 * math.isqrt(m) + 2
    found: dict[int, int] = {}
    for rank in ranks:
        if rank in found:
            continue
        at = rank * m // n
        low, high = sample[max(at - margin, 0)], sample[min(at + margin, m - 1)]
        if 2 * rank < n:  # the values up to the bracket's end are the fewer
            near = list(filter(high.__ge__, values))
            window = sorted(filter(low.__le__, near))
            below = len(near) - len(window)
        else:
            near = list(filter(low.__le__, values))
            window = sorted(filter(high.__ge__, near))
            below = n - len(near)
        if not below <= rank < below + len(window):
            ordered = sorted(values)
            return [ordered[r] for r in ranks]
        for other in ranks:
            if below <= other < below + len(window):
                found[other] = window[other - below]
    return [found[r] for r in ranks]


def hours(us: float) -> float:
    return round(us / _HOUR, 3)


Pick = Callable[[Sequence[int]], list[int]]
"""The values at some ranks (0-based) of a set of durations, in ascending order."""


def _median(n: int, pick: Pick) -> float | None:
    if not n:
        return None
    mid = n // 2
    if n % 2:
        return pick([mid])[0]
    low, high = pick([mid - 1, mid])
    return (low + high) / 2


def median(values: Sequence[int]) -> float | None:
    """The median of ``values`` (of an even count, the mean of the two middle ones)."""
    return _median(len(values), lambda ranks: order_statistics(values, ranks))


def _stats(measure: str, values: Sequence[int], not_measured: int, pick: Pick) -> DurationStats:
    n = len(values)
    middle = _median(n, pick)
    return DurationStats(
        measure=measure,
        count=n,
        mean=hours(sum(values) / n) if n else None,
        median=None if middle is None else hours(middle),
        p90=hours(pick([math.ceil(0.9 * n) - 1])[0]) if n else None,
        not_measured=not_measured,
    )


class Cohorts:
    """The accumulators of one period: everything the report counts, fed row by row."""

    def __init__(
        self,
        start: _dt.datetime,
        end: _dt.datetime,
        calendar: BusinessCalendar | None,
        bounds: list[int],
    ) -> None:
        self.start, self.end = micros(start), micros(end)
        self.bounds = bounds
        self.received = self.closed = self.withdrawn = self.duplicates = 0
        self.open_start = self.open_end = self.imported = self.imported_open = 0
        self.dims: tuple[dict[str, list[int]], ...] = ({}, {}, {}, {})
        self.outcomes = {"upheld": 0, "partially_upheld": 0, "not_upheld": 0}
        self.remedies: dict[str, int] = {}
        self.redress: dict[str, Decimal] = {}
        self.first_contact = self.reopened = self.reviewed = self.referred = 0
        self.first_contact_unmeasured = 0
        """Closed complaints with dates only: whether resolved at first contact is unknown."""
        self.scores: dict[tuple[int, int], int] = {}
        """How many responses gave each (score, scale)."""
        self.causes: dict[tuple[str | None, str], int] = {}
        self.unrecorded = 0
        self.sla: dict[str, list[int]] = {}
        self.ack = Durations(calendar)
        self.final = Durations(calendar)
        n = max(len(bounds) - 1, 0)
        self.trend_received = [0] * n
        self.trend_closed = [0] * n
        self.trend_upheld = [0] * n
        self.trend_decided = [0] * n
        self.trend_final: list[list[int]] = [[] for _ in range(n)]

    def _bucket(self, at: int) -> int | None:
        return bisect.bisect_right(self.bounds, at) - 1 if self.bounds else None

    def add(self, row: FactRow) -> None:
        """Count one complaint's row: the reference pass, for any store."""
        (
            received,
            closed,
            acknowledged,
            responded,
            channel,
            category,
            product,
            priority,
            outcome,
            reason,
            withdrawn,
            source,
            timed,
            remedies,
            redress,
            reopens,
            reviews,
            referrals,
            first_contact,
            score,
            scale,
            cause,
            cause_category,
            sla,
        ) = row
        start, end = self.start, self.end
        if received >= end:
            return
        duplicate = reason == "duplicate"
        if not duplicate:
            if closed is None or closed >= end:
                self.open_end += 1
                if source is not None:
                    self.imported_open += 1
            if received < start and (closed is None or closed >= start):
                self.open_start += 1
        dims = (channel, category, product, priority)
        if received >= start:
            self.count_received(self._bucket(received), dims, duplicate, source is not None)
            if acknowledged is not None and not duplicate:
                self.ack.add(received, acknowledged, timed)
        if closed is not None and start <= closed < end and not duplicate:
            index = self._bucket(closed)
            ending = (
                outcome,
                withdrawn,
                first_contact,
                reopens > 0,
                reviews > 0,
                referrals > 0,
                bool(timed),
            )
            self.count_closed(index, dims, ending)
            if not withdrawn:
                self.count_details((remedies, score, scale, cause_category, cause))
                if redress is not None:
                    self.count_redress(redress)
                if responded is not None:
                    self.count_response(index, received, responded, timed)
        if sla is not None and (closed is None or closed >= start):
            self._sla(sla, closed)

    def _dims(self, dims: tuple[str | None, ...], index: int, n: int) -> None:
        channel, category, product, priority = dims
        keys = (
            channel or "",
            category or NONE_KEYS["category"],
            product or NONE_KEYS["product"],
            priority or NO_PRIORITY,
        )
        for dim, key in zip(self.dims, keys, strict=True):
            counts = dim.get(key)
            if counts is None:
                counts = dim[key] = [0, 0, 0]
            counts[index] += n

    def count_value(self, dim: int, value: str | None, counts: tuple[int, int, int]) -> None:
        """
        Complaints of the period with ``value`` in breakdown ``dim`` (0 channel, 1 category,
        2 product, 3 priority): ``counts`` received, closed and upheld, as :meth:`count_received`
        and :meth:`count_closed` count them value by value.
        """
        key = value or _BLANK[dim]
        found = self.dims[dim].get(key)
        if found is None:
            found = self.dims[dim][key] = [0, 0, 0]
        for i, n in enumerate(counts):
            found[i] += n

    def count_received(
        self,
        index: int | None,
        dims: tuple[str | None, ...],
        duplicate: bool,
        imported: bool,
        n: int = 1,
    ) -> None:
        """``n`` complaints received in the period with these values."""
        if duplicate:
            self.duplicates += n
            return
        self.received += n
        self.imported += n if imported else 0
        self._dims(dims, 0, n)
        if index is not None:
            self.trend_received[index] += n

    def count_closed(
        self,
        index: int | None,
        dims: tuple[str | None, ...],
        ending: tuple[str | None, int, int, bool, bool, bool, bool],
        n: int = 1,
    ) -> None:
        """
        ``n`` complaints closed (or withdrawn) in the period with these values: ``ending`` is
        (outcome, withdrawn, first contact, reopened, reviewed, referred, timed).
        """
        outcome, withdrawn, first_contact, reopened, reviewed, referred, timed = ending
        if withdrawn:
            self.withdrawn += n
            return
        self.closed += n
        upheld = outcome in UPHELD
        self._dims(dims, 1, n)
        if upheld:
            self._dims(dims, 2, n)
        if outcome is not None:
            self.outcomes[outcome] += n
        # 24 hours cannot be told from dates alone: an untimed complaint is not measured.
        if timed:
            self.first_contact += n if first_contact else 0
        else:
            self.first_contact_unmeasured += n
        self.reopened += n if reopened else 0
        self.reviewed += n if reviewed else 0
        self.referred += n if referred else 0
        if index is not None:
            self.trend_closed[index] += n
            if outcome is not None:
                self.trend_decided[index] += n
                self.trend_upheld[index] += n if upheld else 0

    def count_details(
        self,
        details: tuple[str | None, int | None, int | None, str | None, str | None],
        n: int = 1,
    ) -> None:
        """
        ``n`` complaints closed in the period (not withdrawn) with these (remedies, score,
        scale, cause category, cause).
        """
        remedies, score, scale, cause_category, cause = details
        if remedies is not None:
            for kind in remedies.split():
                self.remedies[kind] = self.remedies.get(kind, 0) + n
        if score is not None and scale is not None:
            self.scores[score, scale] = self.scores.get((score, scale), 0) + n
        if cause is not None:
            found = (cause_category, cause)
            self.causes[found] = self.causes.get(found, 0) + n
        else:
            self.unrecorded += n

    def count_redress(self, redress: str, n: int = 1) -> None:
        """``n`` complaints closed in the period with this redress (``CUR:amount`` pairs)."""
        for money in parse_redress(redress):
            held = self.redress.get(money.currency, Decimal(0))
            self.redress[money.currency] = exact_sum((exact_product(money.amount, n),), held)

    def count_redress_texts(self, texts: Iterable[str]) -> None:
        """
        The redress of many complaints closed in the period, one text each: what
        :meth:`count_redress` counts, without a :class:`Money` per pair.

        The amounts are summed per currency, exactly, in ``Decimal`` as they are written, once
        the smallest and the largest are checked as money, so that an amount the column should
        not hold (negative, infinite, not a number, too long) is refused as
        :func:`parse_redress` refuses it.
        """
        amounts: dict[str, list[str]] = {}
        for pair in " ".join(texts).split():
            currency, _, amount = pair.partition(":")
            found = amounts.get(currency)
            if found is None:
                found = amounts[currency] = []
            found.append(amount)
        for currency, written in amounts.items():
            values = list(map(Decimal, written))
            Money(amount=min(values), currency=currency)
            Money(amount=max(values), currency=currency)
            total = exact_sum(values, self.redress.get(currency, Decimal(0)))
            self.redress[currency] = total

    def count_response(self, index: int | None, received: int, responded: int, timed: int) -> None:
        """The time to final response of one complaint closed in the period."""
        duration = self.final.add(received, responded, timed)
        if duration is not None and index is not None:
            self.trend_final[index].append(duration)

    def _sla(self, text: str, closed: int | None) -> None:
        start, end = self.start, self.end
        for metric, due_text, done_text in parse_json(text):
            due = micros(_dt.datetime.fromisoformat(due_text))
            done = None if done_text is None else micros(_dt.datetime.fromisoformat(done_text))
            counts = self.sla.get(metric)
            if counts is None:
                counts = self.sla[metric] = [0, 0, 0]  # met, breached, overdue open
            if done is not None and start <= done < end:
                counts[0 if done <= due else 1] += 1
            elif (done is None or done >= end) and due < end and (closed is None or closed >= end):
                counts[2] += 1

    # -- results ----------------------------------------------------------------------------

    def volume(self) -> Volume:
        return Volume(
            received=self.received,
            closed=self.closed,
            withdrawn=self.withdrawn,
            duplicates=self.duplicates,
            open_at_start=self.open_start,
            open_at_end=self.open_end,
            imported=self.imported,
            imported_open=self.imported_open,
        )

    def breakdown(self, index: int) -> tuple[Breakdown, ...]:
        dim = self.dims[index]
        ordered = sorted(dim.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
        return tuple(
            Breakdown(key=key, received=r, closed=c, upheld=u) for key, (r, c, u) in ordered
        )

    def outcome_figures(self) -> Outcomes:
        upheld = self.outcomes["upheld"]
        partial = self.outcomes["partially_upheld"]
        decided = sum(self.outcomes.values())
        return Outcomes(
            decided=decided,
            upheld=upheld,
            partially_upheld=partial,
            not_upheld=self.outcomes["not_upheld"],
            upheld_rate=Rate.of(upheld + partial, decided),
        )

    def rates(self) -> Rates:
        return Rates(
            first_contact_resolution=Rate.of(
                self.first_contact, self.closed - self.first_contact_unmeasured
            ),
            first_contact_not_measured=self.first_contact_unmeasured,
            reopened=Rate.of(self.reopened, self.closed),
            internal_review=Rate.of(self.reviewed, self.closed),
            external_referral=Rate.of(self.referred, self.closed),
        )

    def satisfaction(self) -> Satisfaction:
        n = sum(self.scores.values())
        total = sum((score - 1) / (scale - 1) * k for (score, scale), k in self.scores.items())
        satisfied = sum(
            k for (score, scale), k in self.scores.items() if 4 * (score - 1) >= 3 * (scale - 1)
        )
        return Satisfaction(
            responses=n,
            mean_percent=round(100 * total / n, 2) if n else None,
            satisfied=Rate.of(satisfied, n),
        )

    def sla_shares(self) -> tuple[SlaShare, ...]:
        return tuple(
            SlaShare(
                metric=metric,
                finished=met + breached,
                met=met,
                breached=breached,
                share_met=Rate.of(met, met + breached).value,
                overdue_open=overdue,
            )
            for metric, (met, breached, overdue) in sorted(self.sla.items())
        )

    def root_causes(self, threshold: int) -> RootCauses:
        ordered = sorted(self.causes.items(), key=lambda kv: (-kv[1], kv[0][1], kv[0][0] or ""))
        total = sum(self.causes.values())
        running = 0
        entries = []
        for (category, cause), count in ordered:
            running += count
            entries.append(
                ParetoEntry(
                    cause=cause,
                    category=category,
                    count=count,
                    share=round(count / total, 4),
                    cumulative_share=round(running / total, 4),
                    recurring=count >= threshold,
                )
            )
        recurring = sum(e.count for e in entries if e.recurring)
        return RootCauses(
            recorded=total,
            unrecorded=self.unrecorded,
            recurring_threshold=threshold,
            recurring=recurring,
            single_incident=total - recurring,
            pareto=tuple(entries),
        )

    def trend_median(self, index: int) -> float | None:
        """The median time to final response of the complaints closed in bucket ``index``."""
        return median(self.trend_final[index])

    def headline(self) -> dict[str, float | None]:
        met = sum(c[0] for c in self.sla.values())
        finished = met + sum(c[1] for c in self.sla.values())
        middle = self.final.median()
        return {
            "received": self.received,
            "closed": self.closed,
            "open_at_end": self.open_end,
            "upheld_rate": self.outcome_figures().upheld_rate.value,
            "median_final_response_hours": None if middle is None else hours(middle),
            "first_contact_resolution": self.rates().first_contact_resolution.value,
            "satisfaction_mean_percent": self.satisfaction().mean_percent,
            "sla_met_share": Rate.of(met, finished).value,
        }
