"""
Does a workflow follow ISO 10002 clause 7? A static check of the definition, with counterexamples.

The workflow is read as a graph: its states are the nodes, its transitions the edges, labelled
with the command and the guards; ``receive`` leads to the initial state. The checker walks every
path from receipt breadth-first over *product states*: a workflow state together with what the
complaint's record says at that point (acknowledged? assessed? is the decision in force
communicated? referred? ended before?). Cycles (reopening, internal review) therefore end, and
the first path that breaks a rule is a shortest one: it is the counterexample reported.

The record follows the complaint model: ``acknowledge`` and ``assess`` are kept for good; a new
``decide`` clears the communication of the earlier decision; ``reopen`` clears the communication
and the referral. Commands map to the desk's: ``assess`` runs only on an unassessed complaint
(a second assessment is ``reassess``), ``reassess`` only on an assessed one.

The checker knows what the standard guards guarantee, and credits a transition with a guarantee
when one of its guards shows it on sample complaints (:mod:`~iso10002.process.guard_probes`),
whatever its name:

- ``assessment_recorded`` stops a transition on a complaint that has no assessment;
- ``closure_justified`` lets ``close`` end a complaint only as *resolved* or for *no reply* (both
  need the decision in force to have been communicated), as *referred externally* (needs a
  referral) or as a *duplicate* (always possible).

How a path may end, and what it needs before (acknowledgement / a communicated decision):

- ``withdraw``: neither; it is the complainant's own act;
- ``close`` as a duplicate: neither; the complainant is answered under the original;
- ``close`` as referred externally: an acknowledgement; the external body decides;
- ``close`` as resolved or for no reply: both (the guard makes sure of the decision);
- any other way into a closed state: both, and it breaks ``closure-reason`` too.

Acknowledgement answers the receipt, so it is judged where a path *first* reaches a closed state;
a complaint withdrawn or closed as a duplicate before it was acknowledged and reopened later is
not asked for it again. A communicated decision is judged at every entry into a closed state.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Iterable, Iterator

import attrs

from iso10002.errors import ValidationError
from iso10002.process.guard_probes import guarantees
from iso10002.process.standard import standard_workflow
from iso10002.process.workflow import RECEIVE, Transition, Workflow

__all__ = ["RULES", "ConformanceReport", "Rule", "Violation", "check_conformance"]


@attrs.frozen(kw_only=True)
class Rule:
    """A conformance rule: its stable ``id``, the ISO 10002 clause and what it asks."""

    id: str
    clause: str
    description: str


RULES: tuple[Rule, ...] = (
    Rule(
        id="acknowledged",
        clause="7.4",
        description=(
            "Every path from receipt to a closed state acknowledges the complaint, unless it "
            "ends with a withdrawal or a closing as a duplicate."
        ),
    ),
    Rule(
        id="assessed",
        clause="7.5",
        description=(
            "No path starts an investigation or decides before the initial assessment "
            "('assess'), unless the transition carries the assessment_recorded guard."
        ),
    ),
    Rule(
        id="decision-communicated",
        clause="7.8",
        description=(
            "Every path into a closed state communicates the decision in force "
            "('communicate_decision'), or ends with a documented reason that needs none: "
            "withdrawn, duplicate, referred externally."
        ),
    ),
    Rule(
        id="closure-reason",
        clause="7.9",
        description=(
            "Every transition into a closed state documents why: it is 'withdraw' (the "
            "complainant's own act) or carries the closure_justified guard."
        ),
    ),
    Rule(
        id="recourse",
        clause="7.9",
        description=(
            "Every 'communicate_decision' carries the recourse_explained guard: a decision "
            "that is not upheld tells the complainant about internal and external recourse."
        ),
    ),
    Rule(
        id="objectivity",
        clause="4.7",
        description=(
            "'assign', 'start_investigation' and 'decide' carry the objectivity guard: "
            "nobody the complaint is about handles it."
        ),
    ),
    Rule(
        id="open-state-commands",
        clause="7.3",
        description=(
            "Every open state allows the commands that the standard workflow allows in every "
            "open state ('close', 'withdraw', 'assign', 'add_note', ...), of those the workflow "
            "has: a complaint is tracked, reassigned, closed or withdrawn wherever it stands. "
            "Workflow.extend gives new open states these commands."
        ),
    ),
)
"""The rules :func:`check_conformance` applies, in the order their violations are reported."""

_RULE_ORDER = {rule.id: i for i, rule in enumerate(RULES)}


@attrs.frozen(kw_only=True)
class Violation:
    """
    A broken rule: which, why, and a counterexample.

    ``path`` is the shortest sequence of commands, starting with ``receive``, that ends with the
    offending step; ``transition`` names that step as ``command (source → target)``.
    """

    rule: str
    message: str
    path: tuple[str, ...]
    transition: str | None = None

    @property
    def path_text(self) -> str:
        """The counterexample as ``receive → acknowledge → …``."""
        return " → ".join(self.path)


@attrs.frozen(kw_only=True)
class ConformanceReport:
    """The outcome of :func:`check_conformance`: the violations found by the rules checked."""

    workflow: str
    violations: tuple[Violation, ...]
    rules_checked: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when no rule is broken."""
        return not self.violations

    def for_rule(self, rule: str) -> tuple[Violation, ...]:
        """The violations of the rule with id ``rule``."""
        return tuple(v for v in self.violations if v.rule == rule)


