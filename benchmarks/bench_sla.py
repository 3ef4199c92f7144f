"""
What timeliness costs: the same complaint lifecycles with and without SLA policies, in the same
run, and one evaluation of a history on its own.

The policy is the FCA payment-services preset (15 and 35 business days on the England and Wales
calendar) plus the office's own acknowledgement, assessment and keep-in-the-loop metrics, so
every command keeps four metrics' deadlines in the projection, computed from the history. The
baseline is the desk without policies: the difference is the whole price of deadlines that are
computed, never stored as counters. The two desks take turns in rounds (``--rounds``, 5 by
default), and the ratio is given in wall time and in processor time.

Run: ``python benchmarks/bench_sla.py [--complaints N] [--rounds R]`` (needs
``iso10002[holidays]``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import time
from collections.abc import Callable

from iso10002 import (
    Channel,
    ComplaintDesk,
    ComplaintId,
    DueAt,
    FixedClock,
    InMemoryEventStore,
    Metric,
    On,
    Target,
    Unit,
)
from iso10002.sla import SlaConfig, SlaPolicy, evaluate, preset

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from bench_lifecycle import ANN, EVENTS_PER_LIFECYCLE, HANDLER, START, lifecycle


def policy() -> SlaPolicy:
    """
    The preset's final response plus an acknowledgement, an initial assessment and a
    recurring update metric: four metrics.
    """
    base = preset("fca-disp-1.6.2a").policy(subdivision="ENG")
    extra = (
        Metric(
            name="acknowledgement",
            description="Acknowledge by the close of the next business day.",
            target=Target(amount=1, unit=Unit.BUSINESS_DAYS, due_at=DueAt.CLOSE_OF_BUSINESS),
            stop=(On(event="acknowledged"),),
        ),
        Metric(
            name="assessment",
            description="Assess within 3 business days.",
            target=Target(amount=3, unit=Unit.BUSINESS_DAYS),
            stop=(On(event="assessed"),),
        ),
        Metric(
            name="update",
            description="Update every 5 business days.",
            target=Target(amount=5, unit=Unit.BUSINESS_DAYS),
            stop=(
                On(event="communication_recorded", where={"communication.direction": "outbound"}),
            ),
            recurring=True,
            until=(On(event="decision_communicated"),),
        ),
    )
    return SlaPolicy(
        name="bench",
        version="1",
        description="Benchmark policy.",
        calendar=base.calendar,
        metrics=(*base.metrics, *extra),
    )


def run(n: int, make: Callable[[], ComplaintDesk]) -> tuple[float, float, ComplaintDesk]:
    """
    Seconds (wall and processor) for ``n`` lifecycles, the clock moving an hour between
    complaints.
    """
    desk = make()
    clock = desk.clock
    assert isinstance(clock, FixedClock)
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(n):
        clock.advance(dt.timedelta(hours=1))
        lifecycle(desk, i)
    return time.perf_counter() - t0, time.process_time() - c0, desk


def grown(desk: ComplaintDesk, length: int, i: int) -> ComplaintId:
    """A new open complaint whose history holds ``length`` events (notes after the first two)."""
    clock = desk.clock
    assert isinstance(clock, FixedClock)
    c = desk.receive(HANDLER, complainant=ANN, channel=Channel.EMAIL, description=f"Long {i}")
    desk.acknowledge(c.id, HANDLER, channel=Channel.EMAIL)
    for _ in range(length - 2):
        clock.advance(dt.timedelta(minutes=1))
        desk.add_note(c.id, HANDLER, "Still looking into it.")
    return c.id


def per_command(desk: ComplaintDesk, rounds: int, complaints: int) -> tuple[float, float]:
    """
    Seconds of processor time per note that makes the 8th event of a complaint, and per note
    that makes the 200th or later, timed in alternating rounds on the same desk so that a
    change in the machine's load falls on both alike (processor time: a busy machine's waits
    for a core are not the command's).
    """
    clock = desk.clock
    assert isinstance(clock, FixedClock)
    long_ids = [grown(desk, 199, i) for i in range(complaints)]
    short_total = long_total = 0.0
    for r in range(rounds):
        short_ids = [grown(desk, 7, r * complaints + i) for i in range(complaints)]
        for ids in (short_ids, long_ids):
            # What building the histories left to the garbage collector is paid first, so
            # that a full collection it triggers does not fall in one batch's timing only.
            gc.collect()
            t0 = time.process_time()
            for cid in ids:
                clock.advance(dt.timedelta(minutes=1))
                desk.add_note(cid, HANDLER, "Still looking into it.")
            elapsed = time.process_time() - t0
            if ids is short_ids:
                short_total += elapsed
            else:
                long_total += elapsed
    n = rounds * complaints
    return short_total / n, long_total / n


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--complaints", type=int, default=5000)
    parser.add_argument(
        "--rounds", type=int, default=5, help="rounds taking turns between the two desks"
    )
    args = parser.parse_args(argv)
    the_policy = policy()
    sla = SlaConfig(policies=(the_policy,), default="bench")
    the_policy.calendar.add(START, dt.timedelta(hours=1))  # build the calendar's timeline once

    def plain() -> ComplaintDesk:
        return ComplaintDesk(InMemoryEventStore(), clock=FixedClock(START))

    def timed_desk() -> ComplaintDesk:
        return ComplaintDesk(InMemoryEventStore(), clock=FixedClock(START), sla=sla)

    rounds = max(1, args.rounds)
    per_round = max(1, args.complaints // rounds)
    total = per_round * rounds
    print(
        f"python {sys.version.split()[0]}, in memory, {total} lifecycles "
        f"in {rounds} rounds taking turns"
    )
    run(50, timed_desk)  # warm caches
    run(50, plain)
    # The two desks take turns, a fresh one each round, so that a change in the machine's load
    # falls on both alike.
    base = ours = base_cpu = ours_cpu = 0.0
    for _ in range(rounds):
        wall, cpu, _desk = run(per_round, plain)
        base, base_cpu = base + wall, base_cpu + cpu
        wall, cpu, desk = run(per_round, timed_desk)
        ours, ours_cpu = ours + wall, ours_cpu + cpu
    for label, seconds, events in (
        ("desk without policies", base, EVENTS_PER_LIFECYCLE),
        ("desk with 4 SLA metrics", ours, EVENTS_PER_LIFECYCLE + 1),
    ):
        rate = total / seconds
        print(f"  {label:<26} {rate:10,.0f} lifecycles/s {rate * events:10,.0f} events/s")
    print(f"  ratio with / without: {base / ours:.2f} (processor time: {base_cpu / ours_cpu:.2f})")

    short, long = per_command(timed_desk(), 20, 50)
    print(f"  a note on an 8-event history, 4 metrics: {short * 1e6:8.1f} µs CPU per command")
    print(f"  a note on a 200-event history, 4 metrics: {long * 1e6:7.1f} µs CPU per command")
    print(f"  ratio 200 / 8 events: {long / short:.2f}")

    summaries = desk.query(limit=1).items
    history = desk.history(summaries[0].id)
    as_of = history[-1].occurred_at
    calls = 20_000
    for detail in (True, False):
        t0 = time.perf_counter()
        for _ in range(calls):
            evaluate(history, the_policy, as_of, detail=detail)
        per_call = (time.perf_counter() - t0) / calls
        print(
            f"  evaluate(detail={detail}): {len(history)} events, 4 metrics: "
            f"{per_call * 1e6:.1f} µs per call, {1 / per_call:,.0f} calls/s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
