"""
The built-in template set: every kind in British English, and the acknowledgement and the
decision letter in French, to show how a translation is added.

The files live in ``iso10002/letters/templates/`` in the same layout an organisation's own
directory uses, so copying one is the way to start an override. The translations are plain and
were checked for correctness, but an organisation must have its own translations reviewed (and
its regulator's required wording checked) before it sends them.
"""

from __future__ import annotations

import functools
from importlib import resources

from iso10002.letters.catalogue import TemplateSet
from iso10002.letters.files import load_directory

__all__ = ["BUILTIN_ORIGIN", "builtin_templates"]

BUILTIN_ORIGIN = "built-in"
"""The ``origin`` of the built-in templates, and the prefix of their names in errors."""


@functools.lru_cache(maxsize=1)
def builtin_templates() -> TemplateSet:
    """The built-in template set (English for every kind; French for two)."""
    directory = resources.files("iso10002.letters").joinpath("templates")
    return load_directory(directory, label=BUILTIN_ORIGIN)
