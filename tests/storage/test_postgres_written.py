"""
The PostgreSQL store's summary update sets the version and only the columns whose values changed
since what the store last wrote for the complaint at the expected version
(``storage/_sql/written.py``, as the SQLite store does for its indexed columns), in both append
paths: the one statement of a store without a key, and the two round trips of a store with one.
Where it remembers another version (another store wrote since), it sets every column.
"""

from __future__ import annotations

import datetime as _dt
import re
import uuid
from typing import Any

import attrs
import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iso10002.clock import FixedClock
from iso10002.desk import ComplaintDesk
from iso10002.errors import ConcurrencyConflict
from iso10002.integrity import verify
from iso10002.model.complaint import ComplaintSummary
from iso10002.model.events import Event
from iso10002.model.facts import ComplaintFacts
from iso10002.model.values import Channel, Priority, Role
from iso10002.storage.base import Append
from iso10002.storage.postgres import PostgresEventStore
from iso10002.storage.postgres.rows import _MUTABLE, CHANGEABLE, UPDATE_SHAPES, statements
from iso10002.testing import (
    note_event,
    received_event,
    sample_actor,
    sample_complainant,
    summary_after,
)
from iso10002.testing.storage_durability import assign_in_turns

from .pg_cluster import Cluster
from .test_postgres import NOW, fresh_schema
from .test_sqlite_append import FACTS, SUMMARY, _next

KEYS = pytest.mark.parametrize("key", [None, b"k" * 32], ids=["one statement", "two round trips"])

_SET = re.compile(r"complaints SET (.*?) WHERE id = ")

Sent = list[tuple[list[str], int]]
"""Each summary update sent: the columns it sets, and the number of parameters sent with it."""


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Sent:
    """The summary updates the stores send from here on, through either path."""
    seen: Sent = []

    def spy(cls: Any) -> None:
        original = cls.execute

        def execute(self: Any, query: Any, params: Any = None, **kwargs: Any) -> Any:
            text = query.decode() if isinstance(query, bytes) else str(query)
            found = _SET.search(text)
            if found is not None and "INSERT" not in text[: found.start()]:
                columns = [part.split(" = ")[0] for part in found.group(1).split(", ")]
                seen.append((columns, len(params or ())))
            return original(self, query, params, **kwargs)

        monkeypatch.setattr(cls, "execute", execute)

    spy(psycopg.RawCursor)  # the one statement
    spy(psycopg.Connection)  # the two round trips, and a batch
    return seen


def _store(cluster: Cluster, schema: str, key: bytes | None) -> PostgresEventStore:
    return PostgresEventStore(cluster.conninfo, schema=schema, integrity_key=key)


# -- the update sets what changed, and is sent with those parameters only ------------------------


@KEYS
def test_an_update_sets_only_what_changed_since_the_stores_own_write(
    postgres_cluster: Cluster, sent: Sent, key: bytes | None
) -> None:
    manager = sample_actor("mo", Role.COMPLAINTS_MANAGER)
    clock = FixedClock(NOW)
    schema = fresh_schema()
    with _store(postgres_cluster, schema, key) as one, _store(postgres_cluster, schema, key) as two:
        desk, other = ComplaintDesk(one, clock=clock), ComplaintDesk(two, clock=clock)
        cid = desk.receive(
            manager, complainant=sample_complainant(), channel=Channel.EMAIL, description="Hi."
        ).id
        assert sent == []  # an insert
        clock.advance(_dt.timedelta(minutes=1))
        desk.assign(cid, manager, sample_actor("ann", Role.INVESTIGATOR))
        clock.advance(_dt.timedelta(minutes=1))
        desk.add_note(cid, manager, "Called back.")
        assign, note = sent
        # The store wrote versions 1 and 2 itself: each update sets only what changed.
        assert assign[0] == ["version", "assignee", "updated_at"]
        assert note[0] == ["version", "updated_at"]
        # Another store writes the complaint: it remembers nothing of it and sets every column.
        clock.advance(_dt.timedelta(minutes=1))
        other.add_note(cid, manager, "From elsewhere.")
        assert sent[2][0] == list(_MUTABLE)
        # The first desk's command expects the version the first store wrote, which the store
        # remembers: its update sets what changed, and the version check refuses it; the desk
        # reads the complaint again and expects the row's version, which is not the one the
        # store remembers, so it sets every column.
        clock.advance(_dt.timedelta(minutes=1))
        desk.add_note(cid, manager, "Back here.")
        assert sent[3] == note
        assert sent[4][0] == list(_MUTABLE)
        # The same command, sent without the parameters of the columns left out.
        assert sent[4][1] - note[1] == len(_MUTABLE) - 2
        clock.advance(_dt.timedelta(minutes=1))
        desk.add_note(cid, manager, "Once more.")
        assert sent[5:] == [note]
        assert one.summary(cid) == two.summary(cid) == summary_after(one.read(cid))
        assert one.version(cid) == 6


# -- what the row holds is what every column would have written ----------------------------------


def _no_nul(value: Any) -> Any:
    """``value`` without NUL characters, which PostgreSQL's text cannot hold."""
    return value.replace("\x00", "?") if type(value) is str else value  # not an enum member


_SUMMARY: dict[str, st.SearchStrategy[Any]] = {n: s.map(_no_nul) for n, s in SUMMARY.items()}
_FACTS: dict[str, st.SearchStrategy[Any]] = {n: s.map(_no_nul) for n, s in FACTS.items()}


def _row(store: PostgresEventStore, cid: uuid.UUID) -> tuple[Any, ...]:
    with store._use("read a row") as conn:
        row = conn.execute(
            f'SELECT * FROM "{store.schema}".complaints WHERE id = %s'.encode(), (cid,)
        ).fetchone()
    assert row is not None
    return tuple(row)


