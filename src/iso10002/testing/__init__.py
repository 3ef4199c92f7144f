"""
Tools for testing applications built on iso10002, and for proving that a custom backend behaves
like the shipped ones.

- :class:`EventStoreContract`: the event store contract as pytest tests; subclass it and
  implement ``make_store`` (needs pytest).
- :class:`OutboxStoreContract`: the same for a store with an outbox
  (:class:`~iso10002.ports.store.OutboxStore`).
- :class:`PersonalDataStoreContract`: the same for a store that keeps personal data apart and
  erases it (:class:`~iso10002.ports.store.PersonalDataStore`).
- :class:`ConfigurationStoreContract`: the same for a store that keeps the configurations that
  governed complaints (:class:`~iso10002.ports.store.ConfigurationStore`).
- :class:`BulkLoadContract`: the same for a store that loads new complaints in bulk
  (:class:`~iso10002.ports.store.BulkLoadStore`).
- :class:`NumberClaimContract`: the same for a store that claims reference numbers in its
  appends (:class:`~iso10002.ports.store.NumberClaimStore`).
- :class:`ClientKeyContract`: the same for a store that says of many client keys at once
  which it holds (:class:`~iso10002.ports.store.ClientKeyStore`).
- :class:`SharedStoreContract`: for a store whose database outlives the store object: other
  store objects and other processes see its writes, and they survive reopening; implement
  ``store_opener``.
- :class:`KpiSourceContract`: for a store's KPI source
  (:class:`~iso10002.ports.kpi.KpiSource`): its reports are those of the reference path, over
  the store's summaries and log; implement ``make_store``.
- :class:`NotifierContract`: every :class:`~iso10002.notify.Notifier`; implement
  ``make_notifier``, returning a :class:`NotifierUnderTest`.
- :class:`AuthorizerContract`: every :class:`~iso10002.access.Authorizer`; implement
  ``make_authorizer``.
- :class:`AccessLogContract`: every access log that gives its denials back
  (:class:`ReadableAccessLog`); implement ``make_access_log``.
- Sample builders: :func:`sample_actor`, :func:`sample_complainant`, :func:`received_event`,
  :func:`note_event`, :func:`summary_after`, :func:`sample_history`, :func:`full_lifecycle`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iso10002.testing.access_log import AccessLogContract, ReadableAccessLog
    from iso10002.testing.authorizer import AuthorizerContract
    from iso10002.testing.bulk import BulkLoadContract
    from iso10002.testing.client_keys import ClientKeyContract
    from iso10002.testing.configurations import ConfigurationStoreContract
    from iso10002.testing.kpi_source import KpiSourceContract
    from iso10002.testing.notifier import NotifierContract, NotifierUnderTest
    from iso10002.testing.numbers import NumberClaimContract
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
    from iso10002.testing.storage_durability import SharedStoreContract
else:
    from iso10002._lazy import attach as _attach

    __getattr__, __dir__ = _attach(__name__, __file__, globals())

__all__ = [
    "SAMPLE_START",
    "AccessLogContract",
    "AuthorizerContract",
    "BulkLoadContract",
    "ClientKeyContract",
    "ConfigurationStoreContract",
    "EventStoreContract",
    "KpiSourceContract",
    "NotifierContract",
    "NotifierUnderTest",
    "NumberClaimContract",
    "OutboxStoreContract",
    "PersonalDataStoreContract",
    "ReadableAccessLog",
    "SharedStoreContract",
    "full_lifecycle",
    "note_event",
    "received_event",
    "sample_actor",
    "sample_complainant",
    "sample_history",
    "summary_after",
]
