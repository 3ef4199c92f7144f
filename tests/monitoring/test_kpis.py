"""KPIs against an independent computation from the plain record of each complaint's life."""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from iso10002 import (
    ComplaintDesk,
    DueAt,
    FixedClock,
    InMemoryEventStore,
    Metric,
    On,
    ReopenRule,
    SlaPolicy,
    SQLiteEventStore,
    Target,
    Unit,
    ValidationError,
)
from iso10002.monitoring.kpis import compute_kpis, kpis_from_rows
from iso10002.monitoring.report import KpiReport
from iso10002.sla.calendar import BusinessCalendar
from iso10002.sla.config import SlaConfig
from iso10002.storage.base import EventStore

from .scenarios import UTC, Life, play

SEED_START = dt.datetime(2025, 10, 1, tzinfo=UTC)
START = dt.datetime(2026, 1, 1, tzinfo=UTC)
END = dt.datetime(2026, 3, 1, tzinfo=UTC)
PREVIOUS = START - (END - START)


def populate(store: EventStore, n: int, seed: int, sla: SlaConfig | None = None) -> list[Life]:
    rng = random.Random(seed)
    lives = [play(store, rng, SEED_START, sla=sla)]
    lives.extend(play(store, rng, SEED_START, lives[0].reference, sla) for _ in range(n - 1))
    return lives


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[list[Life], SQLiteEventStore, InMemoryEventStore]:
    path = Path(tmp_path_factory.mktemp("kpis")) / "kpis.db"
    sqlite = SQLiteEventStore(path, synchronous="OFF")
    memory = InMemoryEventStore()
    lives = []
    for store in (sqlite, memory):
        lives = populate(store, 400, seed=7)
    return lives, sqlite, memory


def report_of(store: object, **settings: object) -> KpiReport:
    clock = FixedClock(END)
    return compute_kpis(store, start=START, end=END, clock=clock, **settings)  # type: ignore[arg-type]


def inside(at: dt.datetime | None, lo: dt.datetime = START, hi: dt.datetime = END) -> bool:
    return at is not None and lo <= at < hi


def closed_in(lives: list[Life], lo: dt.datetime = START, hi: dt.datetime = END) -> list[Life]:
    return [
        x
        for x in lives
        if x.ending not in ("withdrawn", "duplicate", "open") and inside(x.ended, lo, hi)
    ]


def hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def p90(values: list[float]) -> float | None:
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1] if ordered else None


def test_volumes_and_breakdowns_agree_with_the_lives(
    world: tuple[list[Life], SQLiteEventStore, InMemoryEventStore],
) -> None:
    lives, sqlite, _ = world
    report = report_of(sqlite)
    received = [x for x in lives if inside(x.received) and x.ending != "duplicate"]
    closed = closed_in(lives)

    def open_at(t: dt.datetime) -> int:
        return sum(
            1
            for x in lives
            if x.ending != "duplicate"
            and x.received < t
            and (x.ending == "open" or x.ended is None or x.ended >= t)
        )

    v = report.volume
    assert v.received == len(received) > 0
    assert v.duplicates == sum(1 for x in lives if inside(x.received) and x.ending == "duplicate")
    assert v.closed == len(closed) > 0
    assert v.withdrawn == sum(1 for x in lives if x.ending == "withdrawn" and inside(x.ended))
    assert v.open_at_start == open_at(START)
    assert v.open_at_end == open_at(END)
    assert v.imported == v.imported_open == 0

    by_channel = Counter(x.channel for x in received)
    assert {b.key: b.received for b in report.by_channel} == dict(by_channel)
    closed_by_category = Counter(x.category or "unclassified" for x in closed)
    assert {b.key: b.closed for b in report.by_category if b.closed} == dict(closed_by_category)
    upheld_by_product = Counter(
        x.product or "unspecified" for x in closed if x.outcome in ("upheld", "partially_upheld")
    )
    assert {b.key: b.upheld for b in report.by_product if b.upheld} == dict(upheld_by_product)
    counts = [b.received for b in report.by_channel]
    assert counts == sorted(counts, reverse=True)


