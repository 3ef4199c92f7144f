"""
:class:`NumberClaimContract`: what a store that claims numbers in its appends
(:class:`~iso10002.ports.store.NumberClaimStore`, :attr:`Append.number
<iso10002.ports.store.Append.number>`) must do, as pytest tests to inherit::

    from iso10002.testing import NumberClaimContract

    class TestMyStoreClaims(NumberClaimContract):
        def make_store(self, tmp_path: Path) -> MyStore:
            return MyStore(tmp_path / "complaints")

Needs pytest.
"""

from __future__ import annotations

import pytest

from iso10002.clock import FixedClock
from iso10002.desk import ComplaintDesk
from iso10002.errors import ConcurrencyConflict, DuplicateKeyError, ValidationError
from iso10002.model.values import Channel
from iso10002.ports.store import (
    Append,
    EventStore,
    NumberClaim,
    NumberClaimStore,
    is_number_claim_store,
)
from iso10002.testing._contract import StoreContract
from iso10002.testing.samples import (
    SAMPLE_START,
    note_event,
    received_event,
    sample_actor,
    sample_complainant,
    summary_after,
)

__all__ = ["NumberClaimContract"]

_SCOPE = "reference:CMP-2026"


def _new(
    reference: str,
    *,
    claim: int | None = None,
    after: int | None = None,
    client_key: str | None = None,
) -> Append:
    """A new complaint's append, claiming number ``claim`` of the scope (from ``after``)."""
    first = received_event(reference=reference, client_key=client_key)
    number = None
    if claim is not None:
        number = NumberClaim(_SCOPE, claim, claim - 1 if after is None else after)
    return Append(
        events=(first,), expected_version=0, summary=summary_after([first]), number=number
    )


