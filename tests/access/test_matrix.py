"""
The role matrix: every action, run for real by an actor of every role on a SQLite file, is
allowed or denied as the table below says; a denial writes nothing and is recorded.

The table is written out here, not read from the library, so a change to the default matrix
fails this test until the table (and the access guide) say the same.
"""

from __future__ import annotations

import datetime as _dt
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from iso10002 import (
    Assessment,
    Channel,
    Classification,
    ClosureReason,
    Communication,
    ComplaintDesk,
    Decision,
    Direction,
    FixedClock,
    Outcome,
    Reaction,
    Role,
    RootCause,
    Severity,
    SQLiteEventStore,
)
from iso10002.access import Action, DenialRecord, PublicView
from iso10002.errors import PermissionDenied
from iso10002.integrity.verify import verify
from iso10002.model.values import ExtensionKind
from iso10002.monitoring.kpis import compute_kpis
from iso10002.privacy import SubjectMatch, retention_preset
from tests.access.support import ACTORS, OWNER, START, STEP, desks, prepare
from tests.survey.support import survey

CO, FL, IN, MG, AU, AD, SY = (
    Role.COMPLAINANT,
    Role.FRONT_LINE,
    Role.INVESTIGATOR,
    Role.COMPLAINTS_MANAGER,
    Role.AUDITOR,
    Role.ADMINISTRATOR,
    Role.SYSTEM,
)

EXPECTED: dict[Action, set[Role]] = {
    # commands
    Action.RECEIVE: {CO, FL, MG, SY},
    Action.ACKNOWLEDGE: {FL, MG, SY},
    Action.ASSESS: {MG},
    Action.CLASSIFY: {MG},
    Action.ASSIGN: {MG},
    Action.START_INVESTIGATION: {IN, MG},
    Action.ADD_NOTE: {IN, MG},
    Action.RECORD_ROOT_CAUSE: {IN, MG},
    Action.DECIDE: {MG},
    Action.COMMUNICATE_DECISION: {MG},
    Action.RECORD_COMMUNICATION: {FL, IN, MG},
    Action.RECORD_REACTION: {CO, FL, MG},
    Action.CARRY_OUT_DECISION: {MG},
    Action.REQUEST_INTERNAL_REVIEW: {MG},
    Action.REFER_EXTERNALLY: {MG},
    Action.CLOSE: {MG},
    Action.WITHDRAW: {CO, FL, MG},
    Action.REOPEN: {MG},
    Action.RECORD_SATISFACTION: {FL, MG, SY},
    Action.ANSWER_SURVEY: {CO, FL, MG, SY},
    Action.PUT_ON_HOLD: {MG},
    Action.RELEASE_HOLD: {MG},
    Action.EXTEND_DEADLINE: {MG},
    Action.RUN_STEP: {MG},
    Action.APPLY_POLICIES: {MG, AD, SY},
    Action.TICK: {MG, AD, SY},
    # queries
    Action.GET: {FL, IN, MG, AU},
    Action.HISTORY: {FL, IN, MG, AU},
    Action.FIND_BY_CLIENT_KEY: {FL, IN, MG, AU},
    Action.QUERY: {FL, IN, MG, AU, AD, SY},
    Action.SLA_STATUS: {FL, IN, MG, AU},
    Action.SLA_QUEUE: {FL, IN, MG, AU, AD, SY},
    Action.PUBLIC_VIEW: {CO, FL, IN, MG, AU},
    # personal data
    Action.ERASE_PERSONAL_DATA: {AD},
    Action.PLACE_LEGAL_HOLD: {AD},
    Action.RELEASE_LEGAL_HOLD: {AD},
    Action.EXPORT_SUBJECT: {AD},
    Action.PURGE_EXPIRED: {AD, SY},
    # oversight
    Action.VERIFY_INTEGRITY: {MG, AU, AD, SY},
    Action.REPORT: {MG, AU, AD, SY},
}