def test_outcomes_rates_redress_and_satisfaction(
    world: tuple[list[Life], SQLiteEventStore, InMemoryEventStore],
) -> None:
    lives, sqlite, _ = world
    report = report_of(sqlite)
    closed = closed_in(lives)
    outcomes = Counter(x.outcome for x in closed)
    o = report.outcomes
    assert (o.upheld, o.partially_upheld, o.not_upheld) == (
        outcomes["upheld"],
        outcomes["partially_upheld"],
        outcomes["not_upheld"],
    )
    assert o.upheld_rate.value == pytest.approx(
        (outcomes["upheld"] + outcomes["partially_upheld"]) / len(closed), abs=1e-4
    )
    fcr = [
        x
        for x in closed
        if x.ending == "first_contact"
        and x.responded is not None
        and x.responded - x.received <= dt.timedelta(hours=24)
    ]
    assert report.rates.first_contact_resolution.numerator == len(fcr) > 0
    assert report.rates.reopened.numerator == sum(1 for x in closed if x.ending == "reopened")
    assert report.rates.internal_review.numerator == sum(
        1 for x in closed if x.ending == "reviewed"
    )
    assert report.rates.external_referral.numerator == 0
    assert report.rates.reopened.denominator == len(closed)

    totals: dict[str, Decimal] = {}
    for x in closed:
        for currency, amount in x.redress:
            totals[currency] = totals.get(currency, Decimal(0)) + amount
    assert {m.currency: m.amount for m in report.redress} == totals
    kinds = Counter(k for x in closed for k in x.remedies)
    assert {c.key: c.count for c in report.remedies} == dict(kinds)

    scores = [x.score for x in closed if x.score is not None]
    s = report.satisfaction
    assert s.responses == len(scores) > 0
    assert s.mean_percent == pytest.approx(
        100 * statistics.fmean((k - 1) / 4 for k in scores), abs=0.01
    )
    assert s.satisfied.numerator == sum(1 for k in scores if k >= 4)


def test_durations_and_root_causes(
    world: tuple[list[Life], SQLiteEventStore, InMemoryEventStore],
) -> None:
    lives, sqlite, _ = world
    report = report_of(sqlite)
    acks = [
        hours(x.acknowledged - x.received)
        for x in lives
        if inside(x.received) and x.ending != "duplicate" and x.acknowledged is not None
    ]
    finals = [hours(x.responded - x.received) for x in closed_in(lives) if x.responded is not None]
    (ack,) = report.timeliness.acknowledge
    (final,) = report.timeliness.final_response
    assert ack.count == len(acks) > 0 and final.count == len(finals) > 0
    assert ack.median == pytest.approx(median(acks), abs=1e-3)
    assert ack.p90 == pytest.approx(p90(acks), abs=1e-3)
    assert final.mean == pytest.approx(statistics.fmean(finals), abs=1e-3)
    assert final.median == pytest.approx(median(finals), abs=1e-3)
    assert final.p90 == pytest.approx(p90(finals), abs=1e-3)

    causes = Counter(x.cause for x in closed_in(lives) if x.cause is not None)
    pareto = report.root_causes.pareto
    assert {(e.category, e.cause): e.count for e in pareto} == dict(causes)
    assert [e.count for e in pareto] == sorted(causes.values(), reverse=True)
    assert pareto[-1].cumulative_share == 1.0
    assert report.root_causes.recurring == sum(n for n in causes.values() if n >= 3)
    assert report.root_causes.unrecorded == sum(1 for x in closed_in(lives) if x.cause is None)


def test_trend_and_comparison(
    world: tuple[list[Life], SQLiteEventStore, InMemoryEventStore],
) -> None:
    lives, sqlite, _ = world
    report = report_of(sqlite, bucket="week", zone="Europe/London")
    assert sum(p.received for p in report.trend) == report.volume.received
    assert sum(p.closed for p in report.trend) == report.volume.closed
    assert report.trend[0].label == "2026-W01" and report.trend[0].start == START
    previous = [x for x in lives if inside(x.received, PREVIOUS, START) and x.ending != "duplicate"]
    change = {c.kpi: c for c in report.comparison}["received"]
    assert (change.current, change.previous) == (report.volume.received, len(previous))
    assert change.change == report.volume.received - len(previous)


