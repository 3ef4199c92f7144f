"""
The desk's access gate: every command and query asks the authorizer (when the desk has one)
whether the actor may run it, on the complaint as loaded; a refusal is logged, recorded in the
access log and raised as :class:`~iso10002.errors.PermissionDenied`. Listings are narrowed to
the criteria the allowing decision confines the actor to.

Tenants: an actor bound to an organisation (:attr:`Actor.organisation <iso10002.Actor>`) is
refused every complaint of another organisation, whatever the authorizer says, and every
decision about no single complaint (listings, reports, audits) is confined to its
organisation. An actor of no organisation reaches what its role allows in every organisation.
"""

from __future__ import annotations

import logging
from typing import NoReturn

import attrs

from iso10002.access.log import InMemoryAccessLog, RepeatedDenials, StoreAccessLog
from iso10002.access.policy import AccessDecision, Authorizer
from iso10002.desk._loading import ComplaintKey, DeskBase
from iso10002.errors import Iso10002Error, PermissionDenied, ValidationError
from iso10002.model.actions import Action
from iso10002.model.complaint import Complaint
from iso10002.model.denials import DenialRecord
from iso10002.model.values import Actor
from iso10002.ports.access import AccessLog
from iso10002.ports.store import ComplaintQuery, EventStore, is_record_keeping_store

__all__ = ["AccessGate", "access_of", "check_actor"]

_access_logger = logging.getLogger("iso10002.access")
"""Denials, one warning each: actor id and role, action, reference and reason only."""

_UNCHECKED = AccessDecision.allow("the desk has no authorizer; the application decides")
_NO_ACTOR = AccessDecision.deny("access control needs the actor of every query")


