"""
:class:`ComplaintDesk`, the facade applications use.

The desk is assembled from one part per concern, each a module of this package:

- :mod:`~iso10002.desk._path`: how a command runs (load, authorize, decide, append); start here.
- :mod:`~iso10002.desk._intake`: ``receive`` and ``receive_or_replay``.
- :mod:`~iso10002.desk._commands`: the handling commands, ``acknowledge`` to ``run_step``
  (``carry_out_decision`` records the accepted decision carried out, 7.9);
  :mod:`~iso10002.desk._feedback`: ``record_satisfaction`` and ``answer_survey``.
- :mod:`~iso10002.desk._queries`: ``get``, ``history``, ``find_by_client_key``, ``query`` and
  ``public_view``.
- :mod:`~iso10002.desk._available`: ``available_commands``, what an actor may do now.
- :mod:`~iso10002.desk._access`: ``authorize``, and the gate every command and query passes.
- :mod:`~iso10002.desk._timeliness`: ``sla_status``, ``sla_queue``, ``apply_policies``, ``tick``;
  :mod:`~iso10002.desk._deadlines`: what each command records about timeliness.
- :mod:`~iso10002.desk._records`: legal holds, erasure, retention purges, subject exports.
- :mod:`~iso10002.desk._configurations`: the workflow and programme recorded as they governed
  complaints, and ``reapply_configuration``.
- :mod:`~iso10002.desk._in_force`: the workflow each command runs under, the one recorded for
  its complaint.
- :mod:`~iso10002.desk._loading`: resolving keys, and the cache of complaint states.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections import OrderedDict
from collections.abc import Iterable

from iso10002.access.log import RepeatedDenials
from iso10002.access.policy import Authorizer
from iso10002.clock import Clock, SystemClock
from iso10002.desk._access import access_of
from iso10002.desk._available import Availability
from iso10002.desk._commands import Commands
from iso10002.desk._configurations import Configurations
from iso10002.desk._feedback import Feedback
from iso10002.desk._in_force import given_workflows
from iso10002.desk._intake import Intake
from iso10002.desk._queries import Queries
from iso10002.desk._records import RecordsManagement
from iso10002.desk._timeliness import EscalationHook, Timeliness
from iso10002.errors import ValidationError
from iso10002.model.priority import DefaultPriorityPolicy, PriorityPolicy
from iso10002.model.reference import ReferenceFormat
from iso10002.outbox.policy import NotificationHook
from iso10002.ports.access import AccessLog
from iso10002.ports.capabilities import Capability
from iso10002.ports.kpi import KpiSource
from iso10002.ports.store import EventStore, check_store, is_outbox_store
from iso10002.process.recorded import workflow_record
from iso10002.process.standard import standard_workflow
from iso10002.process.workflow import Workflow
from iso10002.programme.config import Programme
from iso10002.sla.config import SlaConfig
from iso10002.storage.memory import InMemoryEventStore

__all__ = ["DEFAULT_CONFLICT_RETRIES", "DEFAULT_DENIAL_WINDOW", "ComplaintDesk"]

DEFAULT_CONFLICT_RETRIES = 10
"""How many times a command is retried after a concurrency conflict unless the desk says."""

DEFAULT_DENIAL_WINDOW = _dt.timedelta(minutes=1)
"""A repeat of a denial within this time of the one recorded is counted, not written."""


class ComplaintDesk(
    Intake,
    Commands,
    Feedback,
    Availability,
    Queries,
    Timeliness,
    RecordsManagement,
    Configurations,
):
    """
    Receive complaints and move them through the handling process.

    Args:
        store: where histories are kept; an in-memory store if omitted.
        clock: the source of ``occurred_at``; the system clock if omitted.
        workflow: the handling process; :func:`~iso10002.standard_workflow` if omitted. It is
            recorded in the store the first time it governs a complaint, and each complaint
            received names it, so that an audit judges the complaint by the workflow it ran
            under; :meth:`reapply_configuration` moves an existing complaint to another.
        workflows: earlier workflows that still govern complaints received under them. Each
            command runs under the workflow in force for its complaint (the one it was received
            into, or the last one re-applied): the desk's ``workflow``; else one of these, found
            by fingerprint; else the workflow rebuilt from its record in the store, when the
            record holds all of it. A workflow with guards or step data classes written in
            Python cannot be rebuilt: without it here, commands on its complaints raise
            :class:`~iso10002.errors.WorkflowUnavailable`. Complaints with no recorded workflow
            run under ``workflow``.
        programme: the organisation's complaints-handling programme, if the desk is to record
            it: kept in the store once and named by each complaint received, so that an audit
            reads the programme that was in force.
        priority_policy: maps assessments to priorities.
        references: the format of new references.
        cache_size: how many complaint states to keep in memory between commands. The cache
            is always caught up with the store before use, so it is never stale.
        notifications: given each change (a command, or the alerts :meth:`tick` raises for a
            complaint), returns the notifications to enqueue in the outbox **in the same
            transaction** as the change's events, e.g. a
            :class:`~iso10002.outbox.policy.NotificationPolicy`. Needs a store with an outbox.
        authorizer: the access policy (e.g. :class:`~iso10002.access.RoleBasedAuthorizer`),
            asked before every command and query. Without one the desk checks no access at
            all: the embedding application decides who may call what.
        access_log: where denials are recorded; the store itself when it keeps denials
            (:class:`~iso10002.access.DenialStore`, as the shipped stores do), else a log in
            memory.
        conflict_retries: how many times a command starts again when another writer appended
            to the complaint between its read and its append
            (:class:`~iso10002.errors.ConcurrencyConflict`), before the conflict is raised; 0
            raises the first. Each retry runs every check again on the fresh state, so it is
            safe; a command given ``expected_version`` is never retried. A first attempt
            made on the desk's cached state without reading the store (see
            :mod:`~iso10002.desk._path`, step 2) is caught up, not retried, when the store has
            moved on: it does not count.
        denial_window: a denial that repeats one recorded less than this long before (the
            same actor, action, complaint and reason) is logged and counted but not written
            again; the next one written after the window says how many were left out. One a
            minute by default, so that a visitor refused in a loop does not turn reads into a
            stream of writes; ``timedelta(0)`` writes every denial.

    Every command takes the acting :class:`~iso10002.Actor` first, returns the complaint as it
    is after the command, and writes nothing if it raises. Every query takes the actor as the
    keyword ``actor``, which an authorizer requires: without it, the query is denied.

    One desk may be shared by the threads of a process (the shipped stores are thread-safe, the
    desk's cache of states takes a lock, and commands on one complaint take turns); several
    processes, each with its own desk, may share one database. A notification hook returns
    entries and must not run commands of the desk itself.

    Raises:
        ValidationError: an option is of the wrong type or out of range (the field names it).
    """

    def __init__(
        self,
        store: EventStore | None = None,
        *,
        clock: Clock | None = None,
        workflow: Workflow | None = None,
        priority_policy: PriorityPolicy | None = None,
        references: ReferenceFormat | None = None,
        cache_size: int = 10_000,
        sla: SlaConfig | None = None,
        escalation_hooks: Iterable[EscalationHook] = (),
        notifications: NotificationHook | None = None,
        authorizer: Authorizer | None = None,
        access_log: AccessLog | None = None,
        conflict_retries: int = DEFAULT_CONFLICT_RETRIES,
        denial_window: _dt.timedelta = DEFAULT_DENIAL_WINDOW,
        programme: Programme | None = None,
        workflows: Iterable[Workflow] = (),
    ) -> None:
        if isinstance(conflict_retries, bool) or not isinstance(conflict_retries, int):
            raise ValidationError(
                "conflict_retries", f"expected a whole number, got {conflict_retries!r}"
            )
        if conflict_retries < 0:
            raise ValidationError("conflict_retries", f"must be 0 or more, got {conflict_retries}")
        self.conflict_retries = conflict_retries
        self.store = store if store is not None else InMemoryEventStore()
        check_store(self.store, {Capability.KPI: KpiSource})
        self.authorizer, self.access_log = access_of(self.store, authorizer, access_log)
        self._repeats = RepeatedDenials(denial_window)
        if notifications is not None:
            if not callable(notifications):
                raise ValidationError(
                    "notifications",
                    f"expected a callable such as NotificationPolicy, got "
                    f"{type(notifications).__name__}",
                )
            if not is_outbox_store(self.store):
                raise ValidationError(
                    "notifications",
                    f"{type(self.store).__name__} keeps no outbox (see OutboxStore), so the "
                    "notifications would be lost",
                )
        self.notifications = notifications
        self.clock = clock if clock is not None else SystemClock()
        if workflow is not None and not isinstance(workflow, Workflow):
            raise ValidationError("workflow", f"expected a Workflow, got {type(workflow).__name__}")
        self.workflow = workflow if workflow is not None else standard_workflow()
        self._own_workflow = (self.workflow, workflow_record(self.workflow))
        self._given_workflows = given_workflows(workflows)
        self._rebuilt_workflows = {}
        if programme is not None and not isinstance(programme, Programme):
            raise ValidationError(
                "programme", f"expected a Programme, got {type(programme).__name__}"
            )
        self.programme = programme
        self.priority_policy = priority_policy or DefaultPriorityPolicy()
        self.references = references or ReferenceFormat()
        self.sla = sla
        self.escalation_hooks = tuple(escalation_hooks)
        self._cache = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        self._writers = {}
        self._claimed = {}

    def __repr__(self) -> str:
        return f"ComplaintDesk(store={self.store!r}, workflow={self.workflow.name!r})"
