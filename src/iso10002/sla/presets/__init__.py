"""
Regulator presets: the complaint-handling time limits of regulators and ombudsman schemes, as
data, each with its sources, the date its figures were checked, and its day-counting rules.

A :class:`Preset` is not a policy yet: :meth:`Preset.policy` turns it into an
:class:`~iso10002.sla.policy.SlaPolicy` counted in a
:class:`~iso10002.sla.calendar.BusinessCalendar` built by :meth:`Preset.calendar` (Monday to
Friday, 09:00-17:00 in the preset's zone, closed on a snapshot of the public holidays of the
chosen part of the country).

**No preset pauses its clocks.** None of these regimes has a stop-the-clock provision; they allow
extensions instead, by holding response, delay notice or agreement, which are recorded as
``deadline_extended`` events with their reasons. An organization that wants holds to pause a
clock writes its own policy (see :meth:`~iso10002.sla.policy.Metric.paused_by_holds`) and should
not call it the regulator's.

Figures the sources do not confirm are flagged "unconfirmed" in :attr:`Preset.notes`; check them
against the regulator's own text before relying on them.

The package holds one module per jurisdiction or regulator (``uk_fca``, ``eu_psd2``, ``au_asic``,
``us_cfpb``, ``ie_cbi``, ``uk_ofcom``, ``uk_ofgem``, ``uk_nhs``, ``uk_spso``, ``ae_cbuae``), each
with one function per preset; the registry (:mod:`iso10002.sla.presets._registry`) lists every
preset's name with the function that builds it. A new preset is a function in its jurisdiction's
module and a row in the registry.
"""

from __future__ import annotations

from iso10002.sla.presets._preset import DEFAULT_HOURS, DEFAULT_YEARS, Preset
from iso10002.sla.presets._registry import preset, presets

__all__ = ["DEFAULT_HOURS", "DEFAULT_YEARS", "Preset", "preset", "presets"]
