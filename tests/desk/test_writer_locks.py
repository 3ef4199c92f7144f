"""
The desk's writer locks: one per complaint while a command holds or waits for it, reentrant for
a hook that writes to the complaint, and dropped once no thread needs it (after a refusal too).
"""

from __future__ import annotations

import threading

import pytest

from iso10002 import (
    Channel,
    ClosureReason,
    CommandRejected,
    ComplaintDesk,
    FixedClock,
    InMemoryEventStore,
)
from tests.access.support import OWNER, SETUP, START


def _desk() -> ComplaintDesk:
    return ComplaintDesk(InMemoryEventStore(), clock=FixedClock(START))


def _receive(desk: ComplaintDesk) -> str:
    return desk.receive(
        SETUP, complainant=OWNER, channel=Channel.EMAIL, description="Lost parcel."
    ).reference


def test_no_lock_is_kept_once_the_commands_are_done() -> None:
    desk = _desk()
    ref = _receive(desk)
    desk.acknowledge(ref, SETUP)
    with pytest.raises(CommandRejected):
        desk.close(ref, SETUP, reason=ClosureReason.RESOLVED)  # not decided yet
    assert desk._writers == {}


def test_the_lock_is_reentrant_and_shared_while_held() -> None:
    desk = _desk()
    cid = desk.get(_receive(desk)).id
    with desk._writing(cid):
        held = desk._writers[cid.int]
        with desk._writing(cid):  # a hook writing to the complaint it was called for
            assert desk._writers[cid.int] is held
            desk.add_note(cid, SETUP, "From inside.")
        assert desk._writers[cid.int] is held
    assert desk._writers == {}


def test_another_thread_waits_for_the_complaint_then_the_lock_is_dropped() -> None:
    desk = _desk()
    cid = desk.get(_receive(desk)).id
    order: list[str] = []
    waiting = threading.Event()

    def note() -> None:
        waiting.set()
        desk.add_note(cid, SETUP, "From the other thread.")
        order.append("other")

    with desk._writing(cid):
        other = threading.Thread(target=note)
        other.start()
        waiting.wait(5)
        other.join(0.2)  # it cannot finish while the lock is held here
        order.append("here")
    other.join(5)
    assert order == ["here", "other"]
    assert desk._writers == {}
