"""
The registry of presets: one row per preset, naming it and the function of its jurisdiction's
module that builds it. The rows' order is the order :func:`presets` lists them in.

A preset is built the first time it is asked for and kept: the same name always gives the same
object.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from types import MappingProxyType

from iso10002.errors import ValidationError
from iso10002.sla.presets import (
    ae_cbuae,
    au_asic,
    eu_psd2,
    ie_cbi,
    uk_fca,
    uk_nhs,
    uk_ofcom,
    uk_ofgem,
    uk_spso,
    us_cfpb,
)
from iso10002.sla.presets._preset import Preset

__all__ = ["REGISTRY", "preset", "presets"]

REGISTRY: tuple[tuple[str, Callable[[], Preset]], ...] = (
    # United Kingdom, financial services
    ("fca-disp-1.6", uk_fca.disp_1_6),
    ("fca-disp-1.5", uk_fca.disp_1_5),
    ("fca-disp-1.6.2a", uk_fca.disp_1_6_2a),
    # European Union
    ("eu-psd2-art-101", eu_psd2.article_101),
    # Australia
    ("asic-rg-271", au_asic.rg_271),
    ("asic-rg-271-superannuation", au_asic.rg_271_superannuation),
    ("asic-rg-271-default-notice", au_asic.rg_271_default_notice),
    ("asic-rg-271-hardship", au_asic.rg_271_hardship),
    # United States
    ("cfpb", us_cfpb.company_portal),
    # Ireland
    ("cbi-cpc", ie_cbi.consumer_protection_code),
    # United Kingdom, other sectors
    ("ofcom", uk_ofcom.communications),
    ("ofgem", uk_ofgem.energy),
    ("nhs-england", uk_nhs.nhs_england),
    ("spso-stage-1", uk_spso.stage_1),
    ("spso-stage-2", uk_spso.stage_2),
    # United Arab Emirates
    ("cbuae", ae_cbuae.rulebook_17_3),
)
"""Every preset's name with the function that builds it, in listing order."""

_BUILDERS: Mapping[str, Callable[[], Preset]] = dict(REGISTRY)


@functools.cache
def _built(name: str) -> Preset:
    made = _BUILDERS[name]()
    if made.name != name:  # pragma: no cover - a registry row that names the wrong builder
        raise AssertionError(f"registry row {name!r} builds preset {made.name!r}")
    return made


@functools.lru_cache(maxsize=1)
def _every() -> Mapping[str, Preset]:
    return MappingProxyType({name: _built(name) for name, _ in REGISTRY})


def presets() -> Mapping[str, Preset]:
    """Every preset by name, in a stable order (UK, EU, Australia, US, Ireland, UK sectors, UAE)."""
    return _every()


def preset(name: str) -> Preset:
    """
    The preset called ``name``.

    Raises:
        ValidationError: naming ``preset``, listing the known presets, if there is none.
    """
    if not isinstance(name, str) or name not in _BUILDERS:
        known = ", ".join(_BUILDERS)
        raise ValidationError("preset", f"no preset named {name!r} (known presets: {known})")
    return _built(name)
