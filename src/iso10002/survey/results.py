"""
Survey results: per question, how many answered, the mean, the distribution over the scale and
the share satisfied, in one pass over recorded responses.

:func:`survey_results` reads any iterable of events (other event types are skipped), such as
``(event for _, event in store.iter_events())``, and keeps one counter per point of each
question, so memory does not grow with the number of responses. The result is a frozen value;
:func:`iso10002.serialization.unstructure` turns it into JSON-shaped data with the layout of the
classes below. Means and shares are rounded to 4 decimal places, percentages to 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Union

import attrs

from iso10002.errors import ValidationError
from iso10002.model.events import Event, SurveyAnswered
from iso10002.survey.definition import SATISFIED_AT, Question, Survey

__all__ = ["PointCount", "QuestionResult", "ResponseSource", "SurveyResults", "survey_results"]

ResponseSource = Union[Event, SurveyAnswered]  # noqa: UP007 - a runtime alias must work on 3.10
"""What :func:`survey_results` reads: events (any type), or survey responses themselves."""


@attrs.frozen(kw_only=True)
class PointCount:
    """How many answers chose one point of a scale."""

    point: int
    label: str | None
    count: int


@attrs.frozen(kw_only=True)
class QuestionResult:
    """
    The answers to one question.

    ``mean`` is on the question's scale (``low`` to ``high``); ``mean_percent`` is the mean of
    the normalized answers, 0 for the worst point and 100 for the best. ``satisfied`` counts
    answers at :data:`~iso10002.survey.definition.SATISFIED_AT` of the scale or above, and
    ``satisfied_share`` is its fraction of ``count``. Without answers the mean, percentage and
    share are ``None``. ``distribution`` lists every point of the scale, worst first.
    """

    question: str
    """The question's id."""
    overall: bool
    low: int
    high: int
    count: int
    mean: float | None
    mean_percent: float | None
    satisfied: int
    satisfied_share: float | None
    distribution: tuple[PointCount, ...]


@attrs.frozen(kw_only=True)
class SurveyResults:
    """
    The results of one version of one survey.

    ``responses`` counts the responses to this version; ``other_versions`` those to another
    version of the same survey, which are not in the figures (questions and scales may differ
    between versions). ``comments`` counts responses that left a comment. ``questions``
    follows the order of the survey.
    """

    survey: str
    version: str
    responses: int
    other_versions: int
    comments: int
    questions: tuple[QuestionResult, ...]
    overall_question: str | None
    """The id of the overall satisfaction-with-handling question, if the survey has one."""

    @property
    def overall(self) -> QuestionResult | None:
        """The result of the overall question, if the survey has one."""
        return next((q for q in self.questions if q.overall), None)

    def question(self, question_id: str) -> QuestionResult:
        """
        The result of the question with id ``question_id``.

        Raises:
            ValidationError: the survey has no such question (field ``question``).
        """
        found = next((q for q in self.questions if q.question == question_id), None)
        if found is None:
            known = ", ".join(q.question for q in self.questions)
            raise ValidationError(
                "question",
                f"survey {self.survey!r} has no question {question_id!r} (questions: {known})",
            )
        return found


class _Tally:
    """Counters for one question: one per point of its scale."""

    __slots__ = ("counts", "question")

    def __init__(self, question: Question) -> None:
        self.question = question
        self.counts = [0] * question.scale.points

    def result(self) -> QuestionResult:
        scale = self.question.scale
        count = sum(self.counts)
        total = sum(n * (scale.low + i) for i, n in enumerate(self.counts))
        satisfied = sum(
            n for i, n in enumerate(self.counts) if scale.normalized(scale.low + i) >= SATISFIED_AT
        )
        mean = mean_percent = share = None
        if count:
            mean = round(total / count, 4)
            # Exact arithmetic first, one rounding at the end, so that equal answer sets give
            # equal figures whatever order they came in.
            span = scale.high - scale.low
            mean_percent = round(100 * (total - scale.low * count) / (span * count), 2)
            share = round(satisfied / count, 4)
        return QuestionResult(
            question=self.question.id,
            overall=self.question.overall,
            low=scale.low,
            high=scale.high,
            count=count,
            mean=mean,
            mean_percent=mean_percent,
            satisfied=satisfied,
            satisfied_share=share,
            distribution=tuple(
                PointCount(point=scale.low + i, label=scale.label(scale.low + i), count=n)
                for i, n in enumerate(self.counts)
            ),
        )


def _where(item: ResponseSource) -> str:
    if isinstance(item, Event):
        return f"complaint {item.complaint_id}, event seq {item.seq}: "
    return ""


def survey_results(responses: Iterable[ResponseSource], survey: Survey) -> SurveyResults:
    """
    Aggregate the responses to ``survey`` (this name and version) found in ``responses``.

    ``responses`` may mix events of every type with bare :class:`~iso10002.SurveyAnswered`
    payloads; events of other types and responses to other surveys are skipped, responses to
    other versions of this survey are counted in ``other_versions`` only. It is read once.

    Raises:
        ValidationError: a response to this version answers a question the survey does not
            have, or gives a point off its scale (field ``answers.<question id>``); the
            definition is then not the one the answers were given to.
    """
    if not isinstance(survey, Survey):
        raise ValidationError("survey", f"expected a Survey, got {type(survey).__name__}")
    tallies = {q.id: _Tally(q) for q in survey.questions}
    count = other_versions = comments = 0
    for item in responses:
        payload = item.payload if isinstance(item, Event) else item
        if not isinstance(payload, SurveyAnswered) or payload.survey != survey.name:
            continue
        if payload.survey_version != survey.version:
            other_versions += 1
            continue
        for question_id, point in payload.answers.items():
            tally = tallies.get(question_id)
            if tally is None:
                raise ValidationError(
                    f"answers.{question_id}",
                    f"{_where(item)}version {survey.version!r} of survey {survey.name!r} has no "
                    f"question {question_id!r}",
                )
            scale = tally.question.scale
            if point not in scale:
                raise ValidationError(
                    f"answers.{question_id}",
                    f"{_where(item)}{point} is not a point on the scale {scale.describe()}",
                )
            tally.counts[point - scale.low] += 1
        count += 1
        comments += payload.comment is not None
    overall = survey.overall
    return SurveyResults(
        survey=survey.name,
        version=survey.version,
        responses=count,
        other_versions=other_versions,
        comments=comments,
        questions=tuple(t.result() for t in tallies.values()),
        overall_question=overall.id if overall else None,
    )