GATE = {"authorize", "available_commands"}
"""The desk's public methods that are not actions: the access check itself, and the listing of
the commands an actor may run, which asks it about each."""

ALIASES: dict[str, Action] = {
    "erase_subject": Action.ERASE_PERSONAL_DATA,
    "receive_or_replay": Action.RECEIVE,
    "reapply_configuration": Action.APPLY_POLICIES,
}
"""Desk methods asked about under another method's action."""


@attrs.frozen
class Scenario:
    """An action's real call: the state its complaint must be in (None: no complaint)."""

    state: str | None
    run: Callable[[ComplaintDesk, Any, Any], object]
    """Called with the desk, the actor and the prepared complaint (or None)."""


def _kpis(desk: ComplaintDesk, actor: Any, _c: Any) -> object:
    desk.authorize(actor, Action.REPORT)
    report = compute_kpis(desk.store, start=START, end=START + _dt.timedelta(days=1))
    assert report.period.start == START
    return report


def _verify(desk: ComplaintDesk, actor: Any, _c: Any) -> object:
    desk.authorize(actor, Action.VERIFY_INTEGRITY)
    report = verify(desk.store)
    assert report.ok
    return report


SURVEY = survey()

SCENARIOS: dict[Action, Scenario] = {
    Action.RECEIVE: Scenario(
        None,
        lambda d, a, _c: d.receive(
            a, complainant=OWNER, channel=Channel.WEB_FORM, description="The tap drips."
        ),
    ),
    Action.ACKNOWLEDGE: Scenario("received", lambda d, a, c: d.acknowledge(c.reference, a)),
    Action.ASSESS: Scenario(
        "acknowledged",
        lambda d, a, c: d.assess(c.reference, a, Assessment(severity=Severity.LOW)),
    ),
    Action.CLASSIFY: Scenario(
        "received",
        lambda d, a, c: d.classify(c.reference, a, Classification(category=("Delivery",))),
    ),
    Action.ASSIGN: Scenario(
        "received", lambda d, a, c: d.assign(c.reference, a, ACTORS[Role.INVESTIGATOR])
    ),
    Action.START_INVESTIGATION: Scenario(
        "assessed", lambda d, a, c: d.start_investigation(c.reference, a)
    ),
    Action.ADD_NOTE: Scenario(
        "investigating", lambda d, a, c: d.add_note(c.reference, a, "Courier scan checked.")
    ),
    Action.RECORD_ROOT_CAUSE: Scenario(
        "investigating",
        lambda d, a, c: d.record_root_cause(c.reference, a, RootCause(cause="Wrong depot.")),
    ),
    Action.DECIDE: Scenario(
        "investigating",
        lambda d, a, c: d.decide(
            c.reference, a, Decision(outcome=Outcome.NOT_UPHELD, reasons="Delivered.")
        ),
    ),
    Action.COMMUNICATE_DECISION: Scenario(
        "decided",
        lambda d, a, c: d.communicate_decision(
            c.reference, a, channel=Channel.EMAIL, summary="Not upheld."
        ),
    ),
    Action.RECORD_COMMUNICATION: Scenario(
        "investigating",
        lambda d, a, c: d.record_communication(
            c.reference,
            a,
            Communication(direction=Direction.OUTBOUND, channel=Channel.PHONE, summary="Called."),
        ),
    ),
    Action.RECORD_REACTION: Scenario(
        "awaiting_reaction", lambda d, a, c: d.record_reaction(c.reference, a, Reaction.ACCEPTS)
    ),
    Action.CARRY_OUT_DECISION: Scenario(
        "refund_accepted",
        lambda d, a, c: d.carry_out_decision(c.reference, a, summary="Refund paid."),
    ),
    Action.REQUEST_INTERNAL_REVIEW: Scenario(
        "rejected",
        lambda d, a, c: d.request_internal_review(c.reference, a, reason="Asked for a review."),
    ),
    Action.REFER_EXTERNALLY: Scenario(
        "awaiting_reaction",
        lambda d, a, c: d.refer_externally(c.reference, a, body="Parcel Ombudsman"),
    ),
    Action.CLOSE: Scenario(
        "resolved", lambda d, a, c: d.close(c.reference, a, reason=ClosureReason.RESOLVED)
    ),
    Action.WITHDRAW: Scenario("investigating", lambda d, a, c: d.withdraw(c.reference, a)),
    Action.REOPEN: Scenario("closed", lambda d, a, c: d.reopen(c.reference, a, reason="New fact.")),
    Action.RECORD_SATISFACTION: Scenario(
        "closed", lambda d, a, c: d.record_satisfaction(c.reference, a, score=4)
    ),
    Action.ANSWER_SURVEY: Scenario(
        "closed",
        lambda d, a, c: d.answer_survey(c.reference, a, survey=SURVEY, answers={"overall": 4}),
    ),
    Action.PUT_ON_HOLD: Scenario(
        "investigating", lambda d, a, c: d.put_on_hold(c.reference, a, reason="Waiting.")
    ),
    Action.RELEASE_HOLD: Scenario("on_hold", lambda d, a, c: d.release_hold(c.reference, a)),
    Action.EXTEND_DEADLINE: Scenario(
        "investigating",
        lambda d, a, c: d.extend_deadline(
            c.reference,
            a,
            metric="final_response",
            kind=ExtensionKind.HOLDING_RESPONSE,
            reason="Waiting for the courier.",
        ),
    ),
    Action.RUN_STEP: Scenario(
        "investigating", lambda d, a, c: d.run_step(c.reference, a, STEP, note="Asked.")
    ),
    Action.APPLY_POLICIES: Scenario("received", lambda d, a, _c: d.apply_policies(a)),
    Action.TICK: Scenario("received", lambda d, a, _c: d.tick(actor=a)),
    Action.GET: Scenario("received", lambda d, a, c: d.get(c.reference, actor=a)),
    Action.HISTORY: Scenario("received", lambda d, a, c: d.history(c.reference, actor=a)),
    Action.FIND_BY_CLIENT_KEY: Scenario(
        "received", lambda d, a, c: d.find_by_client_key(c.client_key, actor=a)
    ),
    Action.QUERY: Scenario("received", lambda d, a, _c: d.query(actor=a)),
    Action.SLA_STATUS: Scenario("received", lambda d, a, c: d.sla_status(c.reference, actor=a)),
    Action.SLA_QUEUE: Scenario("received", lambda d, a, _c: d.sla_queue(actor=a)),
    Action.PUBLIC_VIEW: Scenario("received", lambda d, a, c: d.public_view(c.reference, actor=a)),
    Action.ERASE_PERSONAL_DATA: Scenario(
        "closed", lambda d, a, c: d.erase_personal_data(c.reference, a, reason="Asked to.")
    ),
    Action.PLACE_LEGAL_HOLD: Scenario(
        "closed", lambda d, a, c: d.place_legal_hold(c.reference, a, reason="Claim 9.")
    ),
    Action.RELEASE_LEGAL_HOLD: Scenario(
        "legal_hold", lambda d, a, c: d.release_legal_hold(c.reference, a, reason="Settled.")
    ),
    # A subject's complaints are found by the store, after the policy allowed the search.
    Action.EXPORT_SUBJECT: Scenario(
        None,
        lambda d, a, _c: d.export_subject(SubjectMatch(customer_id=OWNER.customer_id), actor=a),
    ),
    Action.PURGE_EXPIRED: Scenario(
        None, lambda d, a, _c: d.purge_expired(retention_preset("fca"), a)
    ),
    Action.VERIFY_INTEGRITY: Scenario(None, _verify),
    Action.REPORT: Scenario(None, _kpis),
}


