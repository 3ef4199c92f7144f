"""England, the NHS and adult social care complaints regulations (SI 2009/309)."""

from __future__ import annotations

from iso10002.model.values import ExtensionKind
from iso10002.sla.policy import Metric, Target, Unit
from iso10002.sla.presets._blocks import (
    CHECKED,
    DECISION,
    LONDON,
    NO_PAUSE,
    acknowledgement,
    business_days,
)
from iso10002.sla.presets._preset import Preset

__all__ = ["nhs_england"]


def nhs_england() -> Preset:
    """``nhs-england``: acknowledge in 3 working days, respond in 6 months or an agreed period."""
    return Preset(
        name="nhs-england",
        title="NHS England and adult social care: acknowledge in 3 working days, respond "
        "in 6 months or an agreed period",
        jurisdiction="England: NHS bodies and adult social care (SI 2009/309)",
        clock_starts="the day of receipt of the complaint",
        sources=(
            "http://legislation.data.gov.uk/uksi/2012/3094/part/5/made",
            "https://legislation.gov.uk/en/uksi/2012/3094/regulation/29/made",
        ),
        as_of=CHECKED,
        notes=(
            (
                "Acknowledge (and offer to discuss the handling) not later than 3 working days "
                "after the day of receipt: counting starts the next working day, due at the "
                "end of the 3rd. Working days exclude weekends and the bank holidays of "
                "England."
            ),
            (
                "There is no fixed response deadline: the period is agreed in that discussion; "
                "record it as an agreed extension of final_response with its date."
            ),
            (
                "Six months are counted as calendar months from the day of receipt, that day "
                "included: received 15 January, due by the end of 14 July."
            ),
            NO_PAUSE,
        ),
        holidays_country="GB",
        subdivisions=("ENG",),
        zone=LONDON,
        metrics=(
            acknowledgement(
                business_days(3), "Acknowledge within 3 working days after the day of receipt"
            ),
            Metric(
                name="final_response",
                description="Respond within 6 months, or a longer period agreed with the "
                "complainant",
                target=Target(amount=6, unit=Unit.MONTHS, count_start_day=True),
                stop=(DECISION,),
                extensions=(ExtensionKind.AGREED,),
            ),
        ),
    )
