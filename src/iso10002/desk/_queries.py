"""
The desk's queries: one complaint (its state, its history, what its complainant may see) or a
page of summaries. They write nothing; with an authorizer, each is asked about like a command.
"""

from __future__ import annotations

from iso10002.access.public import PublicView, public_view
from iso10002.desk._access import AccessGate
from iso10002.desk._deadlines import sla_report
from iso10002.desk._loading import ComplaintKey
from iso10002.errors import ValidationError
from iso10002.model.actions import Action
from iso10002.model.complaint import Complaint
from iso10002.model.events import Event
from iso10002.model.values import Actor
from iso10002.ports.store import ComplaintQuery, Page

__all__ = ["Queries"]


class Queries(AccessGate):
    """Reading complaints and listing them."""

    def get(self, key: ComplaintKey, *, actor: Actor | None = None) -> Complaint:
        """
        The complaint as its history says it is now.

        Raises:
            ComplaintNotFound: no complaint has that id or reference.
            PermissionDenied: the desk's authorizer refused ``actor``.
        """
        complaint = self._load(self._resolve(key))
        self._authorize(actor, Action.GET, complaint)
        return complaint

    def history(self, key: ComplaintKey, *, actor: Actor | None = None) -> list[Event]:
        """Every event of the complaint, oldest first."""
        cid = self._resolve(key)
        if self.authorizer is not None:
            self._authorize(actor, Action.HISTORY, self._load(cid))
        return self._history(cid)

    def find_by_client_key(
        self, client_key: str, *, actor: Actor | None = None
    ) -> Complaint | None:
        """The complaint received with ``client_key``, if any."""
        found = self._find_by_client_key(client_key)
        self._authorize(actor, Action.FIND_BY_CLIENT_KEY, found)
        return found

    def query(
        self,
        query: ComplaintQuery | None = None,
        /,
        *,
        actor: Actor | None = None,
        **criteria: object,
    ) -> Page:
        """
        Complaint summaries matching ``query`` (or the same criteria as keywords), one page.

        Example: ``desk.query(state="investigating", priority=Priority.URGENT, limit=20)``.

        An authorizer may narrow the listing to the complaints ``actor`` may see (an
        investigator's, to those assigned to them); asking for others is denied.
        """
        if query is None:
            try:
                query = ComplaintQuery(**criteria)  # type: ignore[arg-type]
            except TypeError as e:
                raise ValidationError("query", str(e)) from e
        elif criteria:
            raise ValidationError("query", "pass a ComplaintQuery or keywords, not both")
        decision = self._authorize(actor, Action.QUERY, None)
        return self.store.query(self._narrow(query, decision, actor, Action.QUERY))

    def public_view(self, key: ComplaintKey, *, actor: Actor | None = None) -> PublicView:
        """
        What the complainant may see of the complaint: the status in plain words, the dates,
        the deadlines they were told of and a timeline of the customer-visible events; no
        internal notes or messages, no staff names or ids, nothing about anybody else.

        Raises:
            ComplaintNotFound: no complaint has that id or reference.
            PermissionDenied: the desk's authorizer refused ``actor``.
        """
        complaint = self._load(self._resolve(key))
        self._authorize(actor, Action.PUBLIC_VIEW, complaint)
        # The history as far as the state just loaded, should a command have appended since.
        history = self.store.read(complaint.id)[: complaint.version]
        sla = self._sla_in_force
        report = sla_report(sla, complaint, history, self.clock.now())
        # The deadlines are shown in the zone of the calendar that governs them.
        policy = None if report is None or sla is None else sla.current(history)
        zone = "UTC" if policy is None else policy.calendar.zone
        return public_view(complaint, history, sla=report, zone=zone)
