"""United Kingdom, Ofcom: communications providers' ADR letter at deadlock or after 8 weeks."""

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

__all__ = ["communications"]


def communications() -> Preset:
    """``ofcom``: final response or ADR letter by the end of 8 weeks."""
    return Preset(
        name="ofcom",
        title="Ofcom: ADR letter at deadlock or after 8 weeks",
        jurisdiction="United Kingdom: communications providers",
        clock_starts="receipt of the complaint",
        sources=(
            (
                "https://partners.ombudsman-services.org/resources/guidance-notes/eight-week-and-deadlock-letters-communications"
            ),
        ),
        as_of=CHECKED,
        notes=(
            EIGHT_WEEK_READING,
            (
                "final_response is met by the final (deadlock) response or by the 8-week ADR "
                "letter, recorded as an outbound communication of kind holding_response or a "
                "holding_response extension."
            ),
            NO_PAUSE,
        ),
        holidays_country="GB",
        subdivisions=UK,
        zone=LONDON,
        metrics=(
            met_by_letter(
                "Final response or ADR letter (deadlock or 8 weeks after receipt)",
                ExtensionKind.HOLDING_RESPONSE,
                EIGHT_WEEKS,
            ),
        ),
    )
