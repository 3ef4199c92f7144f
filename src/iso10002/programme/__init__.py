"""
The complaints-handling programme (ISO 10002 clauses 5, 6 and 7.1): policy, access, charges,
roles, objectives, resources, training, confidentiality and escalation as one typed, validated,
versioned value, loaded from and saved to JSON or TOML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iso10002.programme.config import (
        STANDARD_ROLES,
        Access,
        Charges,
        Confidentiality,
        Escalation,
        ExternalBody,
        Objective,
        PolicyStatement,
        Programme,
        Resource,
        Responsibility,
        TrainingRecord,
    )
    from iso10002.programme.files import (
        load_programme,
        programme_from_dict,
        programme_to_dict,
        save_programme,
    )
else:
    from iso10002._lazy import attach as _attach

    __getattr__, __dir__ = _attach(__name__, __file__, globals())

__all__ = [
    "STANDARD_ROLES",
    "Access",
    "Charges",
    "Confidentiality",
    "Escalation",
    "ExternalBody",
    "Objective",
    "PolicyStatement",
    "Programme",
    "Resource",
    "Responsibility",
    "TrainingRecord",
    "load_programme",
    "programme_from_dict",
    "programme_to_dict",
    "save_programme",
]