@KEYS
def test_the_row_after_updates_of_what_changed_is_the_row_of_every_column(
    postgres_cluster: Cluster, key: bytes | None
) -> None:
    """
    Random summaries, each field of the next the very object, an equal copy or a new value, are
    appended to one schema by a store that sets what changed (and, at random steps, by a second
    store of the same schema, so that the first remembers an older version), and to another
    schema by a store that remembers nothing and sets every column: the rows are the same.
    """
    a_schema, b_schema = fresh_schema(), fresh_schema()
    with (
        _store(postgres_cluster, a_schema, key) as changed,
        _store(postgres_cluster, a_schema, key) as elsewhere,
        _store(postgres_cluster, b_schema, key) as every,
    ):
        for store in (changed, elsewhere, every):
            # Connected before the examples, whose draws a pool's thread connecting (which
            # uses the random module) would disturb.
            assert store._pool is not None
            store._pool.wait()

        @settings(max_examples=40, deadline=None)
        @given(st.data())
        def run(data: st.DataObject) -> None:
            cid = uuid.uuid4()
            reference = f"C-{cid.hex[:12]}"
            event: Event = received_event(reference=reference, complaint_id=cid)
            facts = ComplaintFacts(**{n: data.draw(s, label=n) for n, s in _FACTS.items()})
            summary = ComplaintSummary(
                **{**{n: data.draw(s, label=n) for n, s in _SUMMARY.items()}, "version": 1},
                id=cid,
                reference=reference,
                client_key=None,
                facts=facts,
            )
            plan = []  # drawn before anything is written: the pools' threads use random
            for step in range(data.draw(st.integers(min_value=1, max_value=6), label="steps")):
                if step:
                    event = note_event(event)
                    if not data.draw(st.booleans(), label="same facts"):
                        facts = ComplaintFacts(**_next(data, facts, _FACTS))
                    fields = {**_next(data, summary, _SUMMARY), "version": event.seq}
                    summary = ComplaintSummary(
                        **fields, id=cid, reference=reference, client_key=None, facts=facts
                    )
                append = Append(events=(event,), expected_version=event.seq - 1, summary=summary)
                plan.append((append, step > 0 and data.draw(st.booleans(), label="elsewhere")))
            for append, away in plan:
                (elsewhere if away else changed).append_many([append])
                every._written.clear()
                every.append_many([append])
                assert _row(changed, cid)[1:] == _row(every, cid)[1:]

        run()


# -- a store that remembers an older version never writes stale values ---------------------------


@KEYS
def test_two_stores_writing_one_complaint_in_turns_keep_the_row_right(
    postgres_cluster: Cluster, key: bytes | None
) -> None:
    """
    A store that wrote version n remembers its values; when another store wrote since, an append
    that expects n is refused by the version check (having set only what changed since n), and
    one that expects the row's version sets every column: the row and its indexes stay right.
    """
    schema = fresh_schema()
    clock = FixedClock(NOW)
    with _store(postgres_cluster, schema, key) as one, _store(postgres_cluster, schema, key) as two:
        first, manager, cid = assign_in_turns(one, two, clock)

        # Raw appends: ``one`` wrote version v; ``two`` then writes v + 1 with another assignee
        # and priority. ``one``, still expecting v, sends only what changed since its own v:
        # refused, nothing written.
        clock.advance(_dt.timedelta(minutes=1))
        first.add_note(cid, manager, "Mine.")
        v = one.version(cid)
        mine = one.summary(cid)
        assert mine is not None and one._written[cid][0] == v
        events = one.read(cid)
        theirs = note_event(events[-1])
        two.append(
            [theirs],
            expected_version=v,
            summary=attrs.evolve(
                summary_after([*events, theirs]), assignee="theirs", priority=Priority.HIGH
            ),
        )
        stale = note_event(events[-1], "Stale.")
        with pytest.raises(ConcurrencyConflict):
            one.append(
                [stale],
                expected_version=v,
                summary=attrs.evolve(summary_after([*events, stale]), category="stale"),
            )
        row = two.summary(cid)
        assert row is not None and (row.assignee, row.priority) == ("theirs", Priority.HIGH)
        assert row.category == mine.category
        # Expecting the row's version, ``one`` remembers an older one: it sets every column,
        # the assignee and priority it had written at v among them.
        latest = note_event(theirs, "Latest.")
        summary = attrs.evolve(summary_after([*events, theirs, latest]), assignee=mine.assignee)
        one.append([latest], expected_version=v + 1, summary=summary)
        assert two.summary(cid) == one.summary(cid) == summary
        assert (summary.priority, summary.assignee) == (mine.priority, mine.assignee)
        report = verify(one)
        assert report.ok, report.finding


def test_the_updates_a_schema_holds_are_bounded(postgres_cluster: Cluster) -> None:
    """Past UPDATE_SHAPES sets of columns, an update sets every column: statements stay few."""
    sql = statements(fresh_schema())
    names = CHANGEABLE.names
    values = tuple(range(len(_MUTABLE)))
    assert sql.update(()).pick(values) == (0,)  # the version alone
    assert sql.update(("updated_at",)).pick(values) == (0, _MUTABLE.index("updated_at"))
    made = {sql.update(names[i : i + 2]).changed for i in range(len(names) - 1)}
    made |= {sql.update((a, b)).changed for a in names for b in names if a < b}
    assert len(sql._updates) == UPDATE_SHAPES
    assert names in made
    assert sql.update(("state", "assignee")).changed == names  # one it never made
    every = sql.update(names)
    assert every is sql.update_every
    assert every.pick(values) == values
