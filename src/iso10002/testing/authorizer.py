"""
:class:`AuthorizerContract`: what every :class:`~iso10002.access.Authorizer` must do, as a
pytest test class to inherit.

The contract knows nothing of your policy (who may do what); it checks the duties every policy
has towards the desk: a decision for every actor, action and complaint, never an exception;
reasons without personal data; a listing narrowed only with query criteria the store applies;
and decisions the desk can enforce. Prove an authorizer conforms by saying how to build it::

    from iso10002.testing import AuthorizerContract

    class TestTeamAuthorizer(AuthorizerContract):
        def make_authorizer(self) -> TeamAuthorizer:
            return TeamAuthorizer(directory=TEAMS)

The actors the contract asks about are :attr:`AuthorizerContract.actors`, one per role plus a
second investigator; override it to use your directory's ids. Needs pytest.
"""

from __future__ import annotations

import abc
import datetime as _dt
from collections.abc import Iterator
from enum import Enum
from typing import ClassVar

import attrs
import pytest

from iso10002.access import LIST_CRITERIA, AccessDecision, Action, Authorizer, InMemoryAccessLog
from iso10002.clock import FixedClock
from iso10002.desk import ComplaintDesk
from iso10002.errors import PermissionDenied
from iso10002.model.complaint import Complaint
from iso10002.model.values import Actor, Channel, Complainant, ContactDetails, Role
from iso10002.ports.store import ComplaintQuery
from iso10002.testing._contract import Contract, version_of
from iso10002.testing.samples import SAMPLE_START

__all__ = ["AuthorizerContract"]

_OWNER_ID = "cust-1"
_NAME = "Philippa Quaverstone"
_EMAIL = "p.quaverstone@example.org"
_PHONE = "+44 20 7946 0555"
_DESCRIPTION = "The boiler engineer never came to 14 Larkspur Lane."
_NOTE = "Spoke to her neighbour, who confirmed nobody came."
_PERSONAL = (_NAME, _EMAIL, _PHONE, _DESCRIPTION, _NOTE, "Larkspur", "Quaverstone")
_STAFF = Actor(id="setup-1", role=Role.COMPLAINTS_MANAGER)


def _default_actors() -> tuple[Actor, ...]:
    ids = {Role.COMPLAINANT: _OWNER_ID, Role.INVESTIGATOR: "inv-1"}
    return (
        *(Actor(id=ids.get(role, f"{role.value}-1"), role=role) for role in Role),
        Actor(id="inv-2", role=Role.INVESTIGATOR),
    )


