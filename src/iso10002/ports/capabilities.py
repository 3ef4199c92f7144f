"""
What a store declares it can do, beyond the core event store: :class:`Capability`.

A store lists its capabilities in a ``capabilities`` attribute, a frozenset of
:class:`Capability`; a store without one is a core event store. The library reads that
declaration with :func:`capabilities_of` instead of guessing from the methods a store happens
to have, so that a store which implements part of a level by accident is never taken for one
that keeps its promises.
"""

from __future__ import annotations

import inspect
from enum import Enum
from typing import Protocol

from iso10002.errors import ValidationError

__all__ = ["Capability", "capabilities_of", "protocol_members"]


class Capability(str, Enum):
    """One thing a store may declare it does, beyond the core event store."""

    OUTBOX = "outbox"
    """Level 2, :class:`~iso10002.ports.store.OutboxEventStore`: batch appends that write
    notifications in the same transaction as their events, and the outbox's methods."""
    RECORD_KEEPING = "record_keeping"
    """Level 3, :class:`~iso10002.ports.store.RecordKeepingStore`: hash chains, personal data
    kept apart and erasable, access denials. Implies :attr:`OUTBOX`."""
    CONFIGURATIONS = "configurations"
    """:class:`~iso10002.ports.store.ConfigurationStore`: the store keeps the exact content of
    each configuration that governed a complaint, once, under its fingerprint."""
    SEALED_TABLES = "sealed_tables"
    """:class:`~iso10002.ports.store.SealedTablesStore`: the outbox records and access denials
    are sealed like the events, and the counters can be read, so that
    :func:`~iso10002.integrity.verify` checks every table. Implies :attr:`RECORD_KEEPING`."""
    NUMBER_CLAIMS = "number_claims"
    """:class:`~iso10002.ports.store.NumberClaimStore`: an append may claim a counter's number
    (:attr:`~iso10002.ports.store.Append.number`), applied in the append's transaction, so that
    an append that fails uses up no number. A store that does not declare it is never handed
    such an append."""
    BULK_LOAD = "bulk_load"
    """:class:`~iso10002.ports.store.BulkLoadStore`: new complaints are loaded in bulk (an
    import) as rows the store makes itself, which another process may make, and written a
    batch at a time, faster than their appends."""
    CLIENT_KEYS = "client_keys"
    """:class:`~iso10002.ports.store.ClientKeyStore`: the store says of many client keys at
    once which it holds, so that an import asks once a batch instead of once a record."""
    KPI = "kpi"
    """:class:`~iso10002.ports.kpi.KpiSource`: the store reads the rows a KPI report needs
    itself, faster than through its summaries."""


# Levels are cumulative: a record-keeping store erases through the outbox level's batches.
_IMPLIES: dict[Capability, frozenset[Capability]] = {
    Capability.RECORD_KEEPING: frozenset({Capability.OUTBOX}),
    Capability.SEALED_TABLES: frozenset({Capability.RECORD_KEEPING, Capability.OUTBOX}),
}


def capabilities_of(store: object) -> frozenset[Capability]:
    """
    What ``store`` declares in its ``capabilities`` attribute, with what each implies; empty
    for a store that declares nothing (a core event store).

    Raises:
        ValidationError: the attribute is there but is not a set of :class:`Capability`.
    """
    declared: object = getattr(store, "capabilities", frozenset())
    if not isinstance(declared, (set, frozenset)) or not all(
        isinstance(c, Capability) for c in declared
    ):
        raise ValidationError(
            "store",
            f"{type(store).__name__}.capabilities must be a frozenset of Capability, "
            f"got {declared!r}",
        )
    implied = frozenset().union(*(_IMPLIES.get(c, frozenset()) for c in declared))
    return frozenset(declared) | implied


def protocol_members(protocol: type) -> frozenset[str]:
    """The public names a protocol class (and the protocols it extends) declares."""
    names: set[str] = set()
    for cls in inspect.getmro(protocol):
        if cls is Protocol or cls is object or not getattr(cls, "_is_protocol", False):
            continue
        names.update(n for n in vars(cls) if not n.startswith("_"))
        names.update(n for n in getattr(cls, "__annotations__", {}) if not n.startswith("_"))
    return frozenset(names)
