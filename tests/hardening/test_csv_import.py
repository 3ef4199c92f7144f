"""
The CSV importers on random cells and rows, into a real SQLite store that already holds
complaints: every record read is counted once (imported, skipped or failed), every stored
complaint replays, no event lacks its summary, and a refused file leaves the store exactly as
it was.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iso10002.errors import ImportFileError
from iso10002.importing import ImportReport, import_cfpb, import_csv
from iso10002.storage.base import ComplaintQuery
from iso10002.storage.sqlite import SQLiteEventStore
from tests.importing.support import CURRENT, assert_whole, clock, read_csv, replay_all, write_csv
from tests.importing.test_properties import COLUMNS, MAPPING

from .support import refused_or

IMPORTS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CFPB_HEADER, CFPB_RECORDS = read_csv(CURRENT)
GOOD = ["R1", "01/02/2024", "Web", "Billing", "", "", "Done", "2024-02-03", "12.50", "GBP"]

_CELL = st.one_of(
    st.text(
        alphabet=st.one_of(st.sampled_from(list(',"\r\n ;0123456789/-:.')), st.characters()),
        max_size=12,
    ),
    st.sampled_from(["", "R1", "R2", "Web", "Done", "No", "GBP", "12.50", "-1", "1e9999"]),
    st.sampled_from(["01/02/2024", "29/02/2023", "2024-02-01", "9999-12-31", "00/00/0000"]),
)


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode("utf-8", "surrogatepass")


def _state(store: SQLiteEventStore) -> tuple[Any, ...]:
    page = store.query(ComplaintQuery(limit=1000))
    return (page, list(store.iter_events()))


def _import(kind: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        db = Path(directory) / "complaints.db"
        seed = write_csv(Path(directory) / "seed.csv", CFPB_HEADER, CFPB_RECORDS[:3])
        path = Path(directory) / "input.csv"
        path.write_bytes(content)
        with SQLiteEventStore(db) as store:
            assert import_cfpb(store, seed, clock=clock()).imported == 3
            before = _state(store)
            if kind == "cfpb":
                result = refused_or(lambda: import_cfpb(store, path, clock=clock(), batch_size=2))
            else:
                result = refused_or(
                    lambda: import_csv(store, path, MAPPING, clock=clock(), batch_size=2)
                )
            if isinstance(result, ImportReport):
                assert result.read == result.imported + result.skipped + len(result.failed)
                assert len(store.query(ComplaintQuery(limit=1000)).items) == 3 + result.imported
            else:
                assert isinstance(result, ImportFileError), result
                assert _state(store) == before, "a refused file changed the store"
            assert len(replay_all(store)) == assert_whole(db)
            assert all(list(store.read(s.id)) for s in before[0].items)


@IMPORTS
@given(
    header=st.permutations([*COLUMNS, "region", "extra"]).map(list),
    rows=st.lists(st.one_of(st.just(GOOD), st.lists(_CELL, max_size=12)), max_size=6),
)
def test_random_rows_under_a_mapping(header: list[str], rows: list[list[str]]) -> None:
    _import("csv", _csv(header, rows))


@IMPORTS
@given(
    header=st.one_of(st.just(CFPB_HEADER), st.lists(st.sampled_from(CFPB_HEADER), max_size=20)),
    rows=st.lists(
        st.one_of(
            st.sampled_from([list(r.values()) for r in CFPB_RECORDS[:6]]),
            st.lists(_CELL, min_size=17, max_size=19),
        ),
        max_size=5,
    ),
)
def test_random_rows_under_a_cfpb_header(header: list[str], rows: list[list[str]]) -> None:
    _import("cfpb", _csv(header, rows))


@IMPORTS
@given(kind=st.sampled_from(["csv", "cfpb"]), content=st.binary(max_size=200))
def test_random_bytes_are_imported_or_refused_whole(kind: str, content: bytes) -> None:
    _import(kind, content)


def test_a_refused_file_leaves_the_store_as_it_was() -> None:
    # Guards the property above: a file lacking a needed column is refused, not half-read.
    _import("csv", b"id,opened\nR1,01/02/2024\n")
