"""
The seams, as protocols: what the library needs from a store, a notifier, an access log and a
KPI source, and nothing else. Ports import only the model, the errors and the one
serialization module; the adapters (storage, notify, outbox) implement them, the domain
services and the desk use them.

- :mod:`~iso10002.ports.store`: the event store in three levels, and the values that cross it.
- :mod:`~iso10002.ports.capabilities`: :class:`~iso10002.ports.capabilities.Capability`, what
  a store declares it does beyond the core.
- :mod:`~iso10002.ports.kpi`: :class:`~iso10002.ports.kpi.KpiSource`, what a KPI report reads.
- :mod:`~iso10002.ports.notify`: :class:`~iso10002.ports.notify.Notifier`.
- :mod:`~iso10002.ports.access`: :class:`~iso10002.ports.access.AccessLog`.
"""
