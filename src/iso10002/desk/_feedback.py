"""
What the complainant thinks of the handling (ISO 10002 8.3, ISO 10004): a satisfaction score,
or the answers to a survey, which the survey's eligibility rules must allow. Both are commands
of the handling process and run like every other (see :mod:`~iso10002.desk._path`).
"""

from __future__ import annotations

from collections.abc import Mapping

from iso10002.desk._loading import ComplaintKey
from iso10002.desk._path import CommandPath
from iso10002.errors import ValidationError
from iso10002.model.actions import Action
from iso10002.model.complaint import Complaint
from iso10002.model.events import EventPayload, SatisfactionRecorded
from iso10002.model.values import Actor
from iso10002.survey.definition import Survey
from iso10002.survey.eligibility import eligible

__all__ = ["Feedback"]


class Feedback(CommandPath):
    """Satisfaction scores and survey answers."""

    def record_satisfaction(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        score: int,
        scale: int = 5,
        comment: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """Record the complainant's satisfaction with the handling (8.3)."""
        payload = SatisfactionRecorded(score=score, scale=scale, comment=comment)
        return self._run(Action.RECORD_SATISFACTION, key, actor, payload, expected_version)

    def answer_survey(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        survey: Survey,
        answers: Mapping[str, int],
        comment: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """
        Record the complainant's answers to a satisfaction survey (8.3, ISO 10004); the answer
        to the survey's overall question becomes the complaint's satisfaction score.

        Raises:
            ValidationError: an answer names an unknown question, is off its scale, or a
                required question is unanswered (field ``answers.<question id>``); or the
                complaint may not answer the survey now (field ``eligibility.<rule>``).
        """
        if not isinstance(survey, Survey):
            raise ValidationError("survey", f"expected a Survey, got {type(survey).__name__}")
        payload = survey.response(answers, comment=comment)

        def check_eligible(complaint: Complaint, _: EventPayload) -> None:
            verdict = eligible(survey, complaint, self.clock.now())
            if not verdict:
                raise ValidationError(
                    f"eligibility.{verdict.rule}",
                    f"complaint {complaint.reference} may not answer survey {survey.name!r} "
                    f"(version {survey.version}): {verdict.reason}",
                )

        return self._run(
            Action.ANSWER_SURVEY, key, actor, payload, expected_version, check=check_eligible
        )
