"""``python -m iso10002.cli``: the same as the ``iso10002`` command."""

from __future__ import annotations

from iso10002.cli import main

raise SystemExit(main())
