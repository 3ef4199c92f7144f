"""
Tenants: two organisations share one store, and every read path of one of them returns nothing
of the other's, on every backend; every command on the other's complaints is refused.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iso10002 import (
    Action,
    Actor,
    Channel,
    Complainant,
    ComplaintDesk,
    ComplaintQuery,
    ContactDetails,
    FixedClock,
    InMemoryEventStore,
    PermissionDenied,
    Role,
    RoleBasedAuthorizer,
    SQLiteEventStore,
    ValidationError,
)
from iso10002.audit import build_review_pack, run_audit
from iso10002.audit.evidence import build_evidence_pack, verify_evidence_pack
from iso10002.audit.reports import report_to_json
from iso10002.model.subject import SubjectMatch
from iso10002.monitoring import compute_kpis
from iso10002.ports.store import EventStore, iter_summaries
from iso10002.simulation import demo_sla_config
from iso10002.testing.samples import full_lifecycle

if TYPE_CHECKING:
    from tests.storage.pg_cluster import Cluster

_UTC = _dt.timezone.utc
_START = _dt.datetime(2026, 3, 2, 9, 0, tzinfo=_UTC)
_SCHEMAS = itertools.count()

ACME, GLOBEX = "acme", "globex"


def _staff(organisation: str) -> dict[str, Actor]:
    return {
        "front": Actor(id=f"front-{organisation}", role=Role.FRONT_LINE, organisation=organisation),
        "manager": Actor(
            id=f"mgr-{organisation}", role=Role.COMPLAINTS_MANAGER, organisation=organisation
        ),
        "admin": Actor(
            id=f"admin-{organisation}", role=Role.ADMINISTRATOR, organisation=organisation
        ),
        "auditor": Actor(id=f"aud-{organisation}", role=Role.AUDITOR, organisation=organisation),
        # The same person is a customer of both organisations, with the same customer id.
        "customer": Actor(id="cust-1", role=Role.COMPLAINANT, organisation=organisation),
    }


_SYSTEM = Actor(id="scheduler", role=Role.SYSTEM)
"""An actor of no organisation: it reaches every organisation's complaints."""


def _person() -> Complainant:
    return Complainant(
        name="Ada Lovelace", customer_id="cust-1", contact=ContactDetails(email="ada@example.org")
    )


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EventStore]:
    made: EventStore
    if request.param == "memory":
        made = InMemoryEventStore()
    elif request.param == "sqlite":
        made = SQLiteEventStore(tmp_path / "tenants.db", synchronous="OFF")
    else:
        from iso10002.storage.postgres import PostgresEventStore

        cluster: Cluster = request.getfixturevalue("postgres_cluster")
        made = PostgresEventStore(cluster.conninfo, schema=f"tenants{os.getpid()}_{next(_SCHEMAS)}")
    yield made
    made.close()


class Shared:
    """Two organisations' complaints in one store, and a desk with access control on it."""

    def __init__(self, store: EventStore) -> None:
        self.clock = FixedClock(_START)
        self.desk = ComplaintDesk(
            store, clock=self.clock, authorizer=RoleBasedAuthorizer(), sla=demo_sla_config()
        )
        self.refs: dict[str, list[str]] = {ACME: [], GLOBEX: []}
        self.keys: dict[str, str] = {}
        for organisation, count in ((ACME, 3), (GLOBEX, 2)):
            staff = _staff(organisation)
            for n in range(count):
                complaint = self.desk.receive(
                    staff["front"],
                    complainant=_person(),
                    channel=Channel.EMAIL,
                    description="The parcel arrived damaged.",
                    client_key=f"{organisation}-{n}",
                )
                assert complaint.organisation == organisation
                self.refs[organisation].append(complaint.reference)
            self.keys[organisation] = f"{organisation}-0"
            self.clock.advance(_dt.timedelta(hours=1))
        # Handled to the end (by a desk without access control over the same store: the
        # sample lifecycle's actors hold the standard roles only), so that reports and audits
        # have decisions to count.
        plain = ComplaintDesk(store, clock=self.clock, sla=demo_sla_config())
        for organisation in (ACME, GLOBEX):
            done = full_lifecycle(
                _TenantDesk(plain, organisation),  # type: ignore[arg-type]
                complainant=_person(),
            )
            self.refs[organisation].append(done.reference)
        # Long enough for the open complaints' deadlines to pass: the breach queue has them.
        self.clock.advance(_dt.timedelta(days=60))

    def staff(self, organisation: str) -> dict[str, Actor]:
        return _staff(organisation)


