"""
:class:`AccessLogContract`: what every access log that can be read back must do, as a pytest
test class to inherit. The desk records each denial in its log (4.12, accountability); the log
gives them back, oldest first, and never holds personal data.

Prove a log conforms by saying how to make an empty one::

    from iso10002.testing import AccessLogContract

    class TestAuditTrailLog(AccessLogContract):
        def make_access_log(self, tmp_path: Path) -> AuditTrailLog:
            return AuditTrailLog(tmp_path / "denials.db")

        def close_access_log(self, log: AuditTrailLog) -> None:
            log.close()

Needs pytest.
"""

from __future__ import annotations

import abc
import datetime as _dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

import attrs
import pytest

from iso10002.access import AccessLog, Action, DenialRecord, RoleBasedAuthorizer
from iso10002.clock import FixedClock
from iso10002.desk import ComplaintDesk
from iso10002.errors import NaiveDatetimeError, PermissionDenied, ValidationError
from iso10002.model.values import Actor, Channel, Complainant, ContactDetails, Role
from iso10002.testing._contract import Contract

__all__ = ["AccessLogContract", "ReadableAccessLog"]

_UTC = _dt.timezone.utc
_T0 = _dt.datetime(2026, 3, 2, 9, 0, tzinfo=_UTC)
_INDIA = _dt.timezone(_dt.timedelta(hours=5, minutes=30))
_PACIFIC = _dt.timezone(_dt.timedelta(hours=-8))


@runtime_checkable
class ReadableAccessLog(AccessLog, Protocol):
    """**Protocol:** an access log that gives its denials back, as the contract needs."""

    def denials(
        self, *, since: _dt.datetime | None = None, limit: int = 1000
    ) -> list[DenialRecord]:
        """The denials recorded at or after ``since`` (all if ``None``), oldest first."""
        ...


def _denial(minutes: float, **fields: object) -> DenialRecord:
    values: dict[str, object] = {
        "at": _T0 + _dt.timedelta(minutes=minutes),
        "actor_id": "fl-1",
        "role": Role.FRONT_LINE,
        "action": Action.DECIDE,
        "complaint_id": uuid.UUID("00000000-0000-4000-8000-000000000001"),
        "reference": "CMP-2026-000001",
        "reason": "the front_line role is not granted decide",
    }
    values.update(fields)
    return DenialRecord(**values)  # type: ignore[arg-type]


def _three() -> list[DenialRecord]:
    """Three denials, oldest first, with every optional field left out somewhere."""
    return [
        _denial(0),
        _denial(
            5,
            actor_id=None,
            role=None,
            action=Action.QUERY,
            complaint_id=None,
            reference=None,
            reason="no actor was named",
        ),
        _denial(
            90,
            actor_id="inv-2",
            role=Role.INVESTIGATOR,
            action=Action.GET,
            reason="the complaint is not assigned to inv-2 — «é» 日本",
        ),
    ]


