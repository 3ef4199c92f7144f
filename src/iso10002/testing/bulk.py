"""
:class:`BulkLoadContract`: what a store that loads new complaints in bulk
(:class:`~iso10002.ports.store.BulkLoadStore`) must do, as pytest tests to inherit::

    from iso10002.testing import BulkLoadContract

    class TestMyStoreBulkLoad(BulkLoadContract):
        def make_store(self, tmp_path: Path) -> MyStore:
            return MyStore(tmp_path / "complaints")

Needs pytest.
"""

from __future__ import annotations

import pickle
import uuid

import pytest

from iso10002.errors import ConcurrencyConflict, DuplicateKeyError, ValidationError
from iso10002.integrity import verify
from iso10002.model.events import Event
from iso10002.ports.store import (
    Append,
    BulkLoadStore,
    EventStore,
    RollupStore,
    is_bulk_load_store,
    is_record_keeping_store,
)
from iso10002.testing._contract import StoreContract
from iso10002.testing.outbox import entry
from iso10002.testing.samples import (
    note_event,
    received_event,
    sample_complainant,
    sample_history,
    summary_after,
)

__all__ = ["BulkLoadContract"]


def _new(events: list[Event]) -> Append:
    return Append(events=tuple(events), expected_version=0, summary=summary_after(events))


def _received(reference: str, client_key: str | None = None) -> Append:
    first = received_event(
        reference=reference,
        client_key=client_key,
        complaint_id=uuid.uuid4(),
        complainant=sample_complainant(),
    )
    return _new([first, note_event(first)])


class BulkLoadContract(StoreContract[EventStore]):
    """
    The bulk load contract as pytest tests; subclass it and implement :meth:`make_store`.
    """

    def _bulk(self, store: EventStore) -> BulkLoadStore:
        assert is_bulk_load_store(store), "declare Capability.BULK_LOAD in the capabilities"
        return store

    def _stores_as_appended(self, store: EventStore, appends: list[Append]) -> None:
        for a in appends:
            assert store.read(a.summary.id) == list(a.events)
            assert store.summary(a.summary.id) == a.summary
            if a.summary.client_key is not None:
                assert store.id_for_client_key(a.summary.client_key) == a.summary.id
        if is_record_keeping_store(store):
            report = verify(store, deep=True)
            assert report.ok, report.finding
            assert report.findings == (), report.findings
        if isinstance(store, RollupStore):
            assert store.rollup_differences() == []

    def test_declares_the_capability(self, store: EventStore) -> None:
        assert isinstance(store, BulkLoadStore)
        assert is_bulk_load_store(store)

    def test_rows_are_written_as_the_appends_are(self, store: EventStore) -> None:
        bulk = self._bulk(store)
        history = sample_history(reference="LOAD-000100", client_key="web:100")
        appends = [
            _new(history),
            *(_received(f"LOAD-{n:06d}", f"web:{n}") for n in range(1, 30)),
            _received("LOAD-000050"),
        ]
        bulk.append_rows([bulk.bulk_rows(a) for a in appends[:10]])
        # Rows pickle (a worker process makes them) and come back as they were.
        bulk.append_rows([pickle.loads(pickle.dumps(bulk.bulk_rows(a))) for a in appends[10:]])
        bulk.append_rows([])
        self._stores_as_appended(store, appends)
        assert [e.seq for _, e in store.iter_events()][:13] == list(range(1, 14))

    def test_a_load_continues_a_log_written_by_appends(self, store: EventStore) -> None:
        bulk = self._bulk(store)
        before = _received("LOAD-000001", "web:1")
        store.append(before.events, expected_version=0, summary=before.summary)
        loaded = [_received(f"LOAD-{n:06d}", f"web:{n}") for n in range(2, 6)]
        bulk.append_rows([bulk.bulk_rows(a) for a in loaded])
        after = _received("LOAD-000006")
        store.append(after.events, expected_version=0, summary=after.summary)
        self._stores_as_appended(store, [before, *loaded, after])

    def test_a_taken_key_refuses_the_whole_batch(self, store: EventStore) -> None:
        bulk = self._bulk(store)
        stored = _received("LOAD-000001", "web:1")
        bulk.append_rows([bulk.bulk_rows(stored)])
        for clash, key in (
            (_received("LOAD-000001", "web:9"), "reference"),
            (_received("LOAD-000009", "web:1"), "client key"),
            (_received("LOAD-000002", "web:8"), "reference"),  # the batch's own first
        ):
            first = _received("LOAD-000002", "web:2")
            with pytest.raises(DuplicateKeyError) as caught:
                bulk.append_rows([bulk.bulk_rows(first), bulk.bulk_rows(clash)])
            assert caught.value.key == key
            assert store.summary(first.summary.id) is None
            assert store.read(first.summary.id) == []
        with pytest.raises(ConcurrencyConflict):
            bulk.append_rows([bulk.bulk_rows(stored)])
        self._stores_as_appended(store, [stored])
        assert len(list(store.iter_events())) == 2

    def test_only_new_complaints_without_side_effects_are_loaded(self, store: EventStore) -> None:
        bulk = self._bulk(store)
        new = _received("LOAD-000001")
        later = note_event(new.events[-1])
        notice = entry("bulk-1", new.summary.reference)
        for wrong in (
            Append(
                events=(later,), expected_version=2, summary=summary_after([*new.events, later])
            ),
            Append(events=new.events, expected_version=0, summary=new.summary, erase=True),
            Append(events=new.events, expected_version=0, summary=new.summary, outbox=(notice,)),
            Append(events=new.events[1:], expected_version=0, summary=new.summary),
        ):
            with pytest.raises(ValidationError):
                bulk.bulk_rows(wrong)
        with pytest.raises(ValidationError, match="rows"):
            bulk.append_rows([("not", "rows")])
        assert list(store.iter_events()) == []
