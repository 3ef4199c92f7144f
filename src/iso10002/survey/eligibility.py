"""
Who may answer a survey, as data: :class:`EligibilityRules`, and :func:`eligible` that applies
them to one complaint at one instant.

The rules are checked in a fixed order and the first that refuses is reported, by its field
name in :class:`EligibilityRules`, with a sentence that says why. The same rules serve to choose
whom to invite (``eligible`` over closed complaints) and to refuse an answer
(:meth:`ComplaintDesk.answer_survey <iso10002.ComplaintDesk.answer_survey>`).
"""

from __future__ import annotations

import datetime as _dt
from enum import Enum
from typing import TYPE_CHECKING, Any

import attrs

from iso10002.errors import NaiveDatetimeError, ValidationError
from iso10002.model import _checks as check
from iso10002.model.complaint import Complaint
from iso10002.model.values import Channel, ClosureReason

if TYPE_CHECKING:
    from iso10002.survey.definition import Survey

__all__ = ["CATEGORY_SEPARATOR", "Eligibility", "EligibilityRules", "Milestone", "eligible"]

CATEGORY_SEPARATOR = " / "
"""Separates the levels of a category path in :attr:`EligibilityRules.categories`, as in
:attr:`Classification.path <iso10002.Classification.path>`."""


class Milestone(str, Enum):
    """The point in the handling after which a complainant may answer a survey."""

    DECISION_COMMUNICATED = "decision_communicated"
    """The decision in force has been communicated (7.8)."""
    CLOSED = "closed"
    """The complaint is closed (or withdrawn, if withdrawn complaints are not excluded)."""


def _milestone(value: object) -> object:
    # Files give the plain value; the converter passes text through as text.
    if isinstance(value, str) and not isinstance(value, Milestone):
        for member in Milestone:
            if member.value == value:
                return member
    return value


