"""Human-readable complaint references such as ``CMP-2026-000123`` (7.2: a unique identifier)."""

from __future__ import annotations

import re

import attrs

from iso10002.errors import ValidationError

__all__ = ["ReferenceFormat"]

_PREFIX = re.compile(r"^[A-Z][A-Z0-9]{0,15}$")


def _prefix(_inst: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _PREFIX.match(value):
        raise ValidationError(
            attribute.name,
            f"{value!r} must be 1-16 capital letters or digits, starting with a letter",
        )


def _digits(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 12:
        raise ValidationError(attribute.name, f"must be from 1 to 12, got {value!r}")


@attrs.frozen(kw_only=True)
class ReferenceFormat:
    """
    How references look: ``{prefix}-{year}-{number}``, the number zero-padded to ``digits``.

    Numbers restart each year; they come from the store's counter, so they are unique even with
    many processes writing.
    """

    prefix: str = attrs.field(default="CMP", validator=_prefix)
    digits: int = attrs.field(default=6, validator=_digits)

    def scope(self, year: int) -> str:
        """The name of the store counter that numbers ``year``'s references."""
        return f"reference:{self.prefix}-{year}"

    def format(self, year: int, number: int) -> str:
        """The reference for the ``number``-th complaint of ``year``."""
        return f"{self.prefix}-{year}-{number:0{self.digits}d}"
