"""
A complete complaints web application on FastAPI: a complaint form with idempotent intake, a
status page for complainants, a staff console, a report page and a background worker.

Start it with ``python -m examples.webapp`` from the repository's root; see README.md.
"""