# -- what the checker knows about commands and guards -------------------------------------------

_ACKNOWLEDGE = "acknowledge"
_ASSESS = "assess"
_REASSESS = "reassess"
_DECIDE = "decide"
_COMMUNICATE = "communicate_decision"
_REFER = "refer_externally"
_REOPEN = "reopen"
_WITHDRAW = "withdraw"
_NEEDS_OBJECTIVITY = ("assign", "start_investigation", _DECIDE)
_NEEDS_ASSESSMENT = ("start_investigation", _DECIDE)

_ASSESSMENT_RECORDED = "assessment_recorded"
_CLOSURE_JUSTIFIED = "closure_justified"
_RECOURSE_EXPLAINED = "recourse_explained"
_OBJECTIVITY = "objectivity"

# What the complaint's record holds on a path.
_ACKED = "acknowledged"
_ASSESSED = "assessed"
_COMMUNICATED = "communicated"
_REFERRED = "referred"
_ENDED = "ended"

_Facts = frozenset[str]
_Node = tuple[str, _Facts]

_RECEIVE_INDEX = -1


def _can_run(t: Transition, guards: frozenset[str], facts: _Facts) -> bool:
    """Whether the desk could run ``t`` on a complaint with this record."""
    assessed = _ASSESSED in facts
    if t.command == _ASSESS and assessed:
        return False  # the desk records a second assessment as 'reassess'
    if t.command == _REASSESS and not assessed:
        return False
    return not (_ASSESSMENT_RECORDED in guards and not assessed)


def _after(t: Transition, facts: _Facts, *, enters_closed: bool) -> _Facts:
    """The record after ``t``, as the complaint model folds the command's event."""
    added: set[str] = set()
    removed: set[str] = set()
    if t.command == _ACKNOWLEDGE:
        added.add(_ACKED)
    elif t.command in (_ASSESS, _REASSESS):
        added.add(_ASSESSED)
    elif t.command == _DECIDE:
        removed.add(_COMMUNICATED)
    elif t.command == _COMMUNICATE:
        added.add(_COMMUNICATED)
    elif t.command == _REFER:
        added.add(_REFERRED)
    elif t.command == _REOPEN:
        removed.update((_COMMUNICATED, _REFERRED))
    if enters_closed:
        added.add(_ENDED)
    return frozenset((facts - removed) | added)


def _documented_end(t: Transition, guards: frozenset[str], facts: _Facts) -> tuple[str, ...] | None:
    """
    ``None`` if ``t`` ends a complaint without a documented reason; else the reasons it may end
    one for here that need an acknowledgement first (empty when none does).
    """
    if t.command == _WITHDRAW:
        return ()
    if _CLOSURE_JUSTIFIED not in guards:
        return None
    # A duplicate is always possible, and needs nothing; the others need what the guard checks.
    reasons: list[str] = []
    if _COMMUNICATED in facts:
        reasons += ["resolved", "no reply"]
    if _REFERRED in facts:
        reasons.append("referred externally")
    return tuple(reasons)


# -- the walk -----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Step:
    """One transition taken from one state: the edge of the graph."""

    index: int
    transition: Transition
    source: str | None
    target: str

    @property
    def text(self) -> str:
        source = f"{self.source} " if self.source is not None else ""
        return f"{self.transition.command} ({source}→ {self.target})"


@attrs.frozen(kw_only=True)
class _Found:
    rule: str
    key: int
    message: str


