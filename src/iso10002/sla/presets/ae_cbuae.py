"""United Arab Emirates, Central Bank of the UAE: rulebook 17.3 turnaround times."""

from __future__ import annotations

from iso10002.sla.policy import Metric
from iso10002.sla.presets._blocks import CHECKED, DECISION, NO_PAUSE, acknowledgement, business_days
from iso10002.sla.presets._preset import Preset

__all__ = ["rulebook_17_3"]


def rulebook_17_3() -> Preset:
    """``cbuae``: acknowledge in 2 business days, final response in 10."""
    return Preset(
        name="cbuae",
        title="Central Bank of the UAE rulebook 17.3: acknowledge in 2 business days, "
        "final response in 10",
        jurisdiction="United Arab Emirates: licensed financial institutions (N 35/2018 STA)",
        clock_starts="receipt of the complaint",
        sources=("https://cbuae.thomsonreuters.com/en/rulebook/173-turnaround-time",),
        as_of=CHECKED,
        notes=(
            (
                "Business days are Monday to Friday, the UAE working week since January 2022; "
                "this choice is unconfirmed by the sources. Islamic holidays in the holidays "
                "package follow its estimated lunar calendar."
            ),
            (
                "Business days are counted from the day after receipt; deadlines are at the "
                "end of the last business day."
            ),
            (
                "Receipt is confirmed by SMS or e-mail. When the final response is overdue the "
                "customer is updated on the next business day; that follow-up is not encoded."
            ),
            NO_PAUSE,
        ),
        holidays_country="AE",
        zone="Asia/Dubai",
        metrics=(
            acknowledgement(
                business_days(2), "Confirm receipt by SMS or e-mail within 2 business days"
            ),
            Metric(
                name="final_response",
                description="Resolve and send the final response within 10 business days",
                target=business_days(10),
                stop=(DECISION,),
            ),
        ),
    )