class AccessLogContract(Contract):
    """
    The access log contract as pytest tests; subclass it and implement
    :meth:`make_access_log`.
    """

    contract_hook: ClassVar[str] = "make_access_log"

    @abc.abstractmethod
    def make_access_log(self, tmp_path: Path) -> ReadableAccessLog:
        """Return a new, empty log; ``tmp_path`` is a fresh directory it may keep files in."""

    def close_access_log(self, log: ReadableAccessLog) -> None:
        """Release what ``log`` holds after each test; nothing unless overridden."""

    @pytest.fixture
    def log(self, tmp_path: Path) -> Iterator[ReadableAccessLog]:
        """The log under test, released afterwards."""
        log = self.make_access_log(tmp_path)
        try:
            yield log
        finally:
            self.close_access_log(log)

    @staticmethod
    def record(log: ReadableAccessLog, *denials: DenialRecord) -> None:
        """Record ``denials`` in order."""
        for denial in denials:
            log.record(denial)

    # -- recording and reading back -------------------------------------------------------------

    def test_is_an_access_log_and_starts_empty(self, log: ReadableAccessLog) -> None:
        assert isinstance(log, AccessLog)
        assert isinstance(log, ReadableAccessLog)
        assert log.denials() == []

    def test_gives_back_every_field_as_recorded(self, log: ReadableAccessLog) -> None:
        denials = _three()
        self.record(log, *denials)
        assert log.denials() == denials
        # Instants are the same instants whatever offset they were written with.
        written = _denial(120, at=(_T0 + _dt.timedelta(minutes=120)).astimezone(_INDIA))
        log.record(written)
        assert log.denials()[-1] == written
        assert log.denials()[-1].at == _T0 + _dt.timedelta(minutes=120)

    def test_denials_come_back_oldest_first(self, log: ReadableAccessLog) -> None:
        first, second, third = _three()
        self.record(log, third, first, second)
        assert log.denials() == [first, second, third]

    def test_denials_at_one_instant_keep_the_order_recorded(self, log: ReadableAccessLog) -> None:
        tied = [_denial(1, actor_id=f"fl-{n}") for n in (3, 1, 2)]
        self.record(log, _denial(2), *tied, _denial(0))
        assert log.denials() == [_denial(0), *tied, _denial(2)]

    # -- since and limit ------------------------------------------------------------------------

    def test_since_is_inclusive_in_any_offset(self, log: ReadableAccessLog) -> None:
        first, second, third = _three()
        self.record(log, first, second, third)
        assert log.denials(since=second.at) == [second, third]
        assert log.denials(since=second.at.astimezone(_PACIFIC)) == [second, third]
        assert log.denials(since=second.at + _dt.timedelta(microseconds=1)) == [third]
        assert log.denials(since=first.at - _dt.timedelta(days=1)) == [first, second, third]
        assert log.denials(since=third.at + _dt.timedelta(seconds=1)) == []

    def test_limit_keeps_the_oldest(self, log: ReadableAccessLog) -> None:
        first, second, third = _three()
        self.record(log, third, first, second)
        assert log.denials(limit=1) == [first]
        assert log.denials(limit=2) == [first, second]
        assert log.denials(limit=3) == log.denials(limit=1000) == [first, second, third]
        assert log.denials(since=second.at, limit=1) == [second]

    @pytest.mark.parametrize(
        ("since", "limit", "error", "field"),
        [
            (_T0.replace(tzinfo=None), 10, NaiveDatetimeError, "since"),
            ("2026-03-02", 10, ValidationError, "since"),
            (None, 0, ValidationError, "limit"),
            (None, -1, ValidationError, "limit"),
            (None, True, ValidationError, "limit"),
            (None, 2.5, ValidationError, "limit"),
        ],
        ids=["naive since", "text since", "zero", "negative", "bool", "float"],
    )
    def test_a_bad_listing_is_refused_naming_the_argument(
        self,
        log: ReadableAccessLog,
        since: object,
        limit: object,
        error: type[ValidationError],
        field: str,
    ) -> None:
        log.record(_denial(0))
        with pytest.raises(error) as caught:
            log.denials(since=since, limit=limit)  # type: ignore[arg-type]
        assert caught.value.field == field

    def test_only_denial_records_are_kept(self, log: ReadableAccessLog) -> None:
        with pytest.raises(ValidationError) as caught:
            log.record("fl-1 may not decide")  # type: ignore[arg-type]
        assert caught.value.field == "denial"
        assert log.denials() == []

    # -- through the desk -----------------------------------------------------------------------

    def test_a_denial_by_the_desk_is_kept_without_personal_data(
        self, log: ReadableAccessLog
    ) -> None:
        clock = FixedClock(_T0)
        desk = ComplaintDesk(clock=clock, authorizer=RoleBasedAuthorizer(), access_log=log)
        try:
            complaint = desk.receive(
                Actor(id="fl-1", role=Role.FRONT_LINE, name="Fran Frontline"),
                complainant=Complainant(
                    name="Philippa Quaverstone",
                    contact=ContactDetails(email="pq@example.org", phone="+44 20 7946 0555"),
                    customer_id="cust-7",
                ),
                channel=Channel.PHONE,
                description="The boiler engineer never came to 14 Larkspur Lane.",
            )
            clock.advance(_dt.timedelta(minutes=3))
            stranger = Actor(id="cust-9", role=Role.COMPLAINANT, name="Sam Stranger")
            with pytest.raises(PermissionDenied):
                desk.get(complaint.reference, actor=stranger)
        finally:
            desk.store.close()
        (kept,) = log.denials()
        assert (kept.at, kept.actor_id, kept.role, kept.action) == (
            _T0 + _dt.timedelta(minutes=3),
            "cust-9",
            Role.COMPLAINANT,
            Action.GET,
        )
        assert (kept.complaint_id, kept.reference) == (complaint.id, complaint.reference)
        text = repr(kept) + repr(attrs.asdict(kept))
        for personal in ("Quaverstone", "pq@example.org", "7946", "Larkspur", "Sam", "Fran"):
            assert personal not in text