class _Checker:
    def __init__(self, workflow: Workflow, rules: tuple[str, ...]) -> None:
        self.workflow = workflow
        self.rules = frozenset(rules)
        self.closed = frozenset(s.name for s in workflow.states if s.closed)
        self.found: dict[tuple[str, int], Violation] = {}
        self.order: list[tuple[str, int]] = []
        # What each transition's guards guarantee, judged once by their behaviour.
        self.guarantees = [guarantees(t) for t in workflow.transitions]

    def guards(self, step: _Step) -> frozenset[str]:
        return frozenset() if step.index < 0 else self.guarantees[step.index]

    def steps_from(self, state: str) -> Iterator[_Step]:
        for index, t in enumerate(self.workflow.transitions):
            if state in t.sources:
                yield _Step(index=index, transition=t, source=state, target=t.target or state)

    def receive_step(self) -> _Step:
        receive = Transition(command=RECEIVE, sources=(), target=self.workflow.initial)
        return _Step(
            index=_RECEIVE_INDEX, transition=receive, source=None, target=self.workflow.initial
        )

    def enters_closed(self, step: _Step) -> bool:
        return step.target in self.closed and (
            step.source is None or step.source not in self.closed
        )

    def record(self, found: _Found, path: tuple[str, ...], step: _Step) -> None:
        key = (found.rule, found.key)
        if found.rule in self.rules and key not in self.found:
            self.found[key] = Violation(
                rule=found.rule, message=found.message, path=path, transition=step.text
            )
            self.order.append(key)

    def run(self) -> tuple[Violation, ...]:
        parents: dict[_Node, tuple[_Node | None, str]] = {}

        def path_to(node: _Node) -> tuple[str, ...]:
            commands: list[str] = []
            current: _Node | None = node
            while current is not None:
                previous, command = parents[current]
                commands.append(command)
                current = previous
            return tuple(reversed(commands))

        first = self.receive_step()
        nothing: _Facts = frozenset()
        start: _Node = (
            first.target,
            _after(first.transition, nothing, enters_closed=self.enters_closed(first)),
        )
        for found in self.judge(first, nothing):
            self.record(found, (RECEIVE,), first)
        parents[start] = (None, RECEIVE)
        queue: deque[_Node] = deque([start])
        fired: set[tuple[int, str]] = set()
        while queue:
            node = queue.popleft()
            state, facts = node
            for step in self.steps_from(state):
                if not _can_run(step.transition, self.guards(step), facts):
                    continue
                fired.add((step.index, state))
                path = (*path_to(node), step.transition.command)
                for found in self.judge(step, facts):
                    self.record(found, path, step)
                after = _after(step.transition, facts, enters_closed=self.enters_closed(step))
                nxt = (step.target, after)
                if nxt not in parents:
                    parents[nxt] = (node, step.transition.command)
                    queue.append(nxt)
        self.unreachable_steps(fired)
        self.open_state_commands()
        # Within a rule, in the order found: shortest counterexample first.
        ordered = sorted(enumerate(self.order), key=lambda ik: (_RULE_ORDER[ik[1][0]], ik[0]))
        return tuple(self.found[key] for _, key in ordered)

    def unreachable_steps(self, fired: set[tuple[int, str]]) -> None:
        """Definition rules on steps no complaint can take still count; the path is the graph's."""
        paths = self.plain_paths()
        for index, t in enumerate(self.workflow.transitions):
            for source in sorted(t.sources, key=lambda s: len(paths[s])):
                if (index, source) in fired:
                    continue
                step = _Step(index=index, transition=t, source=source, target=t.target or source)
                for found in self.definition_rules(step):
                    self.record(found, (*paths[source], t.command), step)

    def open_state_commands(self) -> None:
        """Open states that lack a command every open state of the standard workflow has."""
        rule = "open-state-commands"
        if rule not in self.rules:
            return
        sources: dict[str, set[str]] = {}
        for t in self.workflow.transitions:
            sources.setdefault(t.command, set()).update(t.sources)
        expected = [c for c in _any_open_state_commands() if c in sources]
        paths = self.plain_paths()
        for index, state in enumerate(self.workflow.states):
            missing = [c for c in expected if not state.closed and state.name not in sources[c]]
            if not missing:
                continue
            self.found[(rule, index)] = Violation(
                rule=rule,
                message=(
                    f"open state {state.name!r} does not allow {', '.join(missing)}, which the "
                    "standard workflow allows in every open state; add the state to those "
                    "commands' sources, or add it with Workflow.extend, which does"
                ),
                path=paths.get(state.name, (RECEIVE,)),
            )
            self.order.append((rule, index))

    def plain_paths(self) -> dict[str, tuple[str, ...]]:
        paths: dict[str, tuple[str, ...]] = {self.workflow.initial: (RECEIVE,)}
        queue = deque([self.workflow.initial])
        while queue:
            state = queue.popleft()
            for step in self.steps_from(state):
                if step.target not in paths:
                    paths[step.target] = (*paths[state], step.transition.command)
                    queue.append(step.target)
        return paths

    # -- the rules ----------------------------------------------------------------------------

    def judge(self, step: _Step, facts: _Facts) -> Iterator[_Found]:
        yield from self.path_rules(step, facts)
        yield from self.definition_rules(step)

    def path_rules(self, step: _Step, facts: _Facts) -> Iterator[_Found]:
        t = step.transition
        what = f"{t.command!r}"
        if t.command in _NEEDS_ASSESSMENT and _ASSESSED not in facts:
            yield _Found(
                rule="assessed",
                key=step.index,
                message=(
                    f"{what} runs before the initial assessment was recorded; assess "
                    f"first, or give {what} the {_ASSESSMENT_RECORDED} guard"
                ),
            )
        if not self.enters_closed(step):
            return
        reasons = _documented_end(t, self.guards(step), facts)
        if (reasons is None or reasons) and _ACKED not in facts and _ENDED not in facts:
            if reasons is None:
                why = "closes the complaint without a documented reason"
            else:
                why = (
                    "may close the complaint for a reason that needs an acknowledgement "
                    f"({', '.join(reasons)})"
                )
            yield _Found(
                rule="acknowledged",
                key=step.index,
                message=(
                    f"{what} {why}, but receipt was never acknowledged; only a "
                    "withdrawal or a duplicate may end a complaint unacknowledged"
                ),
            )
        if reasons is None and _COMMUNICATED not in facts:
            yield _Found(
                rule="decision-communicated",
                key=step.index,
                message=(
                    f"{what} closes the complaint without a documented reason before a "
                    "decision was communicated to the complainant"
                ),
            )

    def definition_rules(self, step: _Step) -> Iterator[_Found]:
        t = step.transition
        guards = self.guards(step)
        what = f"{t.command!r}"
        if self.enters_closed(step) and t.command != _WITHDRAW and _CLOSURE_JUSTIFIED not in guards:
            if t.command == RECEIVE:
                message = (
                    f"the initial state {step.target!r} is a closed state: every complaint "
                    "would end on receipt, without a documented reason"
                )
            else:
                message = (
                    f"{what} enters closed state {step.target!r} without the "
                    f"{_CLOSURE_JUSTIFIED} guard; only 'withdraw' (the complainant's own act) "
                    "or a transition guarded by closure_justified documents why a complaint "
                    "ends"
                )
            yield _Found(rule="closure-reason", key=step.index, message=message)
        if t.command == _COMMUNICATE and _RECOURSE_EXPLAINED not in guards:
            yield _Found(
                rule="recourse",
                key=step.index,
                message=(
                    f"{what} lacks the {_RECOURSE_EXPLAINED} guard: a decision that is not "
                    "upheld must tell the complainant about internal review and the external "
                    "body"
                ),
            )
        if t.command in _NEEDS_OBJECTIVITY and _OBJECTIVITY not in guards:
            yield _Found(
                rule="objectivity",
                key=step.index,
                message=(
                    f"{what} lacks the {_OBJECTIVITY} guard: nobody the complaint is about "
                    "may be assigned to it, investigate it or decide it"
                ),
            )


