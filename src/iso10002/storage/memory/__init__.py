"""
The in-memory store: :class:`InMemoryEventStore`, for tests, demos and short-lived tools.

- :mod:`~iso10002.storage.memory.store`: the store.
- :mod:`~iso10002.storage.memory.outbox`: its outbox, in plain Python.
"""

from iso10002.storage.memory.store import InMemoryEventStore

__all__ = ["InMemoryEventStore"]
