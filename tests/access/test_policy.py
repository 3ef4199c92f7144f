"""The role-based policy through the desk: scopes (assigned, own), listings, custom policies."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iso10002 import (
    Actor,
    Channel,
    Complainant,
    Complaint,
    ComplaintDesk,
    ContactDetails,
    FixedClock,
    InMemoryEventStore,
    Role,
    ValidationError,
)
from iso10002.access import (
    DEFAULT_GRANTS,
    DEFAULT_SCOPES,
    AccessDecision,
    Action,
    ActionKind,
    InMemoryAccessLog,
    RoleBasedAuthorizer,
    Scope,
    by_customer_id,
)
from iso10002.errors import Iso10002Error, PermissionDenied
from iso10002.process.standard import State
from tests.access.support import (
    ACTORS,
    CUSTOMER_ID,
    OTHER_INVESTIGATOR,
    OWNER,
    SETUP,
    START,
    STEP,
    STRANGER,
    desks,
    prepare,
)
from tests.access.test_matrix import SCENARIOS

INVESTIGATOR = ACTORS[Role.INVESTIGATOR]
COMPLAINANT = ACTORS[Role.COMPLAINANT]
MANAGER = ACTORS[Role.COMPLAINTS_MANAGER]


@pytest.fixture(name="clock")
def _clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(name="pair")
def _pair(tmp_path: Path, clock: FixedClock) -> Iterator[tuple[ComplaintDesk, ComplaintDesk]]:
    pair = desks(tmp_path / "complaints.db", clock)
    yield pair
    pair[0].store.close()


# -- investigators: only the complaints assigned to them -----------------------------------------


def test_an_investigator_acts_only_on_complaints_assigned_to_them(
    pair: tuple[ComplaintDesk, ComplaintDesk],
) -> None:
    desk, setup = pair
    theirs = prepare(setup, "investigating", assignee=OTHER_INVESTIGATOR)
    for attempt in (
        lambda: desk.add_note(theirs.reference, INVESTIGATOR, "Looked at it."),
        lambda: desk.get(theirs.reference, actor=INVESTIGATOR),
        lambda: desk.history(theirs.id, actor=INVESTIGATOR),
        lambda: desk.public_view(theirs.reference, actor=INVESTIGATOR),
    ):
        with pytest.raises(PermissionDenied, match="not assigned to inv-1"):
            attempt()
    assert len(desk.store.read(theirs.id)) == theirs.version

    setup.assign(theirs.reference, SETUP, INVESTIGATOR)
    noted = desk.add_note(theirs.reference, INVESTIGATOR, "Looked at it.")
    assert noted.notes[-1].by == INVESTIGATOR
    assert desk.get(theirs.reference, actor=INVESTIGATOR) == noted


def test_an_unassigned_complaint_is_nobodys_to_investigate(
    pair: tuple[ComplaintDesk, ComplaintDesk],
) -> None:
    desk, setup = pair
    c = prepare(setup, "assessed", assignee=None)
    with pytest.raises(PermissionDenied) as info:
        desk.start_investigation(c.reference, INVESTIGATOR)
    assert info.value.reference == c.reference
    assert desk.get(c.reference, actor=MANAGER).state == State.ASSESSED


def test_an_investigators_listings_are_narrowed_to_their_complaints(
    pair: tuple[ComplaintDesk, ComplaintDesk], clock: FixedClock
) -> None:
    desk, setup = pair
    mine = {prepare(setup).reference for _ in range(3)}
    others = {prepare(setup, assignee=OTHER_INVESTIGATOR).reference for _ in range(2)}
    prepare(setup, assignee=None)

    page = desk.query(actor=INVESTIGATOR)
    assert {s.reference for s in page.items} == mine
    assert page.total == 3
    assert {s.reference for s in desk.query(actor=MANAGER).items} >= mine | others
    assert desk.query(actor=MANAGER).total == 6

    # Asking for the same assignee is fine; for another one is a denial.
    assert desk.query(assignee="inv-1", actor=INVESTIGATOR).total == 3
    with pytest.raises(PermissionDenied, match="assignee 'inv-2'"):
        desk.query(assignee="inv-2", actor=INVESTIGATOR)

    clock.advance(_dt.timedelta(days=7))  # every acknowledgement deadline has passed
    queue = desk.sla_queue(actor=INVESTIGATOR)
    assert {item.summary.reference for item in queue} == mine
    assert len(desk.sla_queue(actor=MANAGER)) == 6


def test_a_scope_can_be_widened(pair: tuple[ComplaintDesk, ComplaintDesk]) -> None:
    _, setup = pair
    wide = RoleBasedAuthorizer().with_scope(Role.INVESTIGATOR, Scope.ANY)
    desk = ComplaintDesk(setup.store, clock=setup.clock, authorizer=wide)
    theirs = prepare(setup, assignee=OTHER_INVESTIGATOR)
    assert desk.get(theirs.reference, actor=INVESTIGATOR).reference == theirs.reference
    assert desk.query(actor=INVESTIGATOR).total == 1


# -- complainants: only their own complaints ------------------------------------------------------


def test_a_complainant_sees_and_acts_on_their_own_complaints_only(
    pair: tuple[ComplaintDesk, ComplaintDesk],
) -> None:
    desk, setup = pair
    own = prepare(setup, "investigating")
    strangers = prepare(setup, "investigating", complainant=STRANGER)

    assert desk.public_view(own.reference, actor=COMPLAINANT).reference == own.reference
    with pytest.raises(PermissionDenied) as info:
        desk.public_view(strangers.reference, actor=COMPLAINANT)
    # The refusal says whose complaint it is not, never whose it is.
    assert info.value.reason == "the complaint is not the actor's own"
    for personal in ("cust-99", STRANGER.name, "sam.stranger@example.org"):
        assert personal not in str(info.value)

    with pytest.raises(PermissionDenied):
        desk.withdraw(strangers.reference, COMPLAINANT)
    assert desk.get(strangers.reference, actor=MANAGER).is_open
    withdrawn = desk.withdraw(own.reference, COMPLAINANT, reason="Sorted out.")
    assert withdrawn.state == State.WITHDRAWN

    # No internal reads, and no listings: summaries carry no complainant to match.
    for attempt in (
        lambda: desk.get(own.reference, actor=COMPLAINANT),
        lambda: desk.history(own.reference, actor=COMPLAINANT),
        lambda: desk.query(actor=COMPLAINANT),
        lambda: desk.sla_queue(actor=COMPLAINANT),
    ):
        with pytest.raises(PermissionDenied):
            attempt()


def test_a_complainant_may_receive_only_their_own_complaint(
    pair: tuple[ComplaintDesk, ComplaintDesk],
) -> None:
    desk, setup = pair
    before = setup.query(actor=None).total
    with pytest.raises(PermissionDenied) as info:
        desk.receive(
            COMPLAINANT, complainant=STRANGER, channel=Channel.WEB_FORM, description="Fake."
        )
    assert info.value.reference is None
    assert setup.query().total == before

    mine = desk.receive(
        COMPLAINANT, complainant=OWNER, channel=Channel.WEB_FORM, description="Mine."
    )
    # The refused receipt used up no reference number.
    assert mine.reference.endswith("000001")
    assert mine.received_by == COMPLAINANT


def test_a_client_key_does_not_hand_out_another_persons_complaint(
    pair: tuple[ComplaintDesk, ComplaintDesk],
) -> None:
    desk, setup = pair
    strangers = prepare(setup, complainant=STRANGER)
    assert strangers.client_key is not None
    with pytest.raises(PermissionDenied):
        desk.receive(
            COMPLAINANT,
            complainant=OWNER,
            channel=Channel.WEB_FORM,
            description="Mine.",
            client_key=strangers.client_key,
        )
    own = prepare(setup)
    assert own.client_key is not None
    again = desk.receive(
        COMPLAINANT,
        complainant=OWNER,
        channel=Channel.WEB_FORM,
        description="My parcel never arrived.",
        client_key=own.client_key,
    )
    assert again.id == own.id


def test_a_complaint_without_a_customer_id_belongs_to_no_actor(
    pair: tuple[ComplaintDesk, ComplaintDesk],
) -> None:
    desk, setup = pair
    anonymous = Complainant(name="Nora Noid", contact=ContactDetails(email="nora@example.org"))
    c = prepare(setup, complainant=anonymous)
    with pytest.raises(PermissionDenied):
        desk.public_view(c.reference, actor=COMPLAINANT)
    assert not by_customer_id(COMPLAINANT, c)


def test_ownership_is_replaceable(pair: tuple[ComplaintDesk, ComplaintDesk]) -> None:
    _, setup = pair

    def by_email(actor: Actor, complaint: Complaint) -> bool:
        return complaint.complainant.contact.email == actor.id

    authorizer = RoleBasedAuthorizer().with_ownership(by_email)
    desk = ComplaintDesk(setup.store, clock=setup.clock, authorizer=authorizer)
    c = prepare(setup)
    by_mail = Actor(id="olive.owner@example.org", role=Role.COMPLAINANT)
    assert desk.public_view(c.reference, actor=by_mail).reference == c.reference
    with pytest.raises(PermissionDenied):
        desk.public_view(c.reference, actor=COMPLAINANT)  # the customer id no longer counts


# -- actors, custom policies, the gate ------------------------------------------------------------


def test_a_query_without_an_actor_is_denied_when_access_is_controlled(
    pair: tuple[ComplaintDesk, ComplaintDesk],
) -> None:
    desk, setup = pair
    c = prepare(setup)
    with pytest.raises(PermissionDenied) as info:
        desk.get(c.reference)
    assert str(info.value) == (
        f"a caller without an actor may not get on complaint {c.reference}: "
        "access control needs the actor of every query"
    )
    assert info.value.actor_id is None and info.value.role is None
    with pytest.raises(PermissionDenied):
        desk.tick()
    # The same desk without an authorizer checks nothing, as before.
    assert setup.get(c.reference) == c
    assert setup.tick() == []


def test_a_command_still_needs_an_actor() -> None:
    desk = ComplaintDesk(authorizer=RoleBasedAuthorizer())
    with pytest.raises(ValidationError) as info:
        desk.receive(
            None,  # type: ignore[arg-type]
            complainant=OWNER,
            channel=Channel.EMAIL,
            description="x",
        )
    assert info.value.field == "actor"
    with pytest.raises(ValidationError) as info:
        desk.query(actor="mgr-1")  # type: ignore[arg-type]
    assert info.value.field == "actor"


class OfficeHoursOnly:
    """A custom policy: staff may do anything, but only between 08:00 and 18:00 UTC."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.asked: list[tuple[str, Action, str | None]] = []

    def decide(self, actor: Actor, action: Action, complaint: Complaint | None) -> AccessDecision:
        self.asked.append((actor.id, action, None if complaint is None else complaint.reference))
        if actor.role is Role.COMPLAINANT:
            return AccessDecision.deny("complainants use the public portal")
        if not 8 <= self.clock.now().hour < 18:
            return AccessDecision.deny("outside office hours")
        return AccessDecision.allow("office hours")


