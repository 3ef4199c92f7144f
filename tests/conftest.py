"""
Hypothesis settings: random examples on a developer's machine, where finding a new failing case
is the point; the same examples on every CI run (``CI`` set), so that a run fails only because
the code changed. A failure found locally is kept in the example database and replayed first.
"""

from __future__ import annotations

import os

from hypothesis import settings

# The throwaway PostgreSQL server (a session fixture), for every test that asks for it.
pytest_plugins = ("tests.storage.pg_cluster",)

# No deadline: an example's wall time says how busy the machine is, not whether the code is
# right (speed is measured by benchmarks/, not by tests).
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
