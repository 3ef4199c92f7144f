"""
The access policy seam: an :class:`Authorizer` decides whether an actor may run an action on a
complaint, and :class:`RoleBasedAuthorizer` is the default, a role matrix held as data.

ISO 10002 asks that personal information be protected (4.10, confidentiality) and that who did
what be clear (4.12, accountability). The desk asks its authorizer before every command and
query; a refusal raises :class:`~iso10002.errors.PermissionDenied` and is recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from types import MappingProxyType
from typing import Protocol, runtime_checkable

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check
from iso10002.model.actions import Action, ActionKind
from iso10002.model.complaint import Complaint
from iso10002.model.values import Actor, Role

__all__ = [
    "DEFAULT_GRANTS",
    "DEFAULT_SCOPES",
    "LIST_CRITERIA",
    "AccessDecision",
    "Authorizer",
    "Ownership",
    "RoleBasedAuthorizer",
    "Scope",
    "by_customer_id",
]

LIST_CRITERIA = (
    "state",
    "is_open",
    "assignee",
    "priority",
    "channel",
    "received_from",
    "received_to",
    "sla_due_by",
    "sla_warning_by",
    "sla_alert_by",
    "organisation",
)
"""The criteria of a complaint query that :attr:`AccessDecision.within` may set."""


def _within(value: object) -> object:
    return check.mapping_copy(value)


def _check_within(inst: AccessDecision, _attribute: object, value: object) -> None:
    if not isinstance(value, dict):
        raise ValidationError("within", f"expected a mapping, got {type(value).__name__}")
    unknown = sorted(str(k) for k in value if k not in LIST_CRITERIA)
    if unknown:
        raise ValidationError(
            "within",
            f"unknown criteria {', '.join(unknown)}; use {', '.join(LIST_CRITERIA)}",
        )
    if value and not inst.allowed:
        raise ValidationError("within", "only an allowing decision narrows a listing")


@attrs.frozen(kw_only=True)
class AccessDecision:
    """
    An authorizer's answer: ``allowed`` or not, and why (the reason is recorded with a denial,
    so it names roles, actions and ids, never personal data).

    For an action that lists complaints (:attr:`Action.lists`), an allowing decision may
    narrow the listing with ``within``: query criteria that every listed complaint must meet,
    e.g. ``{"assignee": "inv-7"}``. The desk adds them to the caller's query; a caller who asks
    for something else (another assignee) is denied.
    """

    allowed: bool = attrs.field(validator=check.instance(bool))
    reason: str = attrs.field(validator=check.text)
    within: Mapping[str, object] = attrs.field(
        factory=dict, converter=_within, validator=_check_within, hash=False
    )

    def __bool__(self) -> bool:
        return self.allowed

    @classmethod
    def allow(cls, reason: str, **within: object) -> AccessDecision:
        """An allowing decision, narrowed to ``within`` for a listing."""
        return cls(allowed=True, reason=reason, within=within)

    @classmethod
    def deny(cls, reason: str) -> AccessDecision:
        """A refusal."""
        return cls(allowed=False, reason=reason)


@runtime_checkable
class Authorizer(Protocol):
    """
    **Protocol:** decides whether ``actor`` may run ``action``.

    ``complaint`` is the complaint the action is about, as it is before the action; for
    ``receive`` it is the complaint as it would be recorded (its reference not yet given).
    It is ``None`` for actions about no single complaint: listings (``query``, ``sla_queue``),
    bulk commands (``tick``, ``apply_policies``) and the oversight and purge actions.

    An authorizer must not raise to refuse: it returns :meth:`AccessDecision.deny`, and the
    desk records the denial and raises :class:`~iso10002.errors.PermissionDenied`.
    """

    def decide(self, actor: Actor, action: Action, complaint: Complaint | None) -> AccessDecision:
        """The decision for ``actor`` running ``action`` on ``complaint``."""
        ...


Ownership = Callable[[Actor, Complaint], bool]
"""Whether a complaint is the acting complainant's own."""


