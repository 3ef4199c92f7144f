"""
The timeliness engine through the desk: every status computed from the history, worked by hand
on an office calendar of Monday to Friday, 09:00-17:00 London time.
"""

from __future__ import annotations

import datetime as _dt

import pytest

from iso10002 import ClosureReason, Reaction, ValidationError
from iso10002.model.events import SlaPolicyApplied
from iso10002.model.values import ExtensionKind
from iso10002.sla.config import SlaConfig
from iso10002.sla.engine import SlaStatus, evaluate
from iso10002.sla.policy import ReopenRule

from .support import (
    STAFF,
    config,
    decide_and_tell,
    hours,
    local,
    make_desk,
    receive,
    standard_policy,
    urgent_policy,
)


def test_receipt_records_the_policy_and_the_calendar_it_counts_in() -> None:
    desk, _ = make_desk(local(2026, 11, 20, 16, 0))
    ref = receive(desk)

    history = desk.history(ref)
    applied = history[1].payload
    assert isinstance(applied, SlaPolicyApplied)
    assert [e.type for e in history] == ["complaint_received", "sla_policy_applied"]
    assert (applied.policy, applied.version, applied.reason) == ("standard", "1", "default policy")
    assert applied.calendar_fingerprint == standard_policy().calendar.fingerprint()
    assert (desk.get(ref).sla_policy, desk.get(ref).sla_policy_version) == ("standard", "1")


def test_a_friday_afternoon_complaint_is_due_by_monday_close_of_business() -> None:
    desk, clock = make_desk(local(2026, 11, 20, 16, 0))  # a Friday
    ref = receive(desk)

    report = desk.sla_status(ref)
    assert report is not None
    ack = report.metric("acknowledgement")
    final = report.metric("final_response")
    # One business day after the day of receipt: Monday, closing at 17:00.
    assert ack.due_at == local(2026, 11, 23, 17, 0)
    # 16 business hours: 1 on Friday, 8 on Monday, 7 on Tuesday.
    assert final.due_at == local(2026, 11, 24, 16, 0)
    assert final.warnings == ((50, local(2026, 11, 23, 16, 0)), (75, local(2026, 11, 24, 12, 0)))
    assert (ack.status, final.status) == (SlaStatus.RUNNING, SlaStatus.RUNNING)

    clock.set(local(2026, 11, 23, 16, 30))
    report = desk.sla_status(ref)
    assert report is not None
    assert report.metric("final_response").status is SlaStatus.WARNING
    assert report.metric("final_response").elapsed == hours(8.5)

    desk.acknowledge(ref, STAFF)
    report = desk.sla_status(ref)
    assert report is not None
    assert report.metric("acknowledgement").status is SlaStatus.MET
    assert report.metric("acknowledgement").stopped_at == local(2026, 11, 23, 16, 30)


def test_a_complaint_decided_straight_from_hold_keeps_its_hold_time() -> None:
    desk, clock = make_desk(local(2026, 11, 20, 16, 0))
    ref = receive(desk)
    clock.set(local(2026, 11, 20, 16, 30))
    desk.put_on_hold(ref, STAFF, reason="waiting for the receipt")
    clock.set(local(2026, 12, 2, 10, 0))  # on hold for 8 business days
    decide_and_tell(desk, ref)  # decided without releasing the hold first

    report = desk.sla_status(ref)
    assert report is not None
    final = report.metric("final_response")
    assert final.status is SlaStatus.MET
    assert final.elapsed == hours(0.5)
    # 30 min on Friday 20th, 8 days x 8 h (23 Nov - 2 Dec), 1 h on 2 Dec.
    assert final.paused == hours(0.5) + 7 * hours(8) + hours(1)
    counted = [(i.start, i.end, i.counted) for i in final.explanation]
    assert counted == [
        (local(2026, 11, 20, 16, 0), local(2026, 11, 20, 16, 30), True),
        (local(2026, 11, 20, 16, 30), local(2026, 12, 2, 10, 0), False),
    ]
    assert final.explanation[1].reason == "paused by hold_started"


def test_a_hold_moves_the_deadline_by_the_business_time_it_lasted() -> None:
    desk, clock = make_desk(local(2026, 11, 23, 9, 0))  # Monday
    ref = receive(desk)
    clock.set(local(2026, 11, 23, 13, 0))
    desk.put_on_hold(ref, STAFF, reason="waiting")
    report = desk.sla_status(ref)
    assert report is not None
    assert report.metric("final_response").status is SlaStatus.PAUSED
    assert report.metric("final_response").due_at is None

    clock.set(local(2026, 11, 25, 13, 0))  # two business days later
    desk.release_hold(ref, STAFF)
    report = desk.sla_status(ref)
    assert report is not None
    # 4 h used on Monday; 12 h left from Wednesday 13:00: 4 h Wednesday, 8 h Thursday.
    assert report.metric("final_response").due_at == local(2026, 11, 26, 17, 0)
    assert report.metric("final_response").paused == hours(16)


