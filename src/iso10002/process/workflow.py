"""
A handling process declared as data, and the small interpreter that runs it.

A :class:`Workflow` lists its states and, for each command, the states it may run from, the state
it leads to (or none, to stay), and the guards that must agree. The definition is checked when it
is built; a mistake raises :class:`~iso10002.errors.DefinitionError` at once, not in production.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from iso10002.errors import DefinitionError, GuardFailed, InvalidTransition, UnknownCommand
from iso10002.model.complaint import Complaint
from iso10002.model.events import EventPayload
from iso10002.model.values import Actor
from iso10002.process import _checks as check

__all__ = [
    "RECEIVE",
    "Guard",
    "GuardContext",
    "GuardOutlook",
    "StateDef",
    "Transition",
    "Workflow",
]

RECEIVE = "receive"
"""The command that creates a complaint; it leads to the workflow's initial state."""


@attrs.frozen(kw_only=True)
class GuardContext:
    """
    What a guard may look at: the complaint before the command, and the command itself.

    ``payload`` is ``None`` only when the guard is asked before the command is given (see
    :meth:`Workflow.outlook`), which happens only to a guard that declares the payloads it
    reads (:attr:`Guard.reads_payloads`) and not this command's.
    """

    complaint: Complaint
    command: str
    actor: Actor
    payload: EventPayload | None
    now: _dt.datetime


GuardCheck = Callable[[GuardContext], "str | None"]
"""Returns ``None`` to allow, or the reason for refusing."""


