"""Stores declare their levels; a declaration that promises a missing member is refused."""

from __future__ import annotations

import pytest

from iso10002 import ComplaintDesk
from iso10002.errors import ValidationError
from iso10002.ports.capabilities import Capability, capabilities_of, protocol_members
from iso10002.ports.kpi import KpiSource, SummaryKpiSource, kpi_source
from iso10002.ports.store import (
    EventStore,
    OutboxEventStore,
    RecordKeepingStore,
    check_store,
    is_outbox_store,
    is_record_keeping_store,
)
from iso10002.storage import InMemoryEventStore, SQLiteEventStore


def test_the_levels_and_what_a_full_store_implements() -> None:
    core = protocol_members(EventStore)
    outbox = protocol_members(OutboxEventStore)
    full = protocol_members(RecordKeepingStore)
    assert "version" not in core
    assert core < outbox < full
    assert (len(core), len(outbox), len(full), len(protocol_members(KpiSource))) == (9, 20, 25, 3)


def test_the_shipped_stores_declare_their_levels() -> None:
    memory = InMemoryEventStore()
    assert is_outbox_store(memory) and is_record_keeping_store(memory)
    assert Capability.KPI not in capabilities_of(memory)
    assert isinstance(kpi_source(memory), SummaryKpiSource)
    with SQLiteEventStore(":memory:") as sqlite:
        assert capabilities_of(sqlite) == frozenset(Capability)
        assert kpi_source(sqlite) is sqlite


def test_record_keeping_implies_the_outbox_level() -> None:
    class Declares:
        capabilities = frozenset({Capability.RECORD_KEEPING})

    assert capabilities_of(Declares()) == {Capability.RECORD_KEEPING, Capability.OUTBOX}


def test_a_store_that_declares_nothing_is_a_core_store() -> None:
    class Core(InMemoryEventStore):
        capabilities = frozenset()

    store = Core()
    assert not is_outbox_store(store) and not is_record_keeping_store(store)
    check_store(store)


def test_a_declared_level_with_a_missing_member_is_refused_when_the_desk_is_built() -> None:
    class Forgetful(InMemoryEventStore):
        outbox_purge = None  # type: ignore[assignment]

    with pytest.raises(ValidationError) as caught:
        ComplaintDesk(Forgetful())
    assert caught.value.field == "store"
    assert "Forgetful declares outbox (OutboxEventStore) but has no 'outbox_purge'" in str(
        caught.value
    )


def test_a_declared_kpi_source_must_implement_it() -> None:
    class Boasts(InMemoryEventStore):
        capabilities = frozenset({Capability.KPI})

    with pytest.raises(ValidationError, match=r"Boasts declares kpi \(KpiSource\) but has no"):
        ComplaintDesk(Boasts())


def test_a_declaration_must_be_a_set_of_capabilities() -> None:
    class Vague(InMemoryEventStore):
        capabilities = ("outbox",)  # type: ignore[assignment]

    with pytest.raises(ValidationError, match="must be a frozenset of Capability"):
        capabilities_of(Vague())
