"""Checking a store's hashes: :func:`verify` walks the log and every table, naming bad records."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from uuid import UUID

import attrs

from iso10002.errors import CorruptRecord, ValidationError
from iso10002.integrity.chain import canonical_bytes
from iso10002.integrity.tables import (
    TableProblem,
    check_counters,
    check_rollups,
    check_summary,
    check_tables,
)
from iso10002.model.chain import GENESIS, ChainRecord, Hasher
from iso10002.model.events import Event, PersonalDataErased
from iso10002.ports.store import (
    ComplaintQuery,
    EventStore,
    RollupStore,
    is_record_keeping_store,
    is_sealed_tables_store,
    iter_summaries,
)
from iso10002.privacy.sealing import actor_markers, commitment, markers

__all__ = ["Finding", "Problem", "VerificationReport", "verify"]


class Problem(enum.Enum):
    """What is wrong with a record."""

    ALTERED = "altered"
    """The event no longer matches its hash: its content (or its hash) was changed."""
    MISSING = "missing"
    """Events were deleted: a gap in a complaint's seqs, or in the log's chain."""
    INSERTED = "inserted"
    """A row that the store did not write: it has no hashes."""
    REORDERED = "reordered"
    """A complaint's events are not stored in seq order."""
    CHAIN_BROKEN = "chain broken"
    """The log's chain does not follow from the event before: its chain value was changed."""
    FORGED = "forged"
    """The hashes were recomputed without the integrity key, which the store was given."""
    WRONG_KEY = "wrong key"
    """No hash matches from the first event on: the database was written with an integrity key
    that was not given, or with another one."""


@attrs.frozen(kw_only=True)
class Finding:
    """The first bad record: where it is, and what is wrong with it."""

    problem: Problem
    position: int | None
    """The record's global position (the first missing one, for deleted events)."""
    reference: str | None
    """The complaint's reference (its id when it has no summary); None if unknown."""
    seq: int | None
    detail: str
    record: str | None = None
    """The bad record when it is not an event: ``summary of CMP-2026-000007``, ``outbox record
    12``, ``access denial 3``, ``counter reference:CMP-2026``."""

    def __str__(self) -> str:
        if self.record is not None:
            where = [self.record]
        else:
            where = [f"position {self.position}" if self.position is not None else "end of log"]
        if self.reference is not None and self.reference not in self.record_text:
            where.append(f"complaint {self.reference}")
        if self.seq is not None:
            where.append(f"seq {self.seq}")
        return f"{', '.join(where)}: {self.problem.value}: {self.detail}"

    @property
    def record_text(self) -> str:
        """The record's name, or nothing."""
        return self.record or ""


@attrs.frozen(kw_only=True)
class VerificationReport:
    """The outcome of :func:`verify`."""

    events: int
    """Events found intact up to the first bad one (all of them, if none is bad)."""
    keyed: bool
    """Whether the hashes were checked as HMACs under a key."""
    head: str
    """The log's last chain value (before the first bad event, if one is): record it elsewhere
    to detect later truncation."""
    last_position: int
    """The position of the last event counted in :attr:`events`."""
    finding: Finding | None
    """The first bad record (the first of :attr:`findings`), None if the history is intact."""
    deep: bool = False
    """Whether each summary was checked against its complaint's events, replayed."""
    unsealed_rows: int = 0
    """Outbox records and access denials written before they were sealed (release 0.1),
    which verify cannot check."""
    findings: tuple[Finding, ...] = ()
    """Every bad record found: the events' first, in log order, then the summaries', the
    reference counters', the outbox's and the access denials', and (deep) the daily rollups'.
    An event found bad is taken as stored for checking the ones after it, so one tampering is
    named once; a summary is not checked when its complaint's events are named (it follows
    from them)."""

    @property
    def ok(self) -> bool:
        """Whether no record is bad."""
        return self.finding is None


