"""
The complaints desk: :class:`ComplaintDesk`, the facade applications use to receive complaints,
move them through the handling process, query them and manage their records.

Every command follows one path, told step by step in :mod:`iso10002.desk._path`.
"""

from __future__ import annotations

from iso10002.desk._available import AvailableCommand
from iso10002.desk._facade import DEFAULT_CONFLICT_RETRIES, ComplaintDesk
from iso10002.desk._intake import IntakeResult
from iso10002.desk._loading import ComplaintKey
from iso10002.desk._timeliness import EscalationHook

__all__ = [
    "DEFAULT_CONFLICT_RETRIES",
    "AvailableCommand",
    "ComplaintDesk",
    "ComplaintKey",
    "EscalationHook",
    "IntakeResult",
]
