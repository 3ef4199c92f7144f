"""
A batch of new complaints on PostgreSQL (an import's): its summaries and its events each go in
one ``executemany``; a taken key is then named as when each append was written alone, the
first at fault, and nothing of the batch is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from iso10002.errors import ConcurrencyConflict, DuplicateKeyError
from iso10002.integrity import verify
from iso10002.ports.store import Append
from iso10002.storage.postgres import PostgresEventStore
from iso10002.testing import note_event, received_event, summary_after

from .pg_cluster import Cluster
from .test_postgres import fresh_schema


def _new(
    n: int,
    *,
    client_key: str | None = None,
    reference: str | None = None,
    complaint_id: uuid.UUID | None = None,
) -> Append:
    """A new complaint's append of three events."""
    first = received_event(
        reference=reference or f"BATCH-{n:06d}",
        client_key=client_key or f"web:{n}",
        complaint_id=complaint_id or uuid.uuid4(),
    )
    second = note_event(first)
    events = (first, second, note_event(second, "Again."))
    return Append(events=events, expected_version=0, summary=summary_after(events))


@pytest.fixture
def store(postgres_cluster: Cluster) -> Iterator[PostgresEventStore]:
    with PostgresEventStore(postgres_cluster.conninfo, schema=fresh_schema()) as store:
        yield store


def test_a_batch_of_new_complaints_is_written_whole_and_in_order(
    store: PostgresEventStore,
) -> None:
    batch = [_new(n) for n in range(1, 8)]
    store.append_many(batch)
    logged = [e for _, e in store.iter_events()]
    assert logged == [e for a in batch for e in a.events]
    for a in batch:
        assert store.summary(a.summary.id) == a.summary
    assert verify(store, deep=True).ok


@pytest.mark.parametrize("taken", ["client key", "reference", "id"])
def test_a_taken_key_in_a_batch_names_its_append_and_writes_nothing(
    store: PostgresEventStore, taken: str
) -> None:
    stored = _new(100, client_key="web:stored")
    store.append_many([stored])
    clash = {
        "client key": _new(3, client_key="web:stored"),
        "reference": _new(3, reference=stored.summary.reference),
        "id": _new(3, complaint_id=stored.summary.id),
    }[taken]
    batch = [_new(1), _new(2), clash, _new(4)]
    if taken == "id":
        with pytest.raises(ConcurrencyConflict) as conflict:
            store.append_many(batch)
        assert conflict.value.complaint == clash.summary.reference
    else:
        with pytest.raises(DuplicateKeyError) as caught:
            store.append_many(batch)
        assert caught.value.key == taken
        expected = clash.summary.client_key if taken == "client key" else stored.summary.reference
        assert caught.value.value == expected
    assert [e for _, e in store.iter_events()] == list(stored.events)
    for a in batch:
        if a is not clash:
            assert store.summary(a.summary.id) is None
