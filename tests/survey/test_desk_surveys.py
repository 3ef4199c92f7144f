"""ComplaintDesk.answer_survey on a SQLite file: recorded, replayed and summarised, or refused."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from iso10002 import (
    ClosureReason,
    Complaint,
    ComplaintDesk,
    ComplaintId,
    ConcurrencyConflict,
    FixedClock,
    InvalidTransition,
    SQLiteEventStore,
    ValidationError,
)
from iso10002.cli import main
from iso10002.model.events import SurveyAnswered
from iso10002.serialization import history_from_json, history_to_json
from iso10002.survey import YES_NO, Question, Survey

from .support import STAFF, START, SURVEY_SYSTEM, closed, communicate, receive, survey


@pytest.fixture(name="clock")
def _clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(name="db")
def _db(tmp_path: Path) -> Path:
    return tmp_path / "complaints.db"


@pytest.fixture(name="desk")
def _desk(db: Path, clock: FixedClock) -> Iterator[ComplaintDesk]:
    store = SQLiteEventStore(db)
    yield ComplaintDesk(store, clock=clock)
    store.close()


def test_answers_are_recorded_replayed_and_feed_the_satisfaction_score(
    desk: ComplaintDesk, db: Path, clock: FixedClock
) -> None:
    c = closed(desk)
    clock.advance(_dt.timedelta(days=2))

    after = desk.answer_survey(
        c.reference,
        SURVEY_SYSTEM,
        survey=survey(within_days=30),
        answers={"fair": 4, "overall": 5, "informed": 1},
        comment="Quick and polite.",
    )

    (event,) = desk.store.read(c.id, after=c.version)
    assert (event.type, event.seq, event.state) == ("survey_answered", c.version + 1, "closed")
    assert (event.actor, event.occurred_at) == (SURVEY_SYSTEM, START + _dt.timedelta(days=2))
    assert event.payload == SurveyAnswered(
        survey="after-closure",
        survey_version="2026.1",
        answers={"overall": 5, "informed": 1, "fair": 4},
        comment="Quick and polite.",
        satisfaction_score=5,
        satisfaction_scale=5,
    )
    assert after.survey_responses == (event.payload,)
    assert after.satisfaction is not None
    assert (after.satisfaction.score, after.satisfaction.scale) == (5, 5)
    assert after.satisfaction.comment == "Quick and polite."
    assert after.state == "closed" and not after.is_open

    # The monitoring facts beside the summary read the same score.
    summary = desk.store.summary(c.id)
    assert summary is not None
    assert (summary.facts.satisfaction_score, summary.facts.satisfaction_scale) == (5, 5)

    # Another process opening the file sees the same complaint, and the history replays.
    with SQLiteEventStore(db) as store:
        again = ComplaintDesk(store, clock=clock)
        history = again.history(c.reference)
        assert again.get(c.reference) == after == Complaint.replay(history)
        assert history_from_json(history_to_json(history)) == history


def test_a_survey_without_an_overall_answer_keeps_the_earlier_score(
    desk: ComplaintDesk,
) -> None:
    c = closed(desk)
    desk.record_satisfaction(c.id, STAFF, score=2)
    s = Survey(
        name="kept-informed",
        version="1",
        questions=[Question(id="informed", text="Were you kept informed?", scale=YES_NO)],
    )

    after = desk.answer_survey(c.id, SURVEY_SYSTEM, survey=s, answers={"informed": 0})

    assert after.satisfaction is not None and after.satisfaction.score == 2
    assert [r.survey for r in after.survey_responses] == ["kept-informed"]


def test_a_later_overall_answer_replaces_the_satisfaction_score(desk: ComplaintDesk) -> None:
    c = closed(desk)
    desk.record_satisfaction(c.id, STAFF, score=2)
    after = desk.answer_survey(c.id, SURVEY_SYSTEM, survey=survey(), answers={"overall": 4})
    assert after.satisfaction is not None
    assert (after.satisfaction.score, after.satisfaction.scale) == (4, 5)


def _stored(desk: ComplaintDesk, cid: ComplaintId) -> tuple[object, ...]:
    return (
        tuple(desk.store.read(cid)),
        tuple(e for _, e in desk.store.iter_events()),
        desk.store.summary(cid),
    )


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"overall": 4, "nps": 10}, "answers.nps"),
        ({"overall": 9}, "answers.overall"),
        ({"recommend": 9}, "answers.overall"),
        ({"overall": 4, "informed": 2}, "answers.informed"),
    ],
)
def test_invalid_answers_are_refused_and_nothing_is_written(
    desk: ComplaintDesk, answers: dict[str, int], field: str
) -> None:
    c = closed(desk)
    before = _stored(desk, c.id)
    with pytest.raises(ValidationError) as error:
        desk.answer_survey(c.id, SURVEY_SYSTEM, survey=survey(), answers=answers)
    assert error.value.field == field
    assert _stored(desk, c.id) == before


def test_an_ineligible_response_is_refused_with_the_rule_and_nothing_is_written(
    desk: ComplaintDesk, clock: FixedClock
) -> None:
    c = closed(desk)
    s = survey(within_days=30)
    clock.advance(_dt.timedelta(days=31))
    before = _stored(desk, c.id)

    with pytest.raises(ValidationError) as error:
        desk.answer_survey(c.id, SURVEY_SYSTEM, survey=s, answers={"overall": 3})

    assert error.value.field == "eligibility.within_days"
    assert str(error.value) == (
        f"eligibility.within_days: complaint {c.reference} may not answer survey "
        "'after-closure' (version 2026.1): answers are taken for 30 days after the complaint "
        "was closed, at 2026-03-02 09:00 UTC"
    )
    assert _stored(desk, c.id) == before


def test_a_second_response_is_refused(desk: ComplaintDesk) -> None:
    c = closed(desk)
    desk.answer_survey(c.id, SURVEY_SYSTEM, survey=survey(), answers={"overall": 3})
    before = _stored(desk, c.id)
    with pytest.raises(ValidationError, match="already answered 'after-closure'") as error:
        desk.answer_survey(c.id, SURVEY_SYSTEM, survey=survey(), answers={"overall": 5})
    assert error.value.field == "eligibility.once_per_complaint"
    assert _stored(desk, c.id) == before
    # A survey that allows more than one response takes it.
    again = desk.answer_survey(
        c.id, SURVEY_SYSTEM, survey=survey(once_per_complaint=False), answers={"overall": 5}
    )
    assert len(again.survey_responses) == 2


def test_a_duplicate_is_refused_by_its_rule(desk: ComplaintDesk) -> None:
    original = receive(desk)
    dup = desk.close(
        receive(desk).id, STAFF, reason=ClosureReason.DUPLICATE, duplicate_of=original.reference
    )
    with pytest.raises(ValidationError) as error:
        desk.answer_survey(dup.id, SURVEY_SYSTEM, survey=survey(), answers={"overall": 3})
    assert error.value.field == "eligibility.exclude_duplicates"


def test_the_workflow_decides_first_where_surveys_are_answered(desk: ComplaintDesk) -> None:
    c = communicate(desk, receive(desk))
    before = _stored(desk, c.id)
    with pytest.raises(InvalidTransition) as error:
        desk.answer_survey(c.id, SURVEY_SYSTEM, survey=survey(), answers={"overall": 3})
    assert (error.value.command, error.value.state) == ("answer_survey", "awaiting_reaction")
    assert _stored(desk, c.id) == before

    desk.withdraw(c.id, STAFF)
    before = _stored(desk, c.id)
    with pytest.raises(InvalidTransition) as error:
        desk.answer_survey(c.id, SURVEY_SYSTEM, survey=survey(), answers={"overall": 3})
    assert error.value.state == "withdrawn"
    assert _stored(desk, c.id) == before


def test_bad_arguments_are_refused(desk: ComplaintDesk) -> None:
    c = closed(desk)
    with pytest.raises(ValidationError) as error:
        desk.answer_survey(
            c.id,
            SURVEY_SYSTEM,
            survey=attrs.asdict(survey()),  # type: ignore[arg-type]
            answers={"overall": 3},
        )
    assert error.value.field == "survey"
    with pytest.raises(ValidationError) as error:
        desk.answer_survey(c.id, "survey", survey=survey(), answers={"overall": 3})  # type: ignore[arg-type]
    assert error.value.field == "actor"
    with pytest.raises(ValidationError) as error:
        desk.answer_survey(c.id, SURVEY_SYSTEM, survey=survey(), answers={"overall": 3}, comment="")
    assert error.value.field == "comment"


def test_a_pinned_stale_version_is_a_conflict(desk: ComplaintDesk) -> None:
    c = closed(desk)
    with pytest.raises(ConcurrencyConflict):
        desk.answer_survey(
            c.id,
            SURVEY_SYSTEM,
            survey=survey(),
            answers={"overall": 3},
            expected_version=c.version - 1,
        )
    done = desk.answer_survey(
        c.id, SURVEY_SYSTEM, survey=survey(), answers={"overall": 3}, expected_version=c.version
    )
    assert done.version == c.version + 1


def test_the_command_line_history_shows_the_answers(
    desk: ComplaintDesk, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = closed(desk)
    desk.answer_survey(
        c.id, SURVEY_SYSTEM, survey=survey(), answers={"overall": 4, "recommend": 9}, comment="Ok"
    )
    assert main(["history", "--db", str(db), c.reference]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert "survey_answered" in last
    assert last.endswith("after-closure v2026.1: overall 4, recommend 9; Ok")


def test_an_answered_survey_counts_as_satisfaction_measured_in_audits_and_reviews(
    desk: ComplaintDesk, clock: FixedClock
) -> None:
    from iso10002.audit import build_review_pack, run_audit

    measured = closed(desk)
    unmeasured = closed(desk)
    clock.advance(_dt.timedelta(days=1))
    desk.answer_survey(measured.reference, SURVEY_SYSTEM, survey=survey(), answers={"overall": 4})

    day = START.date()
    report = run_audit(
        desk.store, period_from=day, period_to=day + _dt.timedelta(days=3), now=clock.now()
    )
    evidence = report.finding("8.3-satisfaction-measured").evidence
    assert evidence is not None
    assert evidence.checked == 2
    # A sample suffices: the complaint without an answer is listed apart, not as failing.
    assert list(evidence.failed) == []
    assert list(evidence.unmet) == [unmeasured.reference]
    pack = build_review_pack(desk.store, report, (), on=day + _dt.timedelta(days=3))
    # 4 on a scale of 1 to 5 is three quarters of the way up, as the KPI report shows it.
    assert pack.kpis["satisfaction"] == "75.0% of the scale (1 responses)"
