"""
What governed a complaint is recorded: a database written under one ``holidays`` release shows,
evaluates and audits byte-for-byte the same under another.

Another release of the package is simulated by making the installed one's calendar differ: the
holiday source the demo policy and the presets read (``holidays_from_package`` and the presets'
snapshot) returns one more holiday, and the package's version string is another. See
``docs/timeliness.md``, "Recorded policies".
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from pathlib import Path

import pytest

from iso10002 import ComplaintDesk, FixedClock, Reaction, SlaPolicyApplied
from iso10002.audit import run_audit
from iso10002.audit.reports import report_to_json
from iso10002.integrity.verify import verify
from iso10002.model.configuration import SLA_POLICY
from iso10002.model.values import ClosureReason
from iso10002.simulation import _sla_policy as demo_module
from iso10002.simulation import demo_sla_config
from iso10002.sla.calendar import Holiday
from iso10002.sla.config import SlaConfig
from iso10002.sla.presets import _preset as preset_module
from iso10002.sla.presets import preset
from iso10002.sla.recorded import policy_from_record, policy_record
from iso10002.storage._prepare import prepare_event
from iso10002.storage.memory import InMemoryEventStore
from iso10002.storage.sqlite import SQLiteEventStore

from .support import STAFF, decide_and_tell, local, receive

START = local(2026, 11, 23, 9, 0)  # a Monday
LATER = local(2026, 12, 1, 12, 0)
NEW_HOLIDAY = _dt.date(2026, 11, 24)
"""A Tuesday that the other ``holidays`` release closes: inside every complaint's window."""


