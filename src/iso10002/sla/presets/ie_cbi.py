"""Ireland, Central Bank of Ireland: the Consumer Protection Code's complaint time limits."""

from __future__ import annotations

from iso10002.sla.policy import Metric
from iso10002.sla.presets._blocks import (
    CHECKED,
    DECISION,
    NO_PAUSE,
    acknowledgement,
    business_days,
    updates,
)
from iso10002.sla.presets._preset import Preset

__all__ = ["consumer_protection_code"]


def consumer_protection_code() -> Preset:
    """``cbi-cpc``: acknowledge in 5 business days, update every 20, resolve in 40."""
    return Preset(
        name="cbi-cpc",
        title="Central Bank of Ireland Consumer Protection Code: acknowledge in 5 business "
        "days, update every 20, resolve in 40",
        jurisdiction="Ireland: regulated financial service providers (Consumer Protection "
        "Code 2012, ch. 10; modernised Code from 24 March 2026)",
        clock_starts="receipt of the complaint",
        sources=(
            "https://complaintlab.com/resources/knowledge-base/ireland-cbi-complaint-handling",
            (
                "https://www.mondaq.com/ireland/dodd-frank-consumer-protection-act/1603060/the-consumer-protection-code-is-modernised"
            ),
        ),
        as_of=CHECKED,
        notes=(
            "The 5 business-day acknowledgement is unconfirmed.",
            "The 20 business-day update interval is unconfirmed.",
            (
                "The 40 business-day resolution is partly confirmed; the modernised Code "
                "(applying from 24 March 2026) keeps it."
            ),
            (
                "The provision number (10.9), and the duties to explain a longer timeframe "
                "after 40 business days and to send the outcome within 5 business days of the "
                "end of the investigation, are unconfirmed and not encoded."
            ),
            (
                "Business days are counted from the day after receipt; deadlines are at the "
                "end of the last business day. Payment services complaints follow reg. 124 "
                "(use eu-psd2-art-101 with an Irish calendar)."
            ),
            NO_PAUSE,
        ),
        holidays_country="IE",
        zone="Europe/Dublin",
        metrics=(
            acknowledgement(business_days(5), "Written acknowledgement within 5 business days"),
            updates(business_days(20), "Update the complainant at intervals of 20 business days"),
            Metric(
                name="final_response",
                description="Investigate and resolve within 40 business days",
                target=business_days(40),
                stop=(DECISION,),
            ),
        ),
    )
