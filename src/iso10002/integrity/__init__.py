"""
Tamper-evident history (ISO 10002:2018, 4.9): hash chains over the stored events, and
:func:`verify`, which names the first record that was altered, deleted, inserted or reordered.
See ``docs/integrity.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# These names are also the names of submodules, which importing the submodule would bind
# in their place; so they are bound now, after their submodule, rather than on first use.
from iso10002.integrity.verify import Finding, Problem, VerificationReport, verify

if TYPE_CHECKING:
    from iso10002.integrity.chain import canonical_bytes
    from iso10002.model.chain import GENESIS, Hasher
else:
    from iso10002._lazy import attach as _attach

    __getattr__, __dir__ = _attach(__name__, __file__, globals())

__all__ = [
    "GENESIS",
    "Finding",
    "Hasher",
    "Problem",
    "VerificationReport",
    "canonical_bytes",
    "verify",
]
