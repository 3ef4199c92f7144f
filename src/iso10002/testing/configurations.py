"""
:class:`ConfigurationStoreContract`: what a store that keeps the configurations that governed
complaints (:class:`~iso10002.ports.store.ConfigurationStore`) must do, as pytest tests to
inherit::

    from iso10002.testing import ConfigurationStoreContract

    class TestMyStoreRecords(ConfigurationStoreContract):
        def make_store(self, tmp_path: Path) -> MyStore:
            return MyStore(tmp_path / "complaints")

Needs pytest.
"""

from __future__ import annotations

import datetime as _dt

import pytest

from iso10002.clock import FixedClock
from iso10002.desk import ComplaintDesk
from iso10002.errors import ValidationError
from iso10002.model.configuration import SLA_POLICY, ConfigurationRecord, fingerprint_of
from iso10002.model.events import ComplaintReceived, SlaPolicyApplied
from iso10002.model.values import Channel
from iso10002.ports.store import ConfigurationStore, EventStore, is_configuration_store
from iso10002.process.recorded import workflow_from_record, workflow_record
from iso10002.process.standard import standard_workflow
from iso10002.process.workflow import StateDef, Transition
from iso10002.programme.recorded import programme_from_record, programme_record
from iso10002.sla.calendar import BusinessCalendar, Holiday
from iso10002.sla.config import SlaConfig
from iso10002.sla.policy import Metric, On, SlaPolicy, Target, Unit
from iso10002.sla.recorded import policy_from_record, policy_record
from iso10002.testing._contract import StoreContract
from iso10002.testing.programmes import programme
from iso10002.testing.samples import SAMPLE_START, sample_actor, sample_complainant

__all__ = ["ConfigurationStoreContract"]


def _record(name: str = "p", version: str = "1", content: str = '{"a":1}') -> ConfigurationRecord:
    return ConfigurationRecord.of(
        kind=SLA_POLICY,
        name=name,
        version=version,
        content=content,
    )


def _policy(holiday: _dt.date | None = None) -> SlaPolicy:
    holidays = () if holiday is None else (Holiday(date=holiday, name="Closed"),)
    calendar = BusinessCalendar.standard(
        name="office", zone="Europe/London", version="1", holidays=holidays
    )
    return SlaPolicy(
        name="standard",
        version="1",
        description="Acknowledge within 2 business days",
        calendar=calendar,
        metrics=(
            Metric(
                name="acknowledgement",
                description="Acknowledge within 2 business days",
                target=Target(amount=2, unit=Unit.BUSINESS_DAYS),
                stop=(On(event="acknowledged"),),
            ),
        ),
    )


class ConfigurationStoreContract(StoreContract[EventStore]):
    """
    The configuration contract as pytest tests; subclass it and implement :meth:`make_store`.
    """

    def test_declares_the_capability(self, store: EventStore) -> None:
        assert isinstance(store, ConfigurationStore)
        assert is_configuration_store(store), (
            "declare Capability.CONFIGURATIONS in the store's capabilities"
        )

    def test_keeps_a_record_once_under_its_fingerprint(self, store: EventStore) -> None:
        assert isinstance(store, ConfigurationStore)
        first = _record()
        assert store.configuration(first.fingerprint) is None
        store.record_configuration(first)
        store.record_configuration(first)  # the same content again: nothing changes
        assert store.configuration(first.fingerprint) == first
        assert store.configuration(fingerprint_of("{}")) is None

    def test_finds_the_first_record_of_a_name_and_version(self, store: EventStore) -> None:
        assert isinstance(store, ConfigurationStore)
        first, edited = _record(content='{"a":1}'), _record(content='{"a":2}')
        store.record_configuration(first)
        store.record_configuration(edited)  # edited without a new version
        assert store.find_configuration(SLA_POLICY, "p", "1") == first
        assert store.configuration(edited.fingerprint) == edited
        assert store.find_configuration(SLA_POLICY, "p", "2") is None
        assert store.find_configuration("workflow", "p", "1") is None

    def test_refuses_what_is_not_a_record(self, store: EventStore) -> None:
        assert isinstance(store, ConfigurationStore)
        with pytest.raises(ValidationError) as caught:
            store.record_configuration({"kind": "sla_policy"})  # type: ignore[arg-type]
        assert caught.value.field == "record"

    def test_a_complaint_keeps_its_policy_when_the_configuration_changes(
        self, store: EventStore
    ) -> None:
        assert isinstance(store, ConfigurationStore)
        before = SlaConfig(policies=(_policy(),), default="standard")
        desk = ComplaintDesk(store, clock=FixedClock(SAMPLE_START), sla=before)
        ref = desk.receive(
            sample_actor(),
            complainant=sample_complainant(),
            channel=Channel.EMAIL,
            description="Recorded.",
        ).reference
        (applied,) = [
            e.payload for e in desk.history(ref) if isinstance(e.payload, SlaPolicyApplied)
        ]
        assert applied.configuration == policy_record(_policy()).fingerprint
        kept = store.configuration(applied.configuration)
        assert kept is not None
        assert policy_from_record(kept) == _policy()
        status = desk.sla_status(ref)

        # The same name and version, another calendar: today's configuration, not the record.
        after = SlaConfig(policies=(_policy(SAMPLE_START.date()),), default="standard")
        later = ComplaintDesk(store, clock=FixedClock(SAMPLE_START), sla=after)
        assert later.sla_status(ref) == status

    def test_a_complaint_names_the_workflow_and_programme_it_was_received_under(
        self, store: EventStore
    ) -> None:
        assert isinstance(store, ConfigurationStore)
        workflow = standard_workflow().extend(
            name="house",
            states=[StateDef(name="with_legal", description="With the legal team.")],
            transitions=[
                Transition(command="to_legal", sources=("investigating",), target="with_legal")
            ],
        )
        adopted = programme()
        desk = ComplaintDesk(
            store, clock=FixedClock(SAMPLE_START), workflow=workflow, programme=adopted
        )
        refs = [
            desk.receive(
                sample_actor(),
                complainant=sample_complainant(),
                channel=Channel.EMAIL,
                description=f"Recorded {n}.",
            ).reference
            for n in range(2)
        ]
        received = [desk.history(ref)[0].payload for ref in refs]
        assert all(isinstance(p, ComplaintReceived) for p in received)
        fingerprints = {(p.workflow, p.programme) for p in received}  # type: ignore[union-attr]
        expected = (workflow_record(workflow).fingerprint, programme_record(adopted).fingerprint)
        assert fingerprints == {expected}
        kept_workflow = store.configuration(expected[0])
        assert kept_workflow == workflow_record(workflow)
        rebuilt = workflow_from_record(kept_workflow)
        assert rebuilt is not None
        assert rebuilt.commands == workflow.commands
        kept_programme = store.configuration(expected[1])
        assert kept_programme is not None
        assert programme_from_record(kept_programme) == adopted