def test_a_custom_authorizer_replaces_the_default(tmp_path: Path, clock: FixedClock) -> None:
    policy = OfficeHoursOnly(clock)
    desk, setup = desks(tmp_path / "custom.db", clock, authorizer=policy)
    c = prepare(setup)
    auditor = ACTORS[Role.AUDITOR]
    # The default matrix would refuse an auditor's decision; this policy does not.
    noted = desk.add_note(c.reference, auditor, "Audit sample.")
    assert noted.notes[-1].by == auditor
    assert policy.asked == [("aud-1", Action.ADD_NOTE, c.reference)]
    clock.advance(_dt.timedelta(hours=10))  # 19:00
    with pytest.raises(PermissionDenied, match="outside office hours"):
        desk.get(c.reference, actor=auditor)
    assert desk.store.denials()[-1].reason == "outside office hours"  # type: ignore[attr-defined]


def _action_id(action: object) -> str:
    return action.value if isinstance(action, Action) else str(action)


ABOUT_NO_COMPLAINT = {
    Action.RECEIVE,  # asked about the complaint to be received, which has no reference yet
    Action.APPLY_POLICIES,
    Action.TICK,
    Action.QUERY,
    Action.SLA_QUEUE,
    Action.PURGE_EXPIRED,
    Action.VERIFY_INTEGRITY,
    Action.REPORT,
}


