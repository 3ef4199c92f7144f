"""
Personal data (ISO 10002 4.10 confidentiality): kept apart from the hashed history so that it can
be erased while statistics and proofs survive; retention per regime, legal hold, and the
subject-access export. See ``docs/privacy.md``.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iso10002.model.subject import SUBJECT_CUSTOMER_ID, SUBJECT_EMAIL, SubjectMatch
    from iso10002.privacy.erasure import ErasureReport
    from iso10002.privacy.export import EXPORT_FORMAT, SubjectExport, SubjectRecord
    from iso10002.privacy.retention import (
        RetentionPolicy,
        RetentionRule,
        RetentionStart,
        retention_preset,
    )
    from iso10002.privacy.sealing import seal, unseal
else:
    from iso10002._lazy import attach as _attach

    __getattr__, __dir__ = _attach(__name__, __file__, globals())

__all__ = [
    "EXPORT_FORMAT",
    "SUBJECT_CUSTOMER_ID",
    "SUBJECT_EMAIL",
    "ErasureReport",
    "RetentionPolicy",
    "RetentionRule",
    "RetentionStart",
    "SubjectExport",
    "SubjectMatch",
    "SubjectRecord",
    "retention_preset",
    "seal",
    "unseal",
]