class _Walk:
    """The state of one walk along the log."""

    def __init__(self, store: EventStore, hasher: Hasher) -> None:
        self.store = store
        self.hasher = hasher
        self.unkeyed = Hasher() if hasher.keyed else None
        self.heads: dict[str, tuple[int, str]] = {}
        self.chain = GENESIS
        self.position = 0
        self.events = 0
        # Complaints some of whose personal values are gone, by where they were first missed,
        # until their erasure is found further on; and those that still hold some.
        self.unerased: dict[str, tuple[ChainRecord, str]] = {}
        self.holding: dict[str, ChainRecord] = {}

    def reference(self, complaint_id: str) -> str:
        try:
            summary = self.store.summary(UUID(complaint_id))
        except ValueError:
            return complaint_id
        return complaint_id if summary is None else str(summary.reference)

    def finding(self, problem: Problem, r: ChainRecord, detail: str) -> Finding:
        return Finding(
            problem=problem,
            position=r.position,
            reference=self.reference(r.complaint_id),
            seq=r.seq,
            detail=detail,
        )

    def check(self, r: ChainRecord, rest: Iterator[ChainRecord]) -> Finding | None:
        if r.hash is None or r.chain is None:
            return self.finding(
                Problem.INSERTED, r, "the row has no hash: the store did not write it"
            )
        last_seq, previous = self.heads.get(r.complaint_id, (0, GENESIS))
        if r.seq <= last_seq:
            return self.finding(
                Problem.REORDERED, r, f"stored after seq {last_seq} of the same complaint"
            )
        if r.seq > last_seq + 1:
            wanted = last_seq + 1
            if any(x.complaint_id == r.complaint_id and x.seq == wanted for x in rest):
                return self.finding(Problem.REORDERED, r, f"stored before seq {wanted}")
            gap = f"seq {wanted}" if r.seq == wanted + 1 else f"seqs {wanted} to {r.seq - 1}"
            return Finding(
                problem=Problem.MISSING,
                # The log's first gap, if it has one: where the deleted event most likely was.
                position=self.position + 1 if r.position > self.position + 1 else None,
                reference=self.reference(r.complaint_id),
                seq=wanted,
                detail=f"{gap} of the complaint are missing (found seq {r.seq} at {r.position})",
            )
        if r.event is None:
            return self.finding(Problem.ALTERED, r, f"the row cannot be read back: {r.error}")
        data = canonical_bytes(r.event, r.payload, r.actor)
        if self.hasher.event_hash(previous, data) != r.hash:
            if self.unkeyed is not None and self.unkeyed.event_hash(previous, data) == r.hash:
                return self.finding(Problem.FORGED, r, "its hash was made without the key")
            if self.events == 0 and self.hasher.chain_hash(self.chain, r.hash) != r.chain:
                return self.wrong_key(r)
            return self.finding(Problem.ALTERED, r, "the event does not match its hash")
        if self.hasher.chain_hash(self.chain, r.hash) != r.chain:
            if self.unkeyed is not None and self.unkeyed.chain_hash(self.chain, r.hash) == r.chain:
                return self.finding(Problem.FORGED, r, "its chain value was made without the key")
            return self.broken(r, rest)
        found = self.check_personal(r, r.event)
        if found is not None:
            return found
        self.heads[r.complaint_id] = (r.seq, r.hash)
        self.chain = r.chain
        self.position = r.position
        self.events += 1
        return None

    def resync(self, r: ChainRecord) -> None:
        """
        Go on after a bad record ``r``, taking it as stored: the next events are checked
        against its hash and chain value, so that a single tampering is named once.
        """
        if r.hash is not None and r.chain is not None:
            last_seq, _ = self.heads.get(r.complaint_id, (0, GENESIS))
            if r.seq >= last_seq:
                self.heads[r.complaint_id] = (r.seq, r.hash)
            self.chain = r.chain
        self.position = max(self.position, r.position)
        self.holding.pop(r.complaint_id, None)

    def wrong_key(self, r: ChainRecord) -> Finding:
        """
        Neither the first event's hash nor its chain value matches: its content and its hash
        could not both be changed consistently by an edit, but a key makes every hash differ.
        """
        detail = (
            "no hash matches, from the first event on: the database was written with an "
            "integrity key; give it (iso10002 verify --key-file FILE)"
            if not self.hasher.keyed
            else "no hash matches, from the first event on: the database was written with "
            "another integrity key, or none"
        )
        return self.finding(Problem.WRONG_KEY, r, detail)

    def check_personal(self, r: ChainRecord, event: Event) -> Finding | None:
        """The personal values held beside ``r`` against the commitments its hash covers."""
        committed = markers(event.payload.type, r.payload) if r.payload is not None else {}
        committed.update(actor_markers(r.actor))
        held = r.personal or {}
        for path, (salt, value) in sorted(held.items()):
            if committed.get(path) != commitment(salt, value):
                return self.finding(
                    Problem.ALTERED,
                    r,
                    f"the personal value at {path} does not match its commitment",
                )
        if held:
            if len(held) < len(committed):
                path = sorted(set(committed) - set(held))[0]
                return self.finding(
                    Problem.MISSING, r, f"the personal value at {path} was removed, not erased"
                )
            self.holding.setdefault(r.complaint_id, r)
        elif committed:
            self.unerased.setdefault(r.complaint_id, (r, sorted(committed)[0]))
        if isinstance(event.payload, PersonalDataErased):
            self.unerased.pop(r.complaint_id, None)
            kept = self.holding.pop(r.complaint_id, None)
            if kept is not None:
                return self.finding(
                    Problem.ALTERED, kept, f"personal data is held after its erasure at seq {r.seq}"
                )
        return None

    def removed_without_erasure(self) -> Finding | None:
        """The first complaint whose personal values are gone with no erasure recorded."""
        if not self.unerased:
            return None
        r, path = min(self.unerased.values(), key=lambda item: item[0].position)
        return self.finding(
            Problem.MISSING, r, f"the personal value at {path} was removed; no erasure is recorded"
        )

    def lost_last_event(self, heads: dict[str, tuple[int, str]], r: ChainRecord) -> Finding | None:
        """
        The complaint whose last event was deleted from the middle of the log: its summary
        counts more events than the whole log holds (``heads``: each complaint's last seq).
        """
        for summary in iter_summaries(self.store, ComplaintQuery()):
            last_seq, _ = heads.get(str(summary.id), (0, GENESIS))
            if summary.version > last_seq:
                which = "last event" if summary.version == last_seq + 1 else "last events"
                return Finding(
                    problem=Problem.MISSING,
                    position=self.position + 1,
                    reference=summary.reference,
                    seq=last_seq + 1,
                    detail=f"the complaint's {which} (its summary counts {summary.version}) "
                    f"deleted: the chain breaks at position {r.position}",
                )
        return None

    def broken(self, r: ChainRecord, rest: Iterator[ChainRecord]) -> Finding:
        """The log's chain breaks at ``r``: deleted events before it, or an edited chain value."""
        if r.position == self.position + 1:
            return self.finding(
                Problem.CHAIN_BROKEN, r, "its chain value does not follow from the event before"
            )
        # Events between the two positions were deleted; name them if a complaint lost some.
        heads = dict(self.heads)
        for x in (r, *rest):
            last_seq, _ = heads.get(x.complaint_id, (0, GENESIS))
            if x.seq > last_seq + 1:
                return Finding(
                    problem=Problem.MISSING,
                    position=self.position + 1,
                    reference=self.reference(x.complaint_id),
                    seq=last_seq + 1,
                    detail=f"the event was deleted (the chain breaks at position {r.position})",
                )
            heads[x.complaint_id] = (max(x.seq, last_seq), "")
        lost = self.lost_last_event(heads, r)
        if lost is not None:
            return lost
        span = (
            f"{self.position + 1}"
            if r.position == self.position + 2
            else (f"{self.position + 1} to {r.position - 1}")
        )
        return Finding(
            problem=Problem.MISSING,
            position=self.position + 1,
            reference=None,
            seq=None,
            detail=f"the events at position {span} were deleted, with their complaint's summary",
        )


