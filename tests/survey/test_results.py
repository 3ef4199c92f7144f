"""survey_results: figures checked by hand, read in one pass, and against a plain recomputation."""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iso10002 import ComplaintDesk, Event, FixedClock, SQLiteEventStore, ValidationError
from iso10002.model.events import NoteAdded, SatisfactionRecorded, SurveyAnswered
from iso10002.serialization import unstructure
from iso10002.survey import PointCount, QuestionResult, Survey, SurveyResults, survey_results

from .support import STAFF, START, SURVEY_SYSTEM, closed, survey

SURVEY = survey()


def answered(
    answers: dict[str, int],
    comment: str | None = None,
    *,
    survey: str = SURVEY.name,
    survey_version: str = SURVEY.version,
) -> SurveyAnswered:
    """A response to SURVEY, or to the survey and version given."""
    return SurveyAnswered(
        survey=survey, survey_version=survey_version, answers=answers, comment=comment
    )


HAND = [
    answered({"overall": 5, "recommend": 10, "informed": 1}, comment="Great"),
    answered({"overall": 4, "recommend": 7}),
    answered({"overall": 2, "informed": 0}, comment="Slow"),
    answered({"overall": 4, "informed": 1}),
]


def test_figures_match_a_hand_count() -> None:
    r = survey_results(HAND, SURVEY)

    assert (r.survey, r.version, r.responses, r.other_versions, r.comments) == (
        "after-closure",
        "2026.1",
        4,
        0,
        2,
    )
    overall = r.question("overall")
    assert r.overall == overall and r.overall_question == "overall"
    # 5, 4, 2, 4: mean 15/4; normalized (4 + 3 + 1 + 3) / 4 / 4 = 11/16; 4, 5, 4 satisfied.
    assert (overall.count, overall.mean, overall.mean_percent) == (4, 3.75, 68.75)
    assert (overall.satisfied, overall.satisfied_share) == (3, 0.75)
    assert [(p.point, p.count) for p in overall.distribution] == [
        (1, 0),
        (2, 1),
        (3, 0),
        (4, 2),
        (5, 1),
    ]
    assert overall.distribution[3] == PointCount(point=4, label="Satisfied", count=2)
    # 10 and 7 of 0-10: mean 8.5, 85 %; only 10 is at 8 or above.
    recommend = r.question("recommend")
    assert (recommend.count, recommend.mean, recommend.mean_percent) == (2, 8.5, 85.0)
    assert (recommend.satisfied, recommend.satisfied_share) == (1, 0.5)
    assert len(recommend.distribution) == 11
    # Yes, no, yes: two thirds.
    informed = r.question("informed")
    assert (informed.count, informed.mean, informed.mean_percent) == (3, 0.6667, 66.67)
    assert (informed.satisfied, informed.satisfied_share) == (2, 0.6667)
    assert [(p.label, p.count) for p in informed.distribution] == [("No", 1), ("Yes", 2)]
    # Nobody answered this one.
    assert r.question("fair") == QuestionResult(
        question="fair",
        overall=False,
        low=1,
        high=5,
        count=0,
        mean=None,
        mean_percent=None,
        satisfied=0,
        satisfied_share=None,
        distribution=tuple(
            PointCount(point=p, label=SURVEY.question("fair").scale.label(p), count=0)
            for p in range(1, 6)
        ),
    )
    assert [q.question for q in r.questions] == ["overall", "recommend", "informed", "fair"]


def test_other_surveys_versions_and_events_are_left_out() -> None:
    cid = uuid.uuid4()
    note = Event(
        complaint_id=cid,
        seq=2,
        occurred_at=START,
        actor=STAFF,
        state="closed",
        payload=NoteAdded(text="Called back."),
    )
    mixed = [
        HAND[0],
        note,
        answered({"anything": 99}, survey="another"),
        answered({"overall": 1}, survey_version="2025.1"),
        answered({"overall": 1}, survey_version="2025.1"),
        SatisfactionRecorded(score=1),
    ]

    r = survey_results(mixed, SURVEY)  # type: ignore[arg-type]

    assert (r.responses, r.other_versions, r.comments) == (1, 2, 1)
    assert r.question("overall").mean == 5.0


def test_a_survey_without_an_overall_question_has_no_overall_result() -> None:
    s = Survey(name="s", version="1", questions=SURVEY.questions[1:])
    r = survey_results([answered({"recommend": 3}, survey="s", survey_version="1")], s)
    assert (r.overall, r.overall_question) == (None, None)
    assert r.question("recommend").count == 1
    with pytest.raises(ValidationError, match="no question 'overall'") as error:
        r.question("overall")
    assert error.value.field == "question"


def test_nothing_to_count_gives_empty_figures() -> None:
    r = survey_results([], SURVEY)
    assert (r.responses, r.other_versions, r.comments) == (0, 0, 0)
    assert all(q.count == 0 and q.mean is None for q in r.questions)


