"""
:class:`Action`: the name of everything an actor can ask the complaints desk to do or show.

Each command and query of :class:`~iso10002.desk.ComplaintDesk` is one action, named exactly
like the desk's method, so an access policy reads like the desk's own interface. The
personal-data operations (erasure, legal holds, subject export, purging), integrity
verification and KPI reports are actions too, so one policy decides all of them.
"""

from __future__ import annotations

import threading
from enum import Enum

from iso10002.errors import ValidationError

__all__ = ["STEP_PREFIX", "Action", "ActionKind"]

STEP_PREFIX = "run_step:"
"""How the value of a custom step's action begins: ``run_step:legal_review``."""

_STEPS: dict[str, Action] = {}
_STEPS_LOCK = threading.Lock()


class ActionKind(str, Enum):
    """What an action does, for policies that grant whole groups at once."""

    COMMAND = "command"
    """Changes a complaint (or, for ``apply_policies`` and ``tick``, many)."""
    QUERY = "query"
    """Reads complaints and writes nothing."""
    PERSONAL_DATA = "personal_data"
    """Erases, holds, exports or purges personal data."""
    OVERSIGHT = "oversight"
    """Reads the whole record for assurance: integrity verification and KPI reports."""


class Action(str, Enum):
    """
    One command or query of the desk, or one operation on the record as a whole.

    The value is the desk method's name (``Action.DECIDE.value == "decide"``); ``kind`` says
    which group the action belongs to.

    Running one step of a custom workflow is the action :meth:`Action.step` names
    (``Action.step("legal_review")``, value ``run_step:legal_review``), so that an access
    policy sees which step is asked for: its :attr:`method` is :attr:`RUN_STEP`, and a grant of
    ``RUN_STEP`` covers every step (see :class:`~iso10002.access.RoleBasedAuthorizer`).
    Iterating ``Action`` lists the desk's own actions only.
    """

    # -- commands ---------------------------------------------------------------------------
    RECEIVE = "receive"
    ACKNOWLEDGE = "acknowledge"
    ASSESS = "assess"
    CLASSIFY = "classify"
    ASSIGN = "assign"
    START_INVESTIGATION = "start_investigation"
    ADD_NOTE = "add_note"
    RECORD_ROOT_CAUSE = "record_root_cause"
    DECIDE = "decide"
    COMMUNICATE_DECISION = "communicate_decision"
    RECORD_COMMUNICATION = "record_communication"
    RECORD_REACTION = "record_reaction"
    CARRY_OUT_DECISION = "carry_out_decision"
    REQUEST_INTERNAL_REVIEW = "request_internal_review"
    REFER_EXTERNALLY = "refer_externally"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    REOPEN = "reopen"
    RECORD_SATISFACTION = "record_satisfaction"
    ANSWER_SURVEY = "answer_survey"
    PUT_ON_HOLD = "put_on_hold"
    RELEASE_HOLD = "release_hold"
    EXTEND_DEADLINE = "extend_deadline"
    RUN_STEP = "run_step"
    APPLY_POLICIES = "apply_policies"
    TICK = "tick"
    # -- queries ----------------------------------------------------------------------------
    GET = "get"
    HISTORY = "history"
    FIND_BY_CLIENT_KEY = "find_by_client_key"
    QUERY = "query"
    SLA_STATUS = "sla_status"
    SLA_QUEUE = "sla_queue"
    PUBLIC_VIEW = "public_view"
    # -- personal data ----------------------------------------------------------------------
    ERASE_PERSONAL_DATA = "erase_personal_data"
    PLACE_LEGAL_HOLD = "place_legal_hold"
    RELEASE_LEGAL_HOLD = "release_legal_hold"
    EXPORT_SUBJECT = "export_subject"
    PURGE_EXPIRED = "purge_expired"
    # -- oversight --------------------------------------------------------------------------
    VERIFY_INTEGRITY = "verify_integrity"
    REPORT = "report"

    @classmethod
    def step(cls, name: str) -> Action:
        """
        The action of running the custom workflow step ``name`` with ``run_step``.

        Raises:
            ValidationError: ``name`` is empty or not text.
        """
        if not isinstance(name, str) or not name.strip() or name != name.strip():
            shown = repr(name) if isinstance(name, str) else type(name).__name__
            raise ValidationError("step", f"{shown} is not the name of a workflow step")
        value = STEP_PREFIX + name
        with _STEPS_LOCK:
            found = _STEPS.get(value)
            if found is None:
                found = str.__new__(cls, value)
                found._name_ = f"RUN_STEP[{name}]"
                found._value_ = value
                _STEPS[value] = found
            return found

    @property
    def step_name(self) -> str | None:
        """For a custom step's action (:meth:`step`), the step's name; else ``None``."""
        if self._name_ in type(self).__members__:
            return None
        return self._value_[len(STEP_PREFIX) :]

    @property
    def method(self) -> Action:
        """The desk method that runs the action: :attr:`RUN_STEP` for a step, else itself."""
        return self if self.step_name is None else Action.RUN_STEP

    @classmethod
    def _missing_(cls, value: object) -> Action | None:
        # A step's action is found by value, as a stored denial names it.
        if isinstance(value, str) and value.startswith(STEP_PREFIX):
            name = value[len(STEP_PREFIX) :]
            if name.strip() and name == name.strip():
                return cls.step(name)
        return None

    @property
    def kind(self) -> ActionKind:
        """Whether the action is a command, a query, a personal-data or an oversight action."""
        return _KINDS.get(self, ActionKind.COMMAND)

    @property
    def lists(self) -> bool:
        """
        Whether the action returns many complaints (``query``, ``sla_queue``): a policy may
        then narrow it to the complaints the actor may see instead of refusing it.
        """
        return self in (Action.QUERY, Action.SLA_QUEUE)

    @classmethod
    def of_kind(cls, kind: ActionKind) -> frozenset[Action]:
        """Every action of ``kind``."""
        return frozenset(a for a in cls if a.kind is kind)


_KINDS: dict[Action, ActionKind] = {
    **dict.fromkeys(
        (
            Action.GET,
            Action.HISTORY,
            Action.FIND_BY_CLIENT_KEY,
            Action.QUERY,
            Action.SLA_STATUS,
            Action.SLA_QUEUE,
            Action.PUBLIC_VIEW,
        ),
        ActionKind.QUERY,
    ),
    **dict.fromkeys(
        (
            Action.ERASE_PERSONAL_DATA,
            Action.PLACE_LEGAL_HOLD,
            Action.RELEASE_LEGAL_HOLD,
            Action.EXPORT_SUBJECT,
            Action.PURGE_EXPIRED,
        ),
        ActionKind.PERSONAL_DATA,
    ),
    **dict.fromkeys((Action.VERIFY_INTEGRITY, Action.REPORT), ActionKind.OVERSIGHT),
}