def test_a_priority_change_keeps_the_time_already_used() -> None:
    from iso10002 import Assessment, Impact, Severity

    desk, clock = make_desk(local(2026, 11, 23, 9, 0))
    ref = receive(desk)
    clock.set(local(2026, 11, 23, 15, 0))
    desk.acknowledge(ref, STAFF)
    desk.assess(ref, STAFF, Assessment(severity=Severity.HIGH, impact=Impact.HIGH))

    applied = [e.payload for e in desk.history(ref) if isinstance(e.payload, SlaPolicyApplied)]
    assert [(p.policy, p.reason) for p in applied] == [
        ("standard", "default policy"),
        ("urgent", "rule 1: priority in urgent, high"),
    ]
    report = desk.sla_status(ref)
    assert report is not None
    final = report.metric("final_response")
    # The 6 h since receipt still count against the 8 h of the urgent policy.
    assert final.elapsed == hours(6)
    assert final.due_at == local(2026, 11, 23, 17, 0)
    # The status as of before the change is still computed with the policy then in force.
    before = desk.sla_status(ref, as_of=local(2026, 11, 23, 14, 0))
    assert before is not None
    assert before.policy == "standard"
    assert before.metric("final_response").due_at == local(2026, 11, 24, 17, 0)


@pytest.mark.parametrize(
    ("rule", "status", "cycle", "elapsed"),
    [
        # Continue: 2 h before the decision + 3 h after reopening; days closed not counted.
        (ReopenRule.CONTINUE, SlaStatus.RUNNING, 1, hours(5)),
        (ReopenRule.RESET, SlaStatus.RUNNING, 2, hours(3)),
        (ReopenRule.NEW_CYCLE, SlaStatus.RUNNING, 2, hours(3)),
        (ReopenRule.KEEP, SlaStatus.MET, 1, hours(2)),
    ],
)
def test_reopening_continues_resets_starts_a_new_cycle_or_keeps_the_result(
    rule: ReopenRule, status: SlaStatus, cycle: int, elapsed: _dt.timedelta
) -> None:
    policy = standard_policy(final_on_reopen=rule)
    desk, clock = make_desk(
        local(2026, 11, 23, 9, 0), sla=SlaConfig(policies=(policy,), default="standard")
    )
    ref = receive(desk)
    clock.set(local(2026, 11, 23, 11, 0))
    decide_and_tell(desk, ref)
    desk.record_reaction(ref, STAFF, Reaction.ACCEPTS)
    desk.close(ref, STAFF, reason=ClosureReason.RESOLVED)
    clock.set(local(2026, 11, 26, 9, 0))
    desk.reopen(ref, STAFF, reason="The refund never arrived.")
    clock.set(local(2026, 11, 26, 12, 0))

    report = desk.sla_status(ref)
    assert report is not None
    final = report.metric("final_response")
    assert (final.status, final.cycle, final.elapsed) == (status, cycle, elapsed)
    assert report.metric("acknowledgement").status is SlaStatus.MET
    if rule is ReopenRule.NEW_CYCLE:
        assert [(p.cycle, p.status) for p in final.previous] == [(1, SlaStatus.MET)]
    else:
        assert final.previous == ()
    if rule is ReopenRule.CONTINUE:
        gaps = [i for i in final.explanation if not i.counted]
        assert [(g.start, g.end, g.reason) for g in gaps] == [
            (local(2026, 11, 23, 11, 0), local(2026, 11, 26, 9, 0), "not counted: complaint closed")
        ]
        assert final.due_at == local(2026, 11, 27, 15, 0)


@pytest.mark.parametrize("how", ["withdrawn", "duplicate"])
def test_withdrawn_and_duplicate_complaints_never_count_as_breaches(how: str) -> None:
    desk, clock = make_desk(local(2026, 11, 23, 9, 0))
    original = receive(desk)
    ref = receive(desk)
    clock.set(local(2026, 12, 10, 9, 0))  # every deadline long past
    report = desk.sla_status(ref)
    assert report is not None
    assert {m.status for m in report.metrics} == {SlaStatus.BREACHED}

    if how == "withdrawn":
        desk.withdraw(ref, STAFF, reason="Sorted it out myself.")
    else:
        desk.close(ref, STAFF, reason=ClosureReason.DUPLICATE, duplicate_of=original)
    report = desk.sla_status(ref)
    assert report is not None
    assert {m.status for m in report.metrics} == {SlaStatus.CANCELLED}


