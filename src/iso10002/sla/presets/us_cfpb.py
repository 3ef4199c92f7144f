"""United States, Consumer Financial Protection Bureau: the company portal's response times."""

from __future__ import annotations

from iso10002.sla.policy import Metric, ReopenRule
from iso10002.sla.presets._blocks import CHECKED, DECISION, NO_PAUSE, calendar_days, outbound
from iso10002.sla.presets._preset import Preset

__all__ = ["company_portal"]


def company_portal() -> Preset:
    """``cfpb``: response in 15 days, final response in 60 days."""
    return Preset(
        name="cfpb",
        title="US CFPB company portal: response in 15 days, final response in 60 days",
        jurisdiction="United States: companies answering complaints routed by the Consumer "
        "Financial Protection Bureau",
        clock_starts="the date the complaint is sent to the company (CFPB portal)",
        sources=(
            (
                "https://stg.fintechfutures.com/2015/05/cfpb-updates-consumer-complaint-manual-may-26-2015"
            ),
            (
                "http://llt4fun.insidearm.com/news/00043245-what-include-interim-response-cfpb-compla"
            ),
            "http://cfpbjournal.com/the-cfpb-has-loosened-consumer-complaint-deadlines/",
            "https://github.com/cfpb/complaint/commit/898374062e042dadb489b25d5bef4e9a597a9c37",
        ),
        as_of=CHECKED,
        notes=(
            (
                "Record the complaint's received_at as the moment it was sent to the company "
                "(date_sent_to_company), not when the CFPB received it."
            ),
            (
                "Calendar days are counted from the day after the complaint was sent; the "
                "deadline is the end of the last day (Eastern time by default). Weekends and "
                "holidays do not move it."
            ),
            (
                "first_response is met by the final response, or by an 'in progress' response "
                "(an outbound progress update or holding response)."
            ),
            NO_PAUSE,
        ),
        holidays_country="US",
        zone="America/New_York",
        metrics=(
            Metric(
                name="first_response",
                description="Respond through the portal within 15 days (a final response, "
                "or 'in progress')",
                target=calendar_days(15),
                stop=(DECISION, outbound("progress_update"), outbound("holding_response")),
                on_reopen=ReopenRule.KEEP,
            ),
            Metric(
                name="final_response",
                description="Close all but the most complicated complaints within 60 days",
                target=calendar_days(60),
                stop=(DECISION,),
            ),
        ),
    )
