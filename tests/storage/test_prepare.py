"""Sealing, encoding and linking happen once, above the backends."""

from __future__ import annotations

import json

from hypothesis import given, settings

from iso10002 import Event
from iso10002.integrity import GENESIS, Hasher, canonical_bytes
from iso10002.storage._prepare import complaint_hashes, log_links, prepare_event
from iso10002.testing import note_event, received_event
from tests.properties.strategies import events


def test_a_prepared_event_is_sealed_and_its_bytes_cover_the_sealed_payload() -> None:
    first = received_event(reference="CMP-1")
    p = prepare_event(first)
    assert p.personal  # the complainant's details are held apart
    assert json.loads(p.payload_json) == p.payload
    assert p.personal_json is not None and set(json.loads(p.personal_json)) == set(p.personal)
    assert p.canonical == canonical_bytes(first, p.payload)
    assert "Ada" not in p.payload_json


def test_hashes_continue_from_the_store_then_from_the_batch() -> None:
    hasher = Hasher(key=b"k")
    first = received_event(reference="CMP-1")
    second = note_event(first, "Two.")
    third = note_event(second, "Three.")
    one, two, three = (prepare_event(e) for e in (first, second, third))
    cid = first.complaint_id
    asked: list[int] = []

    def stored(_cid: object, version: int) -> str | None:
        asked.append(version)
        return "ab" * 32

    hashes = complaint_hashes(hasher, [(cid, 1, [two]), (cid, 2, [three])], stored)
    assert asked == [1]  # the second append continues from the first, not from the store
    assert hashes[0] == [hasher.event_hash("ab" * 32, two.canonical)]
    assert hashes[1] == [hasher.event_hash(hashes[0][0], three.canonical)]
    new = complaint_hashes(hasher, [(cid, 0, [one])], stored)
    assert new == [[hasher.event_hash(GENESIS, one.canonical)]] and asked == [1]


def test_the_log_chain_follows_the_last_link() -> None:
    hasher = Hasher()
    assert log_links(hasher, None, ["a" * 64]) == [hasher.chain_hash(GENESIS, "a" * 64)]
    after = log_links(hasher, "b" * 64, ["a" * 64, "c" * 64])
    assert after[1] == hasher.chain_hash(after[0], "c" * 64)


def test_the_stored_json_is_the_json_the_hash_covers() -> None:
    """Encoded once: the payload and actor text stored are spliced into the hashed bytes."""
    first = received_event(reference="CMP-1")
    for event in (first, note_event(first, "Zoë's “quoted” note\n")):
        p = prepare_event(event)
        assert p.canonical == canonical_bytes(event, p.payload)
        assert p.payload_json.encode("utf-8") in p.canonical
        assert p.actor_json.encode("utf-8") in p.canonical
        assert json.loads(p.actor_json) == json.loads(canonical_bytes(event))["actor"]


@settings(max_examples=150, deadline=None)
@given(event=events())
def test_any_event_is_hashed_over_the_text_it_is_stored_as(event: Event) -> None:
    p = prepare_event(event)
    assert p.canonical == canonical_bytes(event, p.payload)
    assert json.loads(p.payload_json) == p.payload
