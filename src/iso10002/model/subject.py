"""Who a data subject is, for finding everything held about them."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check
from iso10002.model.personal import masked

__all__ = ["SUBJECT_CUSTOMER_ID", "SUBJECT_EMAIL", "SubjectMatch"]

SUBJECT_CUSTOMER_ID = "complainant.customer_id"
"""The path of the complainant's customer id among a received event's personal values."""
SUBJECT_EMAIL = "complainant.contact.email"
"""The path of the complainant's e-mail address among a received event's personal values."""


@attrs.frozen(kw_only=True)
class SubjectMatch:
    """
    How to recognise one person's complaints: by the customer id the organization gave them,
    or by their e-mail address (compared without regard to case), or either.

    Only the complainant's own details are matched; a representative acting for several people
    is not the subject of their complaints.
    """

    customer_id: str | None = attrs.field(default=None, validator=check.optional_text, repr=masked)
    email: str | None = attrs.field(default=None, validator=check.email, repr=masked)

    def __attrs_post_init__(self) -> None:
        if self.customer_id is None and self.email is None:
            raise ValidationError("subject", "give a customer id, an e-mail address, or both")

    def matches(self, customer_id: object, email: object) -> bool:
        """Whether a complainant with these stored details is this subject."""
        if self.customer_id is not None and customer_id == self.customer_id:
            return True
        return (
            self.email is not None
            and isinstance(email, str)
            and email.casefold() == self.email.casefold()
        )

    def matches_personal(self, personal: Mapping[str, tuple[str, object]] | None) -> bool:
        """
        Whether the complainant whose personal values (by path, ``(salt, value)``, as a store
        keeps them apart) are ``personal`` is this subject: a store's ``find_subject`` asks
        this of each complaint's received event. Erased values (None) match nothing.
        """
        held = personal or {}
        return self.matches(
            held.get(SUBJECT_CUSTOMER_ID, (None, None))[1], held.get(SUBJECT_EMAIL, (None, None))[1]
        )
