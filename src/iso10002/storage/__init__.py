"""
Storage adapters behind the :class:`~iso10002.storage.base.EventStore` protocol.

- :mod:`~iso10002.storage.base`: the protocol, :class:`~iso10002.storage.base.ComplaintQuery`
  and :class:`~iso10002.storage.base.Page`, and the checks every store makes on an append.
- :mod:`~iso10002.storage.memory`: :class:`~iso10002.storage.memory.InMemoryEventStore`, for
  tests, demos and short-lived tools.
- :mod:`~iso10002.storage.sqlite`: :class:`~iso10002.storage.sqlite.SQLiteEventStore`, one
  durable file shared safely by threads and processes.
- :mod:`~iso10002.storage.postgres`: :class:`~iso10002.storage.postgres.PostgresEventStore`,
  one PostgreSQL database shared by many processes on many machines (``iso10002[postgres]``).

A third party proves its own store with :class:`iso10002.testing.EventStoreContract`.
"""