class NumberClaimContract(StoreContract[EventStore]):
    """
    The number claim contract as pytest tests; subclass it and implement :meth:`make_store`.
    """

    def _claims(self, store: EventStore) -> NumberClaimStore:
        assert is_number_claim_store(store)
        return store

    def test_declares_the_capability(self, store: EventStore) -> None:
        assert isinstance(store, NumberClaimStore)
        assert is_number_claim_store(store)

    def test_last_number_reads_the_counter_without_moving_it(self, store: EventStore) -> None:
        claims = self._claims(store)
        assert claims.last_number(_SCOPE) == 0
        assert [store.next_number(_SCOPE) for _ in range(2)] == [1, 2]
        assert [claims.last_number(_SCOPE) for _ in range(2)] == [2, 2]
        assert claims.last_number("reference:CMP-2027") == 0

    def test_an_append_sets_the_counter_to_the_number_it_claims(self, store: EventStore) -> None:
        claims = self._claims(store)
        claims.append_many([_new("A-1", claim=1)])
        claims.append_many([_new("A-2", claim=2)])
        assert claims.last_number(_SCOPE) == 2
        assert store.next_number(_SCOPE) == 3
        claims.append_many([_new("A-4", claim=4)])
        assert claims.last_number(_SCOPE) == 4

    def test_a_claim_may_skip_numbers_from_the_value_it_read(self, store: EventStore) -> None:
        claims = self._claims(store)
        claims.append_many([_new("A-1", claim=1)])
        claims.append_many([_new("A-4", claim=4, after=1)])  # 2 and 3 are used elsewhere
        assert claims.last_number(_SCOPE) == 4
        with pytest.raises(DuplicateKeyError):
            claims.append_many([_new("A-6", claim=6, after=3)])
        assert claims.last_number(_SCOPE) == 4

    def test_of_two_claims_of_one_number_one_wins(self, store: EventStore) -> None:
        claims = self._claims(store)
        winner, loser = _new("A-1", claim=1), _new("B-1", claim=1)
        claims.append_many([winner])
        with pytest.raises(DuplicateKeyError) as caught:
            claims.append_many([loser])
        assert (caught.value.key, caught.value.value) == ("reference", "B-1")
        assert store.id_for_reference("B-1") is None
        assert store.read(loser.summary.id) == []
        assert claims.last_number(_SCOPE) == 1

    def test_a_claim_behind_the_counter_is_refused(self, store: EventStore) -> None:
        claims = self._claims(store)
        for _ in range(3):
            store.next_number(_SCOPE)
        late = _new("A-2", claim=2)
        with pytest.raises(DuplicateKeyError) as caught:
            claims.append_many([late])
        assert caught.value.key == "reference"
        assert store.summary(late.summary.id) is None
        assert claims.last_number(_SCOPE) == 3
        claims.append_many([_new("A-4", claim=4)])
        assert claims.last_number(_SCOPE) == 4

    def test_an_append_that_fails_leaves_the_counter_as_it_was(self, store: EventStore) -> None:
        claims = self._claims(store)
        claims.append_many([_new("A-1", claim=1, client_key="form-1")])
        with pytest.raises(DuplicateKeyError) as caught:
            claims.append_many([_new("A-2", claim=2, client_key="form-1")])
        assert caught.value.key == "client key"
        with pytest.raises(DuplicateKeyError):
            claims.append_many([_new("A-1", claim=2)])  # the reference is taken
        assert claims.last_number(_SCOPE) == 1

    def test_a_version_conflict_leaves_the_counter_as_it_was(self, store: EventStore) -> None:
        claims = self._claims(store)
        first = received_event(reference="A-1")
        store.append([first], expected_version=0, summary=summary_after([first]))
        note = note_event(first)
        store.append([note], expected_version=1, summary=summary_after([first, note]))
        # A writer that read version 1 appends its own note, with a claim: it is too late.
        other = note_event(first, "Another note.")
        stale = Append(
            events=(other,),
            expected_version=1,
            summary=summary_after([first, other]),
            number=NumberClaim(_SCOPE, 1),
        )
        with pytest.raises(ConcurrencyConflict):
            claims.append_many([stale])
        assert claims.last_number(_SCOPE) == 0
        assert len(store.read(first.complaint_id)) == 2

    def test_a_batch_claims_in_order_all_or_nothing(self, store: EventStore) -> None:
        claims = self._claims(store)
        claims.append_many([_new("A-1", claim=1), _new("A-2", claim=2), _new("A-3", claim=3)])
        assert claims.last_number(_SCOPE) == 3
        with pytest.raises(DuplicateKeyError):
            claims.append_many([_new("A-4", claim=4), _new("B-4", claim=4)])
        assert store.id_for_reference("A-4") is None
        assert claims.last_number(_SCOPE) == 3
        with pytest.raises(DuplicateKeyError):
            claims.append_many([_new("A-4", claim=4), _new("A-1", claim=5)])
        assert store.id_for_reference("A-4") is None
        assert claims.last_number(_SCOPE) == 3

    def test_a_claim_must_be_a_number_claim(self) -> None:
        with pytest.raises(ValidationError, match="number"):
            NumberClaim(_SCOPE, 0)
        with pytest.raises(ValidationError, match="after"):
            NumberClaim(_SCOPE, 3, after=3)
        first = received_event()
        with pytest.raises(ValidationError, match="number"):
            Append(
                events=(first,),
                expected_version=0,
                summary=summary_after([first]),
                number=(_SCOPE, 1),  # type: ignore[arg-type]
            )

    def test_the_desk_numbers_with_claims_and_wastes_none(self, store: EventStore) -> None:
        claims = self._claims(store)
        desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START))
        scope = desk.references.scope(SAMPLE_START.year)
        desk.receive(
            sample_actor(),
            complainant=sample_complainant(),
            channel=Channel.EMAIL,
            description="Charged twice.",
            reference=desk.references.format(SAMPLE_START.year, 2),
        )
        made = [
            desk.receive(
                sample_actor(),
                complainant=sample_complainant(),
                channel=Channel.EMAIL,
                description="Charged twice.",
                client_key=f"form-{n}",
            ).reference
            for n in range(3)
        ]
        assert made == [desk.references.format(SAMPLE_START.year, n) for n in (1, 3, 4)]
        assert claims.last_number(scope) == 4
