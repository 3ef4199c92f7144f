"""
:class:`Action`: the name of everything an actor can ask the complaints desk to do or show.

Each command and query of :class:`~iso10002.desk.ComplaintDesk` is one action, named exactly
like the desk's method, so an access policy reads like the desk's own interface. The
personal-data operations (erasure, legal holds, subject export, purging), integrity
verification and KPI reports are actions too, so one policy decides all of them.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["Action", "ActionKind"]


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
