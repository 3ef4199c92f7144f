"""
An edited configuration reaches an existing complaint only through
``ComplaintDesk.reapply_configuration``, which records the move: a ``workflow_applied`` event
naming the new workflow's recorded content (refused when the complaint's state is not one of
its states), and an ``sla_policy_applied`` event naming the new policy's.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest

from iso10002 import (
    Assessment,
    Channel,
    CommandRejected,
    ComplaintDesk,
    FixedClock,
    Severity,
    SlaPolicyApplied,
    WorkflowApplied,
)
from iso10002.audit import run_audit
from iso10002.process.recorded import workflow_record
from iso10002.process.standard import standard_workflow
from iso10002.sla.calendar import BusinessCalendar
from iso10002.sla.config import SlaConfig
from iso10002.sla.policy import Metric, On, SlaPolicy, Target, Unit
from iso10002.sla.recorded import policy_record
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing import SAMPLE_START, sample_actor, sample_complainant
from tests.process.test_vendor import WORKFLOW

STAFF = sample_actor()


def _desk(store: SQLiteEventStore, **kwargs: object) -> ComplaintDesk:
    return ComplaintDesk(store, clock=FixedClock(SAMPLE_START), **kwargs)  # type: ignore[arg-type]


def _received(desk: ComplaintDesk) -> str:
    return desk.receive(
        STAFF, complainant=sample_complainant(), channel=Channel.EMAIL, description="Late."
    ).reference


def _investigating(desk: ComplaintDesk) -> str:
    ref = _received(desk)
    desk.acknowledge(ref, STAFF)
    desk.assess(ref, STAFF, Assessment(severity=Severity.LOW))
    desk.start_investigation(ref, STAFF)
    return ref


def _policy(days: int, version: str) -> SlaPolicy:
    calendar = BusinessCalendar.standard(name="office", zone="Europe/London", version="1")
    return SlaPolicy(
        name="house",
        version=version,
        description=f"Acknowledge within {days} business days",
        calendar=calendar,
        metrics=(
            Metric(
                name="acknowledgement",
                description=f"Acknowledge within {days} business days",
                target=Target(amount=days, unit=Unit.BUSINESS_DAYS),
                stop=(On(event="acknowledged"),),
            ),
        ),
    )


def test_a_new_workflow_reaches_an_existing_complaint_only_when_reapplied(tmp_path: Path) -> None:
    with SQLiteEventStore(tmp_path / "complaints.db") as store:
        ref = _investigating(_desk(store))
        standard = workflow_record(standard_workflow()).fingerprint
        vendor = _desk(store, workflow=WORKFLOW)
        version = vendor.get(ref).version
        # A desk with another workflow reads the complaint as recorded, writing nothing.
        assert vendor.get(ref).version == version

        written = vendor.reapply_configuration(ref, STAFF)

        (event,) = written
        assert event.payload == WorkflowApplied(
            workflow="vendor",
            configuration=workflow_record(WORKFLOW).fingerprint,
            previous=standard,
        )
        assert event.state == "investigating"
        assert store.configuration(event.payload.configuration) == workflow_record(WORKFLOW)
        assert vendor.reapply_configuration(ref, STAFF) == []  # nothing changed since
        vendor.run_step(ref, STAFF, "to_legal")
        report = run_audit(
            store,
            period_from=SAMPLE_START.date(),
            period_to=SAMPLE_START.date() + _dt.timedelta(days=1),
            now=SAMPLE_START + _dt.timedelta(days=1),
        )
        finding = report.finding("7-workflow-conforms")
        assert finding.evidence.failed == (), finding.evidence.notes
        assert set((report.workflow or "").split(", ")) == {"iso10002-standard", "vendor"}


def test_a_workflow_without_the_complaints_state_is_refused_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    with SQLiteEventStore(tmp_path / "complaints.db") as store:
        vendor = _desk(store, workflow=WORKFLOW)
        ref = _investigating(vendor)
        vendor.run_step(ref, STAFF, "to_legal")
        before = vendor.history(ref)
        standard = _desk(store)

        with pytest.raises(CommandRejected, match="'legal_review' is not a state of the workflow"):
            standard.reapply_configuration(ref, STAFF)

        assert standard.history(ref) == before


def test_an_edited_policy_reaches_an_existing_complaint_only_when_reapplied(
    tmp_path: Path,
) -> None:
    with SQLiteEventStore(tmp_path / "complaints.db") as store:
        first = SlaConfig(policies=(_policy(2, "1"),), default="house")
        ref = _received(_desk(store, sla=first))
        recorded = _desk(store, sla=first).sla_status(ref)
        assert recorded is not None
        edited = SlaConfig(policies=(_policy(5, "2"),), default="house")
        later = _desk(store, sla=edited)
        # Until re-applied, the complaint is read with the policy recorded for it.
        assert later.sla_status(ref) == recorded

        written = later.reapply_configuration(ref, STAFF)

        (event,) = written  # the workflow is the same: only the policy moves
        assert isinstance(event.payload, SlaPolicyApplied)
        assert event.payload.configuration == policy_record(_policy(5, "2")).fingerprint
        status = later.sla_status(ref)
        assert status is not None
        assert status.version == "2"
        assert status.metric("acknowledgement").due_at != recorded.metric("acknowledgement").due_at
        assert later.reapply_configuration(ref, STAFF) == []


def test_only_who_may_apply_policies_may_reapply_the_configuration(tmp_path: Path) -> None:
    from iso10002 import Actor, PermissionDenied, Role, RoleBasedAuthorizer

    manager = Actor(id="mgr", role=Role.COMPLAINTS_MANAGER)
    front = Actor(id="hana", role=Role.FRONT_LINE)
    with SQLiteEventStore(tmp_path / "complaints.db") as store:
        ref = _received(_desk(store))
        vendor = _desk(store, workflow=WORKFLOW, authorizer=RoleBasedAuthorizer())
        with pytest.raises(PermissionDenied):
            vendor.reapply_configuration(ref, front)
        assert [e.type for e in vendor.history(ref, actor=manager)] == ["complaint_received"]
        (event,) = vendor.reapply_configuration(ref, manager)
        assert event.type == "workflow_applied"
