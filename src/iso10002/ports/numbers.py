"""
Number claims: a counter's number that an append claims in its own transaction
(:class:`NumberClaim`, :attr:`Append.number <iso10002.ports.store.Append.number>`), and the check
a store that keeps its counters in memory makes of a batch's claims (:func:`check_claims`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import attrs

from iso10002.errors import DuplicateKeyError, ValidationError
from iso10002.model import _checks as check

if TYPE_CHECKING:
    from iso10002.ports.store import Append

__all__ = ["NumberClaim", "check_claims"]


def _positive(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError(attribute.name, f"must be a positive integer, got {value!r}")


def _after(inst: NumberClaim, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < inst.number:
        raise ValidationError(
            attribute.name, f"must be an integer from 0 to {inst.number - 1}, got {value!r}"
        )


@attrs.frozen
class NumberClaim:
    """
    A number of a named counter (:meth:`~iso10002.ports.store.EventStore.next_number`) that
    an :class:`~iso10002.ports.store.Append` claims in its own transaction: the counter moves
    from ``after`` to ``number`` if and only if the append is written.

    ``after`` is the counter's value the claim was made from, ``number - 1`` unless the numbers
    in between are known to be used already (the desk skips references a caller chose
    itself). The store compares and sets: if the counter is not at ``after`` when the append
    is made (another writer claimed or allocated a number meanwhile), the append is refused
    with :class:`~iso10002.errors.DuplicateKeyError` (key ``"reference"``), like a taken
    reference, and nothing is written; so a claim of a number the counter has passed is always
    refused, and of two claims of the same number one wins.
    """

    scope: str = attrs.field(validator=check.text)
    number: int = attrs.field(validator=_positive)
    after: int = attrs.field(validator=_after)

    @after.default
    def _just_before(self) -> int:
        return self.number - 1 if isinstance(self.number, int) else 0


def check_claims(appends: Sequence[Append], counter: Callable[[str], int]) -> dict[str, int]:
    """
    The counters the number claims of ``appends`` set (:attr:`Append.number`), checked in
    order against ``counter(scope)`` (the stored value, 0 for none) and the batch's own
    earlier claims: what a store that keeps its counters in memory applies once the whole batch
    is checked. A store with a database sets each counter with a compare-and-set instead.

    Raises:
        DuplicateKeyError: a claim's counter is not at its :attr:`NumberClaim.after` (key
            ``"reference"``, naming the append's reference).
    """
    planned: dict[str, int] = {}
    for a in appends:
        claim = a.number
        if claim is None:
            continue
        value = planned[claim.scope] if claim.scope in planned else counter(claim.scope)
        if value != claim.after:
            raise DuplicateKeyError("reference", a.summary.reference)
        planned[claim.scope] = claim.number
    return planned
