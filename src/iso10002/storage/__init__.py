"""Storage adapters behind the :class:`~iso10002.storage.base.EventStore` protocol."""
