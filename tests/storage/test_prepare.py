"""Sealing, encoding and linking happen once, above the backends."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings

from iso10002 import Event
from iso10002.errors import ValidationError
from iso10002.integrity import GENESIS, Hasher, canonical_bytes
from iso10002.storage import Append, link, prepare_appends
from iso10002.storage._prepare import prepare_event
from iso10002.testing import note_event, received_event, summary_after
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
    history = [first, second, third]
    new, a2, a3 = prepare_appends(
        [
            Append(events=(e,), expected_version=e.seq - 1, summary=summary_after(history[: e.seq]))
            for e in history
        ]
    )
    assert new.prepared is not None and a2.prepared is not None and a3.prepared is not None
    asked: list[int] = []

    def stored(_cid: object, version: int) -> str | None:
        asked.append(version)
        return "ab" * 32

    links = link([a2, a3], stored_hash=stored, last_link=None, hasher=hasher)
    assert asked == [1]  # the second append continues from the first, not from the store
    (two,), (three,) = links
    assert two[0] == hasher.event_hash("ab" * 32, a2.prepared[0].canonical)
    assert three[0] == hasher.event_hash(two[0], a3.prepared[0].canonical)
    assert two[1] == hasher.chain_hash(GENESIS, two[0])
    assert three[1] == hasher.chain_hash(two[1], three[0])
    ((one,),) = link([new], stored_hash=stored, last_link=lambda: "b" * 64, hasher=hasher)
    assert one[0] == hasher.event_hash(GENESIS, new.prepared[0].canonical) and asked == [1]
    assert one[1] == hasher.chain_hash("b" * 64, one[0])


def test_an_append_is_prepared_once_and_only_prepared_appends_are_linked() -> None:
    first = received_event(reference="CMP-1")
    plain = Append(events=(first,), expected_version=0, summary=summary_after([first]))
    (prepared,) = prepare_appends([plain])
    assert prepared.prepared is not None and prepared == plain  # the prepared form is not compared
    (again,) = prepare_appends([prepared])
    assert again is prepared  # sealed once: the salts stay
    with pytest.raises(ValidationError):
        link([plain], stored_hash=lambda _c, _v: None, last_link=None, hasher=Hasher())
    with pytest.raises(ValidationError):  # the prepared forms of other events
        attrs.evolve(plain, prepared=(prepare_event(note_event(first, "Other.")),))
    with pytest.raises(ValidationError):
        prepare_appends([attrs.evolve(plain, expected_version=3)])


def test_preparing_an_append_keeps_every_field_it_had() -> None:
    first = received_event(reference="CMP-1")
    plain = Append(events=(first,), expected_version=0, summary=summary_after([first]), erase=True)
    (prepared,) = prepare_appends([plain])
    for field in attrs.fields(Append):
        if field.name != "prepared":
            assert getattr(prepared, field.name) == getattr(plain, field.name), field.name


def test_the_stored_json_is_the_json_the_hash_covers() -> None:
    """Encoded once: the payload and actor text stored are spliced into the hashed bytes."""
    first = received_event(reference="CMP-1")
    for event in (first, note_event(first, "Zoë's “quoted” note\n")):
        p = prepare_event(event)
        assert p.canonical == canonical_bytes(event, p.payload, p.sealed_actor)
        assert p.payload_json.encode("utf-8") in p.canonical
        assert p.actor_json.encode("utf-8") in p.canonical
        assert (
            json.loads(p.actor_json)
            == json.loads(canonical_bytes(event, p.payload, p.sealed_actor))["actor"]
        )


@settings(max_examples=150, deadline=None)
@given(event=events())
def test_any_event_is_hashed_over_the_text_it_is_stored_as(event: Event) -> None:
    p = prepare_event(event)
    assert p.canonical == canonical_bytes(event, p.payload, p.sealed_actor)
    assert json.loads(p.payload_json) == p.payload


SHIPPED = Path(__file__).resolve().parents[2] / "src" / "iso10002" / "storage"
"""The shipped stores' folders; their schema upgrades (``storage/_sql``) may seal and link."""

DONE_ABOVE = {"seal", "canonical_bytes", "canonical_from_json", "prepare_event", "event_hash"}
"""What the library does for every store, above it: no store does it for an append."""


@pytest.mark.parametrize(
    "module",
    sorted(
        p for folder in ("memory", "sqlite", "postgres") for p in (SHIPPED / folder).glob("*.py")
    ),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_the_shipped_stores_neither_seal_nor_hash_an_append(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.module != "iso10002.storage._prepare", module
            assert not {a.name for a in node.names} & DONE_ABOVE, module
        elif isinstance(node, ast.Attribute | ast.Name):
            name = node.attr if isinstance(node, ast.Attribute) else node.id
            assert name not in DONE_ABOVE | {"chain_hash", "GENESIS"}, (module, node.lineno)
