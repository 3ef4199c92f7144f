"""
The :class:`AccessLog` seam: where the desk records each refused command or query (4.12).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from iso10002.model.denials import DenialRecord

__all__ = ["AccessLog"]


@runtime_checkable
class AccessLog(Protocol):
    """**Protocol:** where the desk records each denial, before it raises ``PermissionDenied``."""

    def record(self, denial: DenialRecord) -> None:
        """Keep ``denial``."""
        ...