def test_every_store_gives_the_same_report(
    world: tuple[list[Life], SQLiteEventStore, InMemoryEventStore],
) -> None:
    _, sqlite, memory = world
    assert report_of(sqlite) == report_of(memory)


def test_business_time_uses_the_calendar(
    world: tuple[list[Life], SQLiteEventStore, InMemoryEventStore],
) -> None:
    lives, sqlite, _ = world
    calendar = BusinessCalendar.standard(name="office", zone="Europe/London")
    report = report_of(sqlite, calendar=calendar)
    _, business = report.timeliness.final_response
    finals = sorted(
        hours(calendar.between(x.received, x.responded))
        for x in closed_in(lives)
        if x.responded is not None
    )
    assert business.measure == "business"
    assert business.median == pytest.approx(median(finals), abs=1e-3)
    assert business.median < report.timeliness.final_response[0].median  # type: ignore[operator]


def test_customers_give_a_rate_per_thousand(
    world: tuple[list[Life], SQLiteEventStore, InMemoryEventStore],
) -> None:
    _, sqlite, _ = world
    report = report_of(sqlite, customers=25_000)
    assert report.per_1000_customers == pytest.approx(
        report.volume.received * 1000 / 25_000, abs=1e-3
    )


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"end": START}, "end"),
        ({"bucket": "fortnight"}, "bucket"),
        ({"zone": "Mars/Olympus"}, "zone"),
        ({"customers": 0}, "customers"),
        ({"recurring_threshold": 1}, "recurring_threshold"),
        ({"start": dt.datetime(2026, 1, 1)}, "start"),
    ],
)
def test_bad_settings_name_the_field(settings: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {"start": START, "end": END, **settings}
    with pytest.raises(ValidationError) as caught:
        compute_kpis(InMemoryEventStore(), **arguments)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_an_empty_store_reports_zeros_not_errors() -> None:
    report = kpis_from_rows([], start=START, end=END, generated_at=END)
    assert report.volume.received == 0
    assert report.outcomes.upheld_rate.value is None
    assert report.timeliness.final_response[0].median is None
    assert report.root_causes.pareto == ()
    assert [p.label for p in report.trend] == ["2026-01", "2026-02"]


def deadlines() -> SlaConfig:
    """Acknowledge by the next business day's close; decide within 16 business hours."""
    office = BusinessCalendar.standard(name="office", zone="Europe/London")
    policy = SlaPolicy(
        name="office",
        version="1",
        description="The office's own targets.",
        calendar=office,
        metrics=(
            Metric(
                name="acknowledgement",
                description="Acknowledge promptly.",
                target=Target(amount=1, unit=Unit.BUSINESS_DAYS, due_at=DueAt.CLOSE_OF_BUSINESS),
                stop=(On(event="acknowledged"),),
                on_reopen=ReopenRule.KEEP,
            ),
            Metric(
                name="final_response",
                description="Decide promptly.",
                target=Target(amount=16, unit=Unit.BUSINESS_HOURS),
                stop=(On(event="decision_communicated"),),
            ),
        ),
    )
    return SlaConfig(policies=(policy,), default="office")


def test_deadline_shares_agree_with_the_engine_on_every_store(tmp_path: Path) -> None:
    sqlite = SQLiteEventStore(tmp_path / "sla.db", synchronous="OFF")
    memory = InMemoryEventStore()
    lives = populate(sqlite, 150, seed=11, sla=deadlines())
    populate(memory, 150, seed=11, sla=deadlines())
    report = report_of(sqlite)
    assert report == report_of(memory)

    desk = ComplaintDesk(sqlite, clock=FixedClock(END), sla=deadlines())
    expected: dict[str, list[int]] = {}
    for life in lives:
        status = desk.sla_status(life.reference, as_of=END)
        if status is None:
            continue
        for m in status.metrics:
            if m.due_at is None or m.status.value == "cancelled":
                continue
            counts = expected.setdefault(m.metric, [0, 0])
            if m.stopped_at is not None and inside(m.stopped_at):
                counts[0 if m.stopped_at <= m.due_at else 1] += 1
    shares = {s.metric: [s.met, s.breached] for s in report.sla}
    assert {k: v for k, v in shares.items() if any(v)} == {
        k: v for k, v in expected.items() if any(v)
    }
    assert sum(s.finished for s in report.sla) > 0