@functools.cache
def _any_open_state_commands() -> tuple[str, ...]:
    """The commands the standard workflow allows in every one of its open states."""
    standard = standard_workflow()
    opened = {s.name for s in standard.states if not s.closed}
    sources: dict[str, set[str]] = {}
    for t in standard.transitions:
        sources.setdefault(t.command, set()).update(t.sources)
    return tuple(c for c in standard.commands if opened <= sources.get(c, set()))


def _selected(rules: Iterable[str] | None) -> tuple[str, ...]:
    if rules is None:
        return tuple(rule.id for rule in RULES)
    wanted = tuple(dict.fromkeys(rules))
    unknown = [r for r in wanted if r not in _RULE_ORDER]
    if unknown:
        known = ", ".join(_RULE_ORDER)
        raise ValidationError("rules", f"unknown rules {unknown} (known: {known})")
    return tuple(sorted(wanted, key=_RULE_ORDER.__getitem__))


def check_conformance(
    workflow: Workflow, *, rules: Iterable[str] | None = None
) -> ConformanceReport:
    """
    Check ``workflow`` against the rules of :data:`RULES` (or only those whose ids are in
    ``rules``) and report every violation with a shortest counterexample path.

    One violation is reported per rule and transition, with the shortest path that breaks the
    rule there. The standard workflow conforms.

    Raises:
        ValidationError: ``rules`` names an unknown rule.
    """
    checked = _selected(rules)
    violations = _Checker(workflow, checked).run()
    return ConformanceReport(workflow=workflow.name, violations=violations, rules_checked=checked)
