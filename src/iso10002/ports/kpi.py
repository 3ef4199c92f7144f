"""
The :class:`KpiSource` seam: what a KPI report reads from a store.

A report needs, for a period and the one before it, one :data:`~iso10002.model.fact_row.FactRow`
per complaint that was open in them, and the survey answers recorded in the period. Every store
gives these through its summaries and its log (:class:`SummaryKpiSource`, the reference
path); a store that declares :attr:`~iso10002.ports.capabilities.Capability.KPI` reads them
itself, and may aggregate a whole cohort in its own engine (:meth:`KpiSource.scan_cohort`).
:func:`kpi_source` picks the store's own path when it declares one.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from typing import Protocol, TypeGuard, runtime_checkable

from iso10002.model.events import Event, SurveyAnswered
from iso10002.model.fact_row import FactRow, micros, row_of
from iso10002.ports.capabilities import Capability, capabilities_of
from iso10002.ports.store import ComplaintQuery, EventStore, iter_summaries

__all__ = ["CohortScan", "KpiSource", "SummaryKpiSource", "kpi_source"]


class CohortScan(Protocol):
    """
    **Protocol:** the accumulator of one cohort of a report, as a store's fast path sees it:
    the period, in microseconds since the Unix epoch. The accumulator is monitoring's own;
    a store that aggregates in its engine fills it by monitoring's counting rules.
    """

    @property
    def start(self) -> int:
        """The period's start (included)."""
        ...

    @property
    def end(self) -> int:
        """The period's end (excluded)."""
        ...


@runtime_checkable
class KpiSource(Protocol):
    """**Protocol:** what a KPI report reads from a store."""

    def iter_fact_rows(
        self, *, received_before: _dt.datetime, closed_since: _dt.datetime
    ) -> Iterator[FactRow]:
        """
        The row of every complaint received before ``received_before`` that is still open or
        was closed (or withdrawn) at or after ``closed_since``, in any order; each as
        :func:`~iso10002.model.fact_row.row_of` would build it.
        """
        ...

    def iter_survey_answers(
        self, *, start: _dt.datetime, end: _dt.datetime
    ) -> Iterator[Event | SurveyAnswered]:
        """The survey answers recorded in ``[start, end)``, as events or their payloads."""
        ...

    def scan_cohort(self, cohort: CohortScan, *, detail: bool) -> bool:
        """
        Aggregate ``cohort``'s period in the store's own engine and add the results to it;
        ``False``, with nothing added, when the store has no such path for this accumulator
        (the report then reads :meth:`iter_fact_rows`). Without ``detail``, only what the
        comparison with a later period needs.
        """
        ...


class SummaryKpiSource:
    """
    The reference :class:`KpiSource` over any event store: its summaries and its log. With
    ``organisation``, only that organisation's (tenant's) complaints and survey answers.
    """

    def __init__(self, store: EventStore, *, organisation: str | None = None) -> None:
        self.store = store
        self.organisation = ComplaintQuery(organisation=organisation).organisation

    def iter_fact_rows(
        self, *, received_before: _dt.datetime, closed_since: _dt.datetime
    ) -> Iterator[FactRow]:
        """The rows, built from the summaries page by page; see :class:`KpiSource`."""
        since = micros(closed_since)
        query = ComplaintQuery(received_to=received_before, organisation=self.organisation)
        for summary in iter_summaries(self.store, query):
            row = row_of(summary)
            closed = row[1]
            if closed is None or closed >= since:
                yield row

    def iter_survey_answers(
        self, *, start: _dt.datetime, end: _dt.datetime
    ) -> Iterator[Event | SurveyAnswered]:
        """The survey answers, read from the whole log; see :class:`KpiSource`."""
        ours = None
        if self.organisation is not None:
            query = ComplaintQuery(organisation=self.organisation)
            ours = {s.id for s in iter_summaries(self.store, query)}
        for _, event in self.store.iter_events():
            if (
                event.type == "survey_answered"
                and start <= event.occurred_at < end
                and (ours is None or event.complaint_id in ours)
            ):
                yield event

    def scan_cohort(self, cohort: CohortScan, *, detail: bool) -> bool:
        """No engine to aggregate in: always ``False``."""
        return False

    def __repr__(self) -> str:
        kept = "" if self.organisation is None else f", organisation={self.organisation!r}"
        return f"SummaryKpiSource({self.store!r}{kept})"


def _declares_kpi(store: object) -> TypeGuard[KpiSource]:
    return Capability.KPI in capabilities_of(store)


def kpi_source(store: EventStore, *, organisation: str | None = None) -> KpiSource:
    """
    ``store`` itself if it declares :attr:`Capability.KPI`, else its reference path; the
    reference path, kept to its complaints, for one ``organisation`` (tenant).
    """
    if organisation is None and _declares_kpi(store):
        return store
    return SummaryKpiSource(store, organisation=organisation)
