"""
Tools for testing applications built on iso10002, and for proving that a custom backend behaves
like the shipped ones.

- :class:`EventStoreContract`: the event store contract as pytest tests; subclass it and
  implement ``make_store`` (needs pytest).
- :class:`OutboxStoreContract`: the same for a store with an outbox
  (:class:`~iso10002.ports.store.OutboxStore`).
- :class:`PersonalDataStoreContract`: the same for a store that keeps personal data apart and
  erases it (:class:`~iso10002.storage.base.PersonalDataStore`).
- Sample builders: :func:`sample_actor`, :func:`sample_complainant`, :func:`received_event`,
  :func:`note_event`, :func:`summary_after`, :func:`sample_history`, :func:`full_lifecycle`.
"""

from __future__ import annotations

from iso10002.testing.outbox import OutboxStoreContract
from iso10002.testing.personal import PersonalDataStoreContract
from iso10002.testing.samples import (
    SAMPLE_START,
    full_lifecycle,
    note_event,
    received_event,
    sample_actor,
    sample_complainant,
    sample_history,
    summary_after,
)
from iso10002.testing.storage import EventStoreContract

__all__ = [
    "SAMPLE_START",
    "EventStoreContract",
    "OutboxStoreContract",
    "PersonalDataStoreContract",
    "full_lifecycle",
    "note_event",
    "received_event",
    "sample_actor",
    "sample_complainant",
    "sample_history",
    "summary_after",
]
