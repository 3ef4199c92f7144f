"""
Measuring satisfaction with the complaints handling (ISO 10002 8.3) with a survey (ISO 10004).

A month of closed complaints at a small energy supplier: the survey definition is read from a
TOML file, the eligibility rules pick whom to invite (not a complaint closed too long ago, nor
one in a category the survey is not for), the answers that come back are recorded on each
complaint, and the results are printed per question.

Run it with ``python examples/satisfaction_survey.py``; it writes ``complaints.db`` and
``after-closure.toml`` in the current directory. The clock is fixed, so the output is the same
on every run.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    Classification,
    ClosureReason,
    Complainant,
    Complaint,
    ComplaintDesk,
    ContactDetails,
    Decision,
    FixedClock,
    Outcome,
    Reaction,
    Role,
    Severity,
    SQLiteEventStore,
    ValidationError,
)
from iso10002.survey import Survey, eligible, load_survey, survey_results

SURVEY_FILE = """\
name = "after-closure"
version = "2026.1"

# Ask within four weeks of closure, once, and not about duplicates or withdrawn complaints
# (the defaults); the complaints about smart meters have their own survey.
[eligibility]
within_days = 28
categories = ["Billing", "Supply"]

[[questions]]
id = "overall"
text = "Overall, how satisfied are you with how we handled your complaint?"
overall = true
required = true
scale = { low = 1, high = 5, labels = [
  "Very dissatisfied", "Dissatisfied", "Neither", "Satisfied", "Very satisfied",
] }

[[questions]]
id = "informed"
text = "Were you kept informed while we looked into it?"
scale = { low = 0, high = 1, labels = ["No", "Yes"] }

[[questions]]
id = "easy"
text = "How easy was it to make your complaint? (0: very hard, 10: very easy)"
scale = { low = 0, high = 10 }
"""

STAFF = Actor(id="u-02", role=Role.COMPLAINTS_MANAGER, name="Mo Manager")
SURVEY_TOOL = Actor(id="survey", role=Role.SYSTEM, name="Satisfaction survey")


class Case(NamedTuple):
    """One complaint of the month, and what its complainant answers if invited."""

    category: tuple[str, ...]
    channel: Channel
    answers: dict[str, int] | None
    """None: the complainant does not reply."""


LAST_MONTH = Case(("Billing", "Tariff"), Channel.EMAIL, {"overall": 3})
"""Closed more than four weeks before the survey goes out."""

THIS_MONTH = [
    Case(("Billing", "Estimated bill"), Channel.EMAIL, {"overall": 5, "informed": 1, "easy": 9}),
    Case(("Billing", "Direct debit"), Channel.PHONE, {"overall": 2, "informed": 0, "easy": 6}),
    Case(("Supply", "Outage"), Channel.WEB_FORM, {"overall": 4, "easy": 8}),
    Case(("Billing", "Refund"), Channel.EMAIL, {"overall": 4, "informed": 1}),
    Case(("Smart meter", "Installation"), Channel.PHONE, {"overall": 1}),
    Case(("Supply", "Outage"), Channel.LETTER, None),
]


def handle(desk: ComplaintDesk, clock: FixedClock, number: int, case: Case) -> str:
    """Receive one complaint and take it to closure; return its reference."""
    complaint = desk.receive(
        STAFF,
        complainant=Complainant(
            name=f"Customer {number}", contact=ContactDetails(email=f"c{number}@example.org")
        ),
        channel=case.channel,
        description="A complaint about my account.",
    )
    ref = complaint.reference
    desk.acknowledge(ref, STAFF)
    desk.assess(ref, STAFF, Assessment(severity=Severity.MEDIUM))
    desk.classify(ref, STAFF, Classification(category=case.category))
    decision = Decision(outcome=Outcome.NOT_UPHELD, reasons="Explained with the meter data.")
    desk.decide(ref, STAFF, decision)
    clock.advance(dt.timedelta(days=2))
    desk.communicate_decision(ref, STAFF, channel=case.channel, summary=decision.reasons)
    desk.record_reaction(ref, STAFF, Reaction.ACCEPTS)
    desk.close(ref, STAFF, reason=ClosureReason.RESOLVED)
    return ref


def invite(desk: ComplaintDesk, survey: Survey, refs: list[str], now: dt.datetime) -> list[str]:
    """The complaints the survey may be sent to now, printing why the others are left out."""
    invited = []
    for ref in refs:
        verdict = eligible(survey, desk.get(ref), now)
        if verdict:
            invited.append(ref)
        else:
            print(f"  not invited: {ref} ({verdict.rule}: {verdict.reason})")
    return invited


def record(desk: ComplaintDesk, survey: Survey, ref: str, answers: dict[str, int]) -> Complaint:
    """Record one complainant's answers."""
    return desk.answer_survey(ref, SURVEY_TOOL, survey=survey, answers=answers)


def main() -> None:
    """Handle the complaints, survey them, and print the results."""
    Path("after-closure.toml").write_text(SURVEY_FILE, encoding="utf-8")
    survey = load_survey("after-closure.toml")
    clock = FixedClock(dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.timezone.utc))
    with SQLiteEventStore("complaints.db") as store:
        desk = ComplaintDesk(store, clock=clock)
        cases = [LAST_MONTH, *THIS_MONTH]
        refs = [handle(desk, clock, 1, LAST_MONTH)]
        clock.advance(dt.timedelta(days=28))
        refs += [handle(desk, clock, n, case) for n, case in enumerate(THIS_MONTH, start=2)]

        clock.advance(dt.timedelta(days=1))
        print(f"Survey {survey.name} v{survey.version}, {clock.now():%Y-%m-%d}:")
        invited = invite(desk, survey, refs, clock.now())
        print(f"  invited: {len(invited)} of {len(refs)}")

        clock.advance(dt.timedelta(days=5))
        for ref, case in zip(refs, cases, strict=True):
            if ref in invited and case.answers is not None:
                record(desk, survey, ref, case.answers)
        try:
            record(desk, survey, invited[0], {"overall": 5})
        except ValidationError as error:
            print(f"  a second answer from {invited[0]} is refused: {error.field}")

        results = survey_results((event for _, event in store.iter_events()), survey)

    print(f"Results: {results.responses} responses")
    for q in results.questions:
        counts = " ".join(f"{p.point}:{p.count}" for p in q.distribution)
        if q.mean is None or q.mean_percent is None:
            print(f"  {q.question:<8} no answers")
            continue
        print(
            f"  {q.question:<8} n={q.count}  mean {q.mean:.2f}  "
            f"{q.mean_percent:.0f}%  satisfied {q.satisfied}/{q.count}  [{counts}]"
        )
    overall = results.overall
    assert overall is not None
    assert overall.satisfied_share is not None
    print(f"Satisfied with the handling: {overall.satisfied_share:.0%}")


if __name__ == "__main__":
    main()
