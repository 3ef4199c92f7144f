"""Sealing: personal values out of the hashed payload, and back; and the migration that seals."""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
import typing
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iso10002.errors import StorageError
from iso10002.integrity import canonical_bytes, verify
from iso10002.model.events import ComplaintReceived, Event, payload_types
from iso10002.model.personal import ERASED, is_personal, masked, personal_fields, personal_paths
from iso10002.model.values import (
    Attachment,
    Channel,
    Complainant,
    ContactDetails,
    Representative,
)
from iso10002.privacy.sealing import MARKER, _random_salt, commitment, markers, seal, unseal
from iso10002.serialization import dumps, structure, unstructure
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing.samples import SAMPLE_START, full_lifecycle
from tests.integrity.test_verify_sqlite import relink
from tests.privacy.test_erasure import desk_on, zebedee

text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=30).filter(
    str.strip
)


def received(values: list[str]) -> ComplaintReceived:
    """A receipt with every personal field filled, from ``values`` in turn."""
    it = iter(values * 20)
    contact = ContactDetails(
        email="someone@example.org", phone=next(it), address=next(it), postcode=next(it)
    )
    return ComplaintReceived(
        reference="CMP-1",
        complainant=Complainant(
            name=next(it),
            contact=contact,
            organization=next(it),
            accessibility_needs=(next(it), next(it)),
            representative=Representative(name=next(it), relationship=next(it), contact=contact),
            customer_id=next(it),
        ),
        channel=Channel.EMAIL,
        description=next(it),
        received_at=SAMPLE_START,
        remedy_requested=next(it),
        incident_place=next(it),
        attachments=(Attachment(uri=next(it), name=next(it)), Attachment(uri=next(it))),
    )


def test_every_personal_field_holds_text() -> None:
    """Erasure writes ERASED or an empty tuple: only text fields may be marked."""
    seen = 0
    for cls in payload_types().values():
        for path in personal_paths(cls):
            seen += 1
            assert path.split(".")[-1].isidentifier()
    assert seen >= 30
    nested = {f.nested for c in payload_types().values() for f in personal_fields(c)}
    for cls in (*payload_types().values(), *(n for n in nested if n is not None)):
        for field in attrs.fields(cls):
            if is_personal(field):
                hint = str(field.type)
                assert "str" in hint, (cls, field.name, hint)
                assert field.repr is masked, (cls, field.name)


@settings(max_examples=50, deadline=None)
@given(st.lists(text, min_size=1, max_size=5))
def test_sealing_and_unsealing_give_the_payload_back(values: list[str]) -> None:
    payload = received(values)
    sealed = seal(payload)
    assert set(sealed.personal) == set(markers(payload.type, sealed.payload))
    assert len(sealed.personal) == 20  # every personal field of the receipt is filled
    opened = unseal(payload.type, sealed.payload, sealed.personal)
    assert structure(opened, ComplaintReceived) == payload
    assert unseal(payload.type, sealed.payload, sealed.personal) == unstructure(payload)


def test_an_unsealed_payload_without_its_values_reads_as_erased() -> None:
    payload = received(["x"])
    sealed = seal(payload)
    erased = structure(unseal(payload.type, sealed.payload, None), ComplaintReceived)
    assert erased.complainant.name == ERASED
    assert erased.complainant.contact.email == ERASED
    assert erased.complainant.accessibility_needs == ()
    assert erased.attachments[0].uri == ERASED
    assert erased.attachments[1].name is None  # nothing was held there
    assert erased.channel is Channel.EMAIL
    assert erased.received_at == SAMPLE_START


def test_commitments_hide_the_value_behind_a_salt() -> None:
    a = seal(received(["SW1A 1AA"]))
    b = seal(received(["SW1A 1AA"]))
    path = "complainant.contact.postcode"
    assert (
        a.payload["complainant"]["contact"]["postcode"]
        != (b.payload["complainant"]["contact"]["postcode"])
    )
    salt, value = a.personal[path]
    assert value == "SW1A 1AA"
    assert a.payload["complainant"]["contact"]["postcode"] == {MARKER: commitment(salt, value)}
    assert commitment(salt, "SW1A 1AB") != commitment(salt, value)


def test_reprs_never_show_personal_values() -> None:
    payload = received(["Quentin Blakesley-Witt"])
    assert "Quentin" not in repr(payload)
    assert "someone@example.org" not in repr(payload)
    assert "'…'" in repr(payload)
    assert repr(ContactDetails(email=ERASED)) == (
        "ContactDetails(email='[erased]', phone=None, address=None, postcode=None)"
    )


