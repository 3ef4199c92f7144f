"""
Access control (ISO 10002 4.10 confidentiality, 4.12 accountability): who may run which
command or query of the desk, on which complaints, and the record of every refusal.

- :class:`Action`, one per desk command and query, plus the personal-data and oversight
  actions, and :class:`DenialRecord` are values of the model (:mod:`iso10002.model.actions`,
  :mod:`iso10002.model.denials`).
- :mod:`~iso10002.access.policy`: the :class:`Authorizer` seam and :class:`RoleBasedAuthorizer`,
  the default role matrix (:data:`DEFAULT_GRANTS`, :data:`DEFAULT_SCOPES`).
- :mod:`~iso10002.access.log`: access logs (the :class:`AccessLog` seam of
  :mod:`iso10002.ports.access`) in memory or in the event store's own database.
- :mod:`~iso10002.access.public`: :class:`PublicView`, what a complainant may see of their
  complaint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iso10002.access.log import InMemoryAccessLog, StoreAccessLog
    from iso10002.access.policy import (
        DEFAULT_GRANTS,
        DEFAULT_SCOPES,
        LIST_CRITERIA,
        AccessDecision,
        Authorizer,
        Ownership,
        RoleBasedAuthorizer,
        Scope,
        by_customer_id,
    )
    from iso10002.access.public import (
        PUBLIC_STATUSES,
        PublicDeadline,
        PublicDecision,
        PublicEntry,
        PublicView,
        public_view,
    )
    from iso10002.model.actions import Action, ActionKind
    from iso10002.model.denials import DenialRecord
    from iso10002.ports.access import AccessLog
    from iso10002.ports.store import DenialStore
else:
    from iso10002._lazy import attach as _attach

    __getattr__, __dir__ = _attach(__name__, __file__, globals())

__all__ = [
    "DEFAULT_GRANTS",
    "DEFAULT_SCOPES",
    "LIST_CRITERIA",
    "PUBLIC_STATUSES",
    "AccessDecision",
    "AccessLog",
    "Action",
    "ActionKind",
    "Authorizer",
    "DenialRecord",
    "DenialStore",
    "InMemoryAccessLog",
    "Ownership",
    "PublicDeadline",
    "PublicDecision",
    "PublicEntry",
    "PublicView",
    "RoleBasedAuthorizer",
    "Scope",
    "StoreAccessLog",
    "by_customer_id",
    "public_view",
]