class _TenantDesk:
    """The desk with each actor of the sample lifecycle bound to one organisation."""

    def __init__(self, desk: ComplaintDesk, organisation: str) -> None:
        self._desk = desk
        self._organisation = organisation
        self.clock = desk.clock

    def __getattr__(self, name: str) -> object:
        method = getattr(self._desk, name)
        organisation = self._organisation

        def bound(*args: object, **kwargs: object) -> object:
            args = tuple(
                Actor(id=a.id, role=a.role, name=a.name, organisation=organisation)
                if isinstance(a, Actor)
                else a
                for a in args
            )
            return method(*args, **kwargs)

        return bound


@pytest.fixture
def shared(store: EventStore) -> Shared:
    return Shared(store)


def _denied(call: object) -> None:
    assert callable(call)
    with pytest.raises(PermissionDenied, match="another organisation"):
        call()


def test_every_read_path_of_one_tenant_returns_nothing_of_the_other(shared: Shared) -> None:
    desk, ours, theirs = shared.desk, set(shared.refs[ACME]), shared.refs[GLOBEX]
    staff = shared.staff(ACME)
    manager = staff["manager"]
    # One complaint: get, history, public view (even for the same person), client key.
    for reference in theirs:
        _denied(lambda r=reference: desk.get(r, actor=manager))
        _denied(lambda r=reference: desk.history(r, actor=manager))
        _denied(lambda r=reference: desk.sla_status(r, actor=manager))
        _denied(lambda r=reference: desk.public_view(r, actor=staff["customer"]))
    _denied(lambda: desk.find_by_client_key(shared.keys[GLOBEX], actor=manager))
    for reference in ours:
        assert desk.get(reference, actor=manager).organisation == ACME
        assert desk.public_view(reference, actor=staff["customer"]).reference == reference
    # Listings: narrowed to the actor's organisation; asking for the other's is refused.
    listed = desk.query(ComplaintQuery(limit=100), actor=manager)
    assert {s.reference for s in listed.items} == ours
    assert listed.total == len(ours)
    assert {s.organisation for s in listed.items} == {ACME}
    with pytest.raises(PermissionDenied, match="outside the actor's scope"):
        desk.query(organisation=GLOBEX, actor=manager)
    queue = desk.sla_queue(actor=manager, within=_dt.timedelta(days=365))
    assert queue
    assert {i.summary.reference for i in queue} <= ours
    breached = [i for i in queue if i.bucket.value == "breached"]
    assert breached
    # Reports, audits and the review pack, kept to the organisation the gate confines to.
    decision = desk.authorize(staff["auditor"], Action.REPORT)
    organisation = str(decision.within["organisation"])
    assert organisation == ACME
    end = shared.clock.now() + _dt.timedelta(days=1)
    report = compute_kpis(
        desk.store, start=_START - _dt.timedelta(days=1), end=end, organisation=organisation
    )
    assert report.volume.received == len(ours)
    everyone = compute_kpis(desk.store, start=_START - _dt.timedelta(days=1), end=end)
    assert everyone.volume.received == len(ours) + len(theirs)
    audit = run_audit(
        desk.store,
        period_from=_START.date(),
        period_to=end.date() + _dt.timedelta(days=1),
        now=shared.clock.now(),
        sample_size=100,
        organisation=organisation,
    )
    assert audit.complaints == len(ours)
    assert set(audit.sample) == ours
    assert audit.record is not None
    assert audit.record.head is None
    assert audit.record.events is None
    assert not any(r in str(f) for f in audit.findings for r in theirs)
    pack = build_review_pack(
        desk.store, audit, (), on=shared.clock.now().date(), organisation=organisation
    )
    assert pack.kpis["received"] == str(len(ours))
    unscoped = build_review_pack(desk.store, audit, (), on=pack.prepared_on)
    assert unscoped.kpis["received"] == str(len(ours) + len(theirs))
    # Personal data: the same person's export holds only this organisation's complaints.
    export = desk.export_subject(SubjectMatch(customer_id="cust-1"), actor=staff["admin"])
    assert {r.complaint.reference for r in export.records} == ours
    with pytest.raises(PermissionDenied, match="outside the actor's scope"):
        desk.export_subject(
            SubjectMatch(customer_id="cust-1"), actor=staff["admin"], organisation=GLOBEX
        )


def _version(store: EventStore, reference: str) -> int:
    cid = store.id_for_reference(reference)
    assert cid is not None
    summary = store.summary(cid)
    assert summary is not None
    return summary.version


