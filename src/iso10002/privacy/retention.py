"""
Retention: how long a complaint's personal data is kept, per regime, before the purge job
erases it.

Regulators set a *minimum*: the FCA asks firms to keep complaint records for 3 years from
receipt, 5 for UCITS management (DISP 1.9); the Central Bank of Ireland 6 years. Data-protection
law sets the maximum: no longer than needed. A :class:`RetentionPolicy` says, per regime, when
the minimum ends; :func:`iso10002.privacy.purge_expired` then erases exactly the complaints past
it. Purging *erases personal data*: the history, its hashes and the statistics stay.
"""

from __future__ import annotations

import datetime as _dt
import enum

import attrs
from dateutil.relativedelta import relativedelta

from iso10002.errors import ValidationError
from iso10002.model import _checks as check
from iso10002.model.complaint import Complaint

__all__ = ["RetentionPolicy", "RetentionRule", "RetentionStart", "retention_preset"]


class RetentionStart(str, enum.Enum):
    """The instant a retention period runs from."""

    RECEIVED = "received"
    """When the complaint was received (FCA DISP 1.9)."""
    CLOSED = "closed"
    """When it was last closed or withdrawn."""


@attrs.frozen(kw_only=True)
class RetentionRule:
    """
    One retention period, and the complaints it covers: those whose ``regulation`` and
    ``segment`` attributes are among the given ones (an empty criterion matches anything).
    """

    name: str = attrs.field(validator=check.text)
    years: int = attrs.field(default=0, validator=check.int_range(0, 100))
    months: int = attrs.field(default=0, validator=check.int_range(0, 1200))
    start: RetentionStart = attrs.field(
        default=RetentionStart.RECEIVED, validator=check.member_of(RetentionStart)
    )
    regulation: tuple[str, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of_text
    )
    segment: tuple[str, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of_text
    )
    source: str | None = attrs.field(default=None, validator=check.optional_text)
    """Where the period comes from, e.g. ``"FCA DISP 1.9"``."""

    def __attrs_post_init__(self) -> None:
        if self.years == 0 and self.months == 0:
            raise ValidationError("years", "a retention period is at least one month long")

    def matches(self, complaint: Complaint) -> bool:
        """Whether the rule covers ``complaint``."""
        attributes = complaint.attributes
        if self.regulation and attributes.get("regulation") not in self.regulation:
            return False
        return not (self.segment and attributes.get("segment") not in self.segment)

    def describe(self) -> str:
        """The period in words, e.g. ``"3 years from receipt"``."""
        parts = []
        if self.years:
            parts.append(f"{self.years} year{'s' if self.years != 1 else ''}")
        if self.months:
            parts.append(f"{self.months} month{'s' if self.months != 1 else ''}")
        start = "receipt" if self.start is RetentionStart.RECEIVED else "closure"
        return f"{' '.join(parts)} from {start}"

    def expires_at(self, complaint: Complaint) -> _dt.datetime | None:
        """When the period ends for ``complaint``; None while it runs from a closure to come."""
        if self.start is RetentionStart.RECEIVED:
            begin: _dt.datetime | None = complaint.received_at
        else:
            begin = complaint.closed_at or complaint.withdrawn_at
        if begin is None:
            return None
        return begin + relativedelta(years=self.years, months=self.months)

    @property
    def shortest(self) -> relativedelta:
        """The period, for finding candidates: no complaint expires sooner after receipt."""
        return relativedelta(years=self.years, months=self.months)


def _rules(_inst: object, attribute: attrs.Attribute[object], value: object) -> None:
    check.tuple_of(RetentionRule)(_inst, attribute, value)
    names = [r.name for r in value]  # type: ignore[attr-defined]
    for name in names:
        if names.count(name) > 1:
            raise ValidationError(attribute.name, f"the rule name {name!r} is used twice")


@attrs.frozen(kw_only=True)
class RetentionPolicy:
    """
    Retention rules, tried in order: the first that matches a complaint applies. A complaint no
    rule matches is kept under ``default``, or never purged if there is none.
    """

    rules: tuple[RetentionRule, ...] = attrs.field(converter=check.to_tuple, validator=_rules)
    default: RetentionRule | None = attrs.field(
        default=None, validator=check.optional_instance(RetentionRule)
    )

    def rule_for(self, complaint: Complaint) -> RetentionRule | None:
        """The rule that applies to ``complaint``, if any."""
        for rule in self.rules:
            if rule.matches(complaint):
                return rule
        return self.default

    def expires_at(self, complaint: Complaint) -> _dt.datetime | None:
        """When ``complaint``'s retention ends; None if no rule applies or it has not started."""
        rule = self.rule_for(complaint)
        return None if rule is None else rule.expires_at(complaint)

    def received_before(self, now: _dt.datetime) -> _dt.datetime | None:
        """
        No complaint received at or after this instant can have expired by ``now``: the purge
        job looks only at older ones. None if no rule applies to anything.
        """
        every = [*self.rules, *([self.default] if self.default else [])]
        if not every:
            return None
        # A period that ends exactly now has ended: its complaint is just inside the bound.
        return max(now - rule.shortest for rule in every) + _dt.timedelta(microseconds=1)


_PRESETS: dict[str, RetentionPolicy] = {
    "fca": RetentionPolicy(
        rules=(
            RetentionRule(
                name="fca-ucits",
                years=5,
                regulation=("fca",),
                segment=("ucits",),
                source="FCA DISP 1.9: 5 years for UCITS management complaints",
            ),
            RetentionRule(
                name="fca-mifid",
                years=5,
                regulation=("fca",),
                segment=("mifid",),
                source="MiFID Org Regulation art. 72 (5 years; DISP Sch 1 says 'not specified')",
            ),
            RetentionRule(
                name="fca",
                years=3,
                regulation=("fca",),
                source="FCA DISP 1.9: 3 years from the date the complaint was received",
            ),
        )
    ),
    "cbi": RetentionPolicy(
        rules=(
            RetentionRule(
                name="cbi",
                years=6,
                regulation=("cbi",),
                source="Central Bank of Ireland Consumer Protection Code, chapter 11",
            ),
        )
    ),
}


def retention_preset(name: str) -> RetentionPolicy:
    """
    A shipped retention policy: ``"fca"`` (3 years from receipt; 5 for the ``ucits`` and
    ``mifid`` segments) or ``"cbi"`` (6 years). Each matches complaints whose ``regulation``
    attribute is its name.

    Raises:
        ValidationError: no preset has that name.
    """
    try:
        return _PRESETS[name]
    except KeyError:
        raise ValidationError(
            "retention", f"no retention preset {name!r}; known: {', '.join(sorted(_PRESETS))}"
        ) from None
