"""Scales, questions and surveys validate themselves; answers are checked against the survey."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

import attrs
import pytest

from iso10002.errors import ValidationError
from iso10002.survey import (
    FIVE_POINT_AGREEMENT,
    FIVE_POINT_SATISFACTION,
    SATISFIED_AT,
    YES_NO,
    ZERO_TO_TEN,
    EligibilityRules,
    Milestone,
    Question,
    Scale,
    Survey,
)

from .support import survey

# -- scales ------------------------------------------------------------------------------------


def test_the_preset_scales() -> None:
    assert (FIVE_POINT_SATISFACTION.low, FIVE_POINT_SATISFACTION.high) == (1, 5)
    assert FIVE_POINT_SATISFACTION.label(4) == "Satisfied"
    assert FIVE_POINT_AGREEMENT.label(1) == "Strongly disagree"
    assert (ZERO_TO_TEN.points, ZERO_TO_TEN.label(7)) == (11, None)
    assert (YES_NO.label(0), YES_NO.label(1)) == ("No", "Yes")


def test_normalized_and_satisfied_follow_the_three_quarters_rule() -> None:
    assert Fraction(3, 4) == SATISFIED_AT
    assert [FIVE_POINT_SATISFACTION.normalized(v) for v in range(1, 6)] == [
        0,
        Fraction(1, 4),
        Fraction(1, 2),
        Fraction(3, 4),
        1,
    ]
    # Top two boxes of five; 8 to 10 of eleven; yes of yes/no.
    assert [v for v in range(1, 6) if FIVE_POINT_SATISFACTION.satisfied(v)] == [4, 5]
    assert [v for v in range(11) if ZERO_TO_TEN.satisfied(v)] == [8, 9, 10]
    assert [v for v in (0, 1) if YES_NO.satisfied(v)] == [1]


def test_a_scale_contains_whole_numbers_between_its_ends_only() -> None:
    assert 3 in FIVE_POINT_SATISFACTION
    assert 0 not in FIVE_POINT_SATISFACTION
    assert 6 not in FIVE_POINT_SATISFACTION
    assert True not in YES_NO  # a bool is not a point
    assert 3.0 not in FIVE_POINT_SATISFACTION
    assert "3" not in FIVE_POINT_SATISFACTION


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"low": 3, "high": 3}, "high", "must be above low (3), got 3"),
        ({"low": 5, "high": 1}, "high", "must be above low (5), got 1"),
        ({"low": -1, "high": 4}, "low", "must be between 0 and 9, got -1"),
        ({"low": 0, "high": 11}, "high", "must be between 1 and 10, got 11"),
        ({"low": True, "high": 5}, "low", "expected an integer, got True"),
        ({"low": 1, "high": 3, "labels": ("a", "b")}, "labels", "one label per point (3 for 1"),
        ({"low": 0, "high": 1, "labels": ("No", " ")}, "labels[1]", "non-empty text"),
    ],
)
def test_a_bad_scale_names_the_field(fields: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)) as error:
        Scale(**fields)
    assert error.value.field == field


# -- questions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["", "two words", "-leading", "é", "a/b"])
def test_a_question_id_is_a_plain_key(bad: str) -> None:
    with pytest.raises(ValidationError, match="is not a question id") as error:
        Question(id=bad, text="Q?", scale=YES_NO)
    assert error.value.field == "id"


def test_question_ids_may_use_letters_digits_underscore_and_dash() -> None:
    assert Question(id="Q1_kept-informed", text="Q?", scale=YES_NO).id == "Q1_kept-informed"


def test_the_overall_question_fits_a_satisfaction_score() -> None:
    with pytest.raises(ValidationError, match=r"has 11 points \(0 to 10\); it may have at most"):
        Question(id="overall", text="Q?", scale=ZERO_TO_TEN, overall=True)
    # Ten points (1 to 10) is the widest overall scale.
    wide = Question(id="overall", text="Q?", scale=Scale(low=1, high=10), overall=True)
    assert wide.scale.points == 10


def test_question_flags_are_booleans() -> None:
    with pytest.raises(ValidationError) as error:
        Question(id="q", text="Q?", scale=YES_NO, required=1)  # type: ignore[arg-type]
    assert error.value.field == "required"


# -- surveys -----------------------------------------------------------------------------------


def test_a_survey_knows_its_questions_and_its_overall_question() -> None:
    s = survey()
    assert [q.id for q in s.questions] == ["overall", "recommend", "informed", "fair"]
    assert s.overall is s.questions[0]
    assert s.question("informed").scale == YES_NO
    assert s.eligibility == EligibilityRules()
    assert s.eligibility.after is Milestone.CLOSED


def test_asking_for_an_unknown_question_names_the_questions() -> None:
    with pytest.raises(
        ValidationError, match=r"no question 'nps' \(questions: overall, recommend"
    ) as e:
        survey().question("nps")
    assert e.value.field == "question"


def test_a_survey_without_an_overall_question_is_valid() -> None:
    s = Survey(name="s", version="1", questions=[Question(id="q", text="Q?", scale=YES_NO)])
    assert s.overall is None
    assert s.questions == (Question(id="q", text="Q?", scale=YES_NO),)  # lists become tuples


def test_a_survey_with_two_overall_questions_is_refused() -> None:
    q = Question(id="a", text="A?", scale=FIVE_POINT_SATISFACTION, overall=True)
    with pytest.raises(ValidationError, match="'a' is already the overall question") as error:
        Survey(name="s", version="1", questions=(q, attrs.evolve(q, id="b")))
    assert error.value.field == "questions[1].overall"


def test_question_ids_are_unique_and_a_survey_asks_something() -> None:
    q = Question(id="a", text="A?", scale=YES_NO)
    with pytest.raises(ValidationError, match="'a' is used twice") as error:
        Survey(name="s", version="1", questions=(q, q))
    assert error.value.field == "questions[1].id"
    with pytest.raises(ValidationError, match="at least one question") as error:
        Survey(name="s", version="1", questions=())
    assert error.value.field == "questions"
    with pytest.raises(ValidationError) as error:
        Survey(name="s", version=" ", questions=(q,))
    assert error.value.field == "version"


# -- answers -----------------------------------------------------------------------------------


def test_answers_are_checked_and_kept_in_question_order() -> None:
    checked = survey().check_answers({"fair": 5, "overall": 4, "informed": 0})
    assert list(checked.items()) == [("overall", 4), ("informed", 0), ("fair", 5)]


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"overall": 4, "nps": 9}, "answers.nps", "has no question 'nps'"),
        ({"overall": 6}, "answers.overall", "6 is not a point on the scale 1 to 5"),
        ({"overall": 0}, "answers.overall", "0 is not a point on the scale 1 to 5"),
        (
            {"overall": 4, "recommend": 11},
            "answers.recommend",
            "11 is not a point on the scale 0 to 10",
        ),
        ({"overall": 4, "informed": True}, "answers.informed", "True is not a point"),
        ({"overall": 4.0}, "answers.overall", "4.0 is not a point"),
        ({"overall": "4"}, "answers.overall", "'4' is not a point"),
        ({"recommend": 9}, "answers.overall", "this question must be answered"),
        ({}, "answers.overall", "this question must be answered"),
    ],
)
def test_a_bad_answer_names_its_question(answers: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)) as error:
        survey().response(answers)
    assert error.value.field == field


def test_answers_must_be_a_mapping_with_something_in_it() -> None:
    with pytest.raises(ValidationError, match="expected a mapping") as error:
        survey().check_answers([("overall", 4)])  # type: ignore[arg-type]
    assert error.value.field == "answers"
    optional = Survey(name="s", version="1", questions=[Question(id="q", text="Q?", scale=YES_NO)])
    with pytest.raises(ValidationError, match="at least one question") as error:
        optional.check_answers({})
    assert error.value.field == "answers"


def test_a_response_restates_the_overall_answer_as_a_satisfaction_score() -> None:
    r = survey().response({"overall": 2, "recommend": 0}, comment="Slow.")
    assert (r.survey, r.survey_version) == ("after-closure", "2026.1")
    assert r.answers == {"overall": 2, "recommend": 0}
    assert (r.satisfaction_score, r.satisfaction_scale, r.comment) == (2, 5, "Slow.")


def test_an_overall_yes_no_question_becomes_a_score_of_one_or_two_out_of_two() -> None:
    s = Survey(
        name="s",
        version="1",
        questions=[
            Question(id="ok", text="Happy with how we handled it?", scale=YES_NO, overall=True)
        ],
    )
    yes, no = s.response({"ok": 1}), s.response({"ok": 0})
    assert (yes.satisfaction_score, yes.satisfaction_scale) == (2, 2)
    assert (no.satisfaction_score, no.satisfaction_scale) == (1, 2)


def test_without_an_overall_answer_there_is_no_satisfaction_score() -> None:
    s = Survey(
        name="s",
        version="1",
        questions=[
            Question(id="overall", text="Q?", scale=FIVE_POINT_SATISFACTION, overall=True),
            Question(id="q", text="Q?", scale=YES_NO),
        ],
    )
    r = s.response({"q": 1})
    assert (r.satisfaction_score, r.satisfaction_scale) == (None, None)


def test_a_blank_comment_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        survey().response({"overall": 4}, comment="  ")
    assert error.value.field == "comment"