def _callable(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not callable(value):
        raise DefinitionError(
            f"{check.what(inst)}: {attribute.name} must be a function of a GuardContext, "
            f"got {type(value).__name__}"
        )


def _payload_types(value: Iterable[type] | None) -> tuple[type, ...] | None:
    if value is None:
        return None
    types = tuple(value)
    bad = [t for t in types if not isinstance(t, type)]
    if bad:
        raise DefinitionError(f"a guard's reads_payloads holds {bad[0]!r}, not a payload class")
    return types


@attrs.frozen(kw_only=True)
class Guard:
    """
    A named predicate a command must satisfy; the name appears in every refusal.

    ``reads_payloads`` says which payload classes the check looks into. A guard that says
    (``()`` for one that reads no payload at all) can be judged before the command is given,
    for a user interface (:meth:`Workflow.outlook`): its check is then called with ``payload``
    ``None`` for a command whose payload is of no class it reads. ``None``, the default, means
    it may read any payload: it is judged only when the command runs, never in advance.
    """

    name: str = attrs.field(validator=check.name)
    description: str = attrs.field(validator=check.text)
    check: GuardCheck = attrs.field(eq=False, validator=_callable)
    reads_payloads: tuple[type, ...] | None = attrs.field(
        default=None, converter=_payload_types, eq=False
    )

    def judges_without(self, payload_type: type | None) -> bool:
        """
        Whether the guard can be judged before a command whose payload is of
        ``payload_type`` (``None``: not known) is given.
        """
        reads = self.reads_payloads
        if reads is None:
            return False
        if not reads:
            return True
        return payload_type is not None and not issubclass(payload_type, reads)

    def __call__(self, context: GuardContext) -> str | None:
        """Return ``None`` if the command may go ahead, else why not."""
        return self.check(context)


@attrs.frozen(kw_only=True)
class GuardOutlook:
    """
    How a command's guards stand before the command is given (:meth:`Workflow.outlook`).

    ``guard`` and ``reason`` name the first guard that refuses already, whatever the payload
    (both ``None`` when none does); ``pending`` names the guards that could not be judged
    without the payload, so that a pass is certain only when it is empty.
    """

    command: str
    guard: str | None = None
    reason: str | None = None
    pending: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        """Whether a guard refuses the command already."""
        return self.reason is not None


@attrs.frozen(kw_only=True)
class StateDef:
    """
    A state of the handling process.

    ``closed`` states are those in which the complaint counts as closed (or withdrawn);
    ``final`` states may not be left at all.
    """

    name: str = attrs.field(validator=check.name)
    description: str = attrs.field(validator=check.text)
    closed: bool = attrs.field(default=False, validator=check.flag)
    final: bool = attrs.field(default=False, validator=check.flag)


@attrs.frozen(kw_only=True)
class Transition:
    """
    A command, the states it may run from, where it leads (``None``: stay) and its guards.

    ``payload``, for a custom step (one the desk runs with ``run_step``), is the attrs class of
    the data the step records: the desk validates the data given against it when the step
    runs and stores it in the event (see :mod:`~iso10002.process.steps`). ``None``: the step
    records a note only.
    """

    command: str = attrs.field(validator=check.name)
    sources: tuple[str, ...] = attrs.field(converter=check.names, validator=check.name_tuple)
    target: str | None = attrs.field(validator=check.optional_name)
    guards: tuple[Guard, ...] = attrs.field(
        default=(), converter=check.names, validator=check.instances(Guard, "Guard")
    )
    description: str = attrs.field(default="", validator=check.text)
    payload: type | None = attrs.field(default=None, validator=check.payload_type)


def _tuple(items: Iterable[Any]) -> tuple[Any, ...] | Any:
    # A string or a mapping is iterable too, but never a list of parts: leave it to be refused.
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
        return items
    return tuple(items)


@attrs.frozen(kw_only=True)
class Workflow:
    """
    A checked handling-process definition.

    Raises:
        DefinitionError: on building, if a state or command is declared twice, a transition names
            an unknown state, leaves a final state, a state cannot be reached from the initial
            state, a non-final state has no way out, or a state cannot reach a closed state.
    """

    name: str = attrs.field(validator=check.name)
    initial: str = attrs.field(validator=check.name)
    states: tuple[StateDef, ...] = attrs.field(
        converter=_tuple, validator=check.instances(StateDef, "StateDef")
    )
    transitions: tuple[Transition, ...] = attrs.field(
        converter=_tuple, validator=check.instances(Transition, "Transition")
    )
    _index: Mapping[tuple[str, str], Transition] = attrs.field(
        init=False, repr=False, eq=False, factory=dict
    )
    _by_state: Mapping[str, tuple[str, ...]] = attrs.field(
        init=False, repr=False, eq=False, factory=dict
    )

    def __attrs_post_init__(self) -> None:
        final = self._check_states()
        index = self._build_index(final)
        object.__setattr__(self, "_index", index)
        by_state: dict[str, list[str]] = {s.name: [] for s in self.states}
        for source, command in index:
            by_state[source].append(command)
        object.__setattr__(self, "_by_state", {k: tuple(sorted(v)) for k, v in by_state.items()})
        self._check_graph(final)
        self._check_payloads()

    def _check_payloads(self) -> None:
        declared: dict[str, type | None] = {}
        for t in self.transitions:
            seen = declared.setdefault(t.command, t.payload)
            if seen is not t.payload:
                raise DefinitionError(
                    f"workflow {self.name!r}: step {t.command!r} declares two payload types "
                    f"({_type_name(seen)} and {_type_name(t.payload)}); one step records one"
                )

    def _check_states(self) -> set[str]:
        names = [s.name for s in self.states]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise DefinitionError(f"workflow {self.name!r}: states declared twice: {duplicates}")
        if self.initial not in names:
            raise DefinitionError(f"workflow {self.name!r}: unknown initial state {self.initial!r}")
        for state in self.states:
            if state.final and not state.closed:
                raise DefinitionError(
                    f"workflow {self.name!r}: final state {state.name!r} must be a closed state"
                )
        return {s.name for s in self.states if s.final}

    def _build_index(self, final: set[str]) -> dict[tuple[str, str], Transition]:
        known = {s.name for s in self.states}
        index: dict[tuple[str, str], Transition] = {}
        for t in self.transitions:
            if t.command == RECEIVE:
                raise DefinitionError(f"workflow {self.name!r}: {RECEIVE!r} is implicit")
            if not t.sources:
                raise DefinitionError(f"workflow {self.name!r}: {t.command!r} has no source")
            for name in (*t.sources, *((t.target,) if t.target else ())):
                if name not in known:
                    raise DefinitionError(
                        f"workflow {self.name!r}: command {t.command!r} names unknown "
                        f"state {name!r}"
                    )
            for source in t.sources:
                if source in final:
                    raise DefinitionError(
                        f"workflow {self.name!r}: command {t.command!r} leaves final "
                        f"state {source!r}"
                    )
                if (source, t.command) in index:
                    raise DefinitionError(
                        f"workflow {self.name!r}: command {t.command!r} declared twice "
                        f"for state {source!r}"
                    )
                index[(source, t.command)] = t
        return index

    def _edges(self) -> dict[str, set[str]]:
        edges: dict[str, set[str]] = {s.name: set() for s in self.states}
        for t in self.transitions:
            if t.target is not None:
                for source in t.sources:
                    if source != t.target:
                        edges[source].add(t.target)
        return edges

    def _check_graph(self, final: set[str]) -> None:
        edges = self._edges()
        reachable = _closure({self.initial}, edges)
        unreachable = sorted(set(edges) - reachable)
        if unreachable:
            raise DefinitionError(f"workflow {self.name!r}: unreachable states: {unreachable}")
        dead = sorted(n for n, out in edges.items() if not out and n not in final)
        if dead:
            raise DefinitionError(
                f"workflow {self.name!r}: states with no way out (mark them final or add a "
                f"transition): {dead}"
            )
        closed = {s.name for s in self.states if s.closed}
        if not closed:
            raise DefinitionError(f"workflow {self.name!r}: declares no closed state")
        trapped = sorted(n for n in edges if not (_closure({n}, edges) & closed))
        if trapped:
            raise DefinitionError(
                f"workflow {self.name!r}: states from which no closed state can be reached: "
                f"{trapped}"
            )

    # -- reading the definition -------------------------------------------------------------

    def state(self, name: str) -> StateDef:
        """The definition of state ``name``."""
        for s in self.states:
            if s.name == name:
                return s
        raise KeyError(name)

    @property
    def commands(self) -> tuple[str, ...]:
        """Every command the workflow declares, sorted."""
        return tuple(sorted({t.command for t in self.transitions}))

    def step_payload(self, command: str) -> type | None:
        """The payload class the step ``command`` declares; ``None`` for a note-only step."""
        for t in self.transitions:
            if t.command == command:
                return t.payload
        return None

    def allowed(self, state: str) -> tuple[str, ...]:
        """
        The workflow commands declared for ``state``, sorted; empty for an unknown state.

        This is the definition only: the guards may still refuse a command, and an access
        policy may refuse it to an actor. The names are the workflow's, which are not all
        methods of the desk (``accept_decision`` and ``reject_decision`` are both run by
        ``record_reaction``, a custom step by ``run_step``). For the commands an actor may
        run on a complaint now, guards judged, ask
        :meth:`ComplaintDesk.available_commands <iso10002.desk.ComplaintDesk.available_commands>`.
        """
        return self._by_state.get(state, ())

    def transition(self, state: str, command: str, *, reference: str | None = None) -> Transition:
        """
        The transition ``command`` takes from ``state``.

        Raises:
            UnknownCommand: no state declares ``command``.
            InvalidTransition: ``command`` exists but not for ``state``.
        """
        found = self._index.get((state, command))
        if found is not None:
            return found
        if command not in self.commands:
            raise UnknownCommand(command=command, reference=reference, state=state)
        raise InvalidTransition(
            command=command, reference=reference, state=state, allowed=self.allowed(state)
        )

    def run(
        self,
        complaint: Complaint,
        command: str,
        actor: Actor,
        payload: EventPayload,
        now: _dt.datetime,
    ) -> str:
        """
        Check ``command`` against the complaint's state and the transition's guards; return the
        state the complaint will be in afterwards.

        Raises:
            UnknownCommand, InvalidTransition, GuardFailed: the command may not run.
        """
        t = self.transition(complaint.state, command, reference=complaint.reference)
        if t.guards:
            context = GuardContext(
                complaint=complaint, command=command, actor=actor, payload=payload, now=now
            )
            for guard in t.guards:
                reason = guard(context)
                if reason is not None:
                    raise GuardFailed(
                        command=command,
                        reference=complaint.reference,
                        state=complaint.state,
                        guard=guard.name,
                        reason=reason,
                    )
        return t.target or complaint.state

    def outlook(
        self,
        complaint: Complaint,
        command: str,
        actor: Actor,
        now: _dt.datetime,
        *,
        payload_type: type | None = None,
    ) -> GuardOutlook:
        """
        Judge ``command``'s guards for the complaint before the command is given: each guard
        that can be judged without a payload of ``payload_type`` (see :class:`Guard`) is
        asked, the others are left ``pending``.

        Raises:
            UnknownCommand, InvalidTransition: the command may not run in this state at all.
        """
        t = self.transition(complaint.state, command, reference=complaint.reference)
        context = GuardContext(
            complaint=complaint, command=command, actor=actor, payload=None, now=now
        )
        pending: list[str] = []
        for guard in t.guards:
            if not guard.judges_without(payload_type):
                pending.append(guard.name)
                continue
            reason = guard(context)
            if reason is not None:
                return GuardOutlook(command=command, guard=guard.name, reason=reason)
        return GuardOutlook(command=command, pending=tuple(pending))

    # -- building variants ------------------------------------------------------------------

    def extend(
        self,
        *,
        name: str | None = None,
        states: Iterable[StateDef] = (),
        transitions: Iterable[Transition] = (),
        guards: Mapping[str, Iterable[Guard]] | None = None,
        remove: Iterable[str] = (),
        inherit: bool = True,
    ) -> Workflow:
        """
        A new workflow with more states and transitions, extra guards on existing commands
        (``guards={"decide": [my_guard]}``) and the commands in ``remove`` taken out.
        The result is checked like any definition.

        New states inherit the commands that apply to every state of their kind here: a new
        open state gets each command this workflow allows in all its open states (``close``,
        ``withdraw``, ``assign``, ``add_note``, … in the standard workflow), a new closed,
        non-final state each command allowed in all closed, non-final states (``reopen``),
        and any new state each command allowed in every state, with the same guards. Pass
        ``inherit=False`` to add bare states.
        """
        new_states = tuple(states)
        added = tuple(transitions)
        # A command the extension declares for a new state itself is not inherited there.
        declared = {(source, t.command) for t in added for source in _sources(t)}
        removed = set(remove)
        extra = dict(guards or {})
        unknown = sorted((set(extra) | removed) - set(self.commands))
        if unknown:
            raise DefinitionError(f"workflow {self.name!r}: no such commands: {unknown}")
        kept = [
            attrs.evolve(
                t,
                sources=(
                    *t.sources,
                    *(
                        s
                        for s in (self._heirs(t, new_states) if inherit else ())
                        if (s, t.command) not in declared
                    ),
                ),
                guards=(*t.guards, *extra.get(t.command, ())),
            )
            for t in self.transitions
            if t.command not in removed
        ]
        return Workflow(
            name=name or self.name,
            initial=self.initial,
            states=(*self.states, *new_states),
            transitions=(*kept, *added),
        )

    def _heirs(self, t: Transition, new_states: tuple[StateDef, ...]) -> tuple[str, ...]:
        """The new states that inherit ``t``: it applies to every state of their kind here."""
        sources = set(t.sources)
        every = {s.name for s in self.states}
        opened = {s.name for s in self.states if not s.closed}
        ended = {s.name for s in self.states if s.closed and not s.final}
        heirs = []
        for s in new_states:
            if not isinstance(s, StateDef) or s.final:
                continue
            kind = ended if s.closed else opened
            if every <= sources or (kind and kind <= sources):
                heirs.append(s.name)
        return tuple(heirs)

    def to_mermaid(self, *, include_stays: bool = False) -> str:
        """
        The workflow as a Mermaid ``stateDiagram-v2``.

        Commands that keep the state (notes, assignment, …) are left out unless
        ``include_stays`` is true.
        """
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial} : {RECEIVE}"]
        for t in self.transitions:
            for source in t.sources:
                target = t.target or source
                if target == source and not include_stays:
                    continue
                guard_text = f" [{', '.join(g.name for g in t.guards)}]" if t.guards else ""
                lines.append(f"    {source} --> {target} : {t.command}{guard_text}")
        lines.extend(f"    {s.name} --> [*]" for s in self.states if s.final)
        return "\n".join(lines) + "\n"


def _sources(t: object) -> tuple[str, ...]:
    """A transition's sources, or none for anything else (refused when the workflow is built)."""
    sources = getattr(t, "sources", ())
    return sources if isinstance(sources, tuple) else ()


def _type_name(cls: type | None) -> str:
    return "none" if cls is None else cls.__name__


def _closure(start: set[str], edges: Mapping[str, set[str]]) -> set[str]:
    seen = set(start)
    todo = list(start)
    while todo:
        for nxt in edges[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