def test_the_table_and_the_scenarios_cover_every_action() -> None:
    assert set(EXPECTED) == set(Action)
    assert set(SCENARIOS) == set(Action)


def test_every_public_desk_method_is_an_action() -> None:
    # A new command or query on the desk fails here until it has its Action (and so a row
    # in the matrix above).
    methods = {
        name
        for name, _ in inspect.getmembers(ComplaintDesk, inspect.isfunction)
        if not name.startswith("_")
    }
    actions = {a.value for a in Action}
    assert sorted(methods - GATE - set(ALIASES) - actions) == []
    assert methods >= GATE


class _Env:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.clock = FixedClock(START)
        self.desk, self.setup = desks(path, self.clock)
        store = self.desk.store
        assert isinstance(store, SQLiteEventStore)
        self.store = store

    def scalar(self, sql: str) -> object:
        rows = list(self.store.select(sql))
        return rows[0][0]


@pytest.fixture(scope="module", name="env")
def _env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Env]:
    env = _Env(tmp_path_factory.mktemp("matrix") / "complaints.db")
    yield env
    env.store.close()


CASES = [(action, role) for action in Action for role in Role]


@pytest.mark.parametrize(("action", "role"), CASES, ids=[f"{a.value}-{r.value}" for a, r in CASES])
def test_the_role_matrix(env: _Env, action: Action, role: Role) -> None:
    scenario = SCENARIOS[action]
    complaint = None if scenario.state is None else prepare(env.setup, scenario.state)
    actor = ACTORS[role]
    events_before = env.scalar("SELECT COUNT(*) FROM events")
    complaints_before = env.scalar("SELECT COUNT(*) FROM complaints")
    numbers_before = env.scalar("SELECT COALESCE(SUM(value), 0) FROM counters")
    denials_before = env.store.denials(limit=100_000)

    if role in EXPECTED[action]:
        result = scenario.run(env.desk, actor, complaint)
        assert len(env.store.denials(limit=100_000)) == len(denials_before)
        if (
            action.kind.value == "command"
            and complaint is not None
            and action
            not in (
                Action.APPLY_POLICIES,
                Action.TICK,
            )
        ):
            assert env.store.version(complaint.id) > complaint.version, "nothing was written"
        if action is Action.PUBLIC_VIEW:
            assert isinstance(result, PublicView)
        return

    with pytest.raises(PermissionDenied) as info:
        scenario.run(env.desk, actor, complaint)
    error = info.value
    # A custom step is refused by name: the action the authorizer was asked about.
    asked = Action.step(STEP) if action is Action.RUN_STEP else action
    assert (error.actor_id, error.role, error.action) == (actor.id, role.value, asked.value)
    # Nothing was written: no event, no complaint, no reference number used up.
    assert env.scalar("SELECT COUNT(*) FROM events") == events_before
    assert env.scalar("SELECT COUNT(*) FROM complaints") == complaints_before
    assert env.scalar("SELECT COALESCE(SUM(value), 0) FROM counters") == numbers_before
    # ... but the denial, in the store's own table.
    denials = env.store.denials(limit=100_000)
    assert len(denials) == len(denials_before) + 1
    recorded = denials[-1]
    assert isinstance(recorded, DenialRecord)
    assert (recorded.actor_id, recorded.role, recorded.action) == (actor.id, role, asked)
    if complaint is not None and action is not Action.RECEIVE and not action.lists:
        if action not in (Action.APPLY_POLICIES, Action.TICK):
            assert (recorded.complaint_id, recorded.reference) == (
                complaint.id,
                complaint.reference,
            )
            assert error.reference == complaint.reference
    else:
        assert recorded.complaint_id is None
    assert recorded.reason == error.reason
    assert recorded.at == env.clock.now()
    # The message names the actor, the role and the action, never personal data.
    message = str(error)
    assert actor.id in message and role.value in message and action.value in message
    for personal in (OWNER.name, "olive.owner@example.org", "Mia Manager", actor.name or "-"):
        assert personal not in message
        assert personal not in recorded.reason
