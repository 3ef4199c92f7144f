"""Erasure, legal hold, retention purge and subject-access export, on real SQLite files."""

from __future__ import annotations

import datetime as _dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from iso10002 import ComplaintDesk
from iso10002.clock import FixedClock
from iso10002.errors import CommandRejected, ValidationError
from iso10002.integrity import Problem, verify
from iso10002.model.complaint import Complaint
from iso10002.model.events import PersonalDataErased
from iso10002.model.personal import ERASED
from iso10002.model.values import Channel, Complainant, ContactDetails, Role
from iso10002.monitoring.kpis import compute_kpis
from iso10002.monitoring.render_json import report_to_dict
from iso10002.privacy import (
    EXPORT_FORMAT,
    RetentionPolicy,
    RetentionRule,
    RetentionStart,
    SubjectMatch,
    retention_preset,
)
from iso10002.storage.base import Append, Capability, EventStore, append_all
from iso10002.storage.memory import InMemoryEventStore
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing.samples import SAMPLE_START, full_lifecycle, sample_actor

ADMIN = sample_actor("dpo-1", Role.ADMINISTRATOR)
NAME = "Zebedee Quartermaine"
EMAIL = "zebedee.q@example.org"
SECRETS = (NAME, EMAIL, "charged twice", "direct debit ran twice", "Refund the second payment")


def zebedee(customer_id: str | None = "C-77") -> Complainant:
    return Complainant(name=NAME, contact=ContactDetails(email=EMAIL), customer_id=customer_id)


