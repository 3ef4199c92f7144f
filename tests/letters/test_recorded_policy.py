"""
A letter for an old complaint is written with the policy recorded for it, as the desk reads it,
not with today's edited configuration.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from iso10002 import ComplaintDesk, FixedClock, SQLiteEventStore
from iso10002.letters import LetterWriter
from iso10002.sla.config import SlaConfig
from iso10002.sla.presets import preset

from .support import OFFICE, START, SYDNEY, receive, settings


def _config(calendar: object) -> SlaConfig:
    policy = preset("fca-disp-1.5").policy(calendar=calendar)  # type: ignore[arg-type]
    return SlaConfig(policies=(policy,), default=policy.name)


def test_an_acknowledgement_for_an_old_complaint_keeps_its_recorded_deadlines(
    tmp_path: Path,
) -> None:
    with SQLiteEventStore(tmp_path / "complaints.db") as store:
        then = ComplaintDesk(store, clock=FixedClock(START), sla=_config(SYDNEY))
        ref = receive(then).reference
        complaint, report = then.get(ref), then.sla_status(ref)
        written_then = LetterWriter(
            settings=settings(), sla_config=then.sla, store=store
        ).acknowledgement(complaint, sla=report)

        # The policy is edited later: the same name and version, counted in another calendar.
        edited = _config(OFFICE)
        now = ComplaintDesk(store, clock=FixedClock(START), sla=edited)
        old_report = now.sla_status(ref)
        assert old_report == report  # the desk reads the recorded policy
        recorded = LetterWriter(settings=settings(), sla_config=now.sla, store=store)
        today = LetterWriter(settings=settings(), sla_config=now.sla)

        letter = recorded.acknowledgement(now.get(ref), sla=old_report)
        unrecorded = today.acknowledgement(now.get(ref), sla=old_report)

    assert letter == written_then
    # Without the store the writer can only read today's configuration: another zone.
    assert unrecorded.notification.text != letter.notification.text
    assert attrs.evolve(unrecorded, notification=letter.notification) == letter


def test_a_letter_for_a_policy_version_no_longer_configured_is_still_written(
    tmp_path: Path,
) -> None:
    with SQLiteEventStore(tmp_path / "complaints.db") as store:
        then = ComplaintDesk(store, clock=FixedClock(START), sla=_config(SYDNEY))
        ref = receive(then).reference
        old = preset("fca-disp-1.5").policy(calendar=OFFICE)
        renamed = attrs.evolve(old, version=old.version + "-next")
        now = ComplaintDesk(
            store,
            clock=FixedClock(START),
            sla=SlaConfig(policies=(renamed,), default=renamed.name),
        )
        report = now.sla_status(ref)
        assert report is not None
        letter = LetterWriter(settings=settings(), sla_config=now.sla, store=store).acknowledgement(
            now.get(ref), sla=report
        )
    assert ref in letter.notification.subject