def test_commands_on_the_other_tenants_complaints_are_refused(shared: Shared) -> None:
    desk, theirs = shared.desk, shared.refs[GLOBEX]
    staff = shared.staff(ACME)
    versions = {r: _version(desk.store, r) for r in theirs}
    for reference in theirs:
        _denied(lambda r=reference: desk.acknowledge(r, staff["front"]))
        _denied(lambda r=reference: desk.add_note(r, staff["manager"], "Peeking."))
        _denied(lambda r=reference: desk.withdraw(r, staff["manager"]))
        _denied(lambda r=reference: desk.place_legal_hold(r, staff["admin"], reason="case 1"))
        assert desk.available_commands(reference, actor=staff["manager"]) == []
    # Receiving into the other organisation is refused, and writes nothing.
    before = desk.store.query(ComplaintQuery()).total
    _denied(
        lambda: desk.receive(
            staff["front"],
            complainant=_person(),
            channel=Channel.PHONE,
            description="Filed in the wrong place.",
            organisation=GLOBEX,
        )
    )
    assert desk.store.query(ComplaintQuery()).total == before
    assert {r: _version(desk.store, r) for r in theirs} == versions
    # The other organisation's own staff still act on them.
    own = shared.staff(GLOBEX)["front"]
    assert desk.add_note(theirs[0], shared.staff(GLOBEX)["manager"], "Ours.").organisation == (
        GLOBEX
    )
    assert own.organisation == GLOBEX


def test_an_actor_of_no_organisation_reaches_every_organisation(shared: Shared) -> None:
    desk = shared.desk
    everything = {r for refs in shared.refs.values() for r in refs}
    listed = desk.query(ComplaintQuery(limit=100), actor=_SYSTEM)
    assert {s.reference for s in listed.items} == everything
    assert desk.query(organisation=GLOBEX, actor=_SYSTEM).total == len(shared.refs[GLOBEX])
    queue = desk.sla_queue(actor=_SYSTEM, organisation=ACME, within=_dt.timedelta(days=365))
    assert queue
    assert {i.summary.organisation for i in queue} == {ACME}


def test_an_organisation_id_is_checked_and_named() -> None:
    for bad in ("", "a b", "acme/eu", "a;b", "x" * 65, "tab\there", "a,b"):
        with pytest.raises(ValidationError) as raised:
            Actor(id="a", role=Role.FRONT_LINE, organisation=bad)
        assert raised.value.field == "organisation"
        with pytest.raises(ValidationError) as raised:
            ComplaintQuery(organisation=bad)
        assert raised.value.field == "organisation"
    assert Actor(id="a", role=Role.FRONT_LINE, organisation="acme-EU_2").organisation == (
        "acme-EU_2"
    )


_TENANTS = (ACME, GLOBEX, "initech", None)


@settings(max_examples=25)
@given(st.lists(st.sampled_from(_TENANTS), min_size=1, max_size=8))
def test_each_actor_sees_exactly_its_organisations_complaints(
    assignment: list[str | None],
) -> None:
    desk = ComplaintDesk(
        InMemoryEventStore(), clock=FixedClock(_START), authorizer=RoleBasedAuthorizer()
    )
    front = Actor(id="intake", role=Role.FRONT_LINE)
    refs = [
        desk.receive(
            front,
            complainant=_person(),
            channel=Channel.EMAIL,
            description="Late delivery.",
            organisation=organisation,
        ).reference
        for organisation in assignment
    ]
    for tenant in _TENANTS[:-1]:
        actor = Actor(id=f"m-{tenant}", role=Role.COMPLAINTS_MANAGER, organisation=tenant)
        mine = {r for r, o in zip(refs, assignment, strict=True) if o == tenant}
        seen = {
            s.reference for s in iter_summaries(desk.store, ComplaintQuery(organisation=tenant))
        }
        assert seen == mine
        assert {s.reference for s in desk.query(limit=100, actor=actor).items} == mine
        for reference, organisation in zip(refs, assignment, strict=True):
            if organisation == tenant:
                assert desk.get(reference, actor=actor).reference == reference
            else:
                _denied(lambda r=reference, a=actor: desk.get(r, actor=a))


def test_a_tenants_evidence_pack_holds_only_its_complaints(shared: Shared, tmp_path: Path) -> None:
    ours, theirs = set(shared.refs[ACME]), set(shared.refs[GLOBEX])
    now = shared.clock.now()
    audit = run_audit(
        shared.desk.store,
        period_from=_START.date(),
        period_to=now.date() + _dt.timedelta(days=1),
        now=now,
        sample_size=100,
        organisation=ACME,
    )
    assert audit.tenant == ACME
    assert '"tenant": "acme"' in report_to_json(audit)
    pack = build_evidence_pack(shared.desk.store, audit, tmp_path / "acme.zip")
    assert verify_evidence_pack(pack.path).ok
    with zipfile.ZipFile(pack.path) as z:
        texts = {name: z.read(name).decode("utf-8") for name in z.namelist()}
    assert {n for n in texts if n.startswith("histories/")}, "the sample's histories are packed"
    for name, text in texts.items():
        assert not any(r in text for r in theirs), f"{name} names the other tenant's complaint"
    verified = texts["integrity/verify.json"]
    assert '"verified_now": null' in verified
    assert "shared with other organisations" in verified
    assert any(r in texts["review/review.json"] or r in texts["audit/report.json"] for r in ours)
