"""
The :class:`Preset` value: one regulator's complaint-handling time limits, with its sources, the
date its figures were checked, its day-counting rules, and the calendar and policy it makes.

The presets themselves are built in the jurisdiction modules of this package and listed in its
registry.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check
from iso10002.sla.calendar import BusinessCalendar, Holiday
from iso10002.sla.holiday_sources import holidays_from_package
from iso10002.sla.policy import Metric, SlaPolicy

__all__ = ["DEFAULT_HOURS", "DEFAULT_YEARS", "Preset"]

DEFAULT_YEARS = range(2020, 2036)
"""The years whose holidays a preset's calendar holds unless told otherwise (2020-2035)."""

DEFAULT_HOURS = ((_dt.time(9), _dt.time(17)),)
"""Opening hours of a preset's calendar unless told otherwise: 09:00-17:00."""

_NAME = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")
_UNCONFIRMED = "unconfirmed"


# -- validators -------------------------------------------------------------------------------


def _kebab(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _NAME.match(value):
        raise ValidationError(
            attribute.name, f"expected a lower-case kebab-case name, got {value!r}"
        )


def _non_empty_text_tuple(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check.tuple_of_text(_inst, attribute, value)
    if not value:
        raise ValidationError(attribute.name, "name at least one")


def _plain_date(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
        raise ValidationError(attribute.name, f"expected a date, got {value!r}")


def _zone(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(attribute.name, f"expected an IANA time zone name, got {value!r}")
    try:
        ZoneInfo(value)
    except Exception as e:  # ZoneInfoNotFoundError, or ValueError for a malformed key
        raise ValidationError(attribute.name, f"{value!r} is not a known IANA time zone") from e


def _zones(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    return value


def _weekdays(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not value:
        raise ValidationError(attribute.name, f"expected weekdays 0 (Monday) to 6, got {value!r}")
    for day in value:
        if not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 6:
            raise ValidationError(attribute.name, f"expected weekdays 0 (Monday) to 6, got {day!r}")


def _years_text(years: Iterable[int]) -> str:
    """``2020-2035`` for a run of years, ``2020-2022,2025`` for several runs."""
    ordered = sorted(set(years))
    runs: list[list[int]] = []
    for year in ordered:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ",".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def _holidays_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("holidays")
    except metadata.PackageNotFoundError:  # pragma: no cover - the holidays extra is missing
        return "none"


@functools.lru_cache(maxsize=64)
def _snapshot(country: str, subdiv: str | None, years: tuple[int, ...]) -> tuple[Holiday, ...]:
    # The package recomputes its tables on every call; presets ask for the same few often.
    return holidays_from_package(country, subdiv=subdiv, years=years)


# -- the preset -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Preset:
    """
    One regulator's complaint-handling time limits, as data.

    Args:
        name: stable kebab-case identifier, also the name of the policies it makes.
        title: what the preset encodes, in words.
        jurisdiction: where and to whom it applies.
        clock_starts: the moment its clocks start; the complaint's ``received_at`` must be that
            moment (for the CFPB, the date the complaint was sent to the company).
        sources: where the figures come from.
        as_of: when the figures were checked against those sources.
        notes: interpretation choices; every figure no source confirms is flagged
            "unconfirmed".
        holidays_country: the ISO 3166 code whose public holidays close the calendar (a
            snapshot of the ``holidays`` package), or ``None`` for no holidays.
        subdivisions: the allowed parts of the country with their own holidays; the first is
            the default.
        zone: the default IANA time zone.
        subdivision_zones: a different default zone for some subdivisions (Australian states).
        days: the working weekdays, 0 = Monday.
        metrics: the milestones, with their targets and day-counting rules.
        cutoff_metrics: the metrics an optional receipt cut-off applies to (see
            :meth:`policy`); empty when the regime provides none.
    """

    name: str = attrs.field(validator=_kebab)
    title: str = attrs.field(validator=check.text)
    jurisdiction: str = attrs.field(validator=check.text)
    clock_starts: str = attrs.field(validator=check.text)
    sources: tuple[str, ...] = attrs.field(
        converter=check.to_tuple, validator=_non_empty_text_tuple
    )
    as_of: _dt.date = attrs.field(validator=_plain_date)
    notes: tuple[str, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of_text
    )
    holidays_country: str | None = attrs.field(validator=check.optional_text)
    subdivisions: tuple[str, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of_text
    )
    zone: str = attrs.field(validator=_zone)
    subdivision_zones: Mapping[str, str] = attrs.field(
        factory=dict, converter=_zones, validator=check.text_mapping, hash=False
    )
    days: tuple[int, ...] = attrs.field(
        default=(0, 1, 2, 3, 4), converter=check.to_tuple, validator=_weekdays
    )
    metrics: tuple[Metric, ...] = attrs.field(
        converter=check.to_tuple, validator=check.tuple_of(Metric)
    )
    cutoff_metrics: tuple[str, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of_text
    )

    def __attrs_post_init__(self) -> None:
        names = [m.name for m in self.metrics]
        if not names:
            raise ValidationError("metrics", f"preset {self.name!r} needs at least one metric")
        if len(names) != len(set(names)):
            raise ValidationError("metrics", f"metric names repeat: {names}")
        for name in self.cutoff_metrics:
            if name not in names:
                raise ValidationError("cutoff_metrics", f"no metric {name!r} in {self.name!r}")
        for subdivision, zone in self.subdivision_zones.items():
            if subdivision not in self.subdivisions:
                raise ValidationError(
                    "subdivision_zones", f"{subdivision!r} is not one of the subdivisions"
                )
            _zone(None, attrs.fields(Preset).zone, zone)
        if self.subdivisions and self.holidays_country is None:
            raise ValidationError("subdivisions", "subdivisions need a holidays_country")

    @property
    def unconfirmed(self) -> tuple[str, ...]:
        """The notes that flag a figure or reading no source confirms."""
        return tuple(n for n in self.notes if _UNCONFIRMED in n.lower())

    def metric(self, name: str) -> Metric:
        """The metric called ``name``; ``ValidationError`` naming ``metric`` if there is none."""
        for m in self.metrics:
            if m.name == name:
                return m
        known = ", ".join(m.name for m in self.metrics)
        raise ValidationError("metric", f"preset {self.name!r} has no metric {name!r} ({known})")

    def _subdivision(self, subdivision: str | None) -> str | None:
        if subdivision is None:
            return self.subdivisions[0] if self.subdivisions else None
        if subdivision not in self.subdivisions:
            known = ", ".join(self.subdivisions) or "none"
            raise ValidationError(
                "subdivision",
                f"{subdivision!r} is not a subdivision of preset {self.name!r} (known: {known})",
            )
        return subdivision

    def default_zone(self, subdivision: str | None = None) -> str:
        """The zone the calendar counts in for ``subdivision`` (the default one if ``None``)."""
        chosen = self._subdivision(subdivision)
        return self.subdivision_zones.get(chosen, self.zone) if chosen else self.zone

    def calendar(
        self,
        *,
        subdivision: str | None = None,
        years: Iterable[int] | None = None,
        hours: Iterable[tuple[_dt.time, _dt.time]] | None = None,
        zone: str | None = None,
    ) -> BusinessCalendar:
        """
        The preset's business calendar: its working days, ``hours`` (09:00-17:00 by default) in
        ``zone`` (the preset's), closed on the public holidays of ``subdivision`` (the first of
        :attr:`subdivisions` by default) in ``years`` (:data:`DEFAULT_YEARS` by default).

        The version names the preset, the region, the years and the ``holidays`` package
        release the snapshot came from, plus any hours or zone other than the defaults, so a
        later snapshot is a new version.

        Raises:
            ValidationError: an unknown ``subdivision`` or ``zone``, bad ``years`` or ``hours``.
            DefinitionError: the ``holidays`` package is not installed.
        """
        chosen = self._subdivision(subdivision)
        default_zone = self.default_zone(chosen)
        zone = default_zone if zone is None else zone
        year_list = tuple(DEFAULT_YEARS if years is None else years)
        hour_list = tuple(DEFAULT_HOURS if hours is None else hours)
        if self.holidays_country is None:
            region = "no-holidays"
            holidays: tuple[Holiday, ...] = ()
            version = f"{self.name} {region}"
        else:
            region = self.holidays_country + (f"-{chosen}" if chosen else "")
            for year in year_list:
                if not isinstance(year, int) or isinstance(year, bool):
                    raise ValidationError("years", f"expected integer years, got {year!r}")
            if not year_list:
                raise ValidationError("years", "name at least one year")
            holidays = _snapshot(self.holidays_country, chosen, tuple(sorted(set(year_list))))
            version = (
                f"{self.name} {region} {_years_text(year_list)} holidays {_holidays_version()}"
            )
        if hour_list != DEFAULT_HOURS:
            try:
                text = ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in hour_list)
            except (TypeError, ValueError) as e:
                raise ValidationError(
                    "hours", f"expected (start, end) times, got {hour_list!r}"
                ) from e
            version += f" hours {text}"
        if zone != default_zone:
            version += f" zone {zone}"
        return BusinessCalendar.standard(
            name=f"{self.name} {region}",
            zone=zone,
            version=version,
            hours=hour_list,
            days=self.days,
            holidays=holidays,
        )

    def policy(
        self,
        *,
        calendar: BusinessCalendar | None = None,
        subdivision: str | None = None,
        version: str | None = None,
        cutoff: _dt.time | None = None,
    ) -> SlaPolicy:
        """
        The preset as a policy named after it, counted in ``calendar`` (by default
        :meth:`calendar` for ``subdivision``).

        ``cutoff`` is the optional receipt rollover (FCA DISP 1.5.3G): a complaint received at
        or after this local time, or on a non-business day, counts as received on the next
        business day for the metrics in :attr:`cutoff_metrics`. It is off by default.

        ``version`` defaults to the ``as_of`` date, the calendar's version and the cut-off, so
        each distinct content is a distinct version.

        Raises:
            ValidationError: both ``calendar`` and ``subdivision`` given, an unknown
                ``subdivision``, or a ``cutoff`` for a preset without a cut-off rule.
        """
        if calendar is not None and subdivision is not None:
            raise ValidationError("subdivision", "give a calendar or a subdivision, not both")
        if calendar is not None and not isinstance(calendar, BusinessCalendar):
            raise ValidationError("calendar", f"expected a BusinessCalendar, got {calendar!r}")
        metrics = self.metrics
        if cutoff is not None:
            if not self.cutoff_metrics:
                raise ValidationError("cutoff", f"preset {self.name!r} has no receipt cut-off rule")
            if not isinstance(cutoff, _dt.time) or cutoff.tzinfo is not None:
                raise ValidationError("cutoff", f"expected a local time of day, got {cutoff!r}")
            metrics = tuple(
                attrs.evolve(m, target=attrs.evolve(m.target, cutoff=cutoff))
                if m.name in self.cutoff_metrics
                else m
                for m in metrics
            )
        if calendar is None:
            calendar = self.calendar(subdivision=subdivision)
        if version is None:
            version = f"{self.as_of.isoformat()}; calendar {calendar.version}"
            if cutoff is not None:
                version += f"; cut-off {cutoff:%H:%M}"
        return SlaPolicy(
            name=self.name,
            version=version,
            description=self.title,
            calendar=calendar,
            metrics=metrics,
        )
