"""
:class:`EventStoreContract`: the behaviour every :class:`~iso10002.ports.store.EventStore`
must show, as a pytest test class to inherit.

Prove a store conforms by subclassing it and saying how to make an empty store::

    from pathlib import Path

    from iso10002.testing import EventStoreContract

    class TestMyStore(EventStoreContract):
        def make_store(self, tmp_path: Path) -> MyStore:
            return MyStore(tmp_path / "complaints")

Every test speaks to the store only through the protocol, with events recorded by the desk or
built by :mod:`iso10002.testing.samples`. Needs pytest.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import pytest

from iso10002.clock import FixedClock
from iso10002.desk import ComplaintDesk
from iso10002.errors import (
    ConcurrencyConflict,
    DuplicateKeyError,
    StoreClosedError,
    ValidationError,
)
from iso10002.model.complaint import Complaint, ComplaintSummary
from iso10002.model.events import ComplaintReceived, Event
from iso10002.model.values import (
    Assessment,
    Channel,
    ClosureReason,
    Impact,
    Priority,
    Role,
    Severity,
)
from iso10002.ports.store import ComplaintQuery, EventStore
from iso10002.serialization import history_to_json
from iso10002.testing._contract import StoreContract, version_of
from iso10002.testing.samples import (
    full_lifecycle,
    note_event,
    received_event,
    sample_actor,
    sample_complainant,
    sample_history,
    summary_after,
)

__all__ = ["EventStoreContract"]

_UTC = _dt.timezone.utc
_INDIA = _dt.timezone(_dt.timedelta(hours=5, minutes=30))
_PACIFIC = _dt.timezone(_dt.timedelta(hours=-8))
_PARIS = _dt.timezone(_dt.timedelta(hours=1))
_NOW = _dt.datetime(2026, 3, 10, 9, 0, tzinfo=_UTC)
_TIE = _dt.datetime(2026, 3, 1, 8, 0, tzinfo=_UTC)
"""Two sample complaints are received at this instant, written with different offsets."""


def _append_new(store: EventStore, first: Event) -> None:
    store.append([first], expected_version=0, summary=summary_after([first]))


def _newest_first(summaries: Sequence[ComplaintSummary]) -> list[ComplaintSummary]:
    """The order the protocol promises: received_at, then reference, both descending."""
    return sorted(summaries, key=lambda s: (s.received_at, s.reference), reverse=True)


def _populate(desk: ComplaintDesk) -> list[Complaint]:
    """
    Eight complaints covering every query criterion, received at instants written with
    different UTC offsets so that comparing local times would order them wrongly; three
    belong to organisation ``north``, two to ``south``, the others to none.
    """
    staff = sample_actor()
    manager = sample_actor("manager-1", Role.COMPLAINTS_MANAGER)
    alice = sample_actor("alice", Role.INVESTIGATOR)
    bob = sample_actor("bob", Role.INVESTIGATOR)

    def receive(
        received_at: _dt.datetime, channel: Channel, organisation: str | None = None
    ) -> uuid.UUID:
        return desk.receive(
            staff,
            complainant=sample_complainant(),
            channel=channel,
            description="The parcel arrived damaged.",
            received_at=received_at,
            organisation=organisation,
        ).id

    def assess(cid: uuid.UUID, severity: Severity, impact: Impact = Impact.LOW) -> None:
        desk.acknowledge(cid, staff)
        desk.assess(cid, manager, Assessment(severity=severity, impact=impact))

    c1 = receive(_TIE, Channel.EMAIL, "north")
    assess(c1, Severity.LOW)
    desk.assign(c1, manager, alice)
    c2 = receive(_dt.datetime(2026, 3, 1, 9, 30, tzinfo=_INDIA), Channel.PHONE, "south")
    desk.acknowledge(c2, staff)
    c3 = receive(_dt.datetime(2026, 2, 28, 23, 0, tzinfo=_PACIFIC), Channel.LETTER, "north")
    assess(c3, Severity.HIGH, Impact.MEDIUM)
    desk.assign(c3, manager, bob)
    desk.start_investigation(c3, bob)
    c4 = receive(_TIE.astimezone(_PARIS), Channel.WEB_FORM)
    c5 = receive(_dt.datetime(2026, 3, 2, 12, 0, tzinfo=_UTC), Channel.EMAIL, "south")
    desk.acknowledge(c5, staff)
    desk.withdraw(c5, staff, reason="Sorted out in the shop.")
    c6 = receive(_dt.datetime(2026, 3, 3, 0, 30, tzinfo=_INDIA), Channel.CHAT, "north")
    assess(c6, Severity.CRITICAL)
    desk.assign(c6, manager, alice)
    desk.start_investigation(c6, alice)
    c7 = receive(_dt.datetime(2026, 3, 5, 10, 0, tzinfo=_UTC), Channel.EMAIL)
    desk.close(c7, manager, reason=ClosureReason.DUPLICATE, duplicate_of=desk.get(c1).reference)
    c8 = receive(_dt.datetime(2026, 3, 5, 10, 0, tzinfo=_PACIFIC), Channel.PHONE)
    assess(c8, Severity.MEDIUM)
    return [desk.get(cid) for cid in (c1, c2, c3, c4, c5, c6, c7, c8)]


def _queries() -> list[ComplaintQuery]:
    """One query per criterion and value used by :func:`_populate`, and a few combinations."""
    q = ComplaintQuery
    states = ("received", "acknowledged", "assessed", "investigating", "withdrawn", "closed")
    boundary = _TIE.astimezone(_INDIA)
    return [
        q(),
        *(q(state=s) for s in (*states, "no-such-state")),
        q(is_open=True),
        q(is_open=False),
        *(q(assignee=a) for a in ("alice", "bob", "carol")),
        *(q(priority=p) for p in Priority),
        *(q(channel=c) for c in Channel),
        q(received_from=boundary),
        q(received_to=boundary),
        q(received_from=boundary, received_to=_dt.datetime(2026, 3, 3, tzinfo=_PARIS)),
        q(received_from=_dt.datetime(2027, 1, 1, tzinfo=_UTC)),
        q(state="investigating", assignee="alice"),
        q(is_open=True, priority=Priority.HIGH),
        q(channel=Channel.EMAIL, received_from=boundary),
        q(is_open=True, channel=Channel.PHONE, received_to=_dt.datetime(2026, 3, 4, tzinfo=_UTC)),
        *(q(organisation=o) for o in ("north", "south", "west")),
        q(organisation="north", assignee="alice"),
        q(organisation="south", is_open=True),
        q(organisation="north", received_from=boundary, order="received"),
    ]


class EventStoreContract(StoreContract[EventStore]):
    """
    The event store contract as pytest tests; subclass it and implement :meth:`make_store`.
    """

    @pytest.fixture
    def desk(self, store: EventStore) -> ComplaintDesk:
        """A desk on the store under test, with a fixed clock."""
        return ComplaintDesk(store, clock=FixedClock(_NOW))

    # -- shape and emptiness --------------------------------------------------------------------

    def test_is_an_event_store(self, store: EventStore) -> None:
        assert isinstance(store, EventStore)

    def test_a_new_store_is_empty(self, store: EventStore) -> None:
        unknown = uuid.uuid4()
        assert store.read(unknown) == []
        assert version_of(store, unknown) == 0
        assert store.summary(unknown) is None
        assert store.id_for_reference("CMP-2026-000001") is None
        assert store.id_for_client_key("web-1") is None
        assert list(store.iter_events()) == []
        page = store.query(ComplaintQuery())
        assert (page.items, page.total, page.has_more) == ((), 0, False)

    # -- append and read ------------------------------------------------------------------------

    def test_read_returns_exactly_what_was_appended(self, store: EventStore) -> None:
        history = sample_history(client_key="web-42")
        cid = history[0].complaint_id
        store.append(history, expected_version=0, summary=summary_after(history))
        read = store.read(cid)
        assert read == history
        # Field by field through the one converter: nothing lost, nothing rounded.
        assert history_to_json(read) == history_to_json(history)
        assert version_of(store, cid) == len(history) == 13
        assert store.summary(cid) == summary_after(history)
        assert store.id_for_reference("CMP-2026-000001") == cid
        assert store.id_for_client_key("web-42") == cid

    def test_appends_in_batches_continue_the_stream(self, store: EventStore) -> None:
        history = sample_history()
        cid = history[0].complaint_id
        for start, end in ((0, 1), (1, 4), (4, 5), (5, len(history))):
            store.append(
                history[start:end], expected_version=start, summary=summary_after(history[:end])
            )
            assert version_of(store, cid) == end
            # The summary is replaced on every append, never merged or left behind.
            assert store.summary(cid) == summary_after(history[:end])
        assert store.read(cid) == history
        for after in range(len(history) + 2):
            assert store.read(cid, after=after) == history[after:]

    def test_instants_keep_their_meaning_in_any_offset(self, store: EventStore) -> None:
        received_at = _dt.datetime(2026, 3, 2, 14, 30, 15, 123456, tzinfo=_INDIA)
        occurred_at = _dt.datetime(2026, 3, 2, 11, 0, 0, 1, tzinfo=_PARIS)
        event = received_event(received_at=received_at, occurred_at=occurred_at)
        store.append([event], expected_version=0, summary=summary_after([event]))
        (read,) = store.read(event.complaint_id)
        assert read == event
        assert read.occurred_at == occurred_at
        assert read.payload == event.payload
        # Values inside the payload come back as given, offset included.
        assert isinstance(read.payload, ComplaintReceived)
        assert read.payload.received_at.utcoffset() == _dt.timedelta(hours=5, minutes=30)
        summary = store.summary(event.complaint_id)
        assert summary is not None
        assert summary.received_at == received_at
        assert summary.updated_at == occurred_at

    def test_text_round_trips_unchanged(self, store: EventStore) -> None:
        complainant = sample_complainant("Zoë Łukasiewicz-Ó'Brien 🙂", email="zoe@example.org")
        first = received_event(complainant=complainant)
        note = note_event(first, 'Quote " backslash \\ newline \n tab \t and 日本語')
        store.append([first, note], expected_version=0, summary=summary_after([first, note]))
        assert store.read(first.complaint_id) == [first, note]

    # -- optimistic concurrency -----------------------------------------------------------------

    @staticmethod
    def _stored(store: EventStore, event: Event) -> tuple[Any, ...]:
        """Everything the store says about a complaint, to show that nothing changed."""
        cid = event.complaint_id
        return (
            store.read(cid),
            version_of(store, cid),
            store.summary(cid),
            [e for _, e in store.iter_events()],
        )

    def test_a_stale_expected_version_conflicts(self, store: EventStore) -> None:
        first = received_event()
        store.append([first], expected_version=0, summary=summary_after([first]))
        mine = note_event(first, "mine")
        theirs = note_event(first, "theirs")
        store.append([mine], expected_version=1, summary=summary_after([first, mine]))
        before = self._stored(store, first)
        with pytest.raises(ConcurrencyConflict) as caught:
            store.append([theirs], expected_version=1, summary=summary_after([first, theirs]))
        assert str(caught.value) == (
            "complaint CMP-2026-000001: expected version 1, but the stored version is 2"
        )
        assert (caught.value.expected_version, caught.value.actual_version) == (1, 2)
        assert self._stored(store, first) == before
        assert store.read(first.complaint_id) == [first, mine]

    def test_an_expected_version_ahead_of_the_stream_conflicts(self, store: EventStore) -> None:
        first = received_event()
        second = note_event(first)
        third = note_event(second)
        store.append([first], expected_version=0, summary=summary_after([first]))
        before = self._stored(store, first)
        with pytest.raises(ConcurrencyConflict) as caught:
            store.append([third], expected_version=2, summary=summary_after([first, second, third]))
        assert str(caught.value) == (
            "complaint CMP-2026-000001: expected version 2, but the stored version is 1"
        )
        assert self._stored(store, first) == before

    def test_a_new_complaint_appended_twice_conflicts(self, store: EventStore) -> None:
        first = received_event(client_key="web-7")
        store.append([first], expected_version=0, summary=summary_after([first]))
        before = self._stored(store, first)
        with pytest.raises(ConcurrencyConflict) as caught:
            store.append([first], expected_version=0, summary=summary_after([first]))
        assert (caught.value.complaint, caught.value.expected_version) == ("CMP-2026-000001", 0)
        assert caught.value.actual_version == 1
        assert self._stored(store, first) == before

    def test_appending_to_an_unknown_complaint_conflicts(self, store: EventStore) -> None:
        first = received_event()
        second = note_event(first)
        with pytest.raises(ConcurrencyConflict) as caught:
            store.append([second], expected_version=1, summary=summary_after([first, second]))
        assert (caught.value.expected_version, caught.value.actual_version) == (1, 0)
        assert store.read(first.complaint_id) == []
        assert store.id_for_reference("CMP-2026-000001") is None

    # -- unique keys ----------------------------------------------------------------------------

    def test_a_reference_is_used_once(self, store: EventStore) -> None:
        first = received_event(reference="CMP-2026-000009")
        again = received_event(reference="CMP-2026-000009", client_key="other")
        store.append([first], expected_version=0, summary=summary_after([first]))
        with pytest.raises(DuplicateKeyError) as caught:
            store.append([again], expected_version=0, summary=summary_after([again]))
        assert caught.value.key == "reference"
        assert (
            str(caught.value) == "reference 'CMP-2026-000009' is already used by another complaint"
        )
        assert store.id_for_reference("CMP-2026-000009") == first.complaint_id
        assert store.read(again.complaint_id) == []
        assert version_of(store, again.complaint_id) == 0
        assert store.id_for_client_key("other") is None

    def test_a_client_key_is_used_once(self, store: EventStore) -> None:
        first = received_event(reference="CMP-2026-000001", client_key="web-1")
        again = received_event(reference="CMP-2026-000002", client_key="web-1")
        store.append([first], expected_version=0, summary=summary_after([first]))
        with pytest.raises(DuplicateKeyError) as caught:
            store.append([again], expected_version=0, summary=summary_after([again]))
        assert caught.value.key == "client key"
        assert str(caught.value) == "client key 'web-1' is already used by another complaint"
        assert store.id_for_client_key("web-1") == first.complaint_id
        assert store.id_for_reference("CMP-2026-000002") is None
        assert store.read(again.complaint_id) == []

    def test_complaints_without_a_client_key_coexist(self, store: EventStore) -> None:
        first = received_event(reference="CMP-2026-000001")
        second = received_event(reference="CMP-2026-000002")
        for event in (first, second):
            store.append([event], expected_version=0, summary=summary_after([event]))
        assert store.id_for_reference("CMP-2026-000002") == second.complaint_id
        assert store.query(ComplaintQuery()).total == 2

    # -- batches the store refuses before writing -----------------------------------------------

    @staticmethod
    def _bad_batches() -> dict[str, tuple[list[Event], ComplaintSummary, str]]:
        first = received_event()
        other = received_event(reference="CMP-2026-000002")
        second = note_event(first)
        third = note_event(second)
        return {
            "empty": ([], summary_after([first]), "events: an append needs at least one event"),
            "mixed": (
                [first, other],
                summary_after([first]),
                "events: an append holds events of one complaint only",
            ),
            "gap": (
                [first, third],
                summary_after([first, second, third]),
                "events: complaint CMP-2026-000001: event seq 3 does not continue version 0",
            ),
            "foreign summary": (
                [first],
                summary_after([other]),
                "summary: the summary does not describe the appended events",
            ),
            "stale summary": (
                [first, second],
                summary_after([first]),
                "summary: the summary does not describe the appended events",
            ),
        }

    @pytest.mark.parametrize("case", ["empty", "mixed", "gap", "foreign summary", "stale summary"])
    def test_a_malformed_batch_is_refused_and_nothing_written(
        self, store: EventStore, case: str
    ) -> None:
        events, summary, message = self._bad_batches()[case]
        with pytest.raises(ValidationError) as caught:
            store.append(events, expected_version=0, summary=summary)
        assert str(caught.value) == message
        assert list(store.iter_events()) == []
        assert store.query(ComplaintQuery()).total == 0
        assert store.id_for_reference("CMP-2026-000001") is None

    def test_a_gap_after_stored_events_is_refused(self, store: EventStore) -> None:
        first = received_event()
        third = note_event(note_event(first))
        store.append([first], expected_version=0, summary=summary_after([first]))
        before = self._stored(store, first)
        with pytest.raises(ValidationError, match="event seq 3 does not continue version 1"):
            store.append([third], expected_version=1, summary=summary_after([first]))
        assert self._stored(store, first) == before

    # -- queries --------------------------------------------------------------------------------

    def test_each_query_criterion_selects_as_the_reference_semantics(
        self, desk: ComplaintDesk
    ) -> None:
        summaries = [ComplaintSummary.of(c) for c in _populate(desk)]
        for summary in summaries:
            assert desk.store.summary(summary.id) == summary
        seen_empty = seen_partial = False
        for query in _queries():
            expected = _newest_first([s for s in summaries if query.matches(s)])
            page = desk.store.query(query)
            assert list(page.items) == expected, query
            assert (page.total, page.has_more) == (len(expected), False), query
            seen_empty |= not expected
            seen_partial |= 0 < len(expected) < len(summaries)
        # The population is rich enough that the filters really filter.
        assert seen_empty
        assert seen_partial

    def test_deadline_instants_are_kept_filtered_and_ordered(self, store: EventStore) -> None:
        """The timeliness columns: stored as given, ``sla_*_by`` inclusive, ``sla_due`` order."""
        hour = _dt.timedelta(hours=1)
        # (due, warning, alert) per complaint; instants written with different offsets.
        plan = [
            (_NOW + 3 * hour, _NOW + hour, _NOW + hour),
            ((_NOW + hour).astimezone(_INDIA), _NOW, _NOW.astimezone(_PACIFIC)),
            (_NOW + hour, None, _NOW + 2 * hour),
            (None, None, None),
        ]
        firsts = []
        for i, (due, warning, alert) in enumerate(plan, start=1):
            first = received_event(reference=f"CMP-2026-{i:06d}")
            summary = ComplaintSummary.of(
                Complaint.replay([first]),
                sla_due_at=due,
                sla_warning_at=warning,
                sla_alert_at=alert,
            )
            store.append([first], expected_version=0, summary=summary)
            assert store.summary(first.complaint_id) == summary
            firsts.append(first)
        refs = [f"CMP-2026-{i:06d}" for i in range(1, 5)]

        def found(**criteria: Any) -> list[str]:
            return [s.reference for s in store.query(ComplaintQuery(**criteria)).items]

        assert found(order="sla_due") == [refs[1], refs[2], refs[0]]
        assert found(sla_due_by=_NOW + hour, order="sla_due") == [refs[1], refs[2]]
        assert found(sla_due_by=_NOW + hour - _dt.timedelta(microseconds=1)) == []
        assert sorted(found(sla_warning_by=_NOW)) == [refs[1]]
        assert sorted(found(sla_alert_by=_NOW + hour)) == [refs[0], refs[1]]
        # An append rewrites the instants, and may clear them.
        second = note_event(firsts[1])
        cleared = ComplaintSummary.of(Complaint.replay([firsts[1], second]))
        store.append([second], expected_version=1, summary=cleared)
        assert store.summary(firsts[1].complaint_id) == cleared
        assert found(order="sla_due") == [refs[2], refs[0]]
        assert found(sla_warning_by=_NOW + 10 * hour) == [refs[0]]

    def test_deadline_ties_go_by_reference(self, store: EventStore) -> None:
        """Not by the order appended, nor received, nor by id: pages split a tie the same way."""
        due = _NOW + _dt.timedelta(hours=4)
        # (reference, received minutes after _TIE, deadline); the tie is written in two offsets.
        plan = [
            ("CMP-2026-000003", 0, due),
            ("CMP-2026-000001", 30, due.astimezone(_INDIA)),
            ("CMP-2026-000005", 10, due + _dt.timedelta(microseconds=1)),
            ("CMP-2026-000004", 20, due.astimezone(_PACIFIC)),
            ("CMP-2026-000002", 40, due - _dt.timedelta(microseconds=1)),
            ("CMP-2026-000000", 50, due),
        ]
        for reference, minutes, deadline in plan:
            first = received_event(
                reference=reference, received_at=_TIE + _dt.timedelta(minutes=minutes)
            )
            summary = ComplaintSummary.of(Complaint.replay([first]), sla_due_at=deadline)
            store.append([first], expected_version=0, summary=summary)
        expected = [f"CMP-2026-00000{n}" for n in (2, 0, 1, 3, 4, 5)]
        page = store.query(ComplaintQuery(order="sla_due"))
        assert [s.reference for s in page.items] == expected
        pages = [store.query(ComplaintQuery(order="sla_due", limit=2, offset=o)) for o in (0, 2, 4)]
        assert [s.reference for p in pages for s in p.items] == expected
        tied = store.query(ComplaintQuery(order="sla_due", sla_due_by=due))
        assert [s.reference for s in tied.items] == expected[:5]

    def test_received_from_is_inclusive_and_received_to_exclusive(
        self, desk: ComplaintDesk
    ) -> None:
        complaints = _populate(desk)
        at_tie = {c.reference for c in complaints if c.received_at == _TIE}
        assert len(at_tie) == 2
        boundary = _TIE.astimezone(_PACIFIC)
        since = {
            s.reference for s in desk.store.query(ComplaintQuery(received_from=boundary)).items
        }
        until = {s.reference for s in desk.store.query(ComplaintQuery(received_to=boundary)).items}
        assert at_tie <= since
        assert not at_tie & until
        assert len(since) + len(until) == len(complaints)
        exactly = ComplaintQuery(received_from=boundary, received_to=boundary)
        assert desk.store.query(exactly).total == 0

    def test_results_are_newest_first_and_ties_go_by_reference(self, desk: ComplaintDesk) -> None:
        complaints = _populate(desk)
        items = desk.store.query(ComplaintQuery()).items
        instants = [s.received_at for s in items]
        assert instants == sorted(instants, reverse=True)
        tied = [s.reference for s in items if s.received_at == _TIE]
        assert tied == sorted(tied, reverse=True)
        assert len(items) == len(complaints)

    def test_pages_split_the_results_without_overlap(self, desk: ComplaintDesk) -> None:
        complaints = _populate(desk)
        everything = desk.store.query(ComplaintQuery()).items
        pages = [desk.store.query(ComplaintQuery(limit=3, offset=o)) for o in (0, 3, 6)]
        assert [len(p.items) for p in pages] == [3, 3, 2]
        assert [p.has_more for p in pages] == [True, True, False]
        assert {p.total for p in pages} == {len(complaints)}
        assert tuple(s for p in pages for s in p.items) == everything
        beyond = desk.store.query(ComplaintQuery(limit=5, offset=20))
        assert (beyond.items, beyond.total, beyond.has_more) == ((), len(complaints), False)
        filtered = desk.store.query(ComplaintQuery(is_open=True, limit=2, offset=1))
        open_ = [s for s in everything if s.is_open]
        assert list(filtered.items) == open_[1:3]
        assert (filtered.total, filtered.limit, filtered.offset) == (len(open_), 2, 1)
        assert filtered.has_more

    # -- the global log -------------------------------------------------------------------------

    def test_iter_events_follows_append_order_across_complaints(self, store: EventStore) -> None:
        streams: dict[str, list[Event]] = {}
        appended: list[Event] = []

        def append(reference: str, count: int) -> None:
            stream = streams.setdefault(reference, [])
            new: list[Event] = []
            for _ in range(count):
                last = new[-1] if new else stream[-1] if stream else None
                new.append(
                    received_event(reference=reference) if last is None else note_event(last)
                )
            store.append(new, expected_version=len(stream), summary=summary_after(stream + new))
            stream.extend(new)
            appended.extend(new)

        for reference, count in (("A-1", 1), ("B-1", 1), ("A-1", 2), ("C-1", 1), ("B-1", 3)):
            append(reference, count)
        append("A-1", 1)
        logged = list(store.iter_events())
        assert [e for _, e in logged] == appended
        positions = [p for p, _ in logged]
        assert all(p > 0 for p in positions)
        assert positions == sorted(set(positions))
        for index, position in enumerate(positions):
            assert list(store.iter_events(after_position=position)) == logged[index + 1 :]

    def test_iter_events_reads_every_complaint_of_a_desk(self, desk: ComplaintDesk) -> None:
        complaints = _populate(desk)
        logged = [e for _, e in desk.store.iter_events()]
        for complaint in complaints:
            mine = [e for e in logged if e.complaint_id == complaint.id]
            assert mine == desk.store.read(complaint.id)
            assert [e.seq for e in mine] == list(range(1, complaint.version + 1))
        assert len(logged) == sum(c.version for c in complaints)

    # -- counters -------------------------------------------------------------------------------

    def test_next_number_counts_per_scope(self, store: EventStore) -> None:
        drawn = [
            store.next_number(scope)
            for scope in ("reference:CMP-2026", "reference:CMP-2026", "reference:CMP-2027")
        ]
        assert drawn == [1, 2, 1]
        assert [store.next_number("reference:CMP-2026") for _ in range(3)] == [3, 4, 5]
        assert store.next_number("reference:CMP-2027") == 2
        assert store.next_number("reference:Ω") == 1

    # -- closing --------------------------------------------------------------------------------

    _CALLS: ClassVar[dict[str, Callable[[EventStore], object]]] = {
        "append": lambda s: _append_new(s, received_event()),
        "read": lambda s: s.read(uuid.uuid4()),
        "id_for_reference": lambda s: s.id_for_reference("CMP-2026-000001"),
        "id_for_client_key": lambda s: s.id_for_client_key("web-1"),
        "summary": lambda s: s.summary(uuid.uuid4()),
        "query": lambda s: s.query(ComplaintQuery()),
        "iter_events": lambda s: list(s.iter_events()),
        "next_number": lambda s: s.next_number("reference:CMP-2026"),
    }

    @pytest.mark.parametrize("call", sorted(_CALLS))
    def test_a_closed_store_refuses_every_call(self, store: EventStore, call: str) -> None:
        _append_new(store, received_event(reference="CMP-2026-000002"))
        store.close()
        with pytest.raises(StoreClosedError, match="closed"):
            self._CALLS[call](store)
        store.close()  # closing again is harmless

    # -- through the desk -----------------------------------------------------------------------

    def test_a_full_lifecycle_through_the_desk_replays_to_the_same_state(
        self, store: EventStore, desk: ComplaintDesk
    ) -> None:
        complaint = full_lifecycle(desk, client_key="form-1")
        history = store.read(complaint.id)
        assert [e.seq for e in history] == list(range(1, 14))
        assert Complaint.replay(history) == complaint == desk.get(complaint.reference)
        # A second desk without a cache sees the same complaint, from the store alone.
        fresh = ComplaintDesk(store, clock=FixedClock(_NOW))
        assert fresh.get(complaint.reference) == complaint
        assert fresh.find_by_client_key("form-1") == complaint
        assert store.summary(complaint.id) == ComplaintSummary.of(complaint)
        assert complaint.state == "closed"
        assert complaint.satisfaction is not None

    def test_receiving_twice_with_a_client_key_records_once(
        self, store: EventStore, desk: ComplaintDesk
    ) -> None:
        first = desk.receive(
            sample_actor(),
            complainant=sample_complainant(),
            channel=Channel.PHONE,
            description="Nobody called me back.",
            client_key="call-77",
        )
        again = desk.receive(
            sample_actor(),
            complainant=sample_complainant(),
            channel=Channel.PHONE,
            description="Nobody called me back.",
            client_key="call-77",
        )
        assert again == first
        assert len(list(store.iter_events())) == 1
        assert store.next_number(desk.references.scope(2026)) == 2

    def test_a_reused_reference_through_the_desk_writes_nothing(
        self, store: EventStore, desk: ComplaintDesk
    ) -> None:
        def receive() -> Complaint:
            return desk.receive(
                sample_actor(),
                complainant=sample_complainant(),
                channel=Channel.LETTER,
                description="The invoice is wrong.",
                reference="LEGACY-1",
            )

        first = receive()
        with pytest.raises(DuplicateKeyError, match="reference 'LEGACY-1' is already used"):
            receive()
        assert [e.complaint_id for _, e in store.iter_events()] == [first.id]

    def test_summaries_follow_the_desk(self, store: EventStore, desk: ComplaintDesk) -> None:
        complaint = desk.receive(
            sample_actor(),
            complainant=sample_complainant(),
            channel=Channel.EMAIL,
            description="Still waiting for my refund.",
        )
        steps: list[Callable[[], Complaint]] = [
            lambda: desk.acknowledge(complaint.id, sample_actor()),
            lambda: desk.assess(
                complaint.id,
                sample_actor("manager-1", Role.COMPLAINTS_MANAGER),
                Assessment(severity=Severity.CRITICAL),
            ),
            lambda: desk.assign(
                complaint.id,
                sample_actor("manager-1", Role.COMPLAINTS_MANAGER),
                sample_actor("carol", Role.INVESTIGATOR),
            ),
            lambda: desk.withdraw(complaint.id, sample_actor()),
            lambda: desk.reopen(complaint.id, sample_actor(), reason="Not sorted after all."),
        ]
        for step in steps:
            after = step()
            assert store.summary(complaint.id) == ComplaintSummary.of(after)
            assert version_of(store, complaint.id) == after.version
        summary = store.summary(complaint.id)
        assert summary is not None
        assert (summary.version, summary.state, summary.is_open) == (6, "investigating", True)
        assert (summary.priority, summary.assignee, summary.closed_at) == (
            Priority.URGENT,
            "carol",
            None,
        )