def _channels(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise ValidationError(attribute.name, f"expected a tuple, got {type(value).__name__}")
    for index, item in enumerate(value):
        if not isinstance(item, Channel):
            allowed = ", ".join(c.value for c in Channel)
            raise ValidationError(
                f"{attribute.name}[{index}]", f"{item!r} is not a Channel (allowed: {allowed})"
            )


def _category_path(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(CATEGORY_SEPARATOR.strip()))


def _categories(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check.tuple_of_text(inst, attribute, value)
    assert isinstance(value, tuple)
    for index, item in enumerate(value):
        if not all(_category_path(item)):
            raise ValidationError(
                f"{attribute.name}[{index}]", f"{item!r} has an empty level in its path"
            )


def _optional_days(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        check.int_range(1, 36_500)(_inst, attribute, value)


@attrs.frozen(kw_only=True)
class EligibilityRules:
    """
    Which complaints may answer a survey, and when. The defaults: after closure, never for
    a withdrawn complaint or a duplicate, once per complaint, with no time limit and for every
    channel and category.
    """

    after: Milestone = attrs.field(
        default=Milestone.CLOSED, converter=_milestone, validator=check.member_of(Milestone)
    )
    """The point in the handling from which answers are taken."""
    within_days: int | None = attrs.field(default=None, validator=_optional_days)
    """How many days after that point answers are still taken; ``None`` for no limit."""
    exclude_withdrawn: bool = attrs.field(default=True, validator=check.instance(bool))
    exclude_duplicates: bool = attrs.field(default=True, validator=check.instance(bool))
    """Refuse complaints closed as a duplicate of another (that one is surveyed)."""
    once_per_complaint: bool = attrs.field(default=True, validator=check.instance(bool))
    """At most one response per complaint to this survey, whatever its version."""
    channels: tuple[Channel, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=_channels
    )
    """Only complaints received by one of these channels; empty for any channel."""
    categories: tuple[str, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=_categories
    )
    """Only complaints classified under one of these category paths (``Billing`` covers
    ``Billing / Wrong amount``); empty for any complaint, classified or not."""


@attrs.frozen(kw_only=True)
class Eligibility:
    """
    Whether a complaint may answer a survey now; if not, the ``rule`` that refused (a field
    name of :class:`EligibilityRules`) and the ``reason``. True in a boolean context when
    eligible.
    """

    eligible: bool = attrs.field(validator=check.instance(bool))
    rule: str | None = attrs.field(default=None, validator=check.optional_text)
    reason: str | None = attrs.field(default=None, validator=check.optional_text)

    def __attrs_post_init__(self) -> None:
        if self.eligible != (self.rule is None) or (self.rule is None) != (self.reason is None):
            raise ValidationError("rule", "give a rule and a reason exactly when not eligible")

    def __bool__(self) -> bool:
        return self.eligible


_ELIGIBLE = Eligibility(eligible=True)


def _no(rule: str, reason: str) -> Eligibility:
    return Eligibility(eligible=False, rule=rule, reason=reason)


def _day(instant: _dt.datetime) -> str:
    return instant.astimezone(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _milestone_at(rules: EligibilityRules, c: Complaint) -> tuple[_dt.datetime | None, str]:
    """When the survey's milestone was reached (None if not yet), and what happened then."""
    if rules.after is Milestone.DECISION_COMMUNICATED:
        return c.decision_communicated_at, "the decision was communicated"
    if c.closed_at is None and c.withdrawn_at is not None:
        return c.withdrawn_at, "the complaint was withdrawn"
    return c.closed_at, "the complaint was closed"


def eligible(survey: Survey, complaint: Complaint, now: _dt.datetime) -> Eligibility:
    """
    Whether ``complaint`` may answer ``survey`` at ``now``.

    The rules are tried in this order, and the first that refuses is reported:
    ``exclude_withdrawn``, ``exclude_duplicates``, ``channels``, ``categories``, ``after``,
    ``within_days``, ``once_per_complaint``.

    Raises:
        ValidationError: ``now`` is not an aware datetime (field ``now``).
    """
    if not isinstance(now, _dt.datetime):
        raise ValidationError("now", f"expected a datetime, got {type(now).__name__}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise NaiveDatetimeError("now")
    rules = survey.eligibility
    c = complaint
    if rules.exclude_withdrawn and c.withdrawn_at is not None:
        return _no("exclude_withdrawn", "the complaint was withdrawn")
    if rules.exclude_duplicates and c.closure_reason is ClosureReason.DUPLICATE:
        return _no(
            "exclude_duplicates", f"the complaint was closed as a duplicate of {c.duplicate_of}"
        )
    if rules.channels and c.channel not in rules.channels:
        allowed = ", ".join(ch.value for ch in rules.channels)
        return _no("channels", f"it came in by {c.channel.value}; the survey is for {allowed}")
    if rules.categories:
        wanted = ", ".join(rules.categories)
        if c.classification is None:
            return _no("categories", f"it is not classified; the survey is for {wanted}")
        category = c.classification.category
        paths = (_category_path(p) for p in rules.categories)
        if not any(category[: len(p)] == p for p in paths):
            where = c.classification.path
            return _no("categories", f"it is classified as {where}; the survey is for {wanted}")
    since, event = _milestone_at(rules, c)
    if since is None:
        missing = (
            "the decision has not been communicated"
            if rules.after is Milestone.DECISION_COMMUNICATED
            else "the complaint is not closed"
        )
        return _no("after", missing)
    if rules.within_days is not None and now - since > _dt.timedelta(days=rules.within_days):
        return _no(
            "within_days",
            f"answers are taken for {rules.within_days} days after {event}, at {_day(since)}",
        )
    if rules.once_per_complaint and any(r.survey == survey.name for r in c.survey_responses):
        return _no("once_per_complaint", f"the complainant has already answered {survey.name!r}")
    return _ELIGIBLE