@pytest.fixture(params=["sqlite", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EventStore]:
    made: EventStore = (
        SQLiteEventStore(tmp_path / "complaints.db")
        if request.param == "sqlite"
        else InMemoryEventStore()
    )
    yield made
    made.close()


def desk_on(store: EventStore, at: _dt.datetime = SAMPLE_START) -> ComplaintDesk:
    return ComplaintDesk(store, clock=FixedClock(at))


def kpis(store: EventStore) -> object:
    report = compute_kpis(
        store,
        start=SAMPLE_START - _dt.timedelta(days=30),
        end=SAMPLE_START + _dt.timedelta(days=60),
        clock=FixedClock(SAMPLE_START + _dt.timedelta(days=60)),
    )
    return report_to_dict(report)


def texts(complaint: Complaint) -> str:
    return repr(
        (
            complaint.complainant.name,
            complaint.complainant.contact,
            complaint.description,
            complaint.remedy_requested,
            [n.text for n in complaint.notes],
            complaint.decision.reasons if complaint.decision else None,
        )
    )


def test_erasure_keeps_the_proof_and_the_statistics(store: EventStore) -> None:
    desk = desk_on(store)
    done = full_lifecycle(desk, complainant=zebedee(), reference="CMP-1")
    other = full_lifecycle(desk, reference="CMP-2")
    before_kpis = kpis(store)
    before_summary = store.summary(done.id)
    assert verify(store).ok

    erased = desk.erase_personal_data("CMP-1", ADMIN, reason="erasure request", request="DSR-9")

    assert erased.erased_at is not None
    assert erased.complainant.name == ERASED
    assert erased.complainant.contact.email == ERASED
    assert erased.complainant.customer_id == ERASED
    assert erased.description == ERASED
    assert [n.text for n in erased.notes] == [ERASED]
    assert erased.decision is not None and erased.decision.reasons == ERASED
    # What is not personal stays: the outcome, the remedy's amount, the root cause, the state.
    assert erased.decision.remedies == done.decision.remedies  # type: ignore[union-attr]
    assert erased.root_cause == done.root_cause
    assert erased.state == done.state
    last = desk.history("CMP-1")[-1]
    assert isinstance(last.payload, PersonalDataErased)
    assert (last.payload.reason, last.payload.request) == ("erasure request", "DSR-9")
    # name, e-mail, customer id, description, remedy requested, acknowledgement, plan, note,
    # reasons, decision summary: the values the lifecycle wrote.
    assert last.payload.values == 10
    for secret in SECRETS:
        assert secret not in repr(desk.history("CMP-1"))
        assert secret not in texts(desk.get("CMP-1"))
    # The other complainant's data is untouched.
    assert desk.get("CMP-2").complainant == other.complainant

    report = verify(store)
    assert report.ok, report.finding
    assert kpis(store) == before_kpis
    after_summary = store.summary(done.id)
    assert after_summary is not None and before_summary is not None
    assert after_summary.facts == before_summary.facts
    assert after_summary.state == before_summary.state


def test_a_fresh_desk_reads_the_erased_complaint_as_erased(tmp_path: Path) -> None:
    path = tmp_path / "complaints.db"
    with SQLiteEventStore(path) as store:
        desk = desk_on(store)
        full_lifecycle(desk, complainant=zebedee(), reference="CMP-1")
        # A second desk has the complaint cached, with its personal data.
        other = desk_on(store)
        assert other.get("CMP-1").complainant.name == NAME
        desk.erase_personal_data("CMP-1", ADMIN, reason="erasure request")
        assert other.get("CMP-1").complainant.name == ERASED
    with SQLiteEventStore(path) as reopened:
        assert desk_on(reopened).get("CMP-1").description == ERASED


def test_no_erased_value_is_left_in_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "complaints.db"
    with SQLiteEventStore(path) as store:
        desk = desk_on(store)
        full_lifecycle(desk, complainant=zebedee(), reference="CMP-1")
        raw = path.read_bytes() + Path(f"{path}-wal").read_bytes()
        assert NAME.encode() in raw  # held, beside the sealed events
        desk.erase_personal_data("CMP-1", ADMIN, reason="erasure request")
    # Closing checkpoints the log into the file; freed space was overwritten with zeros.
    data = path.read_bytes()
    wal = Path(f"{path}-wal")
    if wal.exists():
        data += wal.read_bytes()
    for secret in SECRETS:
        assert secret.encode() not in data, secret


def test_the_sealed_events_hold_no_personal_value(tmp_path: Path) -> None:
    path = tmp_path / "complaints.db"
    with SQLiteEventStore(path) as store:
        full_lifecycle(desk_on(store), complainant=zebedee(), reference="CMP-1")
    conn = sqlite3.connect(path)
    payloads = " ".join(row[0] for row in conn.execute("SELECT payload FROM events"))
    personal = " ".join(
        row[0] for row in conn.execute("SELECT personal FROM events WHERE personal IS NOT NULL")
    )
    conn.close()
    for secret in (NAME, EMAIL, "charged twice", "direct debit ran twice"):
        assert secret not in payloads
        assert secret in personal
    assert '"$personal"' in payloads


@pytest.mark.parametrize(
    ("prepare", "why"),
    [
        ("open", "it is open: close or withdraw it first"),
        ("held", "it is under legal hold"),
        ("erased", "its personal data is erased already"),
    ],
)
def test_erasure_is_refused_while_the_records_must_stay(
    store: EventStore, prepare: str, why: str
) -> None:
    desk = desk_on(store)
    if prepare == "open":
        desk.receive(
            sample_actor(),
            complainant=zebedee(),
            channel=Channel.EMAIL,
            description="Still waiting.",
            reference="CMP-1",
        )
    else:
        full_lifecycle(desk, complainant=zebedee(), reference="CMP-1")
    if prepare == "held":
        desk.place_legal_hold("CMP-1", ADMIN, reason="claim 2026-114")
    if prepare == "erased":
        desk.erase_personal_data("CMP-1", ADMIN, reason="erasure request")
    version = desk.get("CMP-1").version
    with pytest.raises(CommandRejected) as caught:
        desk.erase_personal_data("CMP-1", ADMIN, reason="erasure request")
    assert why in str(caught.value)
    assert "CMP-1" in str(caught.value)
    assert desk.get("CMP-1").version == version  # nothing written


def test_a_released_hold_lets_erasure_through(store: EventStore) -> None:
    desk = desk_on(store)
    full_lifecycle(desk, complainant=zebedee(), reference="CMP-1")
    held = desk.place_legal_hold("CMP-1", ADMIN, reason="claim 2026-114")
    assert held.legal_hold == "claim 2026-114"
    assert held.state == "closed"  # records management, not a handling step
    with pytest.raises(CommandRejected, match="under legal hold already"):
        desk.place_legal_hold("CMP-1", ADMIN, reason="again")
    released = desk.release_legal_hold("CMP-1", ADMIN, reason="claim settled")
    assert released.legal_hold is None
    with pytest.raises(CommandRejected, match="not under legal hold"):
        desk.release_legal_hold("CMP-1", ADMIN, reason="again")
    assert desk.erase_personal_data("CMP-1", ADMIN, reason="request").erased_at is not None


def test_an_erased_complaint_takes_no_further_command(store: EventStore) -> None:
    desk = desk_on(store)
    full_lifecycle(desk, complainant=zebedee(), reference="CMP-1")
    desk.erase_personal_data("CMP-1", ADMIN, reason="erasure request")
    version = desk.get("CMP-1").version
    with pytest.raises(CommandRejected, match="personal data was erased"):
        desk.reopen("CMP-1", sample_actor("manager-1", Role.COMPLAINTS_MANAGER), reason="new")
    assert desk.get("CMP-1").version == version


def test_personal_data_restored_after_erasure_is_caught(tmp_path: Path) -> None:
    path = tmp_path / "complaints.db"
    with SQLiteEventStore(path) as store:
        full_lifecycle(desk_on(store), complainant=zebedee(), reference="CMP-1")
    conn = sqlite3.connect(path)
    saved = conn.execute("SELECT position, personal FROM events WHERE position = 1").fetchone()
    conn.close()
    with SQLiteEventStore(path) as store:
        desk_on(store).erase_personal_data("CMP-1", ADMIN, reason="erasure request")
        assert verify(store).ok
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE events SET personal = ? WHERE position = ?", (saved[1], saved[0]))
    conn.close()
    with SQLiteEventStore(path) as store:
        finding = verify(store).finding
    assert finding is not None
    assert (finding.problem, finding.position, finding.reference) == (Problem.ALTERED, 1, "CMP-1")
    assert "held after its erasure" in finding.detail


def test_the_subject_export_holds_everything_about_one_person(
    store: EventStore, tmp_path: Path
) -> None:
    desk = desk_on(store)
    full_lifecycle(desk, complainant=zebedee(), reference="CMP-1")
    full_lifecycle(desk, reference="CMP-2")  # somebody else
    # The same person again, by e-mail (in other case), without the customer id.
    again = Complainant(name=NAME, contact=ContactDetails(email=EMAIL.upper()))
    full_lifecycle(desk, complainant=again, reference="CMP-3")

    export = desk.export_subject(SubjectMatch(customer_id="C-77"))
    assert [r.complaint.reference for r in export.records] == ["CMP-1"]
    export = desk.export_subject(SubjectMatch(email=EMAIL))
    assert [r.complaint.reference for r in export.records] == ["CMP-1", "CMP-3"]

    out = tmp_path / "subject.json"
    export.write(out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == EXPORT_FORMAT
    assert [c["reference"] for c in data["complaints"]] == ["CMP-1", "CMP-3"]
    first = data["complaints"][0]
    assert len(first["history"]) == len(desk.history("CMP-1"))
    received = first["history"][0]["payload"]
    assert received["complainant"]["name"] == NAME
    assert received["description"] == "I was charged twice for my March bill."
    assert "Ada Lovelace" not in out.read_text(encoding="utf-8")

    desk.erase_personal_data("CMP-1", ADMIN, reason="erasure request")
    # Erased: found no more by its details, so only CMP-3 is still held about them.
    export = desk.export_subject(SubjectMatch(email=EMAIL))
    assert [r.complaint.reference for r in export.records] == ["CMP-3"]


def test_erasing_a_subject_erases_what_can_be_and_reports_the_rest(store: EventStore) -> None:
    desk = desk_on(store)
    full_lifecycle(desk, complainant=zebedee(), reference="CMP-1")
    full_lifecycle(desk, complainant=zebedee(), reference="CMP-2")
    full_lifecycle(desk, reference="CMP-3")
    desk.place_legal_hold("CMP-2", ADMIN, reason="claim 2026-114")
    report = desk.erase_subject(SubjectMatch(customer_id="C-77"), ADMIN, reason="request")
    assert report.erased == ("CMP-1",)
    assert dict(report.refused) == {"CMP-2": "it is under legal hold"}
    assert report.examined == 2
    assert desk.get("CMP-1").erased_at is not None
    assert desk.get("CMP-2").complainant.name == NAME
    assert desk.get("CMP-3").complainant.name == "Ada Lovelace"


def test_the_purge_erases_exactly_what_has_expired(tmp_path: Path) -> None:
    """
    FCA: 3 years from receipt, 5 for UCITS; CBI: 6 years. The purge runs on 2030-01-01.
    """
    received = {
        # reference: (received, regulation, segment)
        "FCA-OLD": (_dt.datetime(2026, 12, 31, 12, tzinfo=_dt.timezone.utc), "fca", None),
        "FCA-EDGE": (_dt.datetime(2027, 1, 1, 0, tzinfo=_dt.timezone.utc), "fca", None),
        "FCA-NEW": (_dt.datetime(2027, 1, 1, 0, 0, 1, tzinfo=_dt.timezone.utc), "fca", None),
        "UCITS": (_dt.datetime(2026, 6, 1, tzinfo=_dt.timezone.utc), "fca", "ucits"),
        "CBI": (_dt.datetime(2026, 6, 1, tzinfo=_dt.timezone.utc), "cbi", None),
        "NONE": (_dt.datetime(2026, 6, 1, tzinfo=_dt.timezone.utc), None, None),
        "HELD": (_dt.datetime(2026, 6, 1, tzinfo=_dt.timezone.utc), "fca", None),
        "OPEN": (_dt.datetime(2026, 6, 1, tzinfo=_dt.timezone.utc), "fca", None),
    }
    with SQLiteEventStore(tmp_path / "complaints.db") as store:
        for reference, (at, regulation, segment) in received.items():
            attributes = {"regulation": regulation} if regulation else {}
            if segment:
                attributes["segment"] = segment
            desk = desk_on(store, at)
            if reference == "OPEN":
                desk.receive(
                    sample_actor(),
                    complainant=zebedee(),
                    channel=Channel.EMAIL,
                    description="Not resolved yet.",
                    reference=reference,
                    attributes=attributes,
                )
                continue
            full_lifecycle(desk, complainant=zebedee(), reference=reference, attributes=attributes)
        desk = desk_on(store, _dt.datetime(2030, 1, 1, tzinfo=_dt.timezone.utc))
        desk.place_legal_hold("HELD", ADMIN, reason="claim 2029-3")
        policy = RetentionPolicy(
            rules=(*retention_preset("fca").rules, *retention_preset("cbi").rules)
        )
        before = kpis(store)
        report = desk.purge_expired(policy, ADMIN)
        assert sorted(report.erased) == ["FCA-EDGE", "FCA-OLD"]
        assert dict(report.refused) == {
            "HELD": "it is under legal hold",
            "OPEN": "it is open: close or withdraw it first",
        }
        for reference in received:
            erased = desk.get(reference).erased_at is not None
            assert erased == (reference in {"FCA-OLD", "FCA-EDGE"}), reference
        last = desk.history("FCA-OLD")[-1].payload
        assert isinstance(last, PersonalDataErased)
        assert last.reason == "retention: fca, 3 years from receipt"
        # A second run finds nothing more to do; the statistics did not move.
        assert desk.purge_expired(policy, ADMIN).erased == ()
        assert kpis(store) == before
        assert verify(store).ok


def test_retention_rules_are_checked_and_described() -> None:
    rule = RetentionRule(name="complaints", years=2, months=6, start=RetentionStart.CLOSED)
    assert rule.describe() == "2 years 6 months from closure"
    with pytest.raises(ValidationError, match="years"):
        RetentionRule(name="nothing")
    with pytest.raises(ValidationError, match="used twice"):
        RetentionPolicy(rules=(rule, rule))
    with pytest.raises(ValidationError, match="no retention preset 'fsa'; known: cbi, fca"):
        retention_preset("fsa")
    assert RetentionPolicy(rules=()).received_before(SAMPLE_START) is None


class _KeepsNothingApart(InMemoryEventStore):
    """A store that does not declare record keeping (personal data apart, erasure)."""

    capabilities = frozenset({Capability.OUTBOX})


def test_a_store_that_keeps_nothing_apart_cannot_erase_and_writes_nothing() -> None:
    store = _KeepsNothingApart()
    desk = desk_on(store)
    done = full_lifecycle(desk, complainant=zebedee(), reference="CMP-1")
    with pytest.raises(ValidationError) as caught:
        desk.erase_personal_data("CMP-1", ADMIN, reason="erasure request")
    assert caught.value.field == "store"
    assert "_KeepsNothingApart keeps no personal data apart; cannot erase personal data" in str(
        caught.value
    )
    with pytest.raises(ValidationError, match="cannot export a data subject"):
        desk.export_subject(SubjectMatch(customer_id="C-77"))
    summary = store.summary(done.id)
    assert summary is not None
    with pytest.raises(ValidationError) as refused:
        append_all(
            store,
            [Append(events=(), expected_version=0, summary=summary, erase=True)],
        )
    assert refused.value.field == "erase"
    assert desk.get("CMP-1").version == done.version
    assert desk.get("CMP-1").complainant.name == NAME


def test_a_subject_is_named_by_something() -> None:
    with pytest.raises(ValidationError) as caught:
        SubjectMatch()
    assert str(caught.value) == "subject: give a customer id, an e-mail address, or both"
    with pytest.raises(ValidationError, match="email"):
        SubjectMatch(email="not an address")
