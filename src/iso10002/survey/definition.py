"""
Survey definitions: scales, questions, and the survey that holds them (ISO 10002 8.3, ISO 10004).

A :class:`Survey` is a named, versioned value. Responses store only its name and version and the
point chosen for each question, so a definition must not change under a version that has
answers: a new wording or scale is a new version.

Every answer is an integer point on its question's :class:`Scale`. A scale is compared across
questions by its *normalized* value, ``(point - low) / (high - low)``, from 0 (the worst point)
to 1 (the best); a point at :data:`SATISFIED_AT` or above counts as satisfied (the top two boxes
of a five-point scale, 8 to 10 of eleven, *yes* of yes/no).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check
from iso10002.model._checks import shown
from iso10002.model.events import SurveyAnswered
from iso10002.survey.eligibility import EligibilityRules

__all__ = [
    "FIVE_POINT_AGREEMENT",
    "FIVE_POINT_SATISFACTION",
    "SATISFIED_AT",
    "YES_NO",
    "ZERO_TO_TEN",
    "Question",
    "Scale",
    "Survey",
]

SATISFIED_AT = Fraction(3, 4)
"""The normalized score from which an answer counts as satisfied."""

# 0 to 10 is the widest scale in common use; it keeps every answer a small JSON integer.
_MAX_POINT = 10
# The overall answer is restated as a satisfaction score from 1 to the number of points, and
# a satisfaction score's scale goes up to 10.
_OVERALL_MAX_POINTS = 10

_QUESTION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def _labels(inst: Scale, attribute: attrs.Attribute[Any], value: object) -> None:
    check.tuple_of_text(inst, attribute, value)
    assert isinstance(value, tuple)
    points = inst.high - inst.low + 1
    if value and len(value) != points:
        raise ValidationError(
            attribute.name,
            f"give one label per point ({points} for {inst.low} to {inst.high}) or none, "
            f"got {len(value)}",
        )


@attrs.frozen(kw_only=True)
class Scale:
    """
    The points an answer may take, ``low`` to ``high`` (whole numbers from 0 to 10), worst first,
    with an optional label per point.
    """

    low: int = attrs.field(validator=check.int_range(0, _MAX_POINT - 1))
    high: int = attrs.field(validator=check.int_range(1, _MAX_POINT))
    labels: tuple[str, ...] = attrs.field(default=(), converter=check.to_tuple)
    """One label per point, from ``low`` to ``high``; or none."""

    def __attrs_post_init__(self) -> None:
        if self.high <= self.low:
            raise ValidationError("high", f"must be above low ({self.low}), got {self.high}")
        _labels(self, attrs.fields(Scale).labels, self.labels)

    @property
    def points(self) -> int:
        """How many points the scale has."""
        return self.high - self.low + 1

    def __contains__(self, value: object) -> bool:
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and self.low <= value <= self.high
        )

    def label(self, value: int) -> str | None:
        """The label of point ``value``, if the scale has labels."""
        return self.labels[value - self.low] if self.labels else None

    def normalized(self, value: int) -> Fraction:
        """Where ``value`` lies on the scale, from 0 (``low``) to 1 (``high``), exactly."""
        return Fraction(value - self.low, self.high - self.low)

    def satisfied(self, value: int) -> bool:
        """Whether ``value`` counts as satisfied (normalized at :data:`SATISFIED_AT` or above)."""
        return self.normalized(value) >= SATISFIED_AT

    def describe(self) -> str:
        """The range in words, e.g. ``1 to 5``."""
        return f"{self.low} to {self.high}"


FIVE_POINT_SATISFACTION = Scale(
    low=1,
    high=5,
    labels=(
        "Very dissatisfied",
        "Dissatisfied",
        "Neither satisfied nor dissatisfied",
        "Satisfied",
        "Very satisfied",
    ),
)
"""1 to 5, very dissatisfied to very satisfied."""

FIVE_POINT_AGREEMENT = Scale(
    low=1,
    high=5,
    labels=(
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ),
)
"""1 to 5, strongly disagree to strongly agree (for statements such as "I was kept informed")."""

ZERO_TO_TEN = Scale(low=0, high=10)
"""0 to 10, as in likelihood-to-recommend questions."""

YES_NO = Scale(low=0, high=1, labels=("No", "Yes"))
"""0 for no, 1 for yes."""


def _question_id(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _QUESTION_ID.match(value):
        raise ValidationError(
            attribute.name,
            f"{shown(value)} is not a question id (letters, digits, '_' and '-', "
            "starting with a letter or digit)",
        )


@attrs.frozen(kw_only=True)
class Question:
    """
    One question of a survey: a stable ``id`` (the key of its answers), the wording, and the
    scale of its answers.

    At most one question of a survey is the ``overall`` question, satisfaction with the
    handling of the complaint as a whole; its answer becomes the complaint's satisfaction score.
    An optional question may be left unanswered.
    """

    id: str = attrs.field(validator=_question_id)
    text: str = attrs.field(validator=check.text)
    scale: Scale = attrs.field(validator=check.instance(Scale))
    overall: bool = attrs.field(default=False, validator=check.instance(bool))
    required: bool = attrs.field(default=False, validator=check.instance(bool))

    def __attrs_post_init__(self) -> None:
        if self.overall and self.scale.points > _OVERALL_MAX_POINTS:
            raise ValidationError(
                "overall",
                f"the overall question's scale has {self.scale.points} points "
                f"({self.scale.describe()}); it may have at most {_OVERALL_MAX_POINTS}, because "
                "its answer is kept as a satisfaction score from 1 to the number of points",
            )


def _questions(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check.tuple_of(Question)(_inst, attribute, value)
    assert isinstance(value, tuple)
    if not value:
        raise ValidationError(attribute.name, "a survey asks at least one question")
    seen: set[str] = set()
    overall: str | None = None
    for index, question in enumerate(value):
        if question.id in seen:
            raise ValidationError(f"{attribute.name}[{index}].id", f"{question.id!r} is used twice")
        seen.add(question.id)
        if question.overall:
            if overall is not None:
                raise ValidationError(
                    f"{attribute.name}[{index}].overall",
                    f"{overall!r} is already the overall question; a survey has at most one",
                )
            overall = question.id


@attrs.frozen(kw_only=True)
class Survey:
    """
    A satisfaction survey: its name and version, its questions in the order they are asked,
    and who may answer it (:class:`~iso10002.survey.eligibility.EligibilityRules`).
    """

    name: str = attrs.field(validator=check.text)
    version: str = attrs.field(validator=check.text)
    questions: tuple[Question, ...] = attrs.field(converter=check.to_tuple, validator=_questions)
    eligibility: EligibilityRules = attrs.field(
        factory=EligibilityRules, validator=check.instance(EligibilityRules)
    )

    @property
    def overall(self) -> Question | None:
        """The overall satisfaction-with-handling question, if the survey has one."""
        return next((q for q in self.questions if q.overall), None)

    def question(self, question_id: str) -> Question:
        """
        The question with id ``question_id``.

        Raises:
            ValidationError: the survey has no such question (field ``question``).
        """
        found = next((q for q in self.questions if q.id == question_id), None)
        if found is None:
            raise ValidationError("question", self._unknown(question_id))
        return found

    def _unknown(self, question_id: object) -> str:
        known = ", ".join(q.id for q in self.questions)
        return f"survey {self.name!r} has no question {shown(question_id)} (questions: {known})"

    def check_answers(self, answers: Mapping[str, int]) -> dict[str, int]:
        """
        The answers as a plain dict, in question order, after checking them against the survey.

        Raises:
            ValidationError: ``answers`` is not a mapping or is empty (field ``answers``); an
                answer names an unknown question, is not a whole number on its question's scale,
                or a required question is unanswered (field ``answers.<question id>``).
        """
        if not isinstance(answers, Mapping):
            raise ValidationError("answers", f"expected a mapping, got {type(answers).__name__}")
        known = {q.id for q in self.questions}
        for key in answers:
            if key not in known:
                raise ValidationError(f"answers.{key}", self._unknown(key))
        checked: dict[str, int] = {}
        for question in self.questions:
            if question.id not in answers:
                if question.required:
                    raise ValidationError(
                        f"answers.{question.id}", "this question must be answered"
                    )
                continue
            value = answers[question.id]
            if value not in question.scale:
                raise ValidationError(
                    f"answers.{question.id}",
                    f"{shown(value)} is not a point on the scale {question.scale.describe()}",
                )
            checked[question.id] = value
        if not checked:
            raise ValidationError("answers", "a response answers at least one question")
        return checked

    def response(self, answers: Mapping[str, int], *, comment: str | None = None) -> SurveyAnswered:
        """
        The event payload recording ``answers``: checked as :meth:`check_answers` does, with
        the overall answer restated as a satisfaction score from 1 to the number of points.

        Raises:
            ValidationError: as :meth:`check_answers`; or ``comment`` is blank (field
                ``comment``).
        """
        checked = self.check_answers(answers)
        overall = self.overall
        score = scale = None
        if overall is not None and overall.id in checked:
            score = checked[overall.id] - overall.scale.low + 1
            scale = overall.scale.points
        return SurveyAnswered(
            survey=self.name,
            survey_version=self.version,
            answers=checked,
            comment=comment,
            satisfaction_score=score,
            satisfaction_scale=scale,
        )