def by_customer_id(actor: Actor, complaint: Complaint) -> bool:
    """
    The default :data:`Ownership`: the complaint is the actor's own when the complainant's
    ``customer_id`` (the person's identity in the organization's own systems) equals the
    actor's ``id``. A complaint received without a customer id belongs to no actor, and
    neither does one whose personal data was erased.
    """
    customer = complaint.complainant.customer_id
    return customer is not None and customer == actor.id


class Scope(str, Enum):
    """Which complaints a role's grants reach."""

    ANY = "any"
    """Every complaint."""
    ASSIGNED = "assigned"
    """Only complaints assigned to the actor; listings are narrowed to them."""
    OWN = "own"
    """Only the actor's own complaints (see :data:`Ownership`); listings are refused."""


_QUERIES = Action.of_kind(ActionKind.QUERY)
_COMMANDS = Action.of_kind(ActionKind.COMMAND)
_OVERSIGHT = Action.of_kind(ActionKind.OVERSIGHT)
_PERSONAL_DATA = Action.of_kind(ActionKind.PERSONAL_DATA)
_LISTINGS = frozenset({Action.QUERY, Action.SLA_QUEUE})

DEFAULT_GRANTS: Mapping[Role, frozenset[Action]] = MappingProxyType(
    {
        # The complainant acts on their own complaints only (Scope.OWN): submits, withdraws,
        # answers the decision and the survey, and follows progress in the public view.
        Role.COMPLAINANT: frozenset(
            {
                Action.RECEIVE,
                Action.WITHDRAW,
                Action.RECORD_REACTION,
                Action.ANSWER_SURVEY,
                Action.PUBLIC_VIEW,
            }
        ),
        # The contact point (7.2-7.4): receives and acknowledges, records what is said to and
        # by the complainant, including their reaction, withdrawal and satisfaction given by
        # phone or at a counter. Reads every complaint to answer enquiries.
        Role.FRONT_LINE: frozenset(
            {
                Action.RECEIVE,
                Action.ACKNOWLEDGE,
                Action.RECORD_COMMUNICATION,
                Action.RECORD_REACTION,
                Action.WITHDRAW,
                Action.RECORD_SATISFACTION,
                Action.ANSWER_SURVEY,
                *_QUERIES,
            }
        ),
        # Investigates (7.6) the complaints assigned to them (Scope.ASSIGNED), and reads those.
        Role.INVESTIGATOR: frozenset(
            {
                Action.START_INVESTIGATION,
                Action.ADD_NOTE,
                Action.RECORD_ROOT_CAUSE,
                Action.RECORD_COMMUNICATION,
                *_QUERIES,
            }
        ),
        # Runs the process: every command, every query, reports and verification.
        Role.COMPLAINTS_MANAGER: frozenset({*_COMMANDS, *_QUERIES, *_OVERSIGHT}),
        # Reads everything, changes nothing (8.5), and exports no personal data.
        Role.AUDITOR: frozenset({*_QUERIES, *_OVERSIGHT}),
        # Configuration and personal data: erasure, legal holds, subject export, purging;
        # re-applies timeliness policies after a change. Lists summaries (which hold no
        # personal data) to find complaints, but does not read their content.
        Role.ADMINISTRATOR: frozenset(
            {
                *_PERSONAL_DATA,
                *_OVERSIGHT,
                *_LISTINGS,
                Action.APPLY_POLICIES,
                Action.TICK,
            }
        ),
        # Scheduled jobs: alerts, policy re-selection, retention, integrity checks, reports;
        # and the systems that take complaints in and give feedback without a person at the
        # desk: a web form receives and acknowledges, a survey tool records what complainants
        # answered. The demo's histories show both.
        Role.SYSTEM: frozenset(
            {
                Action.RECEIVE,
                Action.ACKNOWLEDGE,
                Action.RECORD_SATISFACTION,
                Action.ANSWER_SURVEY,
                Action.TICK,
                Action.APPLY_POLICIES,
                Action.PURGE_EXPIRED,
                *_LISTINGS,
                *_OVERSIGHT,
            }
        ),
    }
)
"""The default role matrix: which actions each role may run (see the access guide)."""

