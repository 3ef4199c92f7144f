"""The in-memory store against the event store contract."""

from __future__ import annotations

from pathlib import Path

from iso10002.storage.memory import InMemoryEventStore
from iso10002.testing import EventStoreContract, PersonalDataStoreContract


class TestInMemoryEventStore(EventStoreContract):
    def make_store(self, tmp_path: Path) -> InMemoryEventStore:
        return InMemoryEventStore()


def test_only_subclasses_that_make_a_store_are_collected() -> None:
    class StillAbstract(EventStoreContract):
        pass

    assert EventStoreContract.__test__ is False
    assert StillAbstract.__test__ is False
    assert TestInMemoryEventStore.__test__ is True


class TestInMemoryStoreErases(PersonalDataStoreContract):
    def make_store(self, tmp_path: Path) -> InMemoryEventStore:
        return InMemoryEventStore()