def _appended_since(store: EventStore, complaint_id: UUID, last_seq: int) -> bool:
    """
    Whether the complaint's event after ``last_seq`` is stored after all: appended once the walk
    had read the log's end, by a store in use meanwhile (the walk saw every position before that
    end, so the event cannot be among them). Asked only of a summary that counts more events
    than the walk saw, which is also how a summary looks that is read twice while new
    complaints arrive. A later event does not do: the one after ``last_seq`` is still missing.
    """
    try:
        later = store.read(complaint_id, after=last_seq)[:1]
    except CorruptRecord as e:
        # Stored, if it is the one that cannot be read; whether it is intact is for the next
        # verification to say.
        return e.seq == last_seq + 1
    return bool(later) and later[0].seq == last_seq + 1


def verify(store: EventStore, *, deep: bool = True) -> VerificationReport:
    """
    Check every stored event against its hashes, with the store's integrity key if it was
    given one, every complaint summary against its history, and the tables beside them; name
    every bad record (:attr:`VerificationReport.findings`), the events' first.

    With ``deep`` (the default), each summary is also compared with the summary its events
    give, replayed (which reads every history twice). A store that seals its other tables
    (:class:`~iso10002.ports.store.SealedTablesStore`) has its outbox records and access
    denials checked against their seals, and its reference counters against the highest
    reference stored; with ``deep``, a store that keeps daily rollups
    (:class:`~iso10002.ports.store.RollupStore`) has them counted again from its complaints'
    rows and compared. ``docs/hardening.md`` lists what is covered and what cannot be.

    Detects altered, deleted, inserted and reordered events, and complaints whose whole
    history vanished, except at the very end of the log: compare :attr:`VerificationReport.head`
    with a value recorded earlier to detect that (``docs/integrity.md``).

    The store may be in use meanwhile: the walk checks the events stored when it began, and
    complaints continued or received since are not mistaken for ones that lost events.

    Raises:
        ValidationError: the store keeps no hashes.
        StorageError: the store could not be read.
    """
    if not is_record_keeping_store(store):
        raise ValidationError("store", f"{type(store).__name__} keeps no integrity hashes")
    walk = _Walk(store, store.hasher)
    findings: list[Finding] = []
    named: set[str] = set()

    def add(found: Finding | None) -> None:
        if found is None:
            return
        # One tampering can show at several of a complaint's events: it is named once.
        if found.reference is not None and found.record is None:
            if found.reference in named:
                return
            named.add(found.reference)
        findings.append(found)

    after, walking = 0, True
    first: tuple[int, str, int] | None = None  # where the log was intact up to
    while walking:
        walking = False
        records = store.iter_chain(after_position=after)
        for record in records:
            found = walk.check(record, records)
            if found is None:
                continue
            if first is None:
                first = (walk.events, walk.chain, walk.position)
            add(found)
            if found.problem is Problem.WRONG_KEY:
                break  # every event after it fails too
            walk.resync(record)
            if found.problem in (Problem.MISSING, Problem.REORDERED):
                # The check may have read ahead (looking for a deleted or reordered event):
                # the walk resumes after the bad record from a fresh read.
                after, walking = record.position, True
                break
    add(walk.removed_without_erasure())
    unsealed = 0
    wrong_key = any(f.problem is Problem.WRONG_KEY for f in findings)
    if not wrong_key:
        references: list[str] = []
        for found in _check_summaries(store, dict(walk.heads), references, named, deep=deep):
            add(found)
        if is_sealed_tables_store(store):
            wrong = check_counters(store.counters(), references)
            problems, unsealed = check_tables(store, walk.hasher)
            findings.extend(_table_finding(p) for p in (*wrong, *problems))
        if deep and isinstance(store, RollupStore):
            findings.extend(_table_finding(p) for p in check_rollups(store))
    events, head, last_position = first or (walk.events, walk.chain, walk.position)
    return VerificationReport(
        events=events,
        keyed=walk.hasher.keyed,
        head=head,
        last_position=last_position,
        finding=findings[0] if findings else None,
        deep=deep,
        unsealed_rows=unsealed,
        findings=tuple(findings),
    )


