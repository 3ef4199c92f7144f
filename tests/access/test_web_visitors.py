"""
Web visitors under the default role matrix: the system actors the demo's histories show (a web
form that receives and acknowledges, a survey tool) are allowed what they do there, and
anonymous complainants are matched by what they know, not by a customer id they do not have.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from iso10002 import (
    Action,
    Actor,
    Channel,
    Complainant,
    Complaint,
    ComplaintDesk,
    ContactDetails,
    FixedClock,
    InMemoryEventStore,
    Role,
    RoleBasedAuthorizer,
)
from iso10002.access import by_customer_id
from iso10002.errors import PermissionDenied
from iso10002.simulation import DemoSettings, run_demo

# The command each event of a system actor in the demo was written by (the tick's alerts and
# the policy the desk selects are its own bookkeeping, asked about as the tick and the command).
_ACTION_OF = {
    "complaint_received": Action.RECEIVE,
    "acknowledged": Action.ACKNOWLEDGE,
    "satisfaction_recorded": Action.RECORD_SATISFACTION,
    "sla_alert_raised": Action.TICK,
}
_DERIVED = {"sla_policy_applied"}
CLOCK = FixedClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc))
INTAKE = Actor(id="web-intake", role=Role.SYSTEM)


def test_the_default_matrix_allows_the_system_actors_what_the_demo_shows_them_doing() -> None:
    store = InMemoryEventStore()
    run_demo(store, DemoSettings(complaints=40, days=30))
    policy = RoleBasedAuthorizer()

    seen = {
        (event.actor.id, event.payload.type)
        for _, event in store.iter_events()
        if event.actor.role is Role.SYSTEM and event.payload.type not in _DERIVED
    }

    assert {actor for actor, _ in seen} == {"web-intake", "survey", "iso10002-sla"}
    assert {kind for _, kind in seen} == set(_ACTION_OF)
    for actor, kind in sorted(seen):
        assert policy.allows(Role.SYSTEM, _ACTION_OF[kind]), (actor, kind)


def test_a_web_form_receives_and_acknowledges_an_anonymous_complaint() -> None:
    desk = ComplaintDesk(clock=CLOCK, authorizer=RoleBasedAuthorizer())
    anonymous = Complainant(name="A visitor", contact=ContactDetails(email="v@example.org"))

    c = desk.receive(INTAKE, complainant=anonymous, channel=Channel.WEB_FORM, description="x")
    c = desk.acknowledge(c.reference, INTAKE)

    assert c.state == "acknowledged"
    with pytest.raises(PermissionDenied) as caught:
        desk.get(c.reference, actor=INTAKE)  # it takes complaints in; it does not read them
    assert str(caught.value) == (
        f"actor 'web-intake' (system) may not get on complaint {c.reference}: "
        "the system role is not granted get"
    )


def test_an_anonymous_complainant_owns_nothing_by_customer_id() -> None:
    desk = ComplaintDesk(clock=CLOCK, authorizer=RoleBasedAuthorizer())
    anonymous = Complainant(name="A visitor", contact=ContactDetails(email="v@example.org"))
    visitor = Actor(id="v@example.org", role=Role.COMPLAINANT)

    with pytest.raises(PermissionDenied) as caught:
        desk.receive(visitor, complainant=anonymous, channel=Channel.WEB_FORM, description="x")
    assert caught.value.reason == "the complaint is not the actor's own"
    assert str(caught.value) == (
        "actor 'v@example.org' (complainant) may not receive: the complaint is not the actor's own"
    )


def _visitor(email: str) -> Actor:
    digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:32]
    return Actor(id=f"visitor-{digest}", role=Role.COMPLAINANT)


def _by_email(actor: Actor, complaint: Complaint) -> bool:
    email = complaint.complainant.contact.email
    return by_customer_id(actor, complaint) or (
        email is not None and _visitor(email).id == actor.id
    )


def test_an_anonymous_complainant_is_matched_by_the_address_they_know() -> None:
    desk = ComplaintDesk(clock=CLOCK, authorizer=RoleBasedAuthorizer().with_ownership(_by_email))
    anonymous = Complainant(name="A visitor", contact=ContactDetails(email="V@example.org"))
    c = desk.receive(INTAKE, complainant=anonymous, channel=Channel.WEB_FORM, description="x")

    view = desk.public_view(c.reference, actor=_visitor(" v@EXAMPLE.org "))

    assert view.reference == c.reference
    with pytest.raises(PermissionDenied) as caught:
        desk.public_view(c.reference, actor=_visitor("someone@example.org"))
    assert caught.value.reason == "the complaint is not the actor's own"
    assert caught.value.action == "public_view"
