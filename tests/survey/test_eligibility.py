"""Each eligibility rule refuses what it says and lets through what it does not cover."""

from __future__ import annotations

import datetime as _dt

import attrs
import pytest

from iso10002 import (
    Channel,
    ClosureReason,
    ComplaintDesk,
    FixedClock,
    InMemoryEventStore,
    NaiveDatetimeError,
    ValidationError,
)
from iso10002.survey import Eligibility, EligibilityRules, Milestone, eligible

from .support import STAFF, START, SURVEY_SYSTEM, closed, communicate, receive, survey


@pytest.fixture(name="clock")
def _clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(name="desk")
def _desk(clock: FixedClock) -> ComplaintDesk:
    return ComplaintDesk(InMemoryEventStore(), clock=clock)


def refused(verdict: Eligibility, rule: str) -> str:
    """The reason, after checking that ``rule`` refused."""
    assert not verdict
    assert (verdict.eligible, verdict.rule) == (False, rule)
    assert verdict.reason
    return verdict.reason


def test_a_closed_complaint_is_eligible_by_default(desk: ComplaintDesk, clock: FixedClock) -> None:
    verdict = eligible(survey(), closed(desk), clock.now())
    assert verdict
    assert verdict == Eligibility(eligible=True)


# -- exclude_withdrawn -------------------------------------------------------------------------


def test_a_withdrawn_complaint_is_refused(desk: ComplaintDesk, clock: FixedClock) -> None:
    c = desk.withdraw(communicate(desk, receive(desk)).id, STAFF)
    reason = refused(eligible(survey(), c, clock.now()), "exclude_withdrawn")
    assert reason == "the complaint was withdrawn"


def test_a_withdrawn_complaint_may_answer_when_not_excluded(
    desk: ComplaintDesk, clock: FixedClock
) -> None:
    c = desk.withdraw(receive(desk).id, STAFF)
    # Withdrawal ends the complaint, so it counts as the closure the survey waits for.
    assert eligible(survey(exclude_withdrawn=False), c, clock.now())
    later = clock.now() + _dt.timedelta(days=8)
    reason = refused(
        eligible(survey(exclude_withdrawn=False, within_days=7), c, later), "within_days"
    )
    assert reason == (
        "answers are taken for 7 days after the complaint was withdrawn, at 2026-03-02 09:00 UTC"
    )
    waits_for_decision = survey(exclude_withdrawn=False, after=Milestone.DECISION_COMMUNICATED)
    assert refused(eligible(waits_for_decision, c, clock.now()), "after")


# -- exclude_duplicates ------------------------------------------------------------------------


def test_a_duplicate_is_refused_unless_duplicates_are_allowed(
    desk: ComplaintDesk, clock: FixedClock
) -> None:
    original = receive(desk)
    c = desk.close(
        receive(desk).id, STAFF, reason=ClosureReason.DUPLICATE, duplicate_of=original.reference
    )
    reason = refused(eligible(survey(), c, clock.now()), "exclude_duplicates")
    assert reason == f"the complaint was closed as a duplicate of {original.reference}"
    assert eligible(survey(exclude_duplicates=False), c, clock.now())


# -- channels ----------------------------------------------------------------------------------


def test_channels_limit_the_complaints_surveyed(desk: ComplaintDesk, clock: FixedClock) -> None:
    c = closed(desk, channel=Channel.PHONE)
    reason = refused(
        eligible(survey(channels=(Channel.EMAIL, Channel.WEB_FORM)), c, clock.now()), "channels"
    )
    assert reason == "it came in by phone; the survey is for email, web_form"
    assert eligible(survey(channels=(Channel.EMAIL, Channel.PHONE)), c, clock.now())


# -- categories --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("categories", "ok"),
    [
        (("Billing",), True),
        (("Billing / Wrong amount",), True),
        (("Billing/Wrong amount",), True),
        (("Service", "Billing"), True),
        (("Billing / Late",), False),
        (("Bill",), False),
        (("Billing / Wrong amount / Tax",), False),
        (("Wrong amount",), False),
    ],
)
def test_categories_match_whole_levels_from_the_top(
    desk: ComplaintDesk, clock: FixedClock, categories: tuple[str, ...], ok: bool
) -> None:
    c = closed(desk, category=("Billing", "Wrong amount"))
    verdict = eligible(survey(categories=categories), c, clock.now())
    if ok:
        assert verdict
    else:
        reason = refused(verdict, "categories")
        assert reason.startswith("it is classified as Billing / Wrong amount; the survey is for ")


def test_an_unclassified_complaint_is_refused_only_by_a_category_filter(
    desk: ComplaintDesk, clock: FixedClock
) -> None:
    c = closed(desk, category=None)
    reason = refused(eligible(survey(categories=("Billing",)), c, clock.now()), "categories")
    assert reason == "it is not classified; the survey is for Billing"
    assert eligible(survey(), c, clock.now())


# -- after -------------------------------------------------------------------------------------


