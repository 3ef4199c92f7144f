"""Great Britain, Ofgem: energy suppliers' 8-week or deadlock letter to the Energy Ombudsman."""

from __future__ import annotations

from iso10002.model.values import ExtensionKind
from iso10002.sla.presets._blocks import (
    CHECKED,
    EIGHT_WEEK_READING,
    EIGHT_WEEKS,
    LONDON,
    NO_PAUSE,
    UK,
    met_by_letter,
)
from iso10002.sla.presets._preset import Preset

__all__ = ["energy"]


def energy() -> Preset:
    """``ofgem``: final response, deadlock letter or 8-week letter."""
    return Preset(
        name="ofgem",
        title="Ofgem: 8-week or deadlock letter to the Energy Ombudsman",
        jurisdiction="Great Britain: gas and electricity suppliers (Consumer Complaints "
        "Handling Standards Regulations 2008)",
        clock_starts="receipt of the complaint",
        sources=(
            (
                "https://partners.ombudsman-services.org/resources/guidance-notes/eight-week-and-deadlock-letters-energy"
            ),
            "http://www.legislation.gov.uk/uksi/2008/2355/regulation/9/made",
        ),
        as_of=CHECKED,
        notes=(
            EIGHT_WEEK_READING,
            (
                "final_response is met by the deadlock letter (the final position) or by the "
                "8-week letter, recorded as an outbound communication of kind holding_response "
                "or a holding_response extension."
            ),
            NO_PAUSE,
        ),
        holidays_country="GB",
        subdivisions=UK[:3],
        zone=LONDON,
        metrics=(
            met_by_letter(
                "Final response, deadlock letter or 8-week letter",
                ExtensionKind.HOLDING_RESPONSE,
                EIGHT_WEEKS,
            ),
        ),
    )
