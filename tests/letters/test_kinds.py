"""Each kind of letter, written for real complaints on a desk under FCA DISP 1.5 / 1.6."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from iso10002 import (
    Channel,
    ClosureReason,
    Complaint,
    ComplaintDesk,
    ContactMethod,
    Decision,
    ExtensionKind,
    FixedClock,
    Outcome,
    Reaction,
    ValidationError,
)
from iso10002.letters import LetterKind, LetterWriter, Template, TemplateSet, builtin_templates
from iso10002.letters.catalogue import LetterTemplate
from iso10002.programme import Escalation, ExternalBody
from iso10002.survey import FIVE_POINT_SATISFACTION, Question, Survey

from .support import (
    DECISIONS,
    PERSONAL,
    STAFF,
    START,
    SYDNEY,
    complainant,
    decided,
    make_desk,
    receive,
    settings,
    writer,
)

FOS = "the Financial Ombudsman Service"


@pytest.fixture(name="clock")
def _clock() -> FixedClock:
    return FixedClock(START)


# -- acknowledgement ---------------------------------------------------------------------------


def test_acknowledgement_states_the_reference_and_the_final_response_deadline(
    clock: FixedClock,
) -> None:
    desk = make_desk(clock)
    complaint = receive(desk)
    letter = writer(desk).acknowledgement(complaint, sla=desk.sla_status(complaint.reference))
    n = letter.notification
    assert letter.kind is LetterKind.ACKNOWLEDGEMENT and n.kind == "acknowledgement"
    assert n.subject == f"We have received your complaint (reference {complaint.reference})"
    assert n.recipient == "ann@example.org"
    assert f"Your reference is {complaint.reference}." in n.text
    assert "We received your complaint on 2 March 2026" in n.text
    # DISP 1.6: the end of 8 weeks after receipt; midnight BST ending 27 April.
    assert "We will send you our final response by 27 April 2026." in n.text
    assert "with your current account" in n.text
    assert "you can call us on 0800 123 4567" in n.text
    assert n.html is not None and "by <strong>27 April 2026</strong>" in n.html
    assert n.created_at == complaint.last_event_at
    assert n.data["letter"] == "acknowledgement" and n.data["channel"] == "email"


def test_acknowledgement_without_an_sla_report_promises_no_date(clock: FixedClock) -> None:
    for timed in (True, False):
        desk = make_desk(clock, timed=timed)
        complaint = receive(desk)
        n = writer(desk).acknowledgement(complaint).notification
        assert "final response by" not in n.text
        assert "We will reply as soon as we can." in n.text
        assert n.html is not None and "as soon as we can" in n.html


def test_acknowledgement_lists_every_running_deadline_for_templates_that_want_them(
    clock: FixedClock,
) -> None:
    desk = make_desk(clock)
    complaint = receive(desk)
    own = LetterTemplate(
        kind=LetterKind.ACKNOWLEDGEMENT,
        language="en",
        subject=Template(text="{{reference}}", name="subject"),
        text=Template(
            text="{{reference}}\n{{#deadlines}}\n{{metric}}: {{due}}\n{{/deadlines}}\n",
            name="text",
        ),
    )
    letter = LetterWriter(
        settings=settings(), templates=TemplateSet(templates=(own,)), sla_config=desk.sla
    ).acknowledgement(complaint, sla=desk.sla_status(complaint.reference))
    assert letter.notification.text == (
        f"{complaint.reference}\n"
        "summary_resolution: 17:00 on 5 March 2026\n"  # close of business, 3rd business day
        "final_response: 27 April 2026\n"
    )
    assert letter.notification.html is None
    assert letter.template == "code"


def test_dates_follow_the_business_calendars_zone(clock: FixedClock) -> None:
    clock.advance(dt.timedelta(hours=11))  # 20:00 in London is 07:00 next day in Sydney
    desk = make_desk(clock, calendar=SYDNEY)
    complaint = receive(desk)
    letter = writer(desk).acknowledgement(complaint, sla=desk.sla_status(complaint.reference))
    assert "We received your complaint on 3 March 2026" in letter.notification.text
    assert "final response by 28 April 2026." in letter.notification.text
    # Without the calendar the settings' zone (London) applies; an explicit zone wins.
    plain = LetterWriter(settings=settings()).acknowledgement(complaint)
    assert "on 2 March 2026" in plain.notification.text
    chosen = LetterWriter(settings=settings()).acknowledgement(complaint, zone="Asia/Tokyo")
    assert "on 3 March 2026" in chosen.notification.text


# -- decision ---------------------------------------------------------------------------------

REMEDY_LINES = {
    "upheld, refund with amount": ["- A refund of £1,242.10"],
    "upheld, apology without amount": ["- Our apology: for the tone of our letter"],
    "partially upheld, compensation and explanation": [
        "- Compensation of £50.00",
        "- An explanation: why the charge applies",
    ],
    "not upheld, no remedy": [],
    "not upheld, goodwill payment": ["- A payment of £20.00: a goodwill gesture"],
}
OUTCOME_SENTENCES = {
    Outcome.UPHELD: "We uphold your complaint. We agree that we got things wrong",
    Outcome.PARTIALLY_UPHELD: "We uphold your complaint in part.",
    Outcome.NOT_UPHELD: "We do not uphold your complaint.",
}


@pytest.mark.parametrize("timed", [True, False], ids=["with SLA", "without SLA"])
@pytest.mark.parametrize("case", list(DECISIONS))
def test_decision_letter(clock: FixedClock, case: str, timed: bool) -> None:
    desk = make_desk(clock, timed=timed)
    decision = DECISIONS[case]
    complaint = decided(desk, decision)
    report = desk.sla_status(complaint.reference) if timed else None
    letter = writer(desk).decision(complaint, sla=report)
    n = letter.notification
    assert n.subject == f"Your complaint {complaint.reference}: our final response"
    assert n.html is not None
    for outcome, sentence in OUTCOME_SENTENCES.items():
        assert (sentence in n.text) is (outcome is decision.outcome), outcome
    assert decision.reasons in n.text and html.escape(decision.reasons) in n.html
    lines = [line for line in n.text.splitlines() if line.startswith("- ")]
    assert lines == REMEDY_LINES[case]
    assert ("What we will do to put things right" in n.text) is bool(decision.remedies)
    assert n.html.count("<li>") == len(decision.remedies)
    # The recourse appears exactly when the complaint is not fully upheld (7.9).
    recourse = decision.outcome is not Outcome.UPHELD
    for body in (n.text, n.html):
        assert ("reviewed by our Customer Relations Manager" in body) is recourse
        assert (FOS in body) is recourse
        assert ("6 months from the date of our final response" in body) is recourse
        assert ("by 2 September 2026" in body or "by <strong>2 September 2026" in body) is (
            recourse
        )
        assert ("will not have our permission" in body) is recourse
    assert n.data["outcome"] == decision.outcome.value
    stamp = (START + dt.timedelta(hours=1)).strftime("%Y%m%dT%H%M%S.%fZ")
    assert n.idempotency_key == f"{complaint.id}:decision:{stamp}"


def test_decision_letter_by_sms_is_short_and_keeps_the_recourse(clock: FixedClock) -> None:
    desk = make_desk(clock)
    for outcome in (Outcome.UPHELD, Outcome.NOT_UPHELD):
        decision = next(d for d in DECISIONS.values() if d.outcome is outcome)
        who = complainant(preferred=ContactMethod.SMS)
        letter = writer(desk).decision(decided(desk, decision, who))
        assert letter.notification.html is None
        assert (FOS in letter.notification.text) is (outcome is Outcome.NOT_UPHELD)
        assert "\n" not in letter.notification.text


def test_decision_consent_to_a_late_referral_is_said_as_configured(clock: FixedClock) -> None:
    desk = make_desk(clock)
    complaint = decided(desk, DECISIONS["not upheld, no remedy"])
    agreed = writer(desk, time_limit_consent=True).decision(complaint).notification.text
    assert "We agree that the Financial Ombudsman Service may look into" in agreed
    assert "will not have our permission" not in agreed
    silent = writer(desk, time_limit_consent=None, referral_months=None).decision(complaint)
    assert "permission" not in silent.notification.text
    assert "We agree" not in silent.notification.text
    assert "This means you need to contact them" not in silent.notification.text


def test_a_decision_without_an_external_body_still_offers_the_internal_review(
    clock: FixedClock,
) -> None:
    desk = make_desk(clock)
    complaint = decided(desk, DECISIONS["not upheld, no remedy"])
    internal_only = Escalation(internal_review_by="our Head of Complaints")
    text = writer(desk, escalation=internal_only).decision(complaint).notification.text
    assert "reviewed by our Head of Complaints" in text
    assert "Ombudsman" not in text and "time limit" not in text


def test_a_decision_not_fully_upheld_needs_the_escalation(clock: FixedClock) -> None:
    desk = make_desk(clock)
    upheld = decided(desk, DECISIONS["upheld, refund with amount"])
    assert writer(desk, escalation=None).decision(upheld).notification.text
    refused = decided(desk, DECISIONS["partially upheld, compensation and explanation"])
    with pytest.raises(ValidationError) as caught:
        writer(desk, escalation=None).decision(refused)
    assert caught.value.field == "built-in/decision.en.txt"
    assert "'internal_review_by' has no value" in caught.value.reason
    assert "set LetterSettings.escalation" in caught.value.reason
    assert "Ann" not in str(caught.value) and "charge" not in str(caught.value)


def test_a_complaint_without_a_decision_has_no_decision_letter(clock: FixedClock) -> None:
    desk = make_desk(clock)
    complaint = receive(desk)
    with pytest.raises(ValidationError) as caught:
        writer(desk).decision(complaint)
    assert caught.value.field == "decision"
    assert complaint.reference in caught.value.reason


def test_values_are_escaped_in_html_but_kept_in_text(clock: FixedClock) -> None:
    desk = make_desk(clock)
    decision = Decision(outcome=Outcome.NOT_UPHELD, reasons="<script>steal()</script> & more")
    n = writer(desk).decision(decided(desk, decision)).notification
    assert n.html is not None
    assert "<script>" not in n.html
    assert "&lt;script&gt;steal()&lt;/script&gt; &amp; more" in n.html
    assert "Dear Ann &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Example," in n.html
    assert "<script>steal()</script> & more" in n.text
    assert f"Dear {PERSONAL}," in n.text


# -- holding response -------------------------------------------------------------------------


def test_holding_response_gives_the_reason_the_new_date_and_the_right_to_refer(
    clock: FixedClock,
) -> None:
    desk = make_desk(clock)
    complaint = receive(desk)
    clock.advance(dt.timedelta(weeks=7))
    letter = writer(desk).holding_response(
        complaint,
        reason="We are still waiting for records from our card processor.",
        expected_by=dt.date(2026, 5, 11),
        sla=desk.sla_status(complaint.reference),
    )
    n = letter.notification
    assert n.kind == "holding_response"
    assert "We are still waiting for records from our card processor." in n.text
    assert "final response by 11 May 2026." in n.text
    assert f"you can refer your complaint to {FOS} now" in n.text
    assert n.idempotency_key == f"{complaint.id}:holding_response:2026-05-11"
    assert n.data["may_refer_now"] is True
    quiet = writer(desk).holding_response(
        complaint, reason="Waiting.", expected_by=dt.date(2026, 5, 11), may_refer_now=False
    )
    assert FOS not in quiet.notification.text
    assert (
        writer(desk, refer_on_delay=False)
        .holding_response(complaint, reason="Waiting.", expected_by=dt.date(2026, 5, 11))
        .notification.data["may_refer_now"]
        is False
    )


def test_holding_response_takes_the_new_date_from_the_extended_deadline(
    clock: FixedClock,
) -> None:
    # PSD and e-money complaints: a holding response extends 15 to 35 business days.
    from iso10002 import ComplaintDesk, InMemoryEventStore
    from iso10002.sla.config import SlaConfig
    from iso10002.sla.presets import preset

    from .support import OFFICE

    policy = preset("fca-disp-1.6.2a").policy(calendar=OFFICE)
    desk = ComplaintDesk(
        InMemoryEventStore(), clock=clock, sla=SlaConfig(policies=(policy,), default=policy.name)
    )
    complaint = receive(desk)
    clock.advance(dt.timedelta(days=14))
    complaint = desk.extend_deadline(
        complaint.reference,
        STAFF,
        metric="final_response",
        kind=ExtensionKind.HOLDING_RESPONSE,
        reason="Records from a third party",
    )
    report = desk.sla_status(complaint.reference)
    letter = writer(desk).holding_response(complaint, reason="We need records.", sla=report)
    # 35 business days after Monday 2 March, counted from the next day: Monday 20 April.
    assert "final response by 20 April 2026." in letter.notification.text
    assert letter.notification.idempotency_key.endswith(":holding_response:2026-04-21T0000")


def test_holding_response_without_a_date_names_template_and_variable(clock: FixedClock) -> None:
    desk = make_desk(clock)
    complaint = receive(desk)
    with pytest.raises(ValidationError) as caught:
        writer(desk).holding_response(complaint, reason="Waiting for records.")
    assert caught.value.field == "built-in/holding_response.en.txt"
    assert "'new_expected_date' has no value" in caught.value.reason
    assert "give expected_by" in caught.value.reason
    assert "Waiting" not in str(caught.value)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"reason": " "}, "reason"),
        ({"reason": "x", "expected_by": dt.datetime(2026, 5, 1)}, "expected_by"),
        ({"reason": "x", "expected_by": "2026-05-01"}, "expected_by"),
        (
            {"reason": "x", "expected_by": dt.date(2026, 5, 1), "may_refer_now": "yes"},
            "may_refer_now",
        ),
    ],
)
def test_holding_response_bad_arguments(
    clock: FixedClock, arguments: dict[str, object], field: str
) -> None:
    desk = make_desk(clock)
    complaint = receive(desk)
    with pytest.raises(ValidationError) as caught:
        writer(desk).holding_response(complaint, **arguments)  # type: ignore[arg-type]
    assert caught.value.field == field


# -- summary resolution communication ---------------------------------------------------------


def resolved_quickly(desk_clock: FixedClock, days: float = 1) -> tuple[ComplaintDesk, Complaint]:
    """A complaint decided, told by phone, accepted ``days`` later and closed as resolved."""
    desk = make_desk(desk_clock)
    complaint = decided(desk, DECISIONS["upheld, apology without amount"])
    ref = complaint.reference
    desk.communicate_decision(ref, STAFF, channel=Channel.PHONE, summary="Apologised by phone.")
    desk_clock.advance(dt.timedelta(days=days))
    complaint = desk.record_reaction(ref, STAFF, Reaction.ACCEPTS)
    complaint = desk.close(ref, STAFF, reason=ClosureReason.RESOLVED)
    return desk, complaint


def test_summary_resolution_communication(clock: FixedClock) -> None:
    desk, complaint = resolved_quickly(clock)
    report = desk.sla_status(complaint.reference)
    assert report is not None
    assert report.metric("summary_resolution").status.value == "met"
    letter = writer(desk).summary_resolution(
        complaint,
        resolution="We apologised on the phone and corrected the letter.",
        sla=report,
    )
    n = letter.notification
    assert n.kind == "summary_resolution"
    assert n.subject.endswith("has been resolved")
    assert "we now consider it resolved" in n.text
    assert "We apologised on the phone and corrected the letter." in n.text
    assert f"you may be able to refer it to {FOS}" in n.text
    assert "Its website is https://www.financial-ombudsman.org.uk." in n.text
    assert "it runs from the date of this letter" in n.text
    assert "contact them by 3 September 2026" in n.text  # six months after 3 March
    assert "will not have our permission" in n.text
    assert n.html is not None and 'href="https://www.financial-ombudsman.org.uk"' in n.html
    assert n.idempotency_key.endswith(":summary_resolution:1")


def test_summary_resolution_is_refused_after_the_third_business_day(clock: FixedClock) -> None:
    desk, complaint = resolved_quickly(clock, days=5)
    with pytest.raises(ValidationError) as caught:
        writer(desk).summary_resolution(complaint, sla=desk.sla_status(complaint.reference))
    assert caught.value.field == "summary_resolution"
    assert "send a final response" in caught.value.reason


def test_summary_resolution_needs_the_ombudsman_and_the_consent_wording(
    clock: FixedClock,
) -> None:
    desk = make_desk(clock)
    complaint = receive(desk)
    internal_only = Escalation(internal_review_by="our Head of Complaints")
    no_url = Escalation(
        internal_review_by="x", external_body=ExternalBody(name="FOS", time_limit="6 months")
    )
    for overrides, field in (
        ({"escalation": None}, "escalation"),
        ({"escalation": internal_only}, "escalation"),
        ({"escalation": no_url}, "escalation"),
        ({"time_limit_consent": None}, "time_limit_consent"),
    ):
        with pytest.raises(ValidationError) as caught:
            writer(desk, **overrides).summary_resolution(complaint)
        assert caught.value.field == field
    with pytest.raises(ValidationError) as caught:
        writer(desk).summary_resolution(complaint, resolution="")
    assert caught.value.field == "resolution"


# -- satisfaction survey invitation -----------------------------------------------------------

SURVEY = Survey(
    name="after closure",
    version="2026.1",
    questions=(
        Question(
            id="overall",
            text="How satisfied are you with how we handled your complaint?",
            scale=FIVE_POINT_SATISFACTION,
            overall=True,
        ),
    ),
)


@pytest.mark.parametrize("timed", [True, False], ids=["with SLA", "without SLA"])
def test_survey_invitation(clock: FixedClock, timed: bool) -> None:
    desk = make_desk(clock, timed=timed)
    complaint = decided(desk, DECISIONS["not upheld, no remedy"])
    report = desk.sla_status(complaint.reference) if timed else None
    letter = writer(desk).survey_invitation(
        complaint,
        link="https://survey.example.org/s/abc?x=1&y=2",
        survey=SURVEY,
        respond_by=dt.date(2026, 4, 1),
        sla=report,
    )
    n = letter.notification
    assert n.kind == "satisfaction_survey"
    assert 'our short survey, "after closure", at:' in n.text
    assert "https://survey.example.org/s/abc?x=1&y=2" in n.text
    assert "open until 1 April 2026" in n.text
    assert n.html is not None and 'href="https://survey.example.org/s/abc?x=1&amp;y=2"' in n.html
    assert n.idempotency_key.endswith(":satisfaction_survey:after-closure-2026.1")
    assert n.data["survey"] == "after closure"
    bare = writer(desk).survey_invitation(complaint, link="https://survey.example.org")
    assert bare.notification.idempotency_key.endswith(":satisfaction_survey:1")
    assert "open until" not in bare.notification.text


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"link": "javascript:alert(1)"}, "link"),
        ({"link": "https://x.example/ space"}, "link"),
        ({"link": "https://x.example", "survey": "after-closure"}, "survey"),
        ({"link": "https://x.example", "respond_by": dt.datetime(2026, 4, 1)}, "respond_by"),
    ],
)
def test_survey_invitation_bad_arguments(
    clock: FixedClock, arguments: dict[str, object], field: str
) -> None:
    desk = make_desk(clock)
    complaint = receive(desk)
    with pytest.raises(ValidationError) as caught:
        writer(desk).survey_invitation(complaint, **arguments)  # type: ignore[arg-type]
    assert caught.value.field == field


@pytest.mark.parametrize("timed", [True, False], ids=["with SLA", "without SLA"])
@pytest.mark.parametrize("case", list(DECISIONS))
def test_every_kind_renders_for_every_decision(clock: FixedClock, case: str, timed: bool) -> None:
    desk = make_desk(clock, timed=timed)
    complaint = decided(desk, DECISIONS[case])
    report = desk.sla_status(complaint.reference) if timed else None
    w = writer(desk)
    letters = [
        w.acknowledgement(complaint, sla=report),
        w.holding_response(complaint, reason="x", expected_by=dt.date(2026, 5, 1), sla=report),
        w.decision(complaint, sla=report),
        w.summary_resolution(complaint, sla=report),
        w.survey_invitation(complaint, link="https://s.example", sla=report),
    ]
    assert [letter.kind for letter in letters] == list(LetterKind)
    for letter in letters:
        n = letter.notification
        assert letter.template == "built-in"
        assert n.kind == letter.kind.value and n.complaint_reference == complaint.reference
        assert n.idempotency_key.startswith(f"{complaint.id}:{letter.kind.value}:")
        assert complaint.reference in n.text
        assert "{{" not in n.text and "}}" not in n.text
        assert n.html is not None and "{{" not in n.html and "<script>" not in n.html
        assert "\n\n\n" not in n.text  # the standalone tag lines left no gaps
    assert builtin_templates() is builtin_templates()  # loaded once