@pytest.mark.parametrize("action", list(SCENARIOS), ids=_action_id)
def test_each_desk_call_asks_about_its_own_action(
    tmp_path: Path, clock: FixedClock, action: Action
) -> None:
    policy = OfficeHoursOnly(clock)
    desk, setup = desks(tmp_path / "asked.db", clock, authorizer=policy)
    scenario = SCENARIOS[action]
    complaint = None if scenario.state is None else prepare(setup, scenario.state)
    scenario.run(desk, MANAGER, complaint)
    asked = {asked for _, asked, _ in policy.asked}
    assert {a.method for a in asked} == {action}
    if action is Action.RUN_STEP:
        # The step is named, so that a policy can tell one custom step from another.
        assert asked == {Action.step(STEP)}
    if complaint is not None and action not in ABOUT_NO_COMPLAINT:
        assert {ref for _, _, ref in policy.asked} == {complaint.reference}


def test_the_gate_checks_work_done_beside_the_desk(
    pair: tuple[ComplaintDesk, ComplaintDesk],
) -> None:
    desk, setup = pair
    c = prepare(setup)
    admin = ACTORS[Role.ADMINISTRATOR]
    decision = desk.authorize(admin, Action.EXPORT_SUBJECT, c.reference)
    assert decision.allowed and decision.reason == "granted to the administrator role"
    with pytest.raises(PermissionDenied) as info:
        desk.authorize(MANAGER, Action.EXPORT_SUBJECT, c.id)
    assert info.value.reference == c.reference
    with pytest.raises(ValidationError) as bad:
        desk.authorize(MANAGER, "export_subject")  # type: ignore[arg-type]
    assert bad.value.field == "action"
    # Without an authorizer the gate always opens.
    assert setup.authorize(None, Action.ERASE_PERSONAL_DATA).allowed


