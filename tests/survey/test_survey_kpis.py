"""Survey results in the KPI report: the answers recorded in the period, on every store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from iso10002 import ComplaintDesk, FixedClock, InMemoryEventStore, SQLiteEventStore
from iso10002.monitoring import compute_kpis, report_from_json, report_to_json
from iso10002.storage.base import EventStore

from .support import START, SURVEY_SYSTEM, closed, survey

ANSWERS = (
    {"overall": 5, "recommend": 9, "informed": 1},
    {"overall": 2, "recommend": 3, "informed": 0, "fair": 2},
    {"overall": 4, "recommend": 10},
)


def answered(store: EventStore) -> None:
    clock = FixedClock(START)
    desk = ComplaintDesk(store, clock=clock)
    for answers in ANSWERS:
        c = closed(desk)
        clock.advance(dt.timedelta(days=1))
        desk.answer_survey(c.reference, SURVEY_SYSTEM, survey=survey(), answers=answers)
    # Recorded after the period: not in the report.
    late = closed(desk)
    clock.set(START + dt.timedelta(days=40))
    desk.answer_survey(late.reference, SURVEY_SYSTEM, survey=survey(), answers={"overall": 1})


def test_survey_results_cover_the_period_on_sqlite_and_in_memory(tmp_path: Path) -> None:
    reports = []
    for store in (SQLiteEventStore(tmp_path / "s.db"), InMemoryEventStore()):
        answered(store)
        reports.append(
            compute_kpis(
                store,
                start=START,
                end=START + dt.timedelta(days=30),
                surveys=(survey(),),
                clock=FixedClock(START + dt.timedelta(days=50)),
            )
        )
    on_sqlite, in_memory = reports
    assert on_sqlite == in_memory
    (results,) = on_sqlite.surveys
    assert results.responses == 3
    overall = results.question("overall")
    assert overall.count == 3
    assert overall.mean == round((5 + 2 + 4) / 3, 4)
    assert results.question("fair").count == 1
    # The satisfaction figure is about complaints closed in the period, whenever answered.
    assert on_sqlite.satisfaction.responses == 4
    assert report_from_json(report_to_json(on_sqlite)) == on_sqlite