def test_personal_fields_see_through_optional_and_tuples() -> None:
    hints = typing.get_type_hints(ComplaintReceived)
    assert "attachments" in hints
    paths = list(personal_paths(ComplaintReceived))
    assert "attachments.*.uri" in paths
    assert "complainant.representative.contact.email" in paths
    assert "channel" not in paths and "reference" not in paths


def _as_schema_5(path: Path, *, tamper: str | None = None) -> list[Event | None]:
    """
    Rewrite a current database the way the previous release stored it: plain payloads with
    their personal values inline, hashed as they were, no ``personal`` column, schema 5.
    """
    with SQLiteEventStore(path) as store:
        records = list(store.iter_chain())
    events = [r.event for r in records]
    plain = {r.position: dumps(r.event.payload) for r in records if r.event is not None}
    links = relink(records, lambda r: canonical_bytes(r.event))  # type: ignore[arg-type]
    rows = [(plain[position], digest, chain, position) for digest, chain, position in links]
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "UPDATE events SET payload = ?, personal = NULL, hash = ?, chain = ? "
            "WHERE position = ?",
            rows,
        )
        if tamper:
            conn.execute(tamper)
    conn.execute("ALTER TABLE events DROP COLUMN personal")
    conn.execute("DROP TABLE access_denials")
    conn.execute("PRAGMA user_version = 5")
    conn.close()
    return events


def test_a_schema_5_database_is_sealed_on_opening(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with SQLiteEventStore(path) as store:
        full_lifecycle(desk_on(store), complainant=zebedee(), reference="CMP-1")
    events = _as_schema_5(path)
    raw = sqlite3.connect(path)
    assert "Zebedee" in " ".join(r[0] for r in raw.execute("SELECT payload FROM events"))
    raw.close()

    with SQLiteEventStore(path) as store:
        assert [e for _, e in store.iter_events()] == events
        assert verify(store).ok
        desk = desk_on(store, SAMPLE_START + _dt.timedelta(days=1))
        desk.erase_personal_data("CMP-1", desk_on(store).get("CMP-1").received_by, reason="r")
        assert verify(store).ok
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SQLiteEventStore.SCHEMA_VERSION
    assert "Zebedee" not in " ".join(r[0] for r in raw.execute("SELECT payload FROM events"))
    raw.close()


@pytest.mark.parametrize(
    ("tamper", "why"),
    [
        (
            "UPDATE events SET payload = replace(payload, 'twice', 'once')",
            "position 1 (complaint CMP-1, seq 1) does not match its hash",
        ),
        (
            "UPDATE events SET hash = NULL WHERE position = 3",
            "position 3 (complaint CMP-1, seq 3) has no hash",
        ),
        (
            "UPDATE events SET chain = hash WHERE position = 5",
            "position 5 (complaint CMP-1, seq 5) does not follow from the log's chain",
        ),
        (
            "DELETE FROM events WHERE position = 4",
            "position 5 (complaint CMP-1, seq 5) does not match its hash",
        ),
    ],
)
def test_a_tampered_schema_5_database_is_not_resealed(
    tmp_path: Path, tamper: str, why: str
) -> None:
    path = tmp_path / "old.db"
    with SQLiteEventStore(path) as store:
        full_lifecycle(desk_on(store), complainant=zebedee(), reference="CMP-1")
    _as_schema_5(path, tamper=tamper)
    before = path.read_bytes()
    with pytest.raises(StorageError) as caught:
        SQLiteEventStore(path)
    assert why in str(caught.value)
    assert "the history is not sealed and re-hashed" in str(caught.value)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 5
    raw.close()
    assert path.read_bytes() == before


def test_fresh_salts_are_sixteen_random_bytes_each_handed_out_once() -> None:

    drawn = [_random_salt() for _ in range(1000)]  # several draws of the pool

    assert len(set(drawn)) == 1000
    assert all(len(s) == 32 and bytes.fromhex(s) for s in drawn)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_process_draws_salts_of_its_own() -> None:

    _random_salt()  # the pool now holds salts drawn ahead
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: send its next salts and leave at once
        os.write(write, "".join(_random_salt() for _ in range(4)).encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 1024).decode()
    os.waitpid(pid, 0)
    os.close(read)
    mine = "".join(_random_salt() for _ in range(4))

    assert len(child) == 128
    assert child != mine
