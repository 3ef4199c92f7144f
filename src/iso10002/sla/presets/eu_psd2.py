"""European Union, the Payment Services Directive (EU) 2015/2366: complaints under Art. 101."""

from __future__ import annotations

from iso10002.sla.presets._blocks import CHECKED, NO_PAUSE, two_stage
from iso10002.sla.presets._preset import Preset

__all__ = ["article_101"]


def article_101() -> Preset:
    """``eu-psd2-art-101``: reply in 15 business days (35 after a holding reply)."""
    return Preset(
        name="eu-psd2-art-101",
        title="EU PSD2 Art. 101: reply in 15 business days (35 after a holding reply)",
        jurisdiction="European Union: payment service providers under Directive (EU) "
        "2015/2366 (as transposed; Member States may be more favourable to the user)",
        clock_starts="receipt of the complaint",
        sources=(
            "Directive (EU) 2015/2366, Article 101 (EBA single rulebook)",
            "https://service.betterregulation.com/document/318523",
        ),
        as_of=CHECKED,
        notes=(
            (
                "The calendar has no holidays: 'business day' is the payment service "
                "provider's own, so pass a calendar of the Member State, e.g. "
                "BusinessCalendar.standard(..., holidays=holidays_from_package('IE', "
                "years=...))."
            ),
            (
                "Business days are counted from the day after receipt; the deadline is the end "
                "of the 15th (or 35th) business day."
            ),
            (
                "A holding reply (reasons beyond the provider's control and the date of the "
                "final reply) extends final_response to 35 business days from receipt."
            ),
            NO_PAUSE,
        ),
        holidays_country=None,
        zone="Europe/Brussels",
        metrics=(two_stage(15, 35),),
    )
