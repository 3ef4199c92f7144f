"""The in-memory store keys its maps by the id's number: what is not an id is found nowhere."""

from __future__ import annotations

import uuid

from iso10002.storage.memory import InMemoryEventStore


def test_lookups_with_something_that_is_not_an_id_find_nothing() -> None:
    store = InMemoryEventStore()
    not_an_id = str(uuid.uuid4())
    assert store.read(not_an_id) == []  # type: ignore[arg-type]
    assert store.version(not_an_id) == 0  # type: ignore[arg-type]
    assert store.summary(not_an_id) is None  # type: ignore[arg-type]
