"""Actions: named like the desk's methods, in four kinds; listing criteria match the query's."""

from __future__ import annotations

import attrs

from iso10002.access import LIST_CRITERIA, Action, ActionKind
from iso10002.storage.base import ComplaintQuery


def test_the_kinds_partition_the_actions() -> None:
    groups = [Action.of_kind(kind) for kind in ActionKind]
    assert sum(len(g) for g in groups) == len(Action)
    assert frozenset().union(*groups) == frozenset(Action)
    assert Action.of_kind(ActionKind.QUERY) == {
        Action.GET,
        Action.HISTORY,
        Action.FIND_BY_CLIENT_KEY,
        Action.QUERY,
        Action.SLA_STATUS,
        Action.SLA_QUEUE,
        Action.PUBLIC_VIEW,
    }
    assert Action.of_kind(ActionKind.PERSONAL_DATA) == {
        Action.ERASE_PERSONAL_DATA,
        Action.PLACE_LEGAL_HOLD,
        Action.RELEASE_LEGAL_HOLD,
        Action.EXPORT_SUBJECT,
        Action.PURGE_EXPIRED,
    }
    assert Action.of_kind(ActionKind.OVERSIGHT) == {Action.VERIFY_INTEGRITY, Action.REPORT}
    assert Action.DECIDE.kind is ActionKind.COMMAND
    assert Action.TICK.kind is ActionKind.COMMAND


def test_only_query_and_sla_queue_list_complaints() -> None:
    assert {a for a in Action if a.lists} == {Action.QUERY, Action.SLA_QUEUE}


def test_an_action_is_its_method_name() -> None:
    assert Action("record_root_cause") is Action.RECORD_ROOT_CAUSE
    assert all(a.value == a.name.lower() for a in Action)


def test_the_listing_criteria_are_the_querys_criteria() -> None:
    paging = {"order", "limit", "offset"}
    fields = [f.name for f in attrs.fields(ComplaintQuery) if f.name not in paging]
    assert list(LIST_CRITERIA) == fields
