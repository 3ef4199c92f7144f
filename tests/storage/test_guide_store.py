"""
The store that docs/storage.md writes from scratch ("Writing your own store") is a real store:
its code, taken from the page, passes every level's contract suite, and a desk on it gets
``verify``, erasure and the outbox.

The page's blocks whose first line starts with ``# dict_store.py`` are its store; they are
joined into one module, each block at its own line of the page so that a traceback points into
the Markdown, and imported under :data:`MODULE`.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from iso10002 import (
    Actor,
    Channel,
    Complainant,
    ComplaintDesk,
    ContactDetails,
    FixedClock,
    InvalidTransition,
    Role,
    StoreAccessLog,
)
from iso10002.integrity import Problem, verify
from iso10002.letters import LetterSettings, LetterWriter
from iso10002.model.subject import SubjectMatch
from iso10002.notify import RecordingNotifier
from iso10002.outbox import NotificationPolicy, OutboxDispatcher, OutboxQuery, OutboxState
from iso10002.programme import Escalation
from iso10002.testing import (
    AccessLogContract,
    ConfigurationStoreContract,
    EventStoreContract,
    KpiSourceContract,
    NumberClaimContract,
    OutboxStoreContract,
    PersonalDataStoreContract,
    full_lifecycle,
)
from tests.test_docs import ROOT, python_blocks

PAGE = ROOT / "docs" / "storage.md"
MARKER = "# dict_store.py"
MODULE = "storage_guide_dict_store"
"""The name the page's store is imported under."""


def guide_source() -> str:
    """The page's store blocks as one module, each block at its line of the page."""
    lines: list[str] = []
    for block in python_blocks(PAGE):
        if not block.code.startswith(MARKER):
            continue
        lines.extend([""] * (block.line - 1 - len(lines)))
        lines.extend(block.code.splitlines())
    assert lines, f"no block of {PAGE.name} starts with {MARKER!r}"
    return "\n".join(lines) + "\n"


@functools.cache
def guide() -> ModuleType:
    """The page's store, imported once."""
    spec = importlib.util.spec_from_loader(MODULE, loader=None, origin=str(PAGE))
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__file__ = str(PAGE)
    sys.modules[MODULE] = module
    exec(compile(guide_source(), str(PAGE), "exec", dont_inherit=True), module.__dict__)
    return module


def store(level: str, **kwargs: Any) -> Any:
    """A new store of the page's class ``level``."""
    return getattr(guide(), level)(**kwargs)


def test_the_page_writes_one_store_per_level() -> None:
    source = guide_source()
    assert source.count(MARKER) == 6
    # The store is written from scratch, from the public API: it imports none of the shipped
    # stores and no private module or name.
    imported = [
        (node.module or "", alias.name)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    ]
    assert imported
    for module, name in imported:
        assert not any(part.startswith("_") for part in [*module.split("."), name]), module
        assert not module.startswith("iso10002.storage."), module
        assert not name.endswith("EventStore"), name
    # It stores what it is given: the library seals, encodes and hashes (prepare_appends, link).
    called = {
        node.attr if isinstance(node, ast.Attribute) else node.id
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute | ast.Name)
    }
    assert not called & {"seal", "canonical_bytes", "event_hash", "chain_hash", "GENESIS"}
    for name in (
        "DictStore",
        "DictOutboxStore",
        "DictRecordStore",
        "DictKpiStore",
        "DictConfigStore",
        "DictNumberStore",
    ):
        assert isinstance(getattr(guide(), name), type)


# -- every level's contract ------------------------------------------------------------------------


class TestLevelOne(EventStoreContract):
    def make_store(self, tmp_path: Path) -> Any:
        return store("DictStore")


class TestLevelTwo(EventStoreContract):
    def make_store(self, tmp_path: Path) -> Any:
        return store("DictOutboxStore")


class TestLevelTwoOutbox(OutboxStoreContract):
    def make_store(self, tmp_path: Path) -> Any:
        return store("DictOutboxStore")


class TestLevelThree(EventStoreContract):
    def make_store(self, tmp_path: Path) -> Any:
        return store("DictRecordStore")


class TestLevelThreeOutbox(OutboxStoreContract):
    def make_store(self, tmp_path: Path) -> Any:
        return store("DictRecordStore")


class TestLevelThreeErases(PersonalDataStoreContract):
    def make_store(self, tmp_path: Path) -> Any:
        return store("DictRecordStore")


class TestLevelThreeDenials(AccessLogContract):
    def make_access_log(self, tmp_path: Path) -> StoreAccessLog:
        return StoreAccessLog(store("DictRecordStore"))


class TestKpiSource(KpiSourceContract):
    def make_store(self, tmp_path: Path) -> Any:
        return store("DictKpiStore")


class TestKpiStore(EventStoreContract):
    def make_store(self, tmp_path: Path) -> Any:
        return store("DictKpiStore")


class TestConfigurations(ConfigurationStoreContract):
    def make_store(self, tmp_path: Path) -> Any:
        return store("DictConfigStore")


class TestConfigStore(EventStoreContract):
    def make_store(self, tmp_path: Path) -> Any:
        return store("DictConfigStore")


class TestNumberClaims(NumberClaimContract):
    def make_store(self, tmp_path: Path) -> Any:
        return store("DictNumberStore")


class TestNumberStore(EventStoreContract):
    def make_store(self, tmp_path: Path) -> Any:
        return store("DictNumberStore")


