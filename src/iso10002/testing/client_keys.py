"""
:class:`ClientKeyContract`: what a store that says of many client keys at once which it holds
(:class:`~iso10002.ports.store.ClientKeyStore`) must do, as pytest tests to inherit::

    from iso10002.testing import ClientKeyContract

    class TestMyStoreClientKeys(ClientKeyContract):
        def make_store(self, tmp_path: Path) -> MyStore:
            return MyStore(tmp_path / "complaints")

Needs pytest.
"""

from __future__ import annotations

import uuid

from iso10002.ports.store import ClientKeyStore, EventStore, is_client_key_store
from iso10002.testing._contract import StoreContract
from iso10002.testing.samples import received_event, summary_after

__all__ = ["ClientKeyContract"]


class ClientKeyContract(StoreContract[EventStore]):
    """The client keys contract as pytest tests; subclass it and implement :meth:`make_store`."""

    def _keys(self, store: EventStore) -> ClientKeyStore:
        assert is_client_key_store(store), "declare Capability.CLIENT_KEYS in the capabilities"
        return store

    def _receive(self, store: EventStore, n: int, client_key: str | None) -> None:
        first = received_event(
            reference=f"KEYS-{n:06d}", client_key=client_key, complaint_id=uuid.uuid4()
        )
        store.append([first], expected_version=0, summary=summary_after([first]))

    def test_declares_the_capability(self, store: EventStore) -> None:
        assert isinstance(store, ClientKeyStore)
        assert is_client_key_store(store)

    def test_the_stored_client_keys_are_found_at_once(self, store: EventStore) -> None:
        keys = self._keys(store)
        for n in range(1, 601, 3):
            self._receive(store, n, f"web:{n}")
        self._receive(store, 999_998, None)
        # More keys than a statement may take at once on some databases, some asked twice,
        # some never stored.
        asked = [f"web:{n}" for n in range(1, 700)] + ["web:1", "web:none", "WEB:1"]
        found = keys.stored_client_keys(asked)
        assert found == {k for k in asked if store.id_for_client_key(k) is not None}
        assert len(found) == 200
        assert keys.stored_client_keys([]) == set()
        assert keys.stored_client_keys(["web:none"]) == set()

    def test_a_key_stored_since_is_found(self, store: EventStore) -> None:
        keys = self._keys(store)
        assert keys.stored_client_keys(["web:later"]) == set()
        self._receive(store, 1, "web:later")
        assert keys.stored_client_keys(["web:later", "web:other"]) == {"web:later"}