def _check_summaries(
    store: EventStore,
    seen: dict[str, tuple[int, str]],
    references: list[str],
    named: set[str],
    *,
    deep: bool,
) -> Iterator[Finding]:
    """
    Every summary against the history the walk ``seen`` (the last seq of each complaint), and
    with ``deep`` against its events replayed; ``references`` collects their references.
    The summaries of complaints whose events are ``named`` bad follow from them: not checked.
    """
    for summary in iter_summaries(store, ComplaintQuery()):
        references.append(summary.reference)
        last_seq, _ = seen.pop(str(summary.id), (0, GENESIS))
        if summary.reference in named or str(summary.id) in named:
            continue
        if last_seq > summary.version:
            yield _table_finding(
                TableProblem(
                    problem="altered",
                    record=f"summary of {summary.reference}",
                    reference=summary.reference,
                    detail=f"the summary counts {summary.version} events; {last_seq} are "
                    "stored, and every later command would be refused as a conflict",
                )
            )
        if deep and last_seq == summary.version:
            wrong = check_summary(store, summary)
            if wrong is not None:
                yield _table_finding(wrong)
        if last_seq < summary.version and not _appended_since(store, summary.id, last_seq):
            yield Finding(
                problem=Problem.MISSING,
                position=None,
                reference=summary.reference,
                seq=last_seq + 1,
                detail=f"the history ends at seq {last_seq}; its summary counts "
                f"{summary.version} events",
            )
    for complaint_id, (last_seq, _) in sorted(seen.items()):
        yield Finding(
            problem=Problem.MISSING,
            position=None,
            reference=complaint_id,
            seq=None,
            detail=f"the complaint's summary is missing ({last_seq} events are stored)",
        )


def _table_finding(found: TableProblem) -> Finding:
    return Finding(
        problem=Problem(found.problem),
        position=None,
        reference=found.reference,
        seq=None,
        detail=found.detail,
        record=found.record,
    )
