"""
Tamper-evident history (ISO 10002:2018, 4.9): hash chains over the stored events, and
:func:`verify`, which names the first record that was altered, deleted, inserted or reordered.
See ``docs/integrity.md``.
"""

from __future__ import annotations

from iso10002.integrity.chain import canonical_bytes
from iso10002.integrity.verify import Finding, Problem, VerificationReport, verify
from iso10002.model.chain import GENESIS, Hasher

__all__ = [
    "GENESIS",
    "Finding",
    "Hasher",
    "Problem",
    "VerificationReport",
    "canonical_bytes",
    "verify",
]
