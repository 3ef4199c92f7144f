"""
Storage adapters behind the store port (:mod:`iso10002.ports.store`): its protocols and values
are re-exported here and from :mod:`iso10002.storage.base` for the code written against them.

- :mod:`~iso10002.storage.memory`: :class:`~iso10002.storage.memory.InMemoryEventStore`, for
  tests, demos and short-lived tools.
- :mod:`~iso10002.storage.sqlite`: :class:`~iso10002.storage.sqlite.SQLiteEventStore`, one
  durable file shared safely by threads and processes.
- :mod:`~iso10002.storage.postgres`: :class:`~iso10002.storage.postgres.PostgresEventStore`,
  one PostgreSQL database shared by many processes on many machines (``iso10002[postgres]``).

A store writes what it is given: :func:`prepare_appends` checks, seals and encodes each append
once (:class:`PreparedEvent`), and :func:`link` computes the hash links under the store's lock.
A bulk writer buffers a desk's appends with :class:`BatchingStore` and writes them in batches,
one transaction each. A third party proves its own store with
:class:`iso10002.testing.EventStoreContract`.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iso10002.model.prepared import PreparedEvent
    from iso10002.ports.capabilities import Capability
    from iso10002.ports.store import (
        Append,
        BatchAppender,
        ChainedStore,
        ChainRecord,
        ComplaintQuery,
        DenialStore,
        EventStore,
        NumberClaim,
        NumberClaimStore,
        OutboxEventStore,
        OutboxStore,
        Page,
        PersonalDataStore,
        RecordKeepingStore,
        append_all,
        check_store,
        iter_summaries,
        link,
    )
    from iso10002.storage._prepare import prepare_appends
    from iso10002.storage.batch import BatchingStore
    from iso10002.storage.memory import InMemoryEventStore
    from iso10002.storage.postgres import PostgresEventStore
    from iso10002.storage.sqlite import SQLiteEventStore
else:
    from iso10002._lazy import attach as _attach

    __getattr__, __dir__ = _attach(__name__, __file__, globals())

__all__ = [
    "Append",
    "BatchAppender",
    "BatchingStore",
    "Capability",
    "ChainRecord",
    "ChainedStore",
    "ComplaintQuery",
    "DenialStore",
    "EventStore",
    "InMemoryEventStore",
    "NumberClaim",
    "NumberClaimStore",
    "OutboxEventStore",
    "OutboxStore",
    "Page",
    "PersonalDataStore",
    "PostgresEventStore",
    "PreparedEvent",
    "RecordKeepingStore",
    "SQLiteEventStore",
    "append_all",
    "check_store",
    "iter_summaries",
    "link",
    "prepare_appends",
]
