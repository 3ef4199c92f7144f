"""United Kingdom, Financial Conduct Authority: the DISP complaint-handling time limits."""

from __future__ import annotations

from iso10002.model.values import ExtensionKind
from iso10002.sla.policy import DueAt, Metric, On, ReopenRule
from iso10002.sla.presets._blocks import (
    CHECKED,
    EIGHT_WEEK_READING,
    EIGHT_WEEKS,
    LONDON,
    NO_PAUSE,
    UK,
    business_days,
    met_by_letter,
    two_stage,
)
from iso10002.sla.presets._preset import Preset

__all__ = ["disp_1_5", "disp_1_6", "disp_1_6_2a"]

_ACCEPTED = On(event="reaction_recorded", where={"reaction": "accepts"})
_RESOLVED = On(event="closed", where={"reason": "resolved"})

_FCA_DISP_16 = (
    "https://handbook.fca.org.uk/handbook/DISP/1/6.html?date=2012-02-14&timeline=True",
    "https://handbook.fca.org.uk/handbook/disp1/disp1s6?date=01-06-2026&timeline=true",
    "https://www.handbook.fca.org.uk/handbook/DISP/2/8.html?date=2016-03-31",
    "https://handbook.fca.org.uk/handbook/glossary/G120.html?date=2005-02-03",
)

_DISP_16_FINAL = met_by_letter(
    "Final response, or a holding response explaining the delay and the right to refer to the "
    "Financial Ombudsman Service, by the end of 8 weeks after receipt",
    ExtensionKind.HOLDING_RESPONSE,
    EIGHT_WEEKS,
)


def disp_1_6() -> Preset:
    """``fca-disp-1.6``: final or holding response by the end of 8 weeks."""
    return Preset(
        name="fca-disp-1.6",
        title="FCA DISP 1.6: final or holding response by the end of 8 weeks",
        jurisdiction="United Kingdom: firms regulated by the Financial Conduct Authority",
        clock_starts="receipt of the complaint",
        sources=_FCA_DISP_16,
        as_of=CHECKED,
        notes=(
            EIGHT_WEEK_READING,
            (
                "A holding response (why the firm cannot reply yet, when it expects to, and "
                "the immediate right to refer to the ombudsman) also meets the deadline: "
                "record it as a holding_response extension of final_response, or as an "
                "outbound communication of kind holding_response. It does not move the "
                "deadline, so the extended target equals the target."
            ),
            (
                "DISP 1.6 asks for a 'prompt' written acknowledgement stating the deadline but "
                "gives no number, so this preset has no acknowledgement metric; add one as the "
                "firm's own policy if wanted."
            ),
            (
                "Business days exclude weekends, Christmas Day, Good Friday and the bank "
                "holidays of the relevant part of the UK (ENG, WLS, SCT, NIR); the 8-week "
                "deadline itself counts calendar days."
            ),
            NO_PAUSE,
        ),
        holidays_country="GB",
        subdivisions=UK,
        zone=LONDON,
        metrics=(_DISP_16_FINAL,),
    )


def disp_1_5() -> Preset:
    """``fca-disp-1.5``: summary resolution by the 3rd business day, with DISP 1.6 alongside."""
    return Preset(
        name="fca-disp-1.5",
        title="FCA DISP 1.5: summary resolution by close of business on the 3rd business "
        "day after the day of receipt",
        jurisdiction="United Kingdom: firms regulated by the Financial Conduct Authority",
        clock_starts="the day of receipt of the complaint",
        sources=(
            "https://public-ui-fcahandbook-dev.azurewebsites.net/handbook/disp1/disp1s5",
            "https://www.handbook.fca.org.uk/handbook/DISP/1/5.html?date=2007-12-02",
            *_FCA_DISP_16[1:2],
        ),
        as_of=CHECKED,
        notes=(
            (
                "summary_resolution is met when the complainant accepts the response (which "
                "need not be written) by close of business on the 3rd business day after the "
                "day of receipt. Missing it is not a breach: the complaint then falls under "
                "DISP 1.6, whose 8-week final_response metric runs alongside from receipt."
            ),
            (
                "Optional receipt cut-off (DISP 1.5.3G in the 2007 and 2012 texts): a "
                "complaint received after close of business or on a non-business day may be "
                "treated as received on the next business day. Off by default; turn it on with "
                "policy(cutoff=time(17)). Whether the current text keeps this guidance is "
                "unconfirmed."
            ),
            (
                "Until 30 June 2016 the window was the next business day; this preset encodes "
                "the 3rd business day in force since."
            ),
            EIGHT_WEEK_READING,
            NO_PAUSE,
        ),
        holidays_country="GB",
        subdivisions=UK,
        zone=LONDON,
        metrics=(
            Metric(
                name="summary_resolution",
                description="Resolved to the complainant's satisfaction by close of "
                "business on the 3rd business day after the day of receipt",
                target=business_days(3, due_at=DueAt.CLOSE_OF_BUSINESS),
                stop=(_ACCEPTED, _RESOLVED),
                on_reopen=ReopenRule.KEEP,
            ),
            _DISP_16_FINAL,
        ),
        cutoff_metrics=("summary_resolution",),
    )


def disp_1_6_2a() -> Preset:
    """``fca-disp-1.6.2a``: payment services and e-money, 15 business days (35 if held)."""
    return Preset(
        name="fca-disp-1.6.2a",
        title="FCA DISP 1.6.2A: payment services and e-money complaints, final response in "
        "15 business days (35 after a holding response)",
        jurisdiction="United Kingdom: payment service providers and e-money issuers",
        clock_starts="receipt of the complaint",
        sources=(
            *_FCA_DISP_16[1:2],
            "https://handbook.fca.org.uk/handbook/DISP/2/8.html?date=2024-04-02&timeline=True",
            _FCA_DISP_16[3],
        ),
        as_of=CHECKED,
        notes=(
            (
                "Business days are counted from the day after receipt; the deadline is the end "
                "of the 15th (or 35th) business day."
            ),
            (
                "In exceptional circumstances a holding response within 15 business days "
                "giving the reasons and the final deadline extends final_response to 35 "
                "business days from receipt."
            ),
            (
                "The prompt acknowledgement (stating the 15/35 business-day deadlines) has no "
                "number, so it is not a metric here."
            ),
            NO_PAUSE,
        ),
        holidays_country="GB",
        subdivisions=UK,
        zone=LONDON,
        metrics=(two_stage(15, 35),),
    )
