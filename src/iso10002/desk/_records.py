"""
Records management on the desk: legal holds, erasure of personal data (one complaint, one data
subject, or whatever retention says has expired) and the export of everything held about a
data subject. These record events outside the handling workflow: a complaint keeps its state.

The decisions themselves (what retention allows, what an export holds) are in
:mod:`iso10002.privacy`; this module runs them against the store.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

import attrs

from iso10002.desk._access import check_actor
from iso10002.desk._loading import ComplaintKey
from iso10002.desk._path import CommandPath, check_version, refused
from iso10002.errors import ValidationError
from iso10002.model.actions import Action
from iso10002.model.complaint import Complaint, apply
from iso10002.model.events import (
    Event,
    EventPayload,
    LegalHoldPlaced,
    LegalHoldReleased,
    PersonalDataErased,
)
from iso10002.model.outbox import OutboxQuery, OutboxRecord
from iso10002.model.subject import SubjectMatch
from iso10002.model.values import Actor, ComplaintId, Role
from iso10002.ports.store import (
    ComplaintQuery,
    RecordKeepingStore,
    is_outbox_store,
    is_record_keeping_store,
    iter_summaries,
)
from iso10002.privacy.erasure import ErasureReport, held_values
from iso10002.privacy.export import SubjectExport, export_of
from iso10002.privacy.retention import RetentionPolicy

__all__ = ["RecordsManagement"]


class RecordsManagement(CommandPath):
    """Legal holds, erasure, retention purges and subject exports."""

    def place_legal_hold(
        self, key: ComplaintKey, actor: Actor, *, reason: str, expected_version: int | None = None
    ) -> Complaint:
        """
        Put the complaint's records under legal hold (litigation, an ombudsman's inquiry): its
        personal data can be neither erased nor purged until :meth:`release_legal_hold`.

        Raises:
            CommandRejected: the complaint is under legal hold already.
        """

        def check(current: Complaint) -> None:
            if current.legal_hold is not None:
                raise refused("place_legal_hold", current, "it is under legal hold already")

        return self._record_outside_workflow(
            key,
            actor,
            Action.PLACE_LEGAL_HOLD,
            LegalHoldPlaced(reason=reason),
            check,
            expected_version=expected_version,
        )

    def release_legal_hold(
        self, key: ComplaintKey, actor: Actor, *, reason: str, expected_version: int | None = None
    ) -> Complaint:
        """
        End the complaint's legal hold: erasure and retention apply again.

        Raises:
            CommandRejected: the complaint is not under legal hold.
        """

        def check(current: Complaint) -> None:
            if current.legal_hold is None:
                raise refused("release_legal_hold", current, "it is not under legal hold")

        return self._record_outside_workflow(
            key,
            actor,
            Action.RELEASE_LEGAL_HOLD,
            LegalHoldReleased(reason=reason),
            check,
            expected_version=expected_version,
        )

    def erase_personal_data(
        self,
        key: ComplaintKey,
        actor: Actor,
        *,
        reason: str,
        request: str | None = None,
        expected_version: int | None = None,
    ) -> Complaint:
        """
        Erase the complaint's personal data (a data subject's request, or the end of its
        retention), and record the erasure; returns the complaint as it now reads, every
        personal field erased.

        The history keeps its events, their hashes and the monitoring facts: reports and
        :func:`~iso10002.integrity.verify` give the same results as before. The complaint's
        outbox records go too. An erased complaint takes no further commands.

        Raises:
            CommandRejected: the complaint is open (close or withdraw it first), under legal
                hold, or erased already.
            ValidationError: the store keeps no personal data apart (see
                :class:`~iso10002.ports.store.PersonalDataStore`).
        """
        self._personal_store("erase personal data")
        cid = self._resolve(key)
        # Read before they are erased: the ids the desk's memory of denials may hold.
        complainant_ids = {
            e.actor.id for e in self.store.read(cid) if e.actor.role is Role.COMPLAINANT
        }

        def check(current: Complaint) -> None:
            why = _not_erasable(current)
            if why is not None:
                raise refused("erase_personal_data", current, why)

        def payload(current: Complaint) -> EventPayload:
            held = sum(held_values(e.payload) for e in self.store.read(cid))
            return PersonalDataErased(reason=reason, request=request, values=held)

        self._record_outside_workflow(
            cid,
            actor,
            Action.ERASE_PERSONAL_DATA,
            payload,
            check,
            expected_version=expected_version,
            erase=True,
        )
        # The state built in memory still holds what was erased: read it back from the store.
        self._forget(cid)
        self._repeats.forget(cid, complainant_ids)
        return self._load(cid)

    def erase_subject(
        self,
        subject: SubjectMatch,
        actor: Actor,
        *,
        reason: str,
        request: str | None = None,
        organisation: str | None = None,
    ) -> ErasureReport:
        """
        Erase the personal data of every complaint of one data subject that can be erased;
        report the others (open, under legal hold) with why, so that they can be dealt with.
        ``organisation`` keeps to that organisation's complaints (an actor bound to one is
        kept to its own).
        """
        check_actor(actor)
        decision = self._authorize(actor, Action.ERASE_PERSONAL_DATA, None)
        tenant = self._tenant(decision, organisation, actor, Action.ERASE_PERSONAL_DATA)
        store = self._personal_store("erase a data subject")
        erased: list[str] = []
        refusals: dict[str, str] = {}
        found = [cid for cid in store.find_subject(subject) if self._of(cid, tenant)]
        for cid in found:
            current = self._load(cid)
            why = _not_erasable(current)
            if why is not None:
                refusals[current.reference] = why
                continue
            self.erase_personal_data(cid, actor, reason=reason, request=request)
            erased.append(current.reference)
        return ErasureReport(erased=sorted(erased), refused=refusals, examined=len(found))

    def purge_expired(
        self,
        retention: RetentionPolicy,
        actor: Actor,
        *,
        limit: int | None = None,
        organisation: str | None = None,
    ) -> ErasureReport:
        """
        Erase the personal data of every complaint whose retention period under ``retention``
        has ended; complaints still open, under legal hold or with time left are left alone
        (the first two are reported as refused). Run it from a scheduler; ``limit`` caps the
        erasures of one run; ``organisation`` keeps to that organisation's complaints.
        """
        check_actor(actor)
        decision = self._authorize(actor, Action.PURGE_EXPIRED, None)
        tenant = self._tenant(decision, organisation, actor, Action.PURGE_EXPIRED)
        self._personal_store("purge expired personal data")
        now = self.clock.now()
        cutoff = retention.received_before(now)
        erased: list[str] = []
        refusals: dict[str, str] = {}
        examined = 0
        if cutoff is None:
            return ErasureReport()
        query = ComplaintQuery(received_to=cutoff, organisation=tenant)
        for summary in list(iter_summaries(self.store, query)):
            if limit is not None and len(erased) >= limit:
                break
            examined += 1
            current = self._load(summary.id)
            if current.erased_at is not None:
                continue
            rule = retention.rule_for(current)
            expires = None if rule is None else rule.expires_at(current)
            if rule is None or expires is None or expires > now:
                continue
            why = _not_erasable(current)
            if why is not None:
                refusals[current.reference] = why
                continue
            self.erase_personal_data(
                summary.id, actor, reason=f"retention: {rule.name}, {rule.describe()}"
            )
            erased.append(current.reference)
        return ErasureReport(erased=erased, refused=refusals, examined=examined)

    def export_subject(
        self,
        subject: SubjectMatch,
        *,
        actor: Actor | None = None,
        organisation: str | None = None,
    ) -> SubjectExport:
        """
        Everything held about one data subject (GDPR art. 15): each of their complaints with
        its whole history and the notifications kept for it; write it with
        :meth:`~iso10002.privacy.SubjectExport.write`. ``organisation`` keeps to that
        organisation's complaints (an actor bound to one is kept to its own).
        """
        decision = self._authorize(actor, Action.EXPORT_SUBJECT, None)
        tenant = self._tenant(decision, organisation, actor, Action.EXPORT_SUBJECT)
        store = self._personal_store("export a data subject")
        found = []
        for cid in store.find_subject(subject):
            complaint = self._load(cid)
            if tenant is not None and complaint.organisation != tenant:
                continue
            notifications: list[OutboxRecord] = []
            if is_outbox_store(self.store):
                query = OutboxQuery(complaint_reference=complaint.reference, limit=1000)
                while page := self.store.outbox_records(query):
                    notifications.extend(page)
                    query = attrs.evolve(query, after_id=page[-1].id)
            found.append((complaint, self.store.read(cid), notifications))
        return export_of(subject, self.clock.now(), found)

    def _of(self, cid: ComplaintId, tenant: str | None) -> bool:
        """Whether the complaint is ``tenant``'s (any complaint when None)."""
        return tenant is None or self._load(cid).organisation == tenant

    def _personal_store(self, what: str) -> RecordKeepingStore:
        store = self.store
        if not is_record_keeping_store(store):
            raise ValidationError(
                "store", f"{type(store).__name__} keeps no personal data apart; cannot {what}"
            )
        return store

    def _record_outside_workflow(
        self,
        key: ComplaintKey,
        actor: Actor,
        action: Action,
        payload: EventPayload | Callable[[Complaint], EventPayload],
        check: Callable[[Complaint], None],
        *,
        expected_version: int | None,
        erase: bool = False,
    ) -> Complaint:
        """
        Record ``payload`` on the complaint in any handling state, which it leaves unchanged:
        records management (legal hold, erasure), not a step of the handling workflow.
        """
        check_actor(actor)
        cid = self._resolve(key)

        def derive(
            current: Complaint, _past: tuple[Event, ...], now: _dt.datetime
        ) -> tuple[Complaint, list[Event]]:
            self._authorize(actor, action, current)
            check_version(current, expected_version)
            check(current)
            event = Event(
                complaint_id=cid,
                seq=current.version + 1,
                occurred_at=now,
                actor=actor,
                state=current.state,
                payload=payload(current) if callable(payload) else payload,
            )
            return apply(current, event), [event]

        return self._append_derived(cid, derive, erase=erase)[0]


def _not_erasable(complaint: Complaint) -> str | None:
    """Why the complaint's personal data may not be erased now, or None."""
    if complaint.erased_at is not None:
        return "its personal data is erased already"
    if complaint.legal_hold is not None:
        return "it is under legal hold"
    if complaint.is_open:
        return "it is open: close or withdraw it first"
    return None
