"""
The ``iso10002`` command line: a demonstration that simulates a month of complaints handling,
and commands to inspect the result (``show``, ``history``, ``list``, ``workflow``).

It uses only the library's public API; nothing in the library imports it.
"""

from __future__ import annotations

from iso10002.cli._app import main

__all__ = ["main"]
