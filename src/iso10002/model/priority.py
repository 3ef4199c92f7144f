"""
Priority policies: how an initial assessment (7.5) becomes a handling priority.

A policy is any object with a ``name`` and a ``__call__(assessment) -> Priority``; the desk records
the policy's name with the priority, so a later change of policy never rewrites history.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import attrs

from iso10002.model.values import Assessment, Complexity, Impact, Priority, Severity

__all__ = ["DefaultPriorityPolicy", "PriorityPolicy"]


@runtime_checkable
class PriorityPolicy(Protocol):
    """**Protocol:** maps an initial assessment to a priority."""

    @property
    def name(self) -> str:
        """A stable name recorded with each priority it gives."""
        ...

    def __call__(self, assessment: Assessment) -> Priority:
        """Return the priority for ``assessment``."""
        ...


_SEVERITY_SCORE = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}
_IMPACT_SCORE = {Impact.LOW: 0, Impact.MEDIUM: 1, Impact.HIGH: 2}


@attrs.frozen
class DefaultPriorityPolicy:
    """
    The shipped policy.

    Safety implications, critical severity, and a needed-and-possible immediate action are
    urgent: the standard asks that serious health and safety complaints go first (7.5). Otherwise
    severity plus impact scores 0-5 and maps to low (0), normal (1-2), high (3-4) or urgent (5);
    a complex complaint is never low, since it will take time whatever its size.
    """

    name: str = "default-v1"

    def __call__(self, assessment: Assessment) -> Priority:
        """Return the priority for ``assessment``."""
        if (
            assessment.safety_implication
            or assessment.severity is Severity.CRITICAL
            or (assessment.immediate_action_needed and assessment.immediate_action_possible)
        ):
            return Priority.URGENT
        score = _SEVERITY_SCORE[assessment.severity] + _IMPACT_SCORE[assessment.impact]
        if score >= 5:
            return Priority.URGENT
        if score >= 3:
            return Priority.HIGH
        if score >= 1 or assessment.complexity is Complexity.COMPLEX:
            return Priority.NORMAL
        return Priority.LOW
