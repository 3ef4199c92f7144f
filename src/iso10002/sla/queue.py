"""The breach queue's items: which complaints need attention, and why."""

from __future__ import annotations

import datetime as _dt
from enum import Enum

import attrs

from iso10002.model.complaint import ComplaintSummary

__all__ = ["QueueBucket", "QueueItem"]


class QueueBucket(str, Enum):
    """Why a complaint is in the queue; the first that applies."""

    BREACHED = "breached"
    """A deadline of a running metric has passed."""
    AT_RISK = "at_risk"
    """A warning threshold has passed; the deadline has not."""
    DUE = "due"
    """A deadline falls within the horizon asked for."""


@attrs.frozen(kw_only=True)
class QueueItem:
    """One complaint in the queue, with its earliest deadline."""

    summary: ComplaintSummary
    bucket: QueueBucket
    due_at: _dt.datetime
