"""
The simulation behind ``iso10002 demo``: a month of complaints handling at a retailer,
compressed into seconds, written through an ordinary :class:`~iso10002.ComplaintDesk`.

It sits above the desk: it uses the desk, a store and the public API, and nothing in the library
imports it. The command line parses the demo's arguments, calls :func:`run_demo` and prints the
result.

- :mod:`._settings`: what a run is asked to do (:class:`DemoSettings`) and what it did
  (:class:`DemoResult`);
- :mod:`._retailer`: the simulated organization, its staff, channels and kinds of complaint
  (data only);
- :mod:`._sla_policy`: the retailer's own timeliness policy;
- :mod:`._office`: office hours and the delays people take within them;
- :mod:`._cases`: the complaints of a run, drawn before any is received;
- :mod:`._handling`: each complaint's life through the workflow, and the loop that runs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iso10002.simulation._handling import run_demo
    from iso10002.simulation._office import working_days
    from iso10002.simulation._settings import DemoResult, DemoSettings, ProgressCallback
    from iso10002.simulation._sla_policy import DEMO_POLICY, demo_sla_config, demo_sla_policy
else:
    from iso10002._lazy import attach as _attach

    __getattr__, __dir__ = _attach(__name__, __file__, globals())

__all__ = [
    "DEMO_POLICY",
    "DemoResult",
    "DemoSettings",
    "ProgressCallback",
    "demo_sla_config",
    "demo_sla_policy",
    "run_demo",
    "working_days",
]