DEFAULT_SCOPES: Mapping[Role, Scope] = MappingProxyType(
    {
        Role.COMPLAINANT: Scope.OWN,
        Role.FRONT_LINE: Scope.ANY,
        Role.INVESTIGATOR: Scope.ASSIGNED,
        Role.COMPLAINTS_MANAGER: Scope.ANY,
        Role.AUDITOR: Scope.ANY,
        Role.ADMINISTRATOR: Scope.ANY,
        Role.SYSTEM: Scope.ANY,
    }
)
"""Which complaints each role's grants reach by default."""


def _actions(value: Iterable[Action], field: str) -> frozenset[Action]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValidationError(field, f"expected a collection of Action, got {value!r}")
    actions = frozenset(value)
    bad = [a for a in actions if not isinstance(a, Action)]
    if bad:
        raise ValidationError(field, f"expected Action members, got {bad[0]!r}")
    return actions


def _key(role: object) -> str:
    """A role as it appears in a field name: its value."""
    return str(role.value) if isinstance(role, Role) else str(role)


def _role(value: object, field: str) -> Role:
    if not isinstance(value, Role):
        raise ValidationError(field, f"expected a Role, got {value!r}")
    return value


class RoleBasedAuthorizer:
    """
    The default :class:`Authorizer`: a role may run the actions ``grants`` gives it, on the
    complaints its :class:`Scope` reaches.

    A product's own roles (:meth:`Role.define <iso10002.Role.define>`) take part like the
    standard ones: give them grants (and a scope, :data:`~Scope.ANY` if none is given). A
    custom workflow step is granted by name with :meth:`Action.step`
    (``Action.step("legal_review")``), or every step at once with ``Action.RUN_STEP``.

    Args:
        grants: the role matrix, role to actions; :data:`DEFAULT_GRANTS` if omitted. A role
            left out may do nothing.
        scopes: the scope of each role, over :data:`DEFAULT_SCOPES` (so give only changes).
        owns: how a complainant actor is matched to their complaints; :func:`by_customer_id`
            if omitted.

    The authorizer is immutable: :meth:`with_grants`, :meth:`without_grants`,
    :meth:`with_scope` and :meth:`with_ownership` return changed copies.

    Raises:
        ValidationError: a key is not a :class:`~iso10002.Role`, an action not an
            :class:`Action`, a scope not a :class:`Scope`, or ``owns`` not callable.
    """

    def __init__(
        self,
        grants: Mapping[Role, Iterable[Action]] | None = None,
        *,
        scopes: Mapping[Role, Scope] | None = None,
        owns: Ownership = by_customer_id,
    ) -> None:
        source = DEFAULT_GRANTS if grants is None else grants
        if not isinstance(source, Mapping):
            raise ValidationError(
                "grants", f"expected a mapping of Role to actions, got {source!r}"
            )
        self._grants: Mapping[Role, frozenset[Action]] = MappingProxyType(
            {
                _role(role, "grants"): _actions(actions, f"grants.{_key(role)}")
                for role, actions in source.items()
            }
        )
        merged = dict(DEFAULT_SCOPES)
        for role, scope in (scopes or {}).items():
            if not isinstance(scope, Scope):
                raise ValidationError(f"scopes.{_key(role)}", f"expected a Scope, got {scope!r}")
            merged[_role(role, "scopes")] = scope
        self._scopes: Mapping[Role, Scope] = MappingProxyType(merged)
        if not callable(owns):
            raise ValidationError("owns", f"expected a callable (actor, complaint), got {owns!r}")
        self._owns = owns

    @property
    def grants(self) -> Mapping[Role, frozenset[Action]]:
        """The role matrix (read-only)."""
        return self._grants

    @property
    def scopes(self) -> Mapping[Role, Scope]:
        """Each role's scope (read-only)."""
        return self._scopes

    def allows(self, role: Role, action: Action) -> bool:
        """
        Whether ``role`` is granted ``action`` at all (its scope aside). A custom step's
        action (:meth:`Action.step`) is granted by its own grant or by ``RUN_STEP``, which
        covers every step.
        """
        granted = self._grants.get(role, frozenset())
        return action in granted or action.method in granted

    def _copy(
        self,
        grants: Mapping[Role, Iterable[Action]] | None = None,
        scopes: Mapping[Role, Scope] | None = None,
        owns: Ownership | None = None,
    ) -> RoleBasedAuthorizer:
        return RoleBasedAuthorizer(
            self._grants if grants is None else grants,
            scopes=self._scopes if scopes is None else scopes,
            owns=self._owns if owns is None else owns,
        )

    def with_grants(self, role: Role, *actions: Action) -> RoleBasedAuthorizer:
        """A copy in which ``role`` may also run ``actions``."""
        extra = _actions(actions, f"grants.{_key(role)}")
        current = self._grants.get(_role(role, "role"), frozenset())
        return self._copy(grants={**self._grants, role: current | extra})

    def without_grants(self, role: Role, *actions: Action) -> RoleBasedAuthorizer:
        """A copy in which ``role`` may no longer run ``actions``."""
        removed = _actions(actions, f"grants.{_key(role)}")
        current = self._grants.get(_role(role, "role"), frozenset())
        return self._copy(grants={**self._grants, role: current - removed})

    def with_scope(self, role: Role, scope: Scope) -> RoleBasedAuthorizer:
        """A copy in which ``role``'s grants reach the complaints of ``scope``."""
        return self._copy(scopes={**self._scopes, _role(role, "role"): scope})

    def with_ownership(self, owns: Ownership) -> RoleBasedAuthorizer:
        """A copy that matches complainants to their complaints with ``owns``."""
        return self._copy(owns=owns)

    def decide(self, actor: Actor, action: Action, complaint: Complaint | None) -> AccessDecision:
        """
        Allow when the actor's role is granted ``action`` and the complaint is within the
        role's scope. Without a complaint, an :data:`~Scope.ASSIGNED` listing is narrowed to
        the actor's complaints, an :data:`~Scope.OWN` listing is refused (summaries carry no
        complainant to match), and anything else needs the grant alone.
        """
        role = actor.role
        if not self.allows(role, action):
            return AccessDecision.deny(f"the {role.value} role is not granted {action.value}")
        scope = self._scopes.get(role, Scope.ANY)
        granted = f"granted to the {role.value} role"
        if scope is Scope.ANY:
            return AccessDecision.allow(granted)
        if complaint is None:
            if not action.lists:
                return AccessDecision.allow(granted)
            if scope is Scope.ASSIGNED:
                return AccessDecision.allow(
                    f"{granted}, for its assigned complaints", assignee=actor.id
                )
            return AccessDecision.deny(
                f"the {role.value} role may act only on its own complaints, which a listing "
                "cannot tell apart"
            )
        if scope is Scope.ASSIGNED:
            assignee = complaint.assignee
            if assignee is not None and assignee.id == actor.id:
                return AccessDecision.allow(f"{granted}, assigned to {actor.id}")
            return AccessDecision.deny(f"the complaint is not assigned to {actor.id}")
        if self._owns(actor, complaint):
            return AccessDecision.allow(f"{granted}, the actor's own complaint")
        return AccessDecision.deny("the complaint is not the actor's own")

    def __repr__(self) -> str:
        roles = ", ".join(f"{r.value}={len(a)}" for r, a in self._grants.items())
        return f"RoleBasedAuthorizer({roles})"
