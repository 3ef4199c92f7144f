"""Scotland, Scottish Public Services Ombudsman: the two stages of its model procedure."""

from __future__ import annotations

from iso10002.model.values import ExtensionKind
from iso10002.sla.policy import Metric
from iso10002.sla.presets._blocks import (
    CHECKED,
    DECISION,
    LONDON,
    NO_PAUSE,
    acknowledgement,
    business_days,
)
from iso10002.sla.presets._preset import Preset

__all__ = ["stage_1", "stage_2"]


def stage_1() -> Preset:
    """``spso-stage-1``: frontline decision in 5 working days."""
    return Preset(
        name="spso-stage-1",
        title="Scottish Public Services Ombudsman model procedure, stage 1 (frontline): "
        "decision in 5 working days",
        jurisdiction="Scotland: public bodies under the SPSO model complaints handling procedure",
        clock_starts="receipt of the complaint",
        sources=("https://www.duellcall.com/complaint-resolution-process/",),
        as_of=CHECKED,
        notes=(
            (
                "The figures are partly confirmed: they come from an organization restating "
                "the SPSO model procedure."
            ),
            (
                "The day of receipt counts as day 1 (the next working day when received on a "
                "non-working day); this reading is unconfirmed. Deadlines are at the end of "
                "the last working day."
            ),
            (
                "An extension by agreement or notice is recorded as an agreed extension with "
                "its new date."
            ),
            NO_PAUSE,
        ),
        holidays_country="GB",
        subdivisions=("SCT",),
        zone=LONDON,
        metrics=(
            Metric(
                name="final_response",
                description="Frontline decision within 5 working days",
                target=business_days(5, count_start_day=True),
                stop=(DECISION,),
                extensions=(ExtensionKind.AGREED,),
            ),
        ),
    )


def stage_2() -> Preset:
    """``spso-stage-2``: investigation, acknowledge in 3 working days and decide in 20."""
    return Preset(
        name="spso-stage-2",
        title="Scottish Public Services Ombudsman model procedure, stage 2 (investigation): "
        "acknowledge in 3 working days, decide in 20",
        jurisdiction="Scotland: public bodies under the SPSO model complaints handling procedure",
        clock_starts="receipt of the complaint at stage 2 (directly or on escalation)",
        sources=("https://www.duellcall.com/complaint-resolution-process/",),
        as_of=CHECKED,
        notes=(
            (
                "The figures are partly confirmed: they come from an organization restating "
                "the SPSO model procedure."
            ),
            (
                "The day of receipt counts as day 1 (the next working day when received on a "
                "non-working day); this reading is unconfirmed. Deadlines are at the end of "
                "the last working day."
            ),
            (
                "The decision may take longer than 20 working days when there is a clear "
                "reason; record the extension, agreed or notified, as an agreed extension with "
                "its new date."
            ),
            NO_PAUSE,
        ),
        holidays_country="GB",
        subdivisions=("SCT",),
        zone=LONDON,
        metrics=(
            acknowledgement(
                business_days(3, count_start_day=True), "Acknowledge within 3 working days"
            ),
            Metric(
                name="final_response",
                description="Stage 2 decision within 20 working days, signposting the SPSO",
                target=business_days(20, count_start_day=True),
                stop=(DECISION,),
                extensions=(ExtensionKind.AGREED,),
            ),
        ),
    )
