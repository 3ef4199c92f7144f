"""Management review (8.6) packs and improvement actions (8.7), over a real SQLite store."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from iso10002.audit.findings import FindingStatus
from iso10002.audit.review import (
    FIGURE_RULE,
    KPI_LABELS,
    ActionStatus,
    ImprovementAction,
    ReviewPack,
    actions_from_json,
    actions_to_json,
    build_review_pack,
    review_to_dict,
    review_to_html,
    review_to_json,
    review_to_markdown,
)
from iso10002.audit.run import run_audit
from iso10002.clock import FixedClock
from iso10002.desk import ComplaintDesk
from iso10002.errors import SerializationError, ValidationError
from iso10002.model.values import (
    Assessment,
    Channel,
    ComplaintId,
    Decision,
    Outcome,
    Role,
    Severity,
)
from iso10002.monitoring import compute_kpis
from iso10002.monitoring.kpis import RULES as KPI_RULES
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing.samples import full_lifecycle, sample_actor, sample_complainant

UTC = _dt.timezone.utc
MARCH = _dt.date(2026, 3, 1)
APRIL = _dt.date(2026, 4, 1)
ON = _dt.date(2026, 4, 20)


def action(**changes: object) -> ImprovementAction:
    values: dict[str, object] = {
        "id": "IA-1",
        "title": "Record a root cause for every upheld complaint",
        "owner": "Head of complaints",
        "due": _dt.date(2026, 4, 30),
        "status": ActionStatus.OPEN,
        "opened_on": _dt.date(2026, 4, 5),
        "finding": "8.2-root-cause-for-upheld",
    }
    values.update(changes)
    return ImprovementAction(**values)  # type: ignore[arg-type]


# -- improvement actions ----------------------------------------------------------------------


def test_an_action_is_overdue_only_while_open_after_its_due_date() -> None:
    a = action(due=_dt.date(2026, 4, 10))
    assert not a.overdue(_dt.date(2026, 4, 10))
    assert a.overdue(_dt.date(2026, 4, 11))
    assert attrs.evolve(a, status=ActionStatus.IN_PROGRESS).overdue(_dt.date(2026, 4, 11))
    done = attrs.evolve(a, status=ActionStatus.DONE, closed_on=_dt.date(2026, 4, 12))
    assert not done.overdue(_dt.date(2026, 5, 1))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"closed_on": _dt.date(2026, 4, 9)}, "closed_on"),  # open, yet closed
        ({"status": ActionStatus.DONE}, "closed_on"),  # done, but when?
        ({"status": ActionStatus.CANCELLED}, "closed_on"),
        ({"status": ActionStatus.DONE, "closed_on": _dt.date(2026, 4, 1)}, "closed_on"),
        ({"due": _dt.date(2026, 4, 1)}, "due"),  # due before it was opened
        ({"status": "finished"}, "status"),
        ({"owner": "  "}, "owner"),
        ({"due": _dt.datetime(2026, 4, 30, tzinfo=UTC)}, "due"),
        ({"finding": ""}, "finding"),
    ],
)
def test_a_bad_action_names_its_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        action(**changes)
    assert raised.value.field == field


def test_actions_round_trip_through_json() -> None:
    actions = (
        action(),
        action(
            id="IA-2",
            status=ActionStatus.DONE,
            closed_on=_dt.date(2026, 4, 15),
            finding=None,
            notes="Rolled out to all teams.",
        ),
    )
    text = actions_to_json(actions)
    assert json.loads(text)[1]["status"] == "done"
    assert json.loads(text)[1]["closed_on"] == "2026-04-15"
    assert actions_from_json(text) == actions


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d[1].update(due="2026-02-30"), "$[1].due"),
        (lambda d: d[1].update(status="finished"), "$[1].status"),
        (lambda d: d[0].update(colour="red"), "$[0]"),
        (lambda d: d[1].update(status="done"), "$[1].closed_on"),
        (lambda d: d[0].pop("owner"), "$[0].owner"),
    ],
)
def test_a_bad_actions_file_gives_the_path(mutate: object, path: str) -> None:
    data = json.loads(actions_to_json([action(), action(id="IA-2")]))
    mutate(data)  # type: ignore[operator]
    with pytest.raises(SerializationError) as raised:
        actions_from_json(json.dumps(data))
    assert str(raised.value).startswith(f"{path}:")
    assert raised.value.path.startswith(path)


@pytest.mark.parametrize("text", ["{", '{"actions": []}', '"IA-1"'])
def test_an_actions_file_is_a_json_array(text: str) -> None:
    with pytest.raises(SerializationError, match=r"^\$: "):
        actions_from_json(text)


def test_two_actions_may_not_share_an_id() -> None:
    with pytest.raises(ValidationError, match="IA-1") as raised:
        actions_from_json(actions_to_json([action(), action()]))
    assert raised.value.field == "id"


# -- the pack ---------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteEventStore]:
    """
    March 2026: two complaints handled from receipt to satisfaction (upheld, score 4), one
    received and never acknowledged, one acknowledged late and decided "not upheld" in April
    and not told; plus one received in February and still open.
    """
    with SQLiteEventStore(tmp_path / "complaints.db") as s:
        clock = FixedClock(_dt.datetime(2026, 2, 20, 9, tzinfo=UTC))
        desk = ComplaintDesk(s, clock=clock)
        agent = sample_actor()

        def receive(text: str) -> ComplaintId:
            return desk.receive(
                agent,
                complainant=sample_complainant(),
                channel=Channel.EMAIL,
                description=text,
                remedy_requested="An apology.",
            ).id

        receive("Left open since February.")
        clock.set(_dt.datetime(2026, 3, 2, 9, tzinfo=UTC))
        full_lifecycle(desk)
        clock.set(_dt.datetime(2026, 3, 9, 9, tzinfo=UTC))
        full_lifecycle(desk)
        clock.set(_dt.datetime(2026, 3, 16, 9, tzinfo=UTC))
        receive("Nobody has answered.")
        clock.set(_dt.datetime(2026, 3, 30, 9, tzinfo=UTC))
        late = receive("Decided after the period.")
        manager = sample_actor("manager-1", Role.COMPLAINTS_MANAGER)
        clock.set(_dt.datetime(2026, 4, 3, 9, tzinfo=UTC))
        desk.acknowledge(late, agent, message="Received.")
        desk.assess(late, manager, Assessment(severity=Severity.LOW))
        desk.decide(
            late,
            manager,
            Decision(outcome=Outcome.NOT_UPHELD, reasons="No fault found."),
        )
        yield s


def pack(store: SQLiteEventStore, *actions: ImprovementAction) -> ReviewPack:
    audit = run_audit(
        store,
        period_from=MARCH,
        period_to=APRIL,
        now=_dt.datetime(2026, 4, 20, tzinfo=UTC),
    )
    return build_review_pack(store, audit, actions, on=ON)


def test_the_figures_count_the_period_only(store: SQLiteEventStore) -> None:
    kpis = pack(store).kpis
    assert kpis["received"] == "4"  # February's is not counted
    assert kpis["closed"] == "2"
    # February's and the two still open on 31 March; the April decision does not change that.
    assert kpis["open_at_end"] == "3"
    # April's "not upheld" is outside the period; the rate is over decisions on closed ones.
    assert kpis["upheld"] == "100.0% (2 of 2 decided)"
    # A score of 4 of 5 is three quarters of the way up the scale, as the KPI report shows it.
    assert kpis["satisfaction"] == "75.0% of the scale (2 responses)"
    # Both closed ones took a week with an investigation: not resolved at first contact.
    assert kpis["first_contact_resolution"] == "0.0% (0 of 2 closed with timed records)"
    # One never acknowledged, one acknowledged four days late.
    assert kpis["acknowledged_in_time"] == "50.0% (2 of 4)"
    assert set(kpis) <= set(KPI_LABELS)


def test_the_pack_and_the_kpi_report_count_by_one_set_of_rules(store: SQLiteEventStore) -> None:
    p = pack(store)
    start, end = (_dt.datetime(d.year, d.month, d.day, tzinfo=UTC) for d in (MARCH, APRIL))
    report = compute_kpis(store, start=start, end=end)
    # Nothing that changes March's figures happened after March: the two agree.
    assert p.kpis["received"] == str(report.volume.received)
    assert p.kpis["closed"] == str(report.volume.closed)
    assert p.kpis["open_at_end"] == str(report.volume.open_at_end)
    assert report.outcomes.upheld_rate.value == 1.0
    assert report.satisfaction.mean_percent == 75.0
    # The page says which rules it counted by, and why a later KPI report may differ.
    assert p.rules[0] == FIGURE_RULE
    assert set(KPI_RULES) <= set(p.rules)
    md, page = review_to_markdown(p), review_to_html(p)
    assert "### How the figures are counted" in md
    assert "A KPI report of the same period made later also counts what happened" in md
    assert "<h3>How the figures are counted</h3>" in page


def test_nonconformities_and_the_actions_that_answer_them(store: SQLiteEventStore) -> None:
    overdue = action(id="IA-1", finding="7.4-acknowledged-in-time", due=_dt.date(2026, 4, 10))
    done = action(
        id="IA-2",
        finding="7.8-decision-communicated",
        status=ActionStatus.DONE,
        closed_on=_dt.date(2026, 4, 8),
    )
    unrelated = action(id="IA-3", finding=None, status=ActionStatus.IN_PROGRESS)
    p = pack(store, overdue, done, unrelated)
    # Majors first: the April decision nobody communicated; then the complaint nobody has
    # answered for over 28 days, and the late acknowledgements.
    assert [(f.criterion, f.status) for f in p.nonconformities] == [
        ("7.8-decision-communicated", FindingStatus.MAJOR_NONCONFORMITY),
        ("7.3-kept-informed", FindingStatus.MINOR_NONCONFORMITY),
        ("7.4-acknowledged-in-time", FindingStatus.MINOR_NONCONFORMITY),
    ]
    assert p.actions == (overdue, done, unrelated)
    assert p.open_actions == (overdue, unrelated)
    assert p.overdue_actions == (overdue,)
    # A done action no longer answers a finding that still fails.
    assert p.findings_without_action == ("7.8-decision-communicated", "7.3-kept-informed")
    headings = [i.heading for i in p.inputs]
    assert "Results of the audit (8.5)" in headings
    status = p.inputs[headings.index("Status of improvement actions (8.7)")]
    assert status.lines[0] == "Open: 2; overdue: 1; done: 1; cancelled: 0"
    recommendations = p.inputs[headings.index("Recommendations for improvement")]
    assert "Open an improvement action for 7.8-decision-communicated." in recommendations.lines
    assert "Follow up IA-1 (Head of complaints), overdue since 2026-04-10." in (
        recommendations.lines
    )


def test_without_actions_every_nonconformity_lacks_one(store: SQLiteEventStore) -> None:
    p = pack(store)
    assert p.open_actions == p.overdue_actions == ()
    assert p.findings_without_action == (
        "7.8-decision-communicated",
        "7.3-kept-informed",
        "7.4-acknowledged-in-time",
    )


def test_the_pack_needs_a_date_and_unique_actions(store: SQLiteEventStore) -> None:
    audit = run_audit(
        store, period_from=MARCH, period_to=APRIL, now=_dt.datetime(2026, 4, 20, tzinfo=UTC)
    )
    with pytest.raises(ValidationError) as raised:
        build_review_pack(store, audit, (), on=_dt.datetime(2026, 4, 20, tzinfo=UTC))
    assert raised.value.field == "on"
    with pytest.raises(ValidationError) as raised:
        build_review_pack(store, audit, (action(), action()), on=ON)
    assert raised.value.field == "id"


def test_markdown_and_html_show_the_whole_pack(store: SQLiteEventStore) -> None:
    hostile = action(title="Fix <b>everything</b>", owner="Ops & <i>co</i>")
    p = pack(store, hostile)
    md = review_to_markdown(p)
    page = review_to_html(p)
    for text in (md, page):
        for item in p.inputs:
            assert item.heading.replace("'", "&#x27;") in text or item.heading in text
        for f in p.nonconformities:
            assert f.criterion in text
        for key in p.kpis:
            assert KPI_LABELS[key] in text
    assert r"Fix \<b\>everything\</b\>" in md
    assert "<b>" not in page and "<i>" not in page
    assert "Fix &lt;b&gt;everything&lt;/b&gt;" in page
    assert "Ops &amp; &lt;i&gt;co&lt;/i&gt;" in page
    assert "@media print" in page
    assert "<script" not in page
    assert "http://" not in page and "https://" not in page


def test_markdown_and_html_name_what_the_pack_rests_on(store: SQLiteEventStore) -> None:
    audit = run_audit(
        store,
        period_from=MARCH,
        period_to=APRIL,
        now=_dt.datetime(2026, 4, 20, tzinfo=UTC),
        auditor="A. Auditor",
        signed_off_by="Head of Quality",
    )
    p = build_review_pack(store, audit, (), on=ON)
    assert audit.record is not None and audit.record.head is not None
    assert audit.configurations
    for text in (review_to_markdown(p), review_to_html(p)):
        assert audit.record.head in text
        assert audit.library_version in text
        assert "A. Auditor" in text and "Head of Quality" in text
        assert all(fingerprint in text for fingerprint in audit.configurations)
        assert str(audit.workflow) in text


@pytest.mark.parametrize("text", ["1" * 5000, "[" * 100_000])
def test_an_actions_file_too_deep_or_too_long_is_a_serialization_error(text: str) -> None:
    with pytest.raises(SerializationError, match="not valid JSON"):
        actions_from_json(text)


def test_the_pack_as_json_holds_the_figures_their_rules_and_the_audit(
    store: SQLiteEventStore,
) -> None:
    p = pack(store, action(finding="7.4-acknowledged-in-time"))

    data = json.loads(review_to_json(p))

    assert data["format"] == "iso10002-review/1"
    assert (data["period_from"], data["period_to"]) == ("2026-03-01", "2026-04-01")
    figures = {f["key"]: f for f in data["figures"]}
    assert figures["received"] == {
        "key": "received",
        "label": KPI_LABELS["received"],
        "value": "4",
    }
    assert data["rules"][0] == FIGURE_RULE
    assert data["nonconformities"] == [f.criterion for f in p.nonconformities]
    assert data["actions"][0]["id"] == "IA-1"
    assert data["findings_without_action"] == list(p.findings_without_action)
    assert data["audit"]["findings"][0]["criterion"] == p.audit.findings[0].criterion
    assert review_to_dict(p) == data
