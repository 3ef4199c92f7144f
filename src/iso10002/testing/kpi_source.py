"""
:class:`KpiSourceContract`: a store's KPI reports are the reports of the reference path, as a
pytest test class to inherit.

A store that declares :attr:`~iso10002.ports.capabilities.Capability.KPI` reads the rows of a
report itself (:class:`~iso10002.ports.kpi.KpiSource`), and may aggregate a period in its own
engine. Whatever it does, :func:`~iso10002.monitoring.kpis.compute_kpis` must give the report
that the reference path (:class:`~iso10002.ports.kpi.SummaryKpiSource`, over the store's
summaries and log) gives for the same complaints. Prove it by subclassing and saying how to
make an empty store::

    from pathlib import Path

    from iso10002.testing import KpiSourceContract

    class TestMyStoreKpis(KpiSourceContract):
        def make_store(self, tmp_path: Path) -> MyStore:
            return MyStore(tmp_path / "complaints")

Each test fills the store through a desk with a month of the demo retailer's complaints (every
state of the standard workflow, several channels and categories, deadlines met and missed,
redress, satisfaction scores) and a few survey answers, then compares reports over several
periods and trend buckets. A store that declares no KPI source passes trivially: its reports
take the reference path. Needs pytest.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from iso10002.clock import FixedClock
from iso10002.desk import ComplaintDesk
from iso10002.model.complaint import ComplaintSummary
from iso10002.model.events import Event, SurveyAnswered
from iso10002.model.values import Actor, ComplaintId, Role
from iso10002.monitoring.kpis import compute_kpis
from iso10002.monitoring.report import KpiReport
from iso10002.ports.kpi import SummaryKpiSource, kpi_source
from iso10002.ports.store import ComplaintQuery, EventStore, Page
from iso10002.simulation import DemoSettings, run_demo
from iso10002.survey.definition import FIVE_POINT_SATISFACTION, YES_NO, Question, Survey
from iso10002.testing._contract import StoreContract

__all__ = ["KpiSourceContract"]

_UTC = _dt.timezone.utc
_DEMO = DemoSettings(complaints=40, seed=10002, start=_dt.date(2026, 3, 2), days=30)
_SURVEY = Survey(
    name="after-closure",
    version="1",
    questions=(
        Question(id="overall", text="How satisfied are you?", scale=FIVE_POINT_SATISFACTION,
                 overall=True, required=True),
        Question(id="informed", text="Were you kept informed?", scale=YES_NO),
    ),
)  # fmt: skip
_SURVEY_TOOL = Actor(id="survey", role=Role.SYSTEM)
_ANSWERS = 6
"""How many closed complaints answer the survey, seven hours apart, after the month."""


def _at(month: int, day: int) -> _dt.datetime:
    return _dt.datetime(2026, month, day, tzinfo=_UTC)


_PERIODS: tuple[tuple[_dt.datetime, _dt.datetime, dict[str, Any]], ...] = (
    (_at(3, 1), _at(4, 1), {"bucket": "week"}),
    (_at(3, 9), _at(3, 23), {"bucket": "day", "zone": "Europe/London"}),
    (_at(3, 16), _at(4, 16), {"bucket": "month", "zone": "America/New_York"}),
    (_at(1, 1), _at(7, 1), {"bucket": "quarter", "recurring_threshold": 2}),
    (_at(4, 1), _at(5, 1), {"bucket": "week", "customers": 12_000}),
)
"""Periods (start, end, settings): inside the month, around it, and after it."""


class _ReferencePath:
    """
    The store as a core event store and nothing more, so that a report over it takes the
    reference path: it declares no capability, and reads through the store's summaries and log.
    """

    def __init__(self, store: EventStore) -> None:
        self._store = store

    def append(
        self, events: Sequence[Event], *, expected_version: int, summary: ComplaintSummary
    ) -> None:
        raise AssertionError("a report never writes")

    def read(self, complaint_id: ComplaintId, *, after: int = 0) -> list[Event]:
        return self._store.read(complaint_id, after=after)

    def id_for_reference(self, reference: str) -> ComplaintId | None:
        return self._store.id_for_reference(reference)

    def id_for_client_key(self, client_key: str) -> ComplaintId | None:
        return self._store.id_for_client_key(client_key)

    def summary(self, complaint_id: ComplaintId) -> ComplaintSummary | None:
        return self._store.summary(complaint_id)

    def query(self, query: ComplaintQuery) -> Page:
        return self._store.query(query)

    def iter_events(self, *, after_position: int = 0) -> Iterator[tuple[int, Event]]:
        return self._store.iter_events(after_position=after_position)

    def next_number(self, scope: str) -> int:
        raise AssertionError("a report never numbers")

    def close(self) -> None:
        """The store under test is closed by the contract, not here."""


def _fill(store: EventStore) -> None:
    """A month of the demo retailer's complaints, and survey answers to some closed ones."""
    result = run_demo(store, _DEMO)
    clock = FixedClock(_DEMO.end_at)
    desk = ComplaintDesk(store, clock=clock)
    closed = [c for c in result.complaints if c.state == "closed"]
    for n, complaint in enumerate(closed[:_ANSWERS]):
        clock.advance(_dt.timedelta(hours=7))
        desk.answer_survey(
            complaint.reference,
            _SURVEY_TOOL,
            survey=_SURVEY,
            answers={"overall": 1 + n % 5, "informed": n % 2},
        )