# -- a desk on the page's store --------------------------------------------------------------------

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
STAFF = Actor(id="u-1", role=Role.COMPLAINTS_MANAGER)
DPO = Actor(id="dpo-1", role=Role.ADMINISTRATOR)
ADA = Complainant(
    name="Ada Lovelace", contact=ContactDetails(email="ada@example.org"), customer_id="C-7"
)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def record_store() -> Any:
    return store("DictRecordStore", integrity_key=b"kept elsewhere")


@pytest.fixture
def desk(record_store: Any, clock: FixedClock) -> ComplaintDesk:
    settings = LetterSettings(
        organisation="Example Ltd",
        signature="The Complaints Team",
        escalation=Escalation(internal_review_by="our Customer Relations Manager"),
    )
    letters = NotificationPolicy(letters=LetterWriter(settings=settings))
    return ComplaintDesk(record_store, clock=clock, notifications=letters)


def test_verify_passes_then_names_the_altered_record(
    record_store: Any, desk: ComplaintDesk
) -> None:
    one = full_lifecycle(desk, reference="G-1", complainant=ADA)
    two = full_lifecycle(desk, reference="G-2")
    report = verify(record_store)
    assert report.ok, report.finding
    assert report.keyed
    assert report.events == one.version + two.version

    # Somebody edits one stored value with another tool: the second complaint's third event.
    position = record_store._streams[two.id][2]
    record = record_store._log[position - 1]
    assert record["event"]["seq"] == 3
    record["event"]["actor"]["id"] = "somebody-else"
    report = verify(record_store)
    assert report.finding is not None
    assert report.finding.problem is Problem.ALTERED
    assert (report.finding.position, report.finding.reference, report.finding.seq) == (
        position,
        "G-2",
        3,
    )


def test_verify_names_a_record_whose_personal_value_was_changed(
    record_store: Any, desk: ComplaintDesk
) -> None:
    done = full_lifecycle(desk, reference="G-1", complainant=ADA)
    first = record_store._streams[done.id][0]
    personal = record_store._log[first - 1]["personal"]
    salt, _ = personal["complainant.name"]
    personal["complainant.name"] = (salt, "Ada Byron")
    report = verify(record_store)
    assert report.finding is not None
    assert (report.finding.position, report.finding.reference) == (first, "G-1")


def test_erasure_clears_the_complaint_and_keeps_the_proof(
    record_store: Any, desk: ComplaintDesk
) -> None:
    done = full_lifecycle(desk, reference="G-1", complainant=ADA)
    other = full_lifecycle(desk, reference="G-2", complainant=ADA)
    assert record_store.outbox_records(OutboxQuery(complaint_reference="G-1"))
    assert sorted(record_store.find_subject(SubjectMatch(customer_id="C-7"))) == sorted(
        [done.id, other.id]
    )

    erased = desk.erase_personal_data("G-1", DPO, reason="erasure request")
    assert erased.complainant.name == "[erased]"
    assert "Lovelace" not in repr(record_store.read(done.id))
    for position in record_store._streams[done.id]:
        assert "Lovelace" not in repr(record_store._log[position - 1])
    assert record_store.outbox_records(OutboxQuery(complaint_reference="G-1")) == []
    assert record_store.find_subject(SubjectMatch(customer_id="C-7")) == [other.id]
    assert desk.get("G-2").complainant == ADA
    assert verify(record_store).ok


def test_the_outbox_delivers_what_the_commands_wrote(
    record_store: Any, desk: ComplaintDesk, clock: FixedClock
) -> None:
    complaint = desk.receive(
        STAFF, complainant=ADA, channel=Channel.EMAIL, description="Charged twice."
    )
    desk.acknowledge(complaint.reference, STAFF)
    written = record_store.outbox_records(OutboxQuery())
    assert [r.notification.kind for r in written] == ["acknowledgement"]
    with pytest.raises(InvalidTransition):
        desk.acknowledge(complaint.reference, STAFF)  # refused: writes no notification either
    assert record_store.outbox_records(OutboxQuery()) == written

    mail = RecordingNotifier(clock=clock)
    report = OutboxDispatcher(record_store, {"smtp": mail}, clock=clock).dispatch()
    assert (report.claimed, report.delivered) == (1, 1)
    assert [(n.kind, n.recipient) for n in mail.sent] == [("acknowledgement", "ada@example.org")]
    assert mail.sent[0].complaint_reference == complaint.reference
    counts = record_store.outbox_counts()
    assert (counts[OutboxState.PENDING], counts[OutboxState.DELIVERED]) == (0, 1)


def test_a_desk_takes_each_level_and_refuses_what_the_level_lacks() -> None:
    core = store("DictStore")
    desk = ComplaintDesk(core)
    c = desk.receive(STAFF, complainant=ADA, channel=Channel.EMAIL, description="Charged twice.")
    assert desk.get(c.reference).state == "received"
    with pytest.raises(Exception, match="outbox"):
        ComplaintDesk(core, notifications=lambda change: [])
    for level in (
        "DictOutboxStore",
        "DictRecordStore",
        "DictKpiStore",
        "DictConfigStore",
        "DictNumberStore",
    ):
        ComplaintDesk(store(level))


def test_a_desk_on_the_page_store_claims_numbers_only_where_declared() -> None:
    form: dict[str, Any] = {
        "complainant": ADA,
        "channel": Channel.EMAIL,
        "description": "Charged twice.",
    }
    for level, claims in (("DictConfigStore", False), ("DictNumberStore", True)):
        paged = store(level)
        desk = ComplaintDesk(paged, clock=FixedClock(T0))
        made = [desk.receive(STAFF, **form).reference for _ in range(3)]
        assert made == [f"CMP-2026-00000{n}" for n in (1, 2, 3)]
        assert hasattr(paged, "last_number") is claims
        assert paged._counters == {"reference:CMP-2026": 3}
