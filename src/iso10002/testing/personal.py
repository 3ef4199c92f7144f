"""
:class:`PersonalDataStoreContract`: what a store that keeps personal data apart
(:class:`~iso10002.ports.store.PersonalDataStore`) must do, as pytest tests to inherit::

    from iso10002.testing import PersonalDataStoreContract

    class TestMyStoreErases(PersonalDataStoreContract):
        def make_store(self, tmp_path: Path) -> MyStore:
            return MyStore(tmp_path / "complaints")

The store must also be a :class:`~iso10002.ports.store.ChainedStore`: erasure is proven by
``verify()`` passing afterwards. Needs pytest.
"""

from __future__ import annotations

import pytest

from iso10002.clock import FixedClock
from iso10002.desk import ComplaintDesk
from iso10002.errors import ConcurrencyConflict
from iso10002.integrity.verify import verify
from iso10002.model.events import PersonalDataErased
from iso10002.model.personal import ERASED
from iso10002.model.subject import SubjectMatch
from iso10002.model.values import Actor, Complainant, ContactDetails, Role
from iso10002.ports.store import (
    Append,
    ChainedStore,
    EventStore,
    PersonalDataStore,
    append_all,
    is_record_keeping_store,
)
from iso10002.testing._contract import StoreContract
from iso10002.testing.samples import SAMPLE_START, full_lifecycle

__all__ = ["PersonalDataStoreContract"]

_ADMIN = Actor(id="dpo-1", role=Role.ADMINISTRATOR)
_NAME = "Philippa Quaverstone"
_EMAIL = "p.quaverstone@example.org"


def _person(customer_id: str | None = "C-1") -> Complainant:
    return Complainant(
        name=_NAME, contact=ContactDetails(email=_EMAIL, phone="+44 20 7946 0000"),
        customer_id=customer_id,
    )  # fmt: skip


class PersonalDataStoreContract(StoreContract[EventStore]):
    """
    The personal-data contract as pytest tests; subclass it and implement :meth:`make_store`.
    """

    @pytest.fixture
    def desk(self, store: EventStore) -> ComplaintDesk:
        """A desk on the store under test, with a fixed clock."""
        return ComplaintDesk(store, clock=FixedClock(SAMPLE_START))

    def test_keeps_personal_data_apart_and_chained(self, store: EventStore) -> None:
        assert isinstance(store, PersonalDataStore)
        assert isinstance(store, ChainedStore)
        assert is_record_keeping_store(store), (
            "declare Capability.RECORD_KEEPING in the store's capabilities"
        )

    def test_finds_a_subject_by_customer_id_or_email(
        self, store: EventStore, desk: ComplaintDesk
    ) -> None:
        assert isinstance(store, PersonalDataStore)
        one = full_lifecycle(desk, reference="P-1", complainant=_person())
        two = full_lifecycle(desk, reference="P-2", complainant=_person(None))
        full_lifecycle(desk, reference="P-3")
        assert store.find_subject(SubjectMatch(customer_id="C-1")) == [one.id]
        found = store.find_subject(SubjectMatch(email=_EMAIL.upper()))
        assert sorted(found) == sorted([one.id, two.id])
        assert store.find_subject(SubjectMatch(customer_id="C-2")) == []

    def test_erasure_clears_every_personal_value_and_keeps_the_rest(
        self, store: EventStore, desk: ComplaintDesk
    ) -> None:
        done = full_lifecycle(desk, reference="P-1", complainant=_person())
        other = full_lifecycle(desk, reference="P-2")
        summary = store.summary(done.id)
        erased = desk.erase_personal_data("P-1", _ADMIN, reason="erasure request")
        history = store.read(done.id)
        assert isinstance(history[-1].payload, PersonalDataErased)
        assert history[-1].payload.values == 11
        assert erased.complainant.name == ERASED
        assert erased.complainant.contact.phone == ERASED
        assert erased.description == ERASED
        assert [n.text for n in erased.notes] == [ERASED]
        text = repr([e.payload for e in history]) + repr(store.read(done.id))
        for secret in (_NAME, "7946", "charged twice", "ran twice"):
            assert secret not in text
        assert erased.decision is not None
        assert done.decision is not None
        assert erased.decision.remedies == done.decision.remedies
        after = store.summary(done.id)
        assert after is not None
        assert summary is not None
        assert after.facts == summary.facts
        assert store.read(other.id)[0] == desk.history("P-2")[0]
        assert desk.get("P-2").complainant == other.complainant
        assert isinstance(store, PersonalDataStore)
        assert store.find_subject(SubjectMatch(customer_id="C-1")) == []
        report = verify(store)
        assert report.ok, report.finding

    def test_an_erasure_is_atomic_with_its_record(
        self, store: EventStore, desk: ComplaintDesk
    ) -> None:
        done = full_lifecycle(desk, reference="P-1", complainant=_person())
        events = store.read(done.id)
        summary = store.summary(done.id)
        assert summary is not None
        # A stale version: the append fails, and so must the erasure that came with it.
        stale = Append(
            events=(events[-1],), expected_version=len(events) - 1, summary=summary, erase=True
        )
        with pytest.raises(ConcurrencyConflict):
            append_all(store, [stale])
        assert store.read(done.id)[0].payload == events[0].payload
        assert verify(store).ok
