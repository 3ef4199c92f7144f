"""
Stored events as sealed on disk: a SQLite row's sealed payload and its personal values, mutated
at random. Reading returns the events or raises ``CorruptRecord``; ``verify()`` returns a report
naming a record, never crashes; nothing else comes out.
"""

from __future__ import annotations

import datetime as _dt
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from iso10002.errors import CorruptRecord
from iso10002.integrity import verify
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing.samples import full_lifecycle
from tests.privacy.test_erasure import desk_on, zebedee

from .support import JSON_VALUES, mutated, refused_or, to_json

FAST = settings(
    max_examples=60,
    deadline=_dt.timedelta(seconds=5),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sealed") / "template.db"
    with SQLiteEventStore(path) as store:
        full_lifecycle(desk_on(store), complainant=zebedee(), reference="CMP-1")
    return path


def _rows(path: Path) -> list[tuple[int, Any, Any]]:
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT position, payload, personal FROM events ORDER BY position")
    found = [(p, json.loads(a), None if b is None else json.loads(b)) for p, a, b in rows]
    conn.close()
    return found


def _damaged(template: Path, tmp_path: Path, position: int, column: str, value: str | None) -> Path:
    path = tmp_path / f"damaged-{position}-{column}.db"
    path.unlink(missing_ok=True)
    shutil.copyfile(template, path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(f"UPDATE events SET {column} = ? WHERE position = ?", (value, position))
    conn.close()
    return path


def _check(path: Path) -> None:
    with SQLiteEventStore(path) as store:
        read = refused_or(lambda: [e for _, e in store.iter_events()])
        assert isinstance(read, (list, CorruptRecord))
        report = verify(store)
        if isinstance(read, CorruptRecord):
            assert report.finding is not None  # what cannot be read cannot be intact


@FAST
@given(data=st.data())
def test_a_mutated_personal_column_is_read_or_refused(
    template: Path, tmp_path: Path, data: st.DataObject
) -> None:
    rows = [r for r in _rows(template) if r[2] is not None]
    position, _payload, personal = data.draw(st.sampled_from(rows))
    changed = data.draw(st.one_of(mutated(personal), JSON_VALUES))
    assume(changed != personal)  # a mutation may give the same document back
    path = _damaged(template, tmp_path, position, "personal", to_json(changed))
    _check(path)
    with SQLiteEventStore(path) as store:
        assert verify(store).finding is not None  # every change to a held value is caught


@FAST
@given(data=st.data())
def test_a_mutated_sealed_payload_is_read_or_refused(
    template: Path, tmp_path: Path, data: st.DataObject
) -> None:
    position, payload, _personal = data.draw(st.sampled_from(_rows(template)))
    changed = data.draw(mutated(payload))
    _check(_damaged(template, tmp_path, position, "payload", to_json(changed)))


@pytest.mark.parametrize("text", ["", "{", "[1, 2]", '{"complainant.name": "no salt"}'])
def test_a_broken_personal_column_is_refused_by_name(
    template: Path, tmp_path: Path, text: str
) -> None:
    path = _damaged(template, tmp_path, 1, "personal", text)
    conn = sqlite3.connect(path)
    (stream_id,) = conn.execute("SELECT stream_id FROM events WHERE position = 1").fetchone()
    conn.close()
    with SQLiteEventStore(path) as store:
        with pytest.raises(CorruptRecord) as caught:
            store.read(UUID(stream_id))
        assert str(caught.value).startswith("complaint CMP-1, event seq 1 is corrupt: $.personal")
        finding = verify(store).finding
        assert finding is not None and finding.position == 1
