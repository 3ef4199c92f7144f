"""
Where a letter goes: the complainant's preferred written channel when their contact details
allow it, otherwise the first of e-mail, post and SMS that they do.

A complainant who prefers the telephone or a visit still gets the letter in writing, because the
letters this package writes (an acknowledgement, a final response) are meant to be kept.
"""

from __future__ import annotations

import attrs

from iso10002.model.values import Complainant, ContactMethod

__all__ = ["Address", "addresses"]

_WRITTEN = (ContactMethod.EMAIL, ContactMethod.LETTER, ContactMethod.SMS)


@attrs.frozen(kw_only=True)
class Address:
    """One way to reach the complainant in writing."""

    channel: ContactMethod
    """``EMAIL``, ``LETTER`` or ``SMS``."""
    recipient: str = attrs.field(repr=False)
    """The e-mail address, the postal address on one line, or the phone number."""
    postal_block: str | None = attrs.field(default=None, repr=False)
    """For a letter by post: the name and address, one line each, as printed on the letter."""


def _postal(complainant: Complainant) -> Address | None:
    contact = complainant.contact
    if contact.address is None:
        return None
    lines = [complainant.name]
    if complainant.organization:
        lines.append(complainant.organization)
    lines.extend(line.strip() for line in contact.address.splitlines() if line.strip())
    if contact.postcode and contact.postcode.strip() not in lines:
        lines.append(contact.postcode.strip())
    return Address(
        channel=ContactMethod.LETTER, recipient=", ".join(lines), postal_block="\n".join(lines)
    )


def addresses(complainant: Complainant) -> tuple[Address, ...]:
    """
    The ways to write to ``complainant``, best first: the preferred channel if it is a written
    one and the contact details have it, then e-mail, post and SMS, as far as they are known.
    """
    order = [complainant.preferred_contact, *_WRITTEN]
    found: list[Address] = []
    for method in dict.fromkeys(order):
        address: Address | None = None
        if method is ContactMethod.EMAIL and complainant.contact.email:
            address = Address(channel=method, recipient=complainant.contact.email)
        elif method is ContactMethod.LETTER:
            address = _postal(complainant)
        elif method is ContactMethod.SMS and complainant.contact.phone:
            address = Address(channel=method, recipient=complainant.contact.phone.strip())
        if address is not None:
            found.append(address)
    return tuple(found)
