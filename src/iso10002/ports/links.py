"""
What every store does to an append under its lock, written once above the stores: the checks
(:func:`check_batch`) and the links of both chains (:func:`link`, made of
:func:`complaint_links` and :func:`log_links`). :mod:`iso10002.ports.store` publishes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from iso10002.errors import ValidationError
from iso10002.model.chain import GENESIS, Hasher
from iso10002.model.complaint import ComplaintSummary
from iso10002.model.events import Event
from iso10002.model.values import ComplaintId

if TYPE_CHECKING:
    from iso10002.ports.store import Append

__all__ = ["check_batch", "complaint_links", "link", "log_links"]


def check_batch(events: Sequence[Event], expected_version: int, summary: ComplaintSummary) -> None:
    """
    The checks every store makes on an append before touching storage.

    Raises:
        ValidationError: on an empty batch, mixed complaints, a broken sequence, or a summary that
            does not describe the batch's last event.
    """
    if not events:
        raise ValidationError("events", "an append needs at least one event")
    first = events[0]
    for offset, event in enumerate(events, start=1):
        if event.complaint_id != first.complaint_id:
            raise ValidationError("events", "an append holds events of one complaint only")
        if event.seq != expected_version + offset:
            raise ValidationError(
                "events",
                f"complaint {summary.reference}: event seq {event.seq} does not continue "
                f"version {expected_version}",
            )
    if summary.id != first.complaint_id or summary.version != events[-1].seq:
        raise ValidationError("summary", "the summary does not describe the appended events")


def complaint_links(canonicals: Iterable[bytes], previous: str | None, hasher: Hasher) -> list[str]:
    """
    The links in their complaint's chain of events with the canonical bytes ``canonicals``
    (:attr:`PreparedEvent.canonical <iso10002.model.prepared.PreparedEvent.canonical>`), in
    order, after the complaint's ``previous`` link (None for a new complaint). They depend on
    nothing else: a new complaint's can be computed before the store's lock is taken, even in
    another process with the same hasher.
    """
    if previous is None:
        previous = GENESIS
    out = []
    for canonical in canonicals:
        previous = hasher.event_hash(previous, canonical)
        out.append(previous)
    return out


def log_links(hashes: Iterable[str], last: str | None, hasher: Hasher) -> list[str]:
    """
    The log's links of events with the complaint links ``hashes``, written in that order after
    the log's ``last`` link (None for an empty log): computed under the store's lock.
    """
    chain = GENESIS if last is None else last
    out = []
    for digest in hashes:
        chain = hasher.chain_hash(chain, digest)
        out.append(chain)
    return out


def link(
    appends: Sequence[Append],
    *,
    stored_hash: Callable[[ComplaintId, int], str | None],
    last_link: str | Callable[[], str | None] | None,
    hasher: Hasher,
) -> list[list[tuple[str, str]]]:
    """
    The links of every event of ``appends`` (prepared: :func:`iso10002.storage.prepare_appends`),
    per append and per event: ``(hash, chain)``, the event's link in its complaint's chain and
    in the log's. A store calls this under its own lock, after checking the versions, and
    stores the pairs beside the events; it never hashes an event itself.

    What the store alone can read there, it passes in:

    - ``stored_hash(complaint id, expected version)``: the stored hash of the event a
      complaint's first append in the batch continues from (None if it has none). It is not
      called for a new complaint; a later append of the same complaint continues from the one
      before it in the batch.
    - ``last_link``: the log's last link (None for an empty log), or a function giving it,
      called once after the complaints' hashes are computed, so that a store may take the
      log's lock as late as possible.

    Raises:
        ValidationError: an append carries no prepared events.
    """
    heads: dict[ComplaintId, str] = {}
    hashes: list[list[str]] = []
    for a in appends:
        if a.prepared is None:
            raise ValidationError(
                "prepared", "link prepared appends: see iso10002.storage.prepare_appends"
            )
        cid = a.summary.id
        previous = heads.get(cid)
        if previous is None:
            found = stored_hash(cid, a.expected_version) if a.expected_version else None
            previous = GENESIS if found is None else found
        digests = complaint_links((p.canonical for p in a.prepared), previous, hasher)
        heads[cid] = digests[-1] if digests else previous
        hashes.append(digests)
    last = last_link() if callable(last_link) else last_link
    chains = iter(log_links((d for digests in hashes for d in digests), last, hasher))
    return [[(digest, next(chains)) for digest in digests] for digests in hashes]