def test_closing_before_a_milestone_is_due_cancels_it_and_after_breaches_it() -> None:
    desk, clock = make_desk(local(2026, 11, 23, 9, 0))
    ref = receive(desk)
    clock.set(local(2026, 11, 23, 10, 0))
    decide_and_tell(desk, ref)
    desk.record_reaction(ref, STAFF, Reaction.ACCEPTS)
    desk.close(ref, STAFF, reason=ClosureReason.RESOLVED)
    report = desk.sla_status(ref)
    assert report is not None
    assert report.metric("final_response").status is SlaStatus.MET
    assert report.metric("acknowledgement").status is SlaStatus.MET


def test_a_holding_response_extends_to_the_extended_target() -> None:
    desk, clock = make_desk(local(2026, 11, 23, 9, 0))
    ref = receive(desk)
    clock.set(local(2026, 11, 24, 15, 0))
    desk.extend_deadline(
        ref,
        STAFF,
        metric="final_response",
        kind=ExtensionKind.HOLDING_RESPONSE,
        reason="Waiting on the courier.",
    )
    report = desk.sla_status(ref)
    assert report is not None
    final = report.metric("final_response")
    # 24 business hours from Monday 09:00: the end of Wednesday.
    assert (final.due_at, final.extended, final.extension) == (local(2026, 11, 25, 17, 0), True, 1)

    until = local(2026, 12, 4, 12, 0)
    desk.extend_deadline(
        ref,
        STAFF,
        metric="final_response",
        kind=ExtensionKind.AGREED,
        reason="Agreed by phone.",
        until=until,
    )
    report = desk.sla_status(ref)
    assert report is not None
    assert report.metric("final_response").due_at == until


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"metric": "nope", "kind": ExtensionKind.AGREED}, "metric", "has no metric 'nope'"),
        (
            {"metric": "acknowledgement", "kind": ExtensionKind.HOLDING_RESPONSE},
            "kind",
            "does not allow a holding_response extension (allowed: none)",
        ),
        (
            {"metric": "final_response", "kind": ExtensionKind.DELAY_NOTICE},
            "kind",
            "allowed: holding_response, agreed",
        ),
    ],
)
def test_an_extension_the_regime_does_not_allow_is_refused_and_nothing_is_written(
    kwargs: dict[str, object], field: str, message: str
) -> None:
    desk, _ = make_desk(local(2026, 11, 23, 9, 0))
    ref = receive(desk)
    before = desk.history(ref)
    with pytest.raises(ValidationError) as caught:
        desk.extend_deadline(ref, STAFF, reason="Because.", **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert message in str(caught.value)
    assert desk.history(ref) == before


def test_evaluating_at_a_past_instant_ignores_what_came_after() -> None:
    desk, clock = make_desk(local(2026, 11, 23, 9, 0))
    ref = receive(desk)
    clock.set(local(2026, 11, 24, 10, 0))
    desk.acknowledge(ref, STAFF)
    history = desk.history(ref)
    then = evaluate(history, standard_policy(), local(2026, 11, 23, 12, 0))
    now = evaluate(history, standard_policy(), local(2026, 11, 24, 12, 0))
    assert then.metric("acknowledgement").status is SlaStatus.RUNNING
    assert now.metric("acknowledgement").status is SlaStatus.MET
    assert now.metric("acknowledgement").stopped_at == local(2026, 11, 24, 10, 0)


def test_a_recurring_update_metric_counts_cycles() -> None:
    from iso10002 import Communication, CommunicationKind, Direction
    from iso10002.sla.policy import SlaPolicy, Target, Unit

    from .support import DECISION, OFFICE, OUTBOUND, metric

    policy = SlaPolicy(
        name="updates",
        version="1",
        description="Keep the complainant informed every 4 business hours.",
        calendar=OFFICE,
        metrics=(
            metric(
                "update",
                Target(amount=4, unit=Unit.BUSINESS_HOURS),
                stop=(OUTBOUND,),
                recurring=True,
                until=(DECISION,),
            ),
        ),
    )
    desk, clock = make_desk(
        local(2026, 11, 23, 9, 0), sla=SlaConfig(policies=(policy,), default="updates")
    )
    ref = receive(desk)
    update = Communication(
        direction=Direction.OUTBOUND,
        kind=CommunicationKind.PROGRESS_UPDATE,
        channel=desk.get(ref).channel,
        summary="Still looking.",
    )
    clock.set(local(2026, 11, 23, 12, 0))
    desk.record_communication(ref, STAFF, update)
    clock.set(local(2026, 11, 23, 17, 30))  # 5 h after the first update: the second is late
    report = desk.sla_status(ref)
    assert report is not None
    m = report.metric("update")
    assert (m.cycle, m.status, m.due_at) == (2, SlaStatus.BREACHED, local(2026, 11, 23, 16, 0))
    assert [(p.cycle, p.status) for p in m.previous] == [(1, SlaStatus.MET)]
    decide_and_tell(desk, ref)
    report = desk.sla_status(ref)
    assert report is not None
    assert report.metric("update").status is SlaStatus.BREACHED  # late before it ended


def test_sla_status_needs_policies_and_an_aware_instant() -> None:
    from iso10002 import ComplaintDesk, NaiveDatetimeError

    plain = ComplaintDesk()
    ref = receive(plain)
    with pytest.raises(ValidationError, match="no timeliness policies"):
        plain.sla_status(ref)
    desk, _ = make_desk(local(2026, 11, 23, 9, 0))
    ref = receive(desk)
    with pytest.raises(NaiveDatetimeError):
        desk.sla_status(ref, as_of=_dt.datetime(2026, 11, 23, 9, 0))


def test_a_config_refuses_unknown_policy_names() -> None:
    with pytest.raises(ValidationError) as caught:
        config(default="nope")
    assert caught.value.field == "default"
    with pytest.raises(ValidationError) as caught:
        SlaConfig(policies=(standard_policy(), standard_policy()))
    assert caught.value.field == "policies"
    assert urgent_policy().metric("final_response").target.describe() == "8 business hours"


def test_the_first_matching_rule_wins_on_channel_category_regulation_and_segment() -> None:
    from iso10002 import Channel, Classification, PolicyRule

    sla = config(
        rules=(
            PolicyRule(policy="urgent", regulation=("psd2",), channel=(Channel.EMAIL,)),
            PolicyRule(policy="urgent", category=("payments",), segment=("business",)),
            PolicyRule(policy="standard", category=("payments",)),
        ),
    )
    desk, _ = make_desk(local(2026, 11, 23, 9, 0), sla=sla)
    psd2 = receive(desk, attributes={"regulation": "psd2"})
    business = receive(desk, attributes={"segment": "business"})
    desk.classify(business, STAFF, Classification(category=("payments", "cards")))
    personal = receive(desk, attributes={"segment": "personal"})
    desk.classify(personal, STAFF, Classification(category=("payments", "cards")))
    near_miss = receive(desk, attributes={"segment": "business"})
    desk.classify(near_miss, STAFF, Classification(category=("paymentsx",)))

    def reasons(ref: str) -> list[str]:
        return [
            f"{e.payload.policy}: {e.payload.reason}"
            for e in desk.history(ref)
            if isinstance(e.payload, SlaPolicyApplied)
        ]

    assert reasons(psd2) == ["urgent: rule 1: channel in email and regulation in psd2"]
    assert reasons(business) == [
        "standard: default policy",
        "urgent: rule 2: category in payments and segment in business",
    ]
    assert reasons(personal) == ["standard: default policy"]  # rule 3 picks the same policy
    assert reasons(near_miss) == ["standard: default policy"]


def test_a_new_calendar_version_reaches_open_complaints_when_policies_are_applied() -> None:
    import attrs

    from iso10002 import Holiday

    desk, clock = make_desk(local(2026, 11, 23, 9, 0))
    open_ref = receive(desk)
    closed_ref = receive(desk)
    decide_and_tell(desk, closed_ref)
    desk.record_reaction(closed_ref, STAFF, Reaction.ACCEPTS)
    desk.close(closed_ref, STAFF, reason=ClosureReason.RESOLVED)
    report = desk.sla_status(open_ref)
    assert report is not None
    assert report.metric("final_response").due_at == local(2026, 11, 24, 17, 0)

    # The office closes on Tuesday 24 November after all: version 2 of its calendar.
    old = standard_policy()
    calendar = old.calendar.with_holidays(
        [Holiday(date=_dt.date(2026, 11, 24), name="Office move")], version="2026.2"
    )
    newer = attrs.evolve(old, version="2", calendar=calendar)
    desk.sla = SlaConfig(policies=(old, newer, urgent_policy()), default="standard")
    clock.set(local(2026, 11, 23, 12, 0))

    written = desk.apply_policies(STAFF)

    assert [(e.complaint_id, e.payload.version) for e in written] == [  # type: ignore[union-attr]
        (desk.get(open_ref).id, "2")
    ]
    assert desk.apply_policies(STAFF) == []  # nothing left to move
    report = desk.sla_status(open_ref)
    assert report is not None
    assert (report.version, report.calendar_version) == ("2", "2026.2")
    # The 3 hours used on Monday are kept; Tuesday no longer counts.
    assert report.metric("final_response").elapsed == hours(3)
    assert report.metric("final_response").due_at == local(2026, 11, 25, 17, 0)
    closed = desk.sla_status(closed_ref)
    assert closed is not None
    assert closed.version == "1"


def test_a_condition_may_name_an_enum_member_or_its_value() -> None:
    from iso10002 import Direction, On

    by_member = On(
        event="communication_recorded", where={"communication.direction": Direction.OUTBOUND}
    )
    assert by_member == On(
        event="communication_recorded", where={"communication.direction": "outbound"}
    )
