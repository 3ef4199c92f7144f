"""Australia, Securities and Investments Commission: internal dispute resolution under RG 271."""

from __future__ import annotations

from iso10002.model.values import ExtensionKind
from iso10002.sla.presets._blocks import (
    CHECKED,
    NO_PAUSE,
    acknowledgement,
    business_days,
    calendar_days,
    met_by_letter,
)
from iso10002.sla.presets._preset import Preset

__all__ = ["rg_271", "rg_271_default_notice", "rg_271_hardship", "rg_271_superannuation"]

_AU_ZONES = {  # New South Wales first: the default
    "NSW": "Australia/Sydney",
    "ACT": "Australia/Sydney",
    "NT": "Australia/Darwin",
    "QLD": "Australia/Brisbane",
    "SA": "Australia/Adelaide",
    "TAS": "Australia/Hobart",
    "VIC": "Australia/Melbourne",
    "WA": "Australia/Perth",
}
_RG_271_SOURCES = (
    "https://allens.com.au/insights-news/insights/2021/08/get-ready-for-the-idr-changes",
    "https://www.investordaily.com.au/regulation/47568-asic-cuts-down-response-times-for-disputes",
    (
        "https://insurancenews.com.au/life-insurance/asic-surveillance-finds-compliance-issues-with-trustees-idr-practices"
    ),
    "https://cashlab.com.au/pages/complaints",
)
_RG_271_NOTES = (
    (
        "Acknowledgement 'within 24 hours (or 1 business day)': counted as the end of the next "
        "business day after the day of receipt."
    ),
    (
        "A complaint resolved by the end of the 5th business day after receipt needs no written "
        "IDR response (unless asked for, or a hardship complaint); this is not a deadline and is "
        "not encoded."
    ),
    (
        "An IDR delay notification (reasons and the right to go to AFCA) given before the deadline "
        "meets it: record it as a delay_notice extension of final_response. RG 271 sets no later "
        "deadline, so the extended target equals the target."
    ),
    (
        "Calendar days are counted from the day after receipt; the deadline is the end of the last "
        "day in the zone of the chosen state."
    ),
    NO_PAUSE,
)


def _rg_271(name: str, title: str, days: int, extra_notes: tuple[str, ...] = ()) -> Preset:
    return Preset(
        name=name,
        title=title,
        jurisdiction="Australia: financial firms under ASIC RG 271 (complaints received on or "
        "after 5 October 2021)",
        clock_starts="receipt of the complaint",
        sources=_RG_271_SOURCES,
        as_of=CHECKED,
        notes=_RG_271_NOTES + extra_notes,
        holidays_country="AU",
        subdivisions=tuple(_AU_ZONES),
        zone="Australia/Sydney",
        subdivision_zones=_AU_ZONES,
        metrics=(
            acknowledgement(
                business_days(1), "Acknowledge within 24 hours (or 1 business day) of receipt"
            ),
            met_by_letter(
                f"IDR response within {days} calendar days, or an IDR delay notification "
                "before then",
                ExtensionKind.DELAY_NOTICE,
                calendar_days(days),
            ),
        ),
    )


def rg_271() -> Preset:
    """``asic-rg-271``: acknowledge in 1 business day, IDR response in 30 calendar days."""
    return _rg_271(
        "asic-rg-271",
        "ASIC RG 271: acknowledge in 1 business day, IDR response in 30 calendar days",
        30,
    )


def rg_271_superannuation() -> Preset:
    """``asic-rg-271-superannuation``: superannuation trustees, IDR response in 45 calendar days."""
    return _rg_271(
        "asic-rg-271-superannuation",
        "ASIC RG 271, superannuation trustees: IDR response in 45 calendar days",
        45,
        (
            (
                "Death-benefit distribution complaints have their own timeframe (reportedly 90 "
                "days after the 28-day objection period ends); unconfirmed and not encoded."
            ),
        ),
    )


def rg_271_default_notice() -> Preset:
    """``asic-rg-271-default-notice``: about a default notice, IDR response in 21 calendar days."""
    return _rg_271(
        "asic-rg-271-default-notice",
        "ASIC RG 271, complaints about a default notice: IDR response in 21 calendar days",
        21,
        (
            (
                "The 21-day figure is partly confirmed: it comes from a firm's policy "
                "restating RG 271."
            ),
        ),
    )


def rg_271_hardship() -> Preset:
    """``asic-rg-271-hardship``: hardship and enforcement, IDR response in 21 calendar days."""
    return _rg_271(
        "asic-rg-271-hardship",
        "ASIC RG 271, hardship and enforcement-proceedings complaints: IDR response in 21 "
        "calendar days",
        21,
        (
            (
                "The 21-day figure is partly confirmed: it comes from a firm's policy "
                "restating RG 271. A hardship complaint always needs a written IDR response."
            ),
        ),
    )