# -- the role-based authorizer as a value ---------------------------------------------------------


def test_the_default_matrix_is_read_only_data() -> None:
    with pytest.raises(TypeError):
        DEFAULT_GRANTS[Role.AUDITOR] = frozenset(Action)  # type: ignore[index]
    assert set(DEFAULT_GRANTS) == set(Role) == set(DEFAULT_SCOPES)
    authorizer = RoleBasedAuthorizer()
    assert authorizer.grants == DEFAULT_GRANTS
    # The auditor changes nothing and exports no personal data.
    assert all(a.kind is not ActionKind.COMMAND for a in DEFAULT_GRANTS[Role.AUDITOR])
    assert not authorizer.allows(Role.AUDITOR, Action.EXPORT_SUBJECT)


def test_grants_are_changed_on_copies() -> None:
    base = RoleBasedAuthorizer()
    more = base.with_grants(Role.FRONT_LINE, Action.ASSESS, Action.CLASSIFY)
    less = more.without_grants(Role.FRONT_LINE, Action.ACKNOWLEDGE)
    assert not base.allows(Role.FRONT_LINE, Action.ASSESS)
    assert more.allows(Role.FRONT_LINE, Action.ASSESS) and more.allows(
        Role.FRONT_LINE, Action.ACKNOWLEDGE
    )
    assert not less.allows(Role.FRONT_LINE, Action.ACKNOWLEDGE)
    assert less.allows(Role.FRONT_LINE, Action.CLASSIFY)
    narrowed = base.with_scope(Role.FRONT_LINE, Scope.ASSIGNED)
    assert narrowed.scopes[Role.FRONT_LINE] is Scope.ASSIGNED
    assert base.scopes[Role.FRONT_LINE] is Scope.ANY


