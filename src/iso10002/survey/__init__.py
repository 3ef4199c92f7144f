"""
Satisfaction with the complaints-handling process (ISO 10002 8.3, ISO 10004): survey
definitions as versioned data, eligibility rules, and results aggregated from recorded answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iso10002.survey.definition import (
        FIVE_POINT_AGREEMENT,
        FIVE_POINT_SATISFACTION,
        SATISFIED_AT,
        YES_NO,
        ZERO_TO_TEN,
        Question,
        Scale,
        Survey,
    )
    from iso10002.survey.eligibility import (
        CATEGORY_SEPARATOR,
        Eligibility,
        EligibilityRules,
        Milestone,
        eligible,
    )
    from iso10002.survey.files import load_survey, save_survey, survey_from_dict, survey_to_dict
    from iso10002.survey.results import (
        PointCount,
        QuestionResult,
        ResponseSource,
        SurveyResults,
        survey_results,
    )
else:
    from iso10002._lazy import attach as _attach

    __getattr__, __dir__ = _attach(__name__, __file__, globals())

__all__ = [
    "CATEGORY_SEPARATOR",
    "FIVE_POINT_AGREEMENT",
    "FIVE_POINT_SATISFACTION",
    "SATISFIED_AT",
    "YES_NO",
    "ZERO_TO_TEN",
    "Eligibility",
    "EligibilityRules",
    "Milestone",
    "PointCount",
    "Question",
    "QuestionResult",
    "ResponseSource",
    "Scale",
    "Survey",
    "SurveyResults",
    "eligible",
    "load_survey",
    "save_survey",
    "survey_from_dict",
    "survey_results",
    "survey_to_dict",
]