def another_holidays_release(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the installed ``holidays`` package look like another release with other dates."""
    real_package = demo_module.holidays_from_package  # type: ignore[attr-defined]
    real_snapshot = preset_module._snapshot

    def more(found: tuple[Holiday, ...]) -> tuple[Holiday, ...]:
        return tuple(sorted((*found, Holiday(date=NEW_HOLIDAY, name="New")), key=lambda h: h.date))

    def package(*args: object, **kwargs: object) -> tuple[Holiday, ...]:
        return more(real_package(*args, **kwargs))  # type: ignore[arg-type]

    def snapshot(*args: object) -> tuple[Holiday, ...]:
        return more(real_snapshot(*args))

    monkeypatch.setattr(demo_module, "holidays_from_package", package)
    monkeypatch.setattr(demo_module, "_holidays_version", lambda: "99.0")
    monkeypatch.setattr(preset_module, "_snapshot", snapshot)
    monkeypatch.setattr(preset_module, "_holidays_version", lambda: "99.0")


def fca() -> SlaConfig:
    """A preset's policy: its version names the holidays release, so it changes with it."""
    return SlaConfig(policies=(preset("fca-disp-1.6").policy(),), default="fca-disp-1.6")


CONFIGS: dict[str, Callable[[], SlaConfig]] = {"demo": demo_sla_config, "preset": fca}


def written(path: Path, config: SlaConfig) -> tuple[str, str]:
    """One open and one closed complaint, written under ``config``; their references."""
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(store, clock=FixedClock(START), sla=config)
        open_ref = receive(desk)
        closed_ref = receive(desk)
        decide_and_tell(desk, closed_ref)
        desk.record_reaction(closed_ref, STAFF, Reaction.ACCEPTS)
        desk.close(closed_ref, STAFF, reason=ClosureReason.RESOLVED)
    return open_ref, closed_ref


def shown(path: Path, config: SlaConfig, refs: tuple[str, ...]) -> list[str]:
    """Everything a reader sees of ``refs``, and the audit, as text."""
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(store, clock=FixedClock(LATER), sla=config)
        seen = []
        for ref in refs:
            seen.append(repr(desk.public_view(ref)))
            seen.append(repr(desk.sla_status(ref)))
            seen.append(repr(desk.sla_status(ref, as_of=START + _dt.timedelta(hours=30))))
            seen.append(repr(desk.sla_queue()))
        audit = run_audit(
            store,
            period_from=START.date(),
            period_to=LATER.date(),
            sla=config,
            now=LATER,
        )
        seen.append(report_to_json(audit))
    return seen


@pytest.mark.parametrize("kind", sorted(CONFIGS))
def test_a_database_reads_the_same_under_another_holidays_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    path = tmp_path / "complaints.db"
    before_config = CONFIGS[kind]()
    refs = written(path, before_config)
    before = shown(path, before_config, refs)

    another_holidays_release(monkeypatch)
    after_config = CONFIGS[kind]()
    assert after_config.policies[0].calendar != before_config.policies[0].calendar
    after = shown(path, after_config, refs)

    assert after == before


@pytest.mark.parametrize("kind", sorted(CONFIGS))
def test_the_other_release_governs_new_complaints_and_explicit_reapplication(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    path = tmp_path / "complaints.db"
    open_ref, closed_ref = written(path, CONFIGS[kind]())
    another_holidays_release(monkeypatch)
    config = CONFIGS[kind]()
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(store, clock=FixedClock(START), sla=config)
        old = desk.sla_status(open_ref)
        new_ref = receive(desk)
        new = desk.sla_status(new_ref)
        assert old is not None and new is not None
        # The new complaint counts in the other release's calendar, the old one in its own.
        assert "99.0" in new.calendar_version
        assert "99.0" not in old.calendar_version
        desk.add_note(closed_ref, STAFF, text="Checked after the upgrade.")  # no refusal

        moved = desk.apply_policies(STAFF)
        assert [e.complaint_id for e in moved] == [desk.get(open_ref).id]
        payload = moved[0].payload
        assert isinstance(payload, SlaPolicyApplied)
        assert payload.configuration == policy_record(config.policies[0]).fingerprint
        assert desk.apply_policies(STAFF) == []
        again = desk.sla_status(open_ref)
        assert again is not None
        assert again.calendar_version == new.calendar_version
        closed = desk.sla_status(closed_ref)
        assert closed is not None and closed.calendar_version == old.calendar_version


def test_each_policy_is_recorded_once_and_named_by_its_events() -> None:
    store = InMemoryEventStore()
    config = demo_sla_config()
    desk = ComplaintDesk(store, clock=FixedClock(START), sla=config)
    refs = [receive(desk) for _ in range(3)]
    applied = [
        e.payload
        for ref in refs
        for e in desk.history(ref)
        if isinstance(e.payload, SlaPolicyApplied)
    ]
    assert len(applied) == 3
    fingerprints = {p.configuration for p in applied}
    (fingerprint,) = fingerprints
    assert fingerprint is not None
    record = store.configuration(fingerprint)
    assert record is not None and record.kind == SLA_POLICY
    assert policy_from_record(record) == config.policies[0]
    assert store.find_configuration(SLA_POLICY, "online-retailer", "1") == record


def test_an_event_written_before_configurations_were_recorded_finds_its_policy(
    tmp_path: Path,
) -> None:
    """A history of release 0.1 names its policy by name and version only: recorded as found."""
    path = tmp_path / "old.db"
    config = demo_sla_config()
    open_ref, _ = written(path, config)
    import sqlite3

    raw = sqlite3.connect(path)
    raw.execute("DELETE FROM configurations")
    raw.execute(
        "UPDATE events SET payload = json_remove(payload, '$.configuration') "
        "WHERE type = 'sla_policy_applied'"
    )
    raw.commit()
    raw.close()
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(store, clock=FixedClock(LATER), sla=config)
        assert desk.sla_status(open_ref) is not None
        assert store.find_configuration(SLA_POLICY, "online-retailer", "1") is not None


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_policy_events_share_one_payload_and_are_stored_as_each_alone_would_be(
    tmp_path: Path, kind: str
) -> None:
    """
    Every complaint put under one policy for one reason gets the same ``sla_policy_applied``
    payload object, which the desk prepares from a template after the first ones: what it
    stores is what preparing each event on its own gives, and the chains verify.
    """
    store = InMemoryEventStore() if kind == "memory" else SQLiteEventStore(tmp_path / "db")
    desk = ComplaintDesk(store, clock=FixedClock(START), sla=demo_sla_config())
    refs = [receive(desk) for _ in range(4)]
    applied = [
        e for ref in refs for e in desk.history(ref) if isinstance(e.payload, SlaPolicyApplied)
    ]
    assert len(applied) == 4
    if kind == "memory":  # the stored events themselves, as the desk made them
        assert all(e.payload is applied[0].payload for e in applied)
    for event in applied:
        ours, alone = desk._prepare_policy_event(event), prepare_event(event)
        assert ours.event is event
        assert (ours.payload, ours.payload_json, ours.personal, ours.personal_json) == (
            alone.payload,
            alone.payload_json,
            alone.personal,
            alone.personal_json,
        )
        assert (ours.actor_json, ours.canonical, ours.sealed_actor) == (
            alone.actor_json,
            alone.canonical,
            alone.sealed_actor,
        )
    report = verify(store)
    assert report.ok, report.findings