def _report(store: EventStore, start: _dt.datetime, end: _dt.datetime, **kw: Any) -> KpiReport:
    return compute_kpis(
        store, start=start, end=end, surveys=(_SURVEY,), clock=FixedClock(end), **kw
    )


def _answers(found: Iterator[Event | SurveyAnswered]) -> list[SurveyAnswered]:
    payloads = [item.payload if isinstance(item, Event) else item for item in found]
    assert all(isinstance(p, SurveyAnswered) for p in payloads), payloads
    return sorted(payloads, key=repr)  # type: ignore[arg-type]


class KpiSourceContract(StoreContract[EventStore]):
    """
    The KPI source contract as pytest tests; subclass it and implement :meth:`make_store`.
    """

    @pytest.fixture
    def filled(self, store: EventStore) -> EventStore:
        """The store under test, filled with the contract's complaints."""
        _fill(store)
        return store

    def test_reports_are_those_of_the_reference_path(self, filled: EventStore) -> None:
        reference = _ReferencePath(filled)
        for start, end, settings in _PERIODS:
            mine = _report(filled, start, end, **settings)
            assert mine == _report(reference, start, end, **settings), (start, end, settings)
        # The complaints are varied enough for the comparison to mean something.
        month = _report(filled, _at(3, 1), _at(4, 1))
        assert month.volume.received + month.volume.duplicates == _DEMO.complaints
        assert min(month.volume.closed, month.volume.withdrawn, month.volume.open_at_end) > 0
        assert min(len(month.by_channel), len(month.by_category), len(month.sla)) > 2
        assert month.redress
        assert month.root_causes.recorded
        after = _report(filled, _DEMO.end_at, _DEMO.end_at + _dt.timedelta(days=7))
        assert after.surveys[0].responses == _ANSWERS

    def test_fact_rows_are_those_of_the_summaries(self, filled: EventStore) -> None:
        source, reference = kpi_source(filled), SummaryKpiSource(filled)
        for received_before, closed_since in (
            (_at(4, 1), _at(3, 1)),
            (_at(3, 16), _at(3, 9)),
            (_at(3, 5), _at(1, 1)),
        ):
            window = {"received_before": received_before, "closed_since": closed_since}
            rows = sorted(source.iter_fact_rows(**window), key=repr)
            assert rows == sorted(reference.iter_fact_rows(**window), key=repr), window
        assert len(list(source.iter_fact_rows(**window))) > 0

    def test_survey_answers_are_those_of_the_log(self, filled: EventStore) -> None:
        source, reference = kpi_source(filled), SummaryKpiSource(filled)
        end = _DEMO.end_at
        counts = []
        for hours in (48, 15, 14):
            window = {"start": end, "end": end + _dt.timedelta(hours=hours)}
            found = _answers(source.iter_survey_answers(**window))
            assert found == _answers(reference.iter_survey_answers(**window)), window
            counts.append(len(found))
        # The end is excluded: the answer recorded at hour 14 is in the second window only.
        assert counts == [_ANSWERS, 2, 1]
