"""
The storage seam's names, where they were first published; they live in
:mod:`iso10002.ports.store` now, and this module only re-exports them.
"""

from __future__ import annotations

from iso10002.ports.capabilities import Capability
from iso10002.ports.store import (
    MAX_PAGE_SIZE,
    ORDERS,
    Append,
    BatchAppender,
    ChainedStore,
    ChainRecord,
    ComplaintQuery,
    DenialStore,
    EventStore,
    OutboxEventStore,
    OutboxStore,
    Page,
    PersonalDataStore,
    RecordKeepingStore,
    append_all,
    check_batch,
    check_store,
    iter_summaries,
)

__all__ = [
    "MAX_PAGE_SIZE",
    "ORDERS",
    "Append",
    "BatchAppender",
    "Capability",
    "ChainRecord",
    "ChainedStore",
    "ComplaintQuery",
    "DenialStore",
    "EventStore",
    "OutboxEventStore",
    "OutboxStore",
    "Page",
    "PersonalDataStore",
    "RecordKeepingStore",
    "append_all",
    "check_batch",
    "check_store",
    "iter_summaries",
]
