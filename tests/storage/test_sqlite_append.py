"""
The SQLite store's summary values formatted from what it wrote before (only the fields that are
not the very objects it formatted then) against the reference: every column formatted anew.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from iso10002.model.complaint import ComplaintSummary
from iso10002.model.facts import ComplaintFacts, MetricOutcome
from iso10002.model.values import Channel, ClosureReason, Outcome, Priority, RemedyKind
from iso10002.storage.sqlite.append import summary_values
from iso10002.storage.sqlite.statements import _summary_values
from tests.properties.strategies import aware_datetimes, money, optional, texts

_instants = aware_datetimes()
_spans = st.timedeltas(min_value=_dt.timedelta(0), max_value=_dt.timedelta(days=400))
_outcomes = st.builds(MetricOutcome, metric=texts(), due_at=_instants, done_at=optional(_instants))

SUMMARY: dict[str, st.SearchStrategy[Any]] = {
    "version": st.integers(min_value=1, max_value=60),
    "state": st.sampled_from(["received", "acknowledged", "closed"]),
    "is_open": st.booleans(),
    "channel": st.sampled_from(Channel),
    "priority": optional(st.sampled_from(Priority)),
    "category": optional(texts()),
    "assignee": optional(texts()),
    "received_at": _instants,
    "acknowledged_at": optional(_instants),
    "closed_at": optional(_instants),
    "updated_at": _instants,
    "sla_due_at": optional(_instants),
    "sla_warning_at": optional(_instants),
    "sla_alert_at": optional(_instants),
    "organisation": optional(texts()),
}
FACTS: dict[str, st.SearchStrategy[Any]] = {
    "product": optional(texts()),
    "source": optional(texts()),
    "timed": st.booleans(),
    "first_response_at": optional(_instants),
    "acknowledge_time": optional(_spans),
    "first_response_time": optional(_spans),
    "outcome": optional(st.sampled_from(Outcome)),
    "closure_reason": optional(st.sampled_from(ClosureReason)),
    "withdrawn": st.booleans(),
    "remedies": st.lists(st.sampled_from(RemedyKind), max_size=3).map(tuple),
    "redress": st.lists(money(), max_size=2).map(tuple),
    "reopen_count": st.integers(min_value=0, max_value=5),
    "internal_reviews": st.integers(min_value=0, max_value=5),
    "referrals": st.integers(min_value=0, max_value=5),
    "first_contact": st.booleans(),
    "satisfaction_score": optional(st.integers(min_value=1, max_value=5)),
    "satisfaction_scale": optional(st.just(5)),
    "root_cause": optional(texts()),
    "root_cause_category": optional(texts()),
    "sla": st.lists(_outcomes, max_size=3).map(tuple),
}


def _equal_copy(value: object) -> object:
    """A distinct object equal to ``value`` where one can be made (an instant in another zone)."""
    if isinstance(value, _dt.datetime):
        return value.astimezone(_dt.timezone(_dt.timedelta(hours=3)))
    if isinstance(value, tuple):
        return tuple(attrs.evolve(v) if attrs.has(type(v)) else v for v in value)
    return value


def _next(data: st.DataObject, old: object, fields: dict[str, st.SearchStrategy[Any]]) -> Any:
    """Each field of ``old``: the very object, an equal copy, or a value drawn anew."""
    values = {}
    for name, strategy in fields.items():
        kept = getattr(old, name)
        how = data.draw(st.sampled_from(["same", "copy", "new"]), label=name)
        values[name] = (
            kept if how == "same" else _equal_copy(kept) if how == "copy" else data.draw(strategy)
        )
    return values


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_values_from_what_was_written_are_the_values_formatted_anew(
    data: st.DataObject,
) -> None:
    cid = uuid.uuid4()
    old_facts = ComplaintFacts(**{n: data.draw(s, label=n) for n, s in FACTS.items()})
    old = ComplaintSummary(
        id=cid,
        reference="C-1",
        client_key=None,
        facts=old_facts,
        **{n: data.draw(s, label=n) for n, s in SUMMARY.items()},
    )
    facts = (
        old_facts
        if data.draw(st.booleans(), label="same facts")
        else ComplaintFacts(**_next(data, old_facts, FACTS))
    )
    new = ComplaintSummary(
        id=cid, reference="C-1", client_key=None, facts=facts, **_next(data, old, SUMMARY)
    )
    known = (old.version, old, _summary_values(old))
    assert summary_values(new, known) == _summary_values(new)
    assert summary_values(new, None) == _summary_values(new)