def test_answers_the_definition_does_not_know_name_the_event() -> None:
    cid = uuid.uuid4()
    stray = Event(
        complaint_id=cid,
        seq=9,
        occurred_at=START,
        actor=SURVEY_SYSTEM,
        state="closed",
        payload=answered({"overall": 4, "speed": 3}),
    )
    with pytest.raises(ValidationError) as error:
        survey_results([stray], SURVEY)
    assert error.value.field == "answers.speed"
    assert f"complaint {cid}, event seq 9: version '2026.1'" in str(error.value)
    with pytest.raises(ValidationError, match="7 is not a point on the scale 1 to 5") as error:
        survey_results([answered({"overall": 7})], SURVEY)
    assert error.value.field == "answers.overall"


def test_the_survey_must_be_a_survey() -> None:
    with pytest.raises(ValidationError) as error:
        survey_results(HAND, "after-closure")  # type: ignore[arg-type]
    assert error.value.field == "survey"


def test_results_over_a_store_read_once(tmp_path: Path) -> None:
    clock = FixedClock(START)
    with SQLiteEventStore(tmp_path / "x.db") as store:
        desk = ComplaintDesk(store, clock=clock)
        for answers in ({"overall": 5}, {"overall": 3, "informed": 1}, {"overall": 4}):
            c = closed(desk)
            clock.advance(_dt.timedelta(hours=1))
            desk.answer_survey(c.id, SURVEY_SYSTEM, survey=SURVEY, answers=answers)
        reads = 0

        def events() -> Iterator[Event]:
            nonlocal reads
            reads += 1
            for _, event in store.iter_events():
                yield event

        r = survey_results(events(), SURVEY)

    assert reads == 1
    assert r.responses == 3
    overall = r.question("overall")
    assert (overall.count, overall.mean, overall.satisfied) == (3, 4.0, 2)
    assert r.question("informed").count == 1


def test_results_unstructure_to_the_documented_layout() -> None:
    data = unstructure(survey_results(HAND, SURVEY))
    assert list(data) == [
        "survey",
        "version",
        "responses",
        "other_versions",
        "comments",
        "questions",
        "overall_question",
    ]
    assert list(data["questions"][0]) == [
        "question",
        "overall",
        "low",
        "high",
        "count",
        "mean",
        "mean_percent",
        "satisfied",
        "satisfied_share",
        "distribution",
    ]
    assert data["questions"][0]["distribution"][4] == {
        "point": 5,
        "label": "Very satisfied",
        "count": 1,
    }
    assert [f.name for f in attrs.fields(SurveyResults)] == list(data)


# -- property: the same figures as a plain recomputation -----------------------------------------


@st.composite
def response_sets(draw: st.DrawFn) -> list[SurveyAnswered]:
    """Valid responses to SURVEY: any subset of questions, at least the overall one."""
    out = []
    for _ in range(draw(st.integers(0, 40))):
        answers = {}
        for q in SURVEY.questions:
            if q.required or draw(st.booleans()):
                answers[q.id] = draw(st.integers(q.scale.low, q.scale.high))
        comment = draw(st.none() | st.just("c"))
        out.append(SURVEY.response(answers, comment=comment))
    return out


@given(responses=response_sets(), seed=st.randoms())
def test_results_equal_a_plain_recomputation(responses: list[SurveyAnswered], seed: object) -> None:
    r = survey_results(iter(responses), SURVEY)

    assert r.responses == len(responses)
    assert r.comments == sum(x.comment is not None for x in responses)
    for q in SURVEY.questions:
        values = [x.answers[q.id] for x in responses if q.id in x.answers]
        got = r.question(q.id)
        lo, hi = q.scale.low, q.scale.high
        assert got.count == len(values)
        assert [p.count for p in got.distribution] == [values.count(v) for v in range(lo, hi + 1)]
        satisfied = [v for v in values if (v - lo) / (hi - lo) >= 0.75]
        assert got.satisfied == len(satisfied)
        if values:
            # The figures are rounded to 4 places (percentages to 2): half a unit of the last.
            mean = sum(values) / len(values)
            assert got.mean == pytest.approx(mean, abs=5.1e-5)
            assert got.mean_percent == pytest.approx(100 * (mean - lo) / (hi - lo), abs=5.1e-3)
            assert got.satisfied_share == pytest.approx(len(satisfied) / len(values), abs=5.1e-5)
        else:
            assert (got.mean, got.mean_percent, got.satisfied_share) == (None, None, None)
    # The order of the responses does not matter.
    shuffled = list(responses)
    seed.shuffle(shuffled)  # type: ignore[attr-defined]
    assert survey_results(shuffled, SURVEY) == r