class AccessGate(DeskBase):
    """Asking the authorizer, recording denials, narrowing listings."""

    _repeats: RepeatedDenials

    def authorize(
        self, actor: Actor | None, action: Action, key: ComplaintKey | None = None
    ) -> AccessDecision:
        """
        Ask the authorizer whether ``actor`` may run ``action`` (on the complaint ``key``),
        exactly as the desk's own commands and queries do, for the work an application does
        beside the desk: verifying integrity, building a KPI report, handling personal data.

        Returns the allowing decision; without an authorizer, always allows.

        Raises:
            PermissionDenied: the authorizer refused; the denial was recorded.
            ComplaintNotFound: ``key`` names no complaint.
        """
        if not isinstance(action, Action):
            raise ValidationError("action", f"expected an Action, got {action!r}")
        if self.authorizer is None:
            return _UNCHECKED
        complaint = None if key is None else self._load(self._resolve(key))
        return self._authorize(actor, action, complaint)

    def _authorize(
        self, actor: Actor | None, action: Action, complaint: Complaint | None, *, new: bool = False
    ) -> AccessDecision:
        """
        The authorizer's allowing decision, or a recorded denial. ``new``: ``complaint`` is
        one being received, which the denial does not name (it was never recorded).
        """
        decision = self._decision(actor, action, complaint)
        if not decision.allowed:
            self._deny(actor, action, None if new else complaint, decision.reason)
        return decision

    def _permits(self, actor: Actor, action: Action, complaint: Complaint) -> bool:
        """
        Whether the authorizer would let ``actor`` run ``action`` on ``complaint``, asked in
        advance: a refusal here is no attempt, so it is not recorded.
        """
        return self._decision(actor, action, complaint).allowed

    def _decision(
        self, actor: Actor | None, action: Action, complaint: Complaint | None
    ) -> AccessDecision:
        """The authorizer's decision, checked to be one; allowing when there is none."""
        authorizer = self.authorizer
        if authorizer is None:
            return _UNCHECKED
        if actor is None:
            return _NO_ACTOR
        check_actor(actor)
        tenant = actor.organisation
        if tenant is not None and complaint is not None and complaint.organisation != tenant:
            return AccessDecision.deny(
                f"the complaint belongs to another organisation than the actor's ({tenant})"
            )
        decision = authorizer.decide(actor, action, complaint)
        if not isinstance(decision, AccessDecision):
            raise ValidationError(
                "authorizer",
                f"{type(authorizer).__name__}.decide returned {type(decision).__name__}, "
                "not an AccessDecision",
            )
        if tenant is None or complaint is not None or not decision.allowed:
            return decision
        # About no single complaint (a listing, a report, an audit): confined to the actor's
        # organisation, whatever else the authorizer narrowed it to.
        return AccessDecision.allow(
            f"{decision.reason}, within organisation {tenant}",
            **{**decision.within, "organisation": tenant},
        )

    def _deny(
        self, actor: Actor | None, action: Action, complaint: Complaint | None, reason: str
    ) -> NoReturn:
        """
        Record the denial (logger ``iso10002.access`` and the access log), then raise. A
        repeat within the desk's ``denial_window`` is logged and counted, not written
        (:class:`~iso10002.access.log.RepeatedDenials`).
        """
        denial = DenialRecord(
            at=self.clock.now(),
            actor_id=None if actor is None else actor.id,
            role=None if actor is None else actor.role,
            action=action,
            complaint_id=None if complaint is None else complaint.id,
            reference=None if complaint is None else complaint.reference,
            reason=reason,
        )
        error = PermissionDenied(
            actor_id=denial.actor_id,
            role=None if denial.role is None else denial.role.value,
            action=action.value,
            reference=denial.reference,
            reason=reason,
        )
        _access_logger.warning("%s", error)
        written = self._repeats.admit(denial)
        if written is None:
            raise error  # a repeat of a denial just recorded: counted, not written again
        try:
            self.access_log.record(written)
        except Iso10002Error as e:
            # Refuse all the same: a denial that cannot be recorded is still a denial.
            _access_logger.error("the denial could not be recorded in the access log: %s", e)
            raise error from e
        raise error

    def _narrow(
        self, query: ComplaintQuery, decision: AccessDecision, actor: Actor | None, action: Action
    ) -> ComplaintQuery:
        """``query`` with the criteria the decision confines the listing to."""
        changes: dict[str, object] = {}
        for name, value in decision.within.items():
            asked = getattr(query, name)
            if asked is None:
                changes[name] = value
            elif asked != value:
                self._deny(
                    actor,
                    action,
                    None,
                    f"the listing asks for {name} {asked!r}, outside the actor's scope",
                )
        return attrs.evolve(query, **changes) if changes else query  # type: ignore[arg-type]

    def _tenant(
        self, decision: AccessDecision, asked: str | None, actor: Actor | None, action: Action
    ) -> str | None:
        """
        The organisation a bulk read or command keeps to: the one asked for, or the one the
        decision confines the actor to (asking for another is denied); None for all.
        """
        bound = decision.within.get("organisation")
        if bound is None:
            return asked
        if asked is not None and asked != bound:
            self._deny(
                actor, action, None, f"asks for organisation {asked!r}, outside the actor's scope"
            )
        return str(bound)


def access_of(
    store: EventStore, authorizer: Authorizer | None, access_log: AccessLog | None
) -> tuple[Authorizer | None, AccessLog]:
    """The desk's authorizer and access log, checked; the store keeps denials if it can."""
    if authorizer is not None and not isinstance(authorizer, Authorizer):
        raise ValidationError(
            "authorizer",
            f"expected an Authorizer (a decide(actor, action, complaint) method), got "
            f"{type(authorizer).__name__}",
        )
    if access_log is None:
        if is_record_keeping_store(store):
            return authorizer, StoreAccessLog(store)
        if authorizer is not None:
            _access_logger.warning(
                "%s keeps no access denials; they are kept in memory only (pass access_log=)",
                type(store).__name__,
            )
        return authorizer, InMemoryAccessLog()
    if not isinstance(access_log, AccessLog):
        raise ValidationError(
            "access_log",
            f"expected an AccessLog (a record(denial) method), got {type(access_log).__name__}",
        )
    return authorizer, access_log


def check_actor(actor: object) -> None:
    """Refuse anything but an :class:`~iso10002.Actor` where a command needs one."""
    if not isinstance(actor, Actor):
        raise ValidationError("actor", f"every command names its Actor, got {actor!r}")
