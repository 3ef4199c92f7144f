"""
Worked examples of every regulator preset, counted by hand around weekends, bank holidays,
Christmas and New Year, receipt after hours and daylight saving, plus the presets' own rules:
sources, unconfirmed figures, subdivisions, versions and bad input.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from iso10002 import Channel, ComplaintDesk, FixedClock
from iso10002.errors import ValidationError
from iso10002.model.values import Communication, CommunicationKind, Direction, ExtensionKind
from iso10002.sla.calendar import BusinessCalendar
from iso10002.sla.config import SlaConfig
from iso10002.sla.engine import SlaStatus
from iso10002.sla.policy import DueAt, Metric, On, Unit
from iso10002.sla.presets import DEFAULT_YEARS, Preset, preset, presets
from iso10002.sla.presets._registry import REGISTRY
from iso10002.testing.samples import sample_actor, sample_complainant

UTC = dt.timezone.utc


def local(zone: str, y: int, m: int, d: int, *hm: int) -> dt.datetime:
    hh, mm = (*hm, 0, 0)[:2]
    return dt.datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(zone))


def london(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return local("Europe/London", y, m, d, hh, mm)


def utc(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=UTC)


def due(
    name: str,
    metric: str,
    start: dt.datetime,
    *,
    subdivision: str | None = None,
    extended: bool = False,
    cutoff: time | None = None,
) -> dt.datetime:
    """The deadline of ``metric`` of preset ``name`` for a clock starting at ``start``."""
    p = preset(name)
    policy = p.policy(subdivision=subdivision, cutoff=cutoff)
    m = policy.metric(metric)
    target = m.extended_target if extended else m.target
    assert target is not None
    return target.deadline(policy.calendar, start)


def holiday_dates(name: str, subdivision: str | None = None) -> set[date]:
    return {h.date for h in preset(name).calendar(subdivision=subdivision).holidays}


# -- the catalogue --------------------------------------------------------------------------------


def test_the_presets_come_in_a_stable_order() -> None:
    assert list(presets()) == [
        "fca-disp-1.6",
        "fca-disp-1.5",
        "fca-disp-1.6.2a",
        "eu-psd2-art-101",
        "asic-rg-271",
        "asic-rg-271-superannuation",
        "asic-rg-271-default-notice",
        "asic-rg-271-hardship",
        "cfpb",
        "cbi-cpc",
        "ofcom",
        "ofgem",
        "nhs-england",
        "spso-stage-1",
        "spso-stage-2",
        "cbuae",
    ]
    assert all(presets()[name] is preset(name) for name in presets())


def test_each_registry_row_names_the_preset_its_function_builds() -> None:
    # The registry is the one list of presets: every row's function, called again, builds an
    # equal preset of the row's name, from the module of its jurisdiction.
    assert [name for name, _ in REGISTRY] == list(presets())
    for name, build in REGISTRY:
        assert build() == preset(name)
        assert build.__module__.startswith("iso10002.sla.presets.")


@pytest.mark.parametrize("name", list(presets()))
def test_every_preset_cites_sources_and_an_as_of_date(name: str) -> None:
    p = preset(name)
    assert p.sources and all(s.strip() for s in p.sources)
    assert any(s.startswith(("http://", "https://")) for s in p.sources)
    assert isinstance(p.as_of, date) and p.as_of <= date(2026, 12, 31)
    assert p.clock_starts and p.title and p.jurisdiction


@pytest.mark.parametrize("name", list(presets()))
def test_no_preset_pauses_its_clocks(name: str) -> None:
    # Regulators have no stop-the-clock provision; extensions are explicit events instead.
    for metric in preset(name).metrics:
        assert metric.pause == () and metric.resume == ()
    assert any("never paused" in note for note in preset(name).notes)


@pytest.mark.parametrize("name", list(presets()))
def test_every_preset_makes_a_policy_named_after_it(name: str) -> None:
    p = preset(name)
    policy = p.policy()
    assert policy.name == name
    assert policy.description == p.title
    assert policy.metrics == p.metrics
    assert policy.version.startswith(p.as_of.isoformat())
    assert p.calendar().version in policy.version


# Every figure domain-facts tags [M] (or whose reading is an interpretation) is flagged.
UNCONFIRMED = {
    "fca-disp-1.6": ["56 calendar days"],
    "fca-disp-1.5": ["56 calendar days", "cut-off"],
    "ofcom": ["56 calendar days"],
    "ofgem": ["56 calendar days"],
    "asic-rg-271-superannuation": ["Death-benefit"],
    "cbi-cpc": ["5 business-day acknowledgement", "20 business-day update", "(10.9)"],
    "spso-stage-1": ["day 1"],
    "spso-stage-2": ["day 1"],
    "cbuae": ["Monday to Friday"],
}


@pytest.mark.parametrize("name", list(presets()))
def test_unconfirmed_figures_are_flagged(name: str) -> None:
    flagged = preset(name).unconfirmed
    for phrase in UNCONFIRMED.get(name, []):
        assert any(phrase in note for note in flagged), (name, phrase)
    assert len(flagged) >= len(UNCONFIRMED.get(name, []))


def test_unknown_preset_names_the_known_ones() -> None:
    with pytest.raises(ValidationError) as e:
        preset("fca")
    assert e.value.field == "preset"
    assert "'fca'" in e.value.reason
    for name in presets():
        assert name in e.value.reason


def test_extension_kinds_follow_each_regime() -> None:
    holding = ExtensionKind.HOLDING_RESPONSE
    assert preset("fca-disp-1.6.2a").metric("final_response").extensions == (holding,)
    assert preset("eu-psd2-art-101").metric("final_response").extended_target == (
        preset("fca-disp-1.6.2a").metric("final_response").extended_target
    )
    for name in ("asic-rg-271", "asic-rg-271-superannuation", "asic-rg-271-hardship"):
        assert preset(name).metric("final_response").extensions == (ExtensionKind.DELAY_NOTICE,)
    for name in ("nhs-england", "spso-stage-1", "spso-stage-2"):
        assert preset(name).metric("final_response").extensions == (ExtensionKind.AGREED,)
    assert preset("cfpb").metric("final_response").extensions == ()


def test_a_disp_holding_response_meets_the_eight_weeks() -> None:
    final = preset("fca-disp-1.6").metric("final_response")
    assert On(event="decision_communicated") in final.stop
    assert (
        On(
            event="deadline_extended",
            where={"metric": "final_response", "kind": "holding_response"},
        )
        in final.stop
    )
    # It meets the deadline rather than moving it.
    assert final.extended_target == final.target
    assert final.target.unit is Unit.WEEKS and final.target.amount == 8


def test_the_irish_update_metric_recurs_until_the_decision() -> None:
    update = preset("cbi-cpc").metric("update")
    assert update.recurring
    assert On(event="decision_communicated") in update.until
    assert On(event="closed") in update.until
    outbound = [o for o in update.stop if o.event == "communication_recorded"]
    assert outbound and outbound[0].where["communication.direction"] == "outbound"


# -- FCA DISP 1.6: 8 weeks = receipt date + 56 days, end of day -----------------------------------


def test_disp_16_eight_weeks_over_christmas() -> None:
    # Wed 23 Dec 2026 16:00 + 56 days = Wed 17 Feb 2027; the deadline is the midnight ending it
    # (GMT, so 00:00 UTC on 18 Feb). Holidays do not matter to calendar weeks.
    assert due("fca-disp-1.6", "final_response", london(2026, 12, 23, 16)) == utc(2027, 2, 18)
    assert due(
        "fca-disp-1.6", "final_response", london(2026, 12, 23, 16), subdivision="SCT"
    ) == utc(2027, 2, 18)


def test_disp_16_received_on_a_saturday_is_not_rolled() -> None:
    # Sat 26 Dec 2026 + 56 = Sat 20 Feb 2027 -> 21 Feb 00:00 GMT.
    assert due("fca-disp-1.6", "final_response", london(2026, 12, 26, 11)) == utc(2027, 2, 21)


def test_disp_16_across_the_clock_change() -> None:
    # Tue 10 Mar 2026 + 56 = Tue 5 May 2026, which ends at 00:00 BST on 6 May = 23:00 UTC on 5 May.
    assert due("fca-disp-1.6", "final_response", london(2026, 3, 10, 9)) == utc(2026, 5, 5, 23)


def test_disp_16_uses_the_local_date_of_receipt() -> None:
    # 23:30 UTC on 1 Jul 2026 is 00:30 BST on 2 Jul: the local date counts.
    # 2 Jul + 56 = 27 Aug -> 00:00 BST on 28 Aug = 23:00 UTC on 27 Aug.
    assert due("fca-disp-1.6", "final_response", utc(2026, 7, 1, 23, 30)) == utc(2026, 8, 27, 23)


# -- FCA DISP 1.5: close of business on the 3rd business day after the day of receipt -------------


def test_disp_15_over_christmas_in_england() -> None:
    # Wed 23 Dec 2026 16:00: 24 Dec (1); 25 Christmas, 26/27 weekend, 28 Boxing Day substitute;
    # 29 Dec (2); 30 Dec (3) -> close of business 30 Dec 17:00 GMT.
    assert {date(2026, 12, 25), date(2026, 12, 28)} <= holiday_dates("fca-disp-1.5")
    assert due("fca-disp-1.5", "summary_resolution", london(2026, 12, 23, 16)) == utc(
        2026, 12, 30, 17
    )


def test_disp_15_across_new_year_england_and_scotland_differ() -> None:
    # Wed 30 Dec 2026. England: 31 Dec (1); 1 Jan holiday; 2/3 weekend; 4 Jan (2); 5 Jan (3).
    # Scotland: 2 Jan is a holiday too, substituted on Mon 4 Jan, so 5 Jan (2), 6 Jan (3).
    assert date(2027, 1, 4) in holiday_dates("fca-disp-1.5", "SCT")
    assert date(2027, 1, 4) not in holiday_dates("fca-disp-1.5", "ENG")
    start = london(2026, 12, 30, 10)
    assert due("fca-disp-1.5", "summary_resolution", start) == utc(2027, 1, 5, 17)
    assert due("fca-disp-1.5", "summary_resolution", start, subdivision="SCT") == utc(
        2027, 1, 6, 17
    )


def test_disp_15_summer_bank_holiday_scotland_vs_england_and_wales() -> None:
    # Fri 31 Jul 2026. Scotland's summer bank holiday is Mon 3 Aug, England's and Wales's is
    # 31 Aug. ENG/WLS: 3 (1), 4 (2), 5 Aug (3) -> 17:00 BST = 16:00 UTC. SCT: 4 (1), 5 (2), 6 (3).
    start = london(2026, 7, 31, 12)
    assert due("fca-disp-1.5", "summary_resolution", start) == utc(2026, 8, 5, 16)
    assert due("fca-disp-1.5", "summary_resolution", start, subdivision="WLS") == utc(
        2026, 8, 5, 16
    )
    assert due("fca-disp-1.5", "summary_resolution", start, subdivision="SCT") == utc(
        2026, 8, 6, 16
    )


def test_disp_15_st_patricks_day_in_northern_ireland() -> None:
    # Mon 15 Mar 2027. England: 16 (1), 17 (2), 18 (3). Northern Ireland: 17 Mar is St Patrick's
    # Day, so 16 (1), 18 (2), 19 (3). Both 17:00 GMT.
    start = london(2027, 3, 15, 9)
    assert due("fca-disp-1.5", "summary_resolution", start) == utc(2027, 3, 18, 17)
    assert due("fca-disp-1.5", "summary_resolution", start, subdivision="NIR") == utc(
        2027, 3, 19, 17
    )


def test_disp_15_cut_off_is_off_by_default_and_rolls_late_receipt() -> None:
    # Wed 23 Dec 2026 17:30 (after close). Without the cut-off: as at 16:00, 30 Dec 17:00.
    # With a 17:00 cut-off it counts as received Thu 24 Dec: 29 (1), 30 (2), 31 Dec (3).
    late = london(2026, 12, 23, 17, 30)
    assert preset("fca-disp-1.5").metric("summary_resolution").target.cutoff is None
    assert due("fca-disp-1.5", "summary_resolution", late) == utc(2026, 12, 30, 17)
    assert due("fca-disp-1.5", "summary_resolution", late, cutoff=time(17)) == utc(2026, 12, 31, 17)


def test_disp_15_cut_off_rolls_a_weekend_receipt() -> None:
    # Sat 2 Jan 2027. Without the cut-off: 4 (1), 5 (2), 6 Jan (3). With it, received Mon 4 Jan:
    # 5 (1), 6 (2), 7 Jan (3).
    sat = london(2027, 1, 2, 10)
    assert due("fca-disp-1.5", "summary_resolution", sat) == utc(2027, 1, 6, 17)
    assert due("fca-disp-1.5", "summary_resolution", sat, cutoff=time(17)) == utc(2027, 1, 7, 17)


def test_disp_15_cut_off_applies_only_to_the_summary_resolution() -> None:
    policy = preset("fca-disp-1.5").policy(cutoff=time(17))
    assert policy.metric("summary_resolution").target.cutoff == time(17)
    assert policy.metric("summary_resolution").target.due_at is DueAt.CLOSE_OF_BUSINESS
    assert policy.metric("final_response").target.cutoff is None
    assert policy.version.endswith("cut-off 17:00")
    assert policy.version != preset("fca-disp-1.5").policy().version


# -- FCA DISP 1.6.2A and PSD2 Art. 101: 15 / 35 business days -------------------------------------


def test_disp_psd_fifteen_business_days_over_christmas_and_new_year() -> None:
    # Wed 23 Dec 2026, England: 24 (1), 29 (2), 30 (3), 31 (4), [1 Jan], 4 (5), 5 (6), 6 (7),
    # 7 (8), 8 (9), 11 (10), 12 (11), 13 (12), 14 (13), 15 (14), Mon 18 Jan (15)
    # -> end of 18 Jan = 00:00 GMT 19 Jan. Scotland also loses Mon 4 Jan: Tue 19 Jan (15).
    start = london(2026, 12, 23, 16)
    assert due("fca-disp-1.6.2a", "final_response", start) == utc(2027, 1, 19)
    assert due("fca-disp-1.6.2a", "final_response", start, subdivision="SCT") == utc(2027, 1, 20)


def test_disp_psd_thirty_five_business_days_after_a_holding_response() -> None:
    # From Mon 18 Jan (15): 19..22 Jan (16-19), 25..29 Jan (20-24), 1..5 Feb (25-29),
    # 8..12 Feb (30-34), Mon 15 Feb (35) -> 00:00 GMT 16 Feb.
    start = london(2026, 12, 23, 16)
    assert due("fca-disp-1.6.2a", "final_response", start, extended=True) == utc(2027, 2, 16)


def test_psd2_counts_weekdays_without_holidays_by_default() -> None:
    # Brussels, no holidays: Wed 23 Dec 2026: 24 (1), 25 (2), 28 (3), 29 (4), 30 (5), 31 (6),
    # 1 Jan (7), 4 (8), 5 (9), 6 (10), 7 (11), 8 (12), 11 (13), 12 (14), Wed 13 Jan (15)
    # -> 00:00 CET 14 Jan = 23:00 UTC 13 Jan.
    start = local("Europe/Brussels", 2026, 12, 23, 16)
    assert preset("eu-psd2-art-101").calendar().holidays == ()
    assert due("eu-psd2-art-101", "final_response", start) == utc(2027, 1, 13, 23)


def test_psd2_with_a_member_state_calendar() -> None:
    # An Irish provider passes its own calendar. Mon 15 Mar 2027: 16 (1), [17 St Patrick's Day],
    # 18 (2), 19 (3), 22..26 (4-8), [29 Easter Monday], 30 (9), 31 (10), 1 Apr (11), 2 (12),
    # 5 (13), 6 (14), Wed 7 Apr (15) -> 00:00 IST 8 Apr = 23:00 UTC 7 Apr.
    irish = preset("cbi-cpc").calendar()
    policy = preset("eu-psd2-art-101").policy(calendar=irish)
    assert policy.calendar is irish
    start = local("Europe/Dublin", 2027, 3, 15, 9)
    assert policy.metric("final_response").target.deadline(irish, start) == utc(2027, 4, 7, 23)


# -- ASIC RG 271 ----------------------------------------------------------------------------------


SYDNEY = "Australia/Sydney"


def test_rg_271_acknowledgement_over_christmas() -> None:
    # Thu 24 Dec 2026 18:00 Sydney (after hours): 25 Christmas, 26/27 weekend, 28 Boxing Day
    # observed; the next business day is Tue 29 Dec -> 00:00 AEDT 30 Dec = 13:00 UTC 29 Dec.
    start = local(SYDNEY, 2026, 12, 24, 18)
    assert due("asic-rg-271", "acknowledgement", start) == utc(2026, 12, 29, 13)


def test_rg_271_calendar_day_variants() -> None:
    # Thu 24 Dec 2026 + 30 = Sat 23 Jan 2027; + 45 = Sun 7 Feb; + 21 = Thu 14 Jan. Each ends at
    # the next midnight AEDT, 13:00 UTC the day before.
    start = local(SYDNEY, 2026, 12, 24, 18)
    assert due("asic-rg-271", "final_response", start) == utc(2027, 1, 23, 13)
    assert due("asic-rg-271-superannuation", "final_response", start) == utc(2027, 2, 7, 13)
    assert due("asic-rg-271-default-notice", "final_response", start) == utc(2027, 1, 14, 13)
    assert due("asic-rg-271-hardship", "final_response", start) == utc(2027, 1, 14, 13)


def test_rg_271_states_have_their_own_zone_and_holidays() -> None:
    # Perth (UTC+8, no DST): Thu 24 Dec 2026 18:00 -> ack due end of Tue 29 Dec = 16:00 UTC.
    perth = local("Australia/Perth", 2026, 12, 24, 18)
    assert preset("asic-rg-271").calendar(subdivision="WA").zone == "Australia/Perth"
    assert due("asic-rg-271", "acknowledgement", perth, subdivision="WA") == utc(2026, 12, 29, 16)
    # Fri 6 Mar 2026: Victoria's Labour Day is Mon 9 Mar, New South Wales's is in October.
    # NSW: Mon 9 Mar -> 00:00 AEDT 10 Mar = 13:00 UTC 9 Mar. VIC: Tue 10 Mar -> 13:00 UTC 10 Mar.
    start = local("Australia/Melbourne", 2026, 3, 6, 10)
    assert due("asic-rg-271", "acknowledgement", start) == utc(2026, 3, 9, 13)
    assert due("asic-rg-271", "acknowledgement", start, subdivision="VIC") == utc(2026, 3, 10, 13)


# -- US CFPB: calendar days from the date sent to the company -------------------------------------


NEW_YORK = "America/New_York"


def test_cfpb_sent_on_a_saturday() -> None:
    # Sent Sat 2 Jan 2027: + 15 = Sun 17 Jan -> 00:00 EST 18 Jan = 05:00 UTC; + 60 = Wed 3 Mar
    # (2 Jan + 29 = 31 Jan, + 28 = 28 Feb, + 3 = 3 Mar) -> 05:00 UTC 4 Mar.
    sent = local(NEW_YORK, 2027, 1, 2, 10)
    assert due("cfpb", "first_response", sent) == utc(2027, 1, 18, 5)
    assert due("cfpb", "final_response", sent) == utc(2027, 3, 4, 5)


def test_cfpb_sent_on_christmas_day_and_across_daylight_saving() -> None:
    # Sent Fri 25 Dec 2026 (a holiday, which does not matter): + 15 = Sat 9 Jan 2027 -> 05:00 UTC
    # 10 Jan. Sent Fri 27 Feb 2026: + 15 = Sat 14 Mar, after the 8 Mar change to EDT ->
    # 00:00 EDT 15 Mar = 04:00 UTC.
    assert due("cfpb", "first_response", local(NEW_YORK, 2026, 12, 25, 9)) == utc(2027, 1, 10, 5)
    assert due("cfpb", "first_response", local(NEW_YORK, 2026, 2, 27, 20)) == utc(2026, 3, 15, 4)


# -- Central Bank of Ireland ----------------------------------------------------------------------


DUBLIN = "Europe/Dublin"


def test_cbi_acknowledgement_over_christmas() -> None:
    # Wed 23 Dec 2026: 24 (1); 25 Christmas, 26 St Stephen's Day (a Saturday, and the holidays
    # package gives no substitute), 27 Sunday; 28 (2), 29 (3), 30 (4), Thu 31 Dec (5)
    # -> 00:00 GMT 1 Jan 2027.
    assert date(2026, 12, 28) not in holiday_dates("cbi-cpc")
    start = local(DUBLIN, 2026, 12, 23, 16)
    assert due("cbi-cpc", "acknowledgement", start) == utc(2027, 1, 1)


def test_cbi_forty_business_days_over_st_patrick_and_easter() -> None:
    # Mon 15 Mar 2027: 16 (1), [17 St Patrick's Day], 18 (2), 19 (3), 22..26 (4-8; Good Friday
    # is not an Irish public holiday), [29 Easter Monday], 30 (9), 31 (10), 1..2 Apr (11-12),
    # 5..9 (13-17), 12..16 (18-22), 19..23 (23-27), 26..30 (28-32), [3 May bank holiday],
    # 4..7 May (33-36), 10..13 May (37-40) -> end of Thu 13 May = 23:00 UTC (IST).
    start = local(DUBLIN, 2027, 3, 15, 9)
    assert date(2027, 3, 26) not in holiday_dates("cbi-cpc")
    assert due("cbi-cpc", "final_response", start) == utc(2027, 5, 13, 23)
    # The first update is due after 20 business days: Wed 14 Apr (20) -> 23:00 UTC.
    assert due("cbi-cpc", "update", start) == utc(2027, 4, 14, 23)


# -- Ofcom and Ofgem: 8 weeks ---------------------------------------------------------------------


def test_ofcom_eight_weeks_from_new_years_eve_after_hours() -> None:
    # Thu 31 Dec 2026 22:00 + 56 = Thu 25 Feb 2027 -> 00:00 GMT 26 Feb.
    start = london(2026, 12, 31, 22)
    assert due("ofcom", "final_response", start) == utc(2027, 2, 26)
    assert due("ofcom", "final_response", start, subdivision="NIR") == utc(2027, 2, 26)


def test_ofgem_eight_weeks_from_a_sunday_on_the_clock_change() -> None:
    # Sun 29 Mar 2026 12:00 BST + 56 = Sun 24 May -> 00:00 BST 25 May = 23:00 UTC 24 May.
    assert due("ofgem", "final_response", london(2026, 3, 29, 12)) == utc(2026, 5, 24, 23)


def test_ofgem_covers_great_britain_only() -> None:
    with pytest.raises(ValidationError) as e:
        preset("ofgem").calendar(subdivision="NIR")
    assert e.value.field == "subdivision"
    assert "ENG, WLS, SCT" in e.value.reason


# -- NHS England ----------------------------------------------------------------------------------


def test_nhs_acknowledgement_over_christmas() -> None:
    # Thu 24 Dec 2026 11:00: 25, 26/27, 28 are holiday or weekend; 29 (1), 30 (2), Thu 31 (3)
    # -> 00:00 GMT 1 Jan 2027.
    assert due("nhs-england", "acknowledgement", london(2026, 12, 24, 11)) == utc(2027, 1, 1)


def test_nhs_acknowledgement_over_easter() -> None:
    # Thu 25 Mar 2027 16:00: 26 Good Friday, 27/28 weekend, 29 Easter Monday; 30 (1), 31 (2),
    # Thu 1 Apr (3) -> 00:00 BST 2 Apr = 23:00 UTC 1 Apr.
    assert due("nhs-england", "acknowledgement", london(2027, 3, 25, 16)) == utc(2027, 4, 1, 23)


def test_nhs_six_months_are_calendar_months_counting_the_day_of_receipt() -> None:
    # Received 15 Jan 2026: six months beginning that day end on 14 Jul
    # -> 00:00 BST 15 Jul = 23:00 UTC 14 Jul.
    assert due("nhs-england", "final_response", london(2026, 1, 15, 10)) == utc(2026, 7, 14, 23)
    # Received 1 Mar 2026: six months end on 31 Aug.
    assert due("nhs-england", "final_response", london(2026, 3, 1, 10)) == utc(2026, 8, 31, 23)
    # Received 31 Aug 2026: 28 Feb 2027 is the last day of that month; minus the day of
    # receipt -> 27 Feb, 00:00 GMT 28 Feb.
    assert due("nhs-england", "final_response", london(2026, 8, 31, 10)) == utc(2027, 2, 28)


def test_nhs_counts_english_bank_holidays_only() -> None:
    assert preset("nhs-england").subdivisions == ("ENG",)
    with pytest.raises(ValidationError):
        preset("nhs-england").policy(subdivision="WLS")


# -- SPSO model procedure (Scotland) --------------------------------------------------------------


def test_spso_stage_1_across_scottish_new_year() -> None:
    # Wed 30 Dec 2026 is day 1, 31 Dec day 2; 1 Jan, 2/3 weekend and Mon 4 Jan (the 2 January
    # substitute) are closed; 5 (3), 6 (4), Thu 7 Jan (5) -> 00:00 GMT 8 Jan.
    assert due("spso-stage-1", "final_response", london(2026, 12, 30, 10)) == utc(2027, 1, 8)


def test_spso_day_one_is_the_day_of_receipt_even_after_hours() -> None:
    # Received Wed 30 Dec 2026 22:00: still day 1, so the same deadline.
    assert due("spso-stage-1", "final_response", london(2026, 12, 30, 22)) == utc(2027, 1, 8)
    # Received Sat 2 Jan 2027: day 1 is the next working day, Tue 5 Jan; day 5 is Mon 11 Jan.
    assert due("spso-stage-1", "final_response", london(2027, 1, 2, 10)) == utc(2027, 1, 12)


def test_spso_stage_1_over_st_andrews_day() -> None:
    # Fri 27 Nov 2026 (1); 28/29 weekend; Mon 30 Nov St Andrew's Day; 1 (2), 2 (3), 3 (4),
    # Fri 4 Dec (5) -> 00:00 GMT 5 Dec.
    assert due("spso-stage-1", "final_response", london(2026, 11, 27, 12)) == utc(2026, 12, 5)


def test_spso_stage_2_acknowledgement_and_decision() -> None:
    # Wed 30 Dec 2026: 30 (1), 31 (2), 5 Jan (3) -> ack by 00:00 6 Jan. Decision: 5..8 Jan
    # (3-6), 11..15 (7-11), 18..22 (12-16), 25..28 (17-20) -> 00:00 GMT Fri 29 Jan.
    start = london(2026, 12, 30, 10)
    assert due("spso-stage-2", "acknowledgement", start) == utc(2027, 1, 6)
    assert due("spso-stage-2", "final_response", start) == utc(2027, 1, 29)


# -- UAE CBUAE ------------------------------------------------------------------------------------


DUBAI = "Asia/Dubai"


def test_cbuae_over_eid_al_fitr_2026() -> None:
    # Wed 18 Mar 2026 20:00 Dubai: 19-22 Mar are the Eid al-Fitr holidays (per the holidays
    # package); Mon 23 (1), Tue 24 (2) -> ack by 00:00 GST 25 Mar = 20:00 UTC 24 Mar.
    # Final: 25 (3), 26 (4), Fri 27 (5; Friday is a working day), 30 (6), 31 (7), 1 Apr (8),
    # 2 (9), Fri 3 Apr (10) -> 20:00 UTC 3 Apr.
    assert {date(2026, 3, d) for d in range(19, 23)} <= holiday_dates("cbuae")
    start = local(DUBAI, 2026, 3, 18, 20)
    assert due("cbuae", "acknowledgement", start) == utc(2026, 3, 24, 20)
    assert due("cbuae", "final_response", start) == utc(2026, 4, 3, 20)


def test_cbuae_across_new_year() -> None:
    # Wed 31 Dec 2025: 1 Jan holiday, Fri 2 Jan (1), Mon 5 Jan (2) -> 20:00 UTC 5 Jan.
    assert due("cbuae", "acknowledgement", local(DUBAI, 2025, 12, 31, 12)) == utc(2026, 1, 5, 20)


# -- calendars and versions -----------------------------------------------------------------------


def test_calendar_defaults_and_version() -> None:
    from importlib import metadata

    cal = preset("fca-disp-1.6").calendar()
    assert cal.zone == "Europe/London"
    assert cal.week[0][0].start == time(9) and cal.week[0][0].end == time(17)
    assert cal.week[5] == () and cal.week[6] == ()
    assert cal.version == f"fca-disp-1.6 GB-ENG 2020-2035 holidays {metadata.version('holidays')}"
    years = {h.date.year for h in cal.holidays}
    assert years == set(DEFAULT_YEARS)


def test_calendar_version_names_years_hours_and_zone() -> None:
    p = preset("fca-disp-1.6")
    cal = p.calendar(
        subdivision="SCT",
        years=[2025, 2026, 2028],
        hours=[(time(8), time(18))],
        zone="Europe/Dublin",
    )
    assert "GB-SCT 2025-2026,2028" in cal.version
    assert cal.version.endswith("hours 08:00-18:00 zone Europe/Dublin")
    assert cal.zone == "Europe/Dublin"
    assert {h.date.year for h in cal.holidays} == {2025, 2026, 2028}
    assert cal != p.calendar(subdivision="SCT")


def test_calendars_are_values() -> None:
    p = preset("cbi-cpc")
    assert p.calendar() == p.calendar()
    assert p.calendar().fingerprint() == p.calendar().fingerprint()


def test_uae_works_monday_to_friday() -> None:
    cal = preset("cbuae").calendar()
    assert [bool(day) for day in cal.week] == [True] * 5 + [False] * 2


# -- bad input ------------------------------------------------------------------------------------


def test_bad_subdivision_names_the_known_ones() -> None:
    with pytest.raises(ValidationError) as e:
        preset("fca-disp-1.6").policy(subdivision="XYZ")
    assert e.value.field == "subdivision"
    assert "ENG, WLS, SCT, NIR" in e.value.reason
    with pytest.raises(ValidationError) as e:
        preset("cfpb").calendar(subdivision="NY")
    assert "known: none" in e.value.reason


def test_calendar_and_subdivision_together_are_refused() -> None:
    with pytest.raises(ValidationError) as e:
        preset("fca-disp-1.6").policy(calendar=BusinessCalendar.always_open(), subdivision="SCT")
    assert e.value.field == "subdivision"


def test_a_cutoff_needs_a_cutoff_rule() -> None:
    with pytest.raises(ValidationError) as e:
        preset("fca-disp-1.6").policy(cutoff=time(17))
    assert e.value.field == "cutoff"
    with pytest.raises(ValidationError) as e:
        preset("fca-disp-1.5").policy(cutoff=dt.time(17, tzinfo=UTC))
    assert e.value.field == "cutoff"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"years": []}, "years"),
        ({"years": ["2026"]}, "years"),
        ({"zone": "Mars/Olympus"}, "zone"),
        ({"hours": [(time(9), "17:00")]}, "hours"),
    ],
)
def test_bad_calendar_arguments(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as e:
        preset("fca-disp-1.6").calendar(**kwargs)  # type: ignore[arg-type]
    assert e.value.field == field


def _metric() -> Metric:
    return preset("cfpb").metric("final_response")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "Not Kebab"}, "name"),
        ({"sources": ()}, "sources"),
        ({"as_of": dt.datetime(2026, 1, 1, tzinfo=UTC)}, "as_of"),
        ({"zone": "Nowhere/Else"}, "zone"),
        ({"metrics": ()}, "metrics"),
        ({"metrics": (_metric(), _metric())}, "metrics"),
        ({"cutoff_metrics": ("summary_resolution",)}, "cutoff_metrics"),
        ({"days": (7,)}, "days"),
        ({"subdivisions": ("NY",), "holidays_country": None}, "subdivisions"),
        (
            {"subdivisions": ("NY",), "subdivision_zones": {"CA": "America/Los_Angeles"}},
            "subdivision_zones",
        ),
    ],
)
def test_presets_validate_themselves(change: dict[str, object], field: str) -> None:
    base: dict[str, object] = {
        "name": "acme",
        "title": "Acme",
        "jurisdiction": "Nowhere",
        "clock_starts": "receipt",
        "sources": ("https://example.org",),
        "as_of": date(2026, 1, 1),
        "holidays_country": "US",
        "zone": "UTC",
        "metrics": (_metric(),),
    }
    base.update(change)
    with pytest.raises(ValidationError) as e:
        Preset(**base)  # type: ignore[arg-type]
    assert e.value.field == field


def test_unknown_metric_of_a_preset() -> None:
    with pytest.raises(ValidationError) as e:
        preset("cfpb").metric("acknowledgement")
    assert e.value.field == "metric"
    assert "first_response, final_response" in e.value.reason


# -- the presets in a desk ---------------------------------------------------------------------


def _desk_with(name: str) -> tuple[ComplaintDesk, str]:
    """A desk whose complaints fall under preset ``name``, with one complaint received on
    Wed 23 Dec 2026 16:00 UTC and acknowledged."""
    config = SlaConfig(policies=(preset(name).policy(),), default=name)
    desk = ComplaintDesk(sla=config, clock=FixedClock(utc(2026, 12, 23, 16)))
    complaint = desk.receive(
        sample_actor(), complainant=sample_complainant(), channel=Channel.EMAIL, description="x"
    )
    desk.acknowledge(complaint.reference, sample_actor())
    return desk, complaint.reference


def test_an_eight_week_letter_sent_in_time_meets_disp_16() -> None:
    desk, ref = _desk_with("fca-disp-1.6")
    desk.record_communication(
        ref,
        sample_actor(),
        Communication(
            direction=Direction.OUTBOUND,
            channel=Channel.EMAIL,
            kind=CommunicationKind.HOLDING_RESPONSE,
            summary="We need more time; you may refer the complaint to the ombudsman now.",
        ),
    )
    report = desk.sla_status(ref, as_of=utc(2027, 3, 1))
    assert report is not None
    assert report.metric("final_response").status is SlaStatus.MET


@pytest.mark.parametrize(
    ("name", "kind"),
    [("fca-disp-1.6", ExtensionKind.HOLDING_RESPONSE), ("asic-rg-271", ExtensionKind.DELAY_NOTICE)],
)
def test_a_holding_response_or_delay_notice_extension_meets_the_deadline(
    name: str, kind: ExtensionKind
) -> None:
    desk, ref = _desk_with(name)
    desk.extend_deadline(ref, sample_actor(), metric="final_response", kind=kind, reason="complex")
    report = desk.sla_status(ref, as_of=utc(2027, 3, 1))
    assert report is not None
    assert report.metric("final_response").status is SlaStatus.MET