def _another(value: object) -> object:
    """A valid query value different from ``value``, to ask outside a narrowed listing."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, Enum):
        return next(m for m in type(value) if m != value)
    if isinstance(value, _dt.datetime):
        return value + _dt.timedelta(days=1)
    return f"{value}-other"


@attrs.frozen
class _World:
    """Complaints in several situations, and a desk that asks the authorizer under test."""

    desk: ComplaintDesk
    complaints: tuple[Complaint, ...]
    """The complainant actor's own and assigned to ``inv-1``; somebody else's and assigned to
    ``inv-2``; a new one, assigned to nobody."""


class AuthorizerContract(Contract):
    """
    The authorizer contract as pytest tests; subclass it and implement :meth:`make_authorizer`.
    """

    contract_hook: ClassVar[str] = "make_authorizer"

    actors: ClassVar[tuple[Actor, ...]] = _default_actors()
    """Whom the contract asks about: one actor per role, and a second investigator. The
    complainant's id is the customer id of the first sample complaint."""

    @abc.abstractmethod
    def make_authorizer(self) -> Authorizer:
        """Return the authorizer under test."""

    @pytest.fixture
    def authorizer(self) -> Authorizer:
        """The authorizer under test."""
        return self.make_authorizer()

    @pytest.fixture
    def world(self, authorizer: Authorizer) -> Iterator[_World]:
        """Three complaints, prepared without access control, and a desk that has it."""
        clock = FixedClock(SAMPLE_START)
        setup = ComplaintDesk(clock=clock)

        def receive(complainant: Complainant, assignee: str | None) -> Complaint:
            complaint = setup.receive(
                _STAFF, complainant=complainant, channel=Channel.PHONE, description=_DESCRIPTION
            )
            if assignee is not None:
                setup.add_note(complaint.id, _STAFF, _NOTE)
                complaint = setup.assign(
                    complaint.id, _STAFF, Actor(id=assignee, role=Role.INVESTIGATOR)
                )
            return complaint

        owner = Complainant(
            name=_NAME,
            contact=ContactDetails(email=_EMAIL, phone=_PHONE),
            customer_id=_OWNER_ID,
        )
        stranger = Complainant(name=_NAME, contact=ContactDetails(email=_EMAIL), customer_id="x-9")
        complaints = (receive(owner, "inv-1"), receive(stranger, "inv-2"), receive(owner, None))
        desk = ComplaintDesk(
            setup.store, clock=clock, authorizer=authorizer, access_log=InMemoryAccessLog()
        )
        try:
            yield _World(desk=desk, complaints=complaints)
        finally:
            setup.store.close()

    def _cases(self, world: _World) -> Iterator[tuple[Actor, Action, Complaint | None]]:
        for actor in self.actors:
            for action in Action:
                for complaint in (None, *world.complaints):
                    yield actor, action, complaint

    # -- the decisions --------------------------------------------------------------------------

    def test_is_an_authorizer(self, authorizer: Authorizer) -> None:
        assert isinstance(authorizer, Authorizer)

    def test_every_question_gets_a_decision_and_a_reason(
        self, authorizer: Authorizer, world: _World
    ) -> None:
        """It refuses by answering, never by raising, for every actor, action and complaint."""
        answers = {True: 0, False: 0}
        for actor, action, complaint in self._cases(world):
            decision = authorizer.decide(actor, action, complaint)
            assert isinstance(decision, AccessDecision), (actor, action)
            assert isinstance(decision.reason, str)
            assert decision.reason.strip()
            answers[decision.allowed] += 1
        # A policy that allows or refuses everything is no policy.
        assert answers[True], answers
        assert answers[False], answers

    def test_reasons_hold_no_personal_data(self, authorizer: Authorizer, world: _World) -> None:
        """A reason is recorded with every denial (4.10): ids, roles and actions only."""
        for actor, action, complaint in self._cases(world):
            reason = authorizer.decide(actor, action, complaint).reason
            leaked = [word for word in _PERSONAL if word in reason]
            assert not leaked, f"{leaked} in the reason for {actor.id} {action.value}: {reason}"

    def test_only_listings_are_narrowed_and_with_query_criteria(
        self, authorizer: Authorizer, world: _World
    ) -> None:
        for actor, action, complaint in self._cases(world):
            decision = authorizer.decide(actor, action, complaint)
            if not decision.within:
                continue
            assert action.lists, f"{action.value} is narrowed, but it lists nothing"
            assert complaint is None
            assert set(decision.within) <= set(LIST_CRITERIA)
            # The values are ones a query can hold: the store applies them.
            ComplaintQuery(**decision.within)  # type: ignore[arg-type]

    # -- the desk enforces them -----------------------------------------------------------------

    def test_a_listing_shows_exactly_what_the_decision_allows(
        self, authorizer: Authorizer, world: _World
    ) -> None:
        desk = world.desk
        for actor in self.actors:
            decision = authorizer.decide(actor, Action.QUERY, None)
            if not decision.allowed:
                with pytest.raises(PermissionDenied):
                    desk.query(actor=actor)
                continue
            within = dict(decision.within)
            page = desk.query(actor=actor)
            expected = desk.store.query(ComplaintQuery(**within))  # type: ignore[arg-type]
            assert page.items == expected.items, actor
            assert all(ComplaintQuery(**within).matches(s) for s in page.items)  # type: ignore[arg-type]
            for name, value in within.items():
                with pytest.raises(PermissionDenied):
                    desk.query(actor=actor, **{name: _another(value)})
                # Asking for what the decision allows anyway is no reason to refuse.
                assert desk.query(actor=actor, **{name: value}).items == page.items

    def test_a_complaint_is_shown_exactly_when_the_decision_allows(
        self, authorizer: Authorizer, world: _World
    ) -> None:
        for actor in self.actors:
            for complaint in world.complaints:
                for action, show in (
                    (Action.GET, world.desk.get),
                    (Action.HISTORY, world.desk.history),
                ):
                    if authorizer.decide(actor, action, complaint).allowed:
                        assert show(complaint.reference, actor=actor)
                    else:
                        with pytest.raises(PermissionDenied):
                            show(complaint.reference, actor=actor)

    def test_a_refused_command_writes_nothing(self, authorizer: Authorizer, world: _World) -> None:
        store = world.desk.store
        for actor in self.actors:
            for complaint in world.complaints:
                before = version_of(store, complaint.id)
                now = Complaint.replay(store.read(complaint.id))
                if authorizer.decide(actor, Action.ADD_NOTE, now).allowed:
                    world.desk.add_note(complaint.id, actor, "Looked into it.")
                    assert version_of(store, complaint.id) == before + 1
                else:
                    with pytest.raises(PermissionDenied):
                        world.desk.add_note(complaint.id, actor, "Looked into it.")
                    assert version_of(store, complaint.id) == before