def test_a_matrix_of_its_own_leaves_unlisted_roles_with_nothing() -> None:
    only = RoleBasedAuthorizer({Role.AUDITOR: {Action.REPORT}})
    assert only.decide(ACTORS[Role.AUDITOR], Action.REPORT, None).allowed
    refused = only.decide(MANAGER, Action.REPORT, None)
    assert not refused
    assert refused.reason == "the complaints_manager role is not granted report"


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: RoleBasedAuthorizer({"auditor": {Action.REPORT}}), "grants"),  # type: ignore[dict-item]
        (lambda: RoleBasedAuthorizer({Role.AUDITOR: {"report"}}), "grants.auditor"),  # type: ignore[arg-type]
        (lambda: RoleBasedAuthorizer({Role.AUDITOR: "report"}), "grants.auditor"),  # type: ignore[dict-item]
        (lambda: RoleBasedAuthorizer([]), "grants"),  # type: ignore[arg-type]
        (lambda: RoleBasedAuthorizer(scopes={Role.AUDITOR: "any"}), "scopes.auditor"),  # type: ignore[dict-item]
        (lambda: RoleBasedAuthorizer(owns="customer_id"), "owns"),  # type: ignore[arg-type]
        (lambda: RoleBasedAuthorizer().with_grants("auditor", Action.REPORT), "role"),  # type: ignore[arg-type]
        (lambda: AccessDecision(allowed=True, reason=""), "reason"),
        (lambda: AccessDecision.allow("ok", customer="x"), "within"),
        (lambda: AccessDecision(allowed=False, reason="no", within={"assignee": "x"}), "within"),
        (lambda: ComplaintDesk(authorizer=object()), "authorizer"),  # type: ignore[arg-type]
        (lambda: ComplaintDesk(access_log=[]), "access_log"),  # type: ignore[arg-type]
    ],
)
def test_bad_policy_values_name_the_field(build: object, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        build()  # type: ignore[operator]
    assert info.value.field == field


def test_an_authorizer_must_answer_with_a_decision() -> None:
    class Sloppy:
        def decide(self, actor: Actor, action: Action, complaint: Complaint | None) -> bool:
            return True

    desk = ComplaintDesk(authorizer=Sloppy())  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as info:
        desk.query(actor=MANAGER)
    assert info.value.field == "authorizer"
    assert "returned bool" in str(info.value)


def test_permission_denied_is_a_library_error_with_its_fields() -> None:
    error = PermissionDenied(
        actor_id="fl-1", role="front_line", action="decide", reference="CMP-1", reason="no"
    )
    assert isinstance(error, Iso10002Error)
    assert str(error) == "actor 'fl-1' (front_line) may not decide on complaint CMP-1: no"
    assert (error.actor_id, error.role, error.action, error.reference, error.reason) == (
        "fl-1",
        "front_line",
        "decide",
        "CMP-1",
        "no",
    )


def test_an_in_memory_desk_keeps_its_denials_in_its_store() -> None:
    store = InMemoryEventStore()
    desk = ComplaintDesk(store, clock=FixedClock(START), authorizer=RoleBasedAuthorizer())
    with pytest.raises(PermissionDenied):
        desk.query(actor=COMPLAINANT)
    assert [(d.actor_id, d.action) for d in store.denials()] == [(CUSTOMER_ID, Action.QUERY)]
    explicit = InMemoryAccessLog()
    other = ComplaintDesk(store, authorizer=RoleBasedAuthorizer(), access_log=explicit)
    with pytest.raises(PermissionDenied):
        other.query(actor=COMPLAINANT)
    assert len(explicit) == 1 and len(store.denials()) == 1


@given(
    grants=st.dictionaries(st.sampled_from(Role), st.frozensets(st.sampled_from(Action))),
    role=st.sampled_from(Role),
    action=st.sampled_from(Action),
    changed=st.frozensets(st.sampled_from(Action)),
)
def test_a_matrix_allows_exactly_what_it_grants(
    grants: dict[Role, frozenset[Action]],
    role: Role,
    action: Action,
    changed: frozenset[Action],
) -> None:
    everywhere = RoleBasedAuthorizer(grants, scopes=dict.fromkeys(Role, Scope.ANY))
    granted = action in grants.get(role, frozenset())
    decision = everywhere.decide(Actor(id="x-1", role=role), action, None)
    assert decision.allowed is granted
    assert everywhere.with_grants(role, *changed).allows(role, action) is (
        granted or action in changed
    )
    assert everywhere.without_grants(role, *changed).allows(role, action) is (
        granted and action not in changed
    )