def test_by_default_answers_wait_for_closure(desk: ComplaintDesk, clock: FixedClock) -> None:
    c = communicate(desk, receive(desk))
    assert refused(eligible(survey(), c, clock.now()), "after") == "the complaint is not closed"
    assert eligible(survey(after=Milestone.DECISION_COMMUNICATED), c, clock.now())


def test_answers_may_wait_for_the_decision_only(desk: ComplaintDesk, clock: FixedClock) -> None:
    rules = survey(after=Milestone.DECISION_COMMUNICATED)
    c = receive(desk)
    reason = refused(eligible(rules, c, clock.now()), "after")
    assert reason == "the decision has not been communicated"
    assert eligible(rules, communicate(desk, c), clock.now())


def test_a_reopened_complaint_waits_for_its_next_closure(
    desk: ComplaintDesk, clock: FixedClock
) -> None:
    c = desk.reopen(closed(desk).id, STAFF, reason="The refund never arrived.")
    assert refused(eligible(survey(), c, clock.now()), "after") == "the complaint is not closed"


# -- within_days -------------------------------------------------------------------------------


def test_answers_are_taken_for_the_days_given_and_not_after(
    desk: ComplaintDesk, clock: FixedClock
) -> None:
    c = closed(desk)
    closed_at = c.closed_at
    assert closed_at is not None
    rules = survey(within_days=30)
    assert eligible(rules, c, closed_at + _dt.timedelta(days=30))
    late = closed_at + _dt.timedelta(days=30, seconds=1)
    reason = refused(eligible(rules, c, late), "within_days")
    assert reason == (
        "answers are taken for 30 days after the complaint was closed, at 2026-03-02 09:00 UTC"
    )
    assert eligible(survey(), c, closed_at + _dt.timedelta(days=3650))  # no limit by default


def test_the_days_count_from_the_milestone_of_the_survey(
    desk: ComplaintDesk, clock: FixedClock
) -> None:
    c = communicate(desk, receive(desk))
    sent = c.decision_communicated_at
    assert sent is not None
    rules = survey(after=Milestone.DECISION_COMMUNICATED, within_days=7)
    assert eligible(rules, c, sent + _dt.timedelta(days=7))
    reason = refused(eligible(rules, c, sent + _dt.timedelta(days=8)), "within_days")
    assert "7 days after the decision was communicated" in reason


# -- once_per_complaint ------------------------------------------------------------------------


def test_one_response_per_complaint_and_survey(desk: ComplaintDesk, clock: FixedClock) -> None:
    s = survey()
    c = desk.answer_survey(closed(desk).id, SURVEY_SYSTEM, survey=s, answers={"overall": 4})
    reason = refused(eligible(s, c, clock.now()), "once_per_complaint")
    assert reason == "the complainant has already answered 'after-closure'"
    # Whatever the version: a new version of the same survey is still the same survey.
    assert not eligible(attrs.evolve(s, version="2027.1"), c, clock.now())
    assert eligible(attrs.evolve(s, name="another"), c, clock.now())
    assert eligible(survey(once_per_complaint=False), c, clock.now())


# -- order, inputs and the result ----------------------------------------------------------------


def test_the_first_rule_that_refuses_is_reported(desk: ComplaintDesk, clock: FixedClock) -> None:
    c = desk.withdraw(receive(desk, channel=Channel.PHONE, category=None).id, STAFF)
    rules = survey(channels=(Channel.EMAIL,), categories=("Billing",), within_days=1)
    assert eligible(rules, c, clock.now()).rule == "exclude_withdrawn"
    assert (
        eligible(
            survey(channels=(Channel.EMAIL,), categories=("Billing",)),
            closed(desk, channel=Channel.PHONE, category=None),
            clock.now(),
        ).rule
        == "channels"
    )


def test_now_must_be_an_aware_datetime(desk: ComplaintDesk) -> None:
    c = closed(desk)
    with pytest.raises(NaiveDatetimeError) as error:
        eligible(survey(), c, _dt.datetime(2026, 3, 3, 9, 0))
    assert error.value.field == "now"
    with pytest.raises(ValidationError) as bad:
        eligible(survey(), c, "2026-03-03")  # type: ignore[arg-type]
    assert bad.value.field == "now"


def test_an_eligibility_result_is_consistent() -> None:
    assert not Eligibility(eligible=False, rule="channels", reason="phone")
    for bad in (
        {"eligible": True, "rule": "channels", "reason": "phone"},
        {"eligible": False},
        {"eligible": False, "rule": "channels"},
    ):
        with pytest.raises(ValidationError) as error:
            Eligibility(**bad)
        assert error.value.field == "rule"


def test_eligibility_rules_validate_themselves() -> None:
    with pytest.raises(ValidationError) as error:
        EligibilityRules(within_days=0)
    assert error.value.field == "within_days"
    with pytest.raises(ValidationError) as error:
        EligibilityRules(channels=("email",))
    assert error.value.field == "channels[0]"
    with pytest.raises(ValidationError) as error:
        EligibilityRules(exclude_duplicates="no")  # type: ignore[arg-type]
    assert error.value.field == "exclude_duplicates"
    # Files give the plain value.
    assert EligibilityRules(after="decision_communicated").after is Milestone.DECISION_COMMUNICATED
