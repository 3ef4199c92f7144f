"""What an erasure run did: the complaints erased, and those refused with the reason."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from iso10002.model import _checks as check
from iso10002.model.events import EventPayload
from iso10002.model.personal import ERASED
from iso10002.privacy.sealing import seal

__all__ = ["ErasureReport", "held_values"]


@attrs.frozen(kw_only=True)
class ErasureReport:
    """
    The outcome of :meth:`~iso10002.ComplaintDesk.erase_subject` or
    :meth:`~iso10002.ComplaintDesk.purge_expired`, by complaint reference.
    """

    erased: tuple[str, ...] = attrs.field(default=(), converter=check.to_tuple)
    """The complaints whose personal data was erased now."""
    refused: Mapping[str, str] = attrs.field(factory=dict, converter=check.mapping_copy)
    """Complaints left as they were, with why: under legal hold, still open, already erased."""
    examined: int = 0
    """How many complaints were looked at."""


def held_values(payload: EventPayload) -> int:
    """How many personal values ``payload`` holds (erased ones and empty ones aside)."""
    sealed = seal(payload, salt=_no_salt)
    return sum(1 for _salt, value in sealed.personal.values() if value != ERASED)


def _no_salt() -> str:
    # Counting only: no commitment made here is ever stored.
    return ""
