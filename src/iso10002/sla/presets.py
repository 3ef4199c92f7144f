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
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check
from iso10002.model.values import ExtensionKind
from iso10002.sla.calendar import BusinessCalendar, Holiday
from iso10002.sla.holiday_sources import holidays_from_package
from iso10002.sla.policy import DueAt, Metric, On, ReopenRule, SlaPolicy, Target, Unit

__all__ = ["DEFAULT_HOURS", "DEFAULT_YEARS", "Preset", "preset", "presets"]

DEFAULT_YEARS = range(2020, 2036)
"""The years whose holidays a preset's calendar holds unless told otherwise (2020-2035)."""

DEFAULT_HOURS = ((_dt.time(9), _dt.time(17)),)
"""Opening hours of a preset's calendar unless told otherwise: 09:00-17:00."""

_CHECKED = _dt.date(2026, 11, 23)
"""When the figures below were last checked against their sources."""

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


# -- building blocks --------------------------------------------------------------------------

_DECISION = On(event="decision_communicated")
_ACKNOWLEDGED = On(event="acknowledged")
_CLOSED = On(event="closed")
_ACCEPTED = On(event="reaction_recorded", where={"reaction": "accepts"})
_RESOLVED = On(event="closed", where={"reason": "resolved"})


def _outbound(kind: str | None = None) -> On:
    """A communication sent to the complainant (of ``kind`` if given)."""
    where = {"communication.direction": "outbound", "communication.visibility": "customer_visible"}
    if kind is not None:
        where["communication.kind"] = kind
    return On(event="communication_recorded", where=where)


def _extension(metric: str, kind: ExtensionKind) -> On:
    return On(event="deadline_extended", where={"metric": metric, "kind": kind.value})


def _bd(amount: int, **rules: Any) -> Target:
    return Target(amount=amount, unit=Unit.BUSINESS_DAYS, **rules)


def _cd(amount: int, **rules: Any) -> Target:
    return Target(amount=amount, unit=Unit.CALENDAR_DAYS, **rules)


_EIGHT_WEEKS = Target(amount=8, unit=Unit.WEEKS)


def _acknowledgement(target: Target, description: str) -> Metric:
    # A decision sent before any acknowledgement makes the acknowledgement moot.
    return Metric(
        name="acknowledgement",
        description=description,
        target=target,
        stop=(_ACKNOWLEDGED, _outbound("acknowledgement"), _DECISION),
        on_reopen=ReopenRule.KEEP,
    )


def _updates(target: Target, description: str) -> Metric:
    return Metric(
        name="update",
        description=description,
        target=target,
        stop=(_ACKNOWLEDGED, _outbound()),
        until=(_DECISION, _CLOSED),
        recurring=True,
    )


def _met_by_letter(description: str, kind: ExtensionKind, target: Target) -> Metric:
    """A final-response metric that a holding letter or delay notice also meets in time."""
    return Metric(
        name="final_response",
        description=description,
        target=target,
        stop=(_DECISION, _outbound(kind.value), _extension("final_response", kind))
        if kind is ExtensionKind.HOLDING_RESPONSE
        else (_DECISION, _extension("final_response", kind)),
        # The letter meets the deadline rather than moving it: the extended target is the same.
        extended_target=target,
        extensions=(kind,),
    )


def _two_stage(amount: int, extended: int) -> Metric:
    return Metric(
        name="final_response",
        description=f"Final response addressing all points raised, within {amount} business "
        f"days; {extended} after a holding response in exceptional cases",
        target=_bd(amount),
        stop=(_DECISION,),
        extended_target=_bd(extended),
        extensions=(ExtensionKind.HOLDING_RESPONSE,),
    )


_UK = ("ENG", "WLS", "SCT", "NIR")
_LONDON = "Europe/London"
_EIGHT_WEEK_READING = (
    "'By the end of eight weeks after receipt' is read as the same weekday eight weeks later, at "
    "the end of that day (receipt date + 56 calendar days); this reading is unconfirmed."
)
_NO_PAUSE = "No stop-the-clock provision: the clock is never paused."

_FCA_DISP_16 = (
    "https://handbook.fca.org.uk/handbook/DISP/1/6.html?date=2012-02-14&timeline=True",
    "https://handbook.fca.org.uk/handbook/disp1/disp1s6?date=01-06-2026&timeline=true",
    "https://www.handbook.fca.org.uk/handbook/DISP/2/8.html?date=2016-03-31",
    "https://handbook.fca.org.uk/handbook/glossary/G120.html?date=2005-02-03",
)

_DISP_16_FINAL = _met_by_letter(
    "Final response, or a holding response explaining the delay and the right to refer to the "
    "Financial Ombudsman Service, by the end of 8 weeks after receipt",
    ExtensionKind.HOLDING_RESPONSE,
    _EIGHT_WEEKS,
)

_AU_ZONES = {  # New South Wales first: the default
    "NSW": "Australia/Sydney",
    "ACT": "Australia/Sydney",
    "NT": "Australia/Darwin",
    "QLD": "Australia/Brisbane",
    "SA": "Australia/Adelaide",
    "TAS": "Australia/Hobart",
    "VIC": "Australia/Melbourne",
    "WA": "Australia/Perth",
}
_RG_271_SOURCES = (
    "https://allens.com.au/insights-news/insights/2021/08/get-ready-for-the-idr-changes",
    "https://www.investordaily.com.au/regulation/47568-asic-cuts-down-response-times-for-disputes",
    (
        "https://insurancenews.com.au/life-insurance/asic-surveillance-finds-compliance-issues-with-trustees-idr-practices"
    ),
    "https://cashlab.com.au/pages/complaints",
)
_RG_271_NOTES = (
    (
        "Acknowledgement 'within 24 hours (or 1 business day)': counted as the end of the next "
        "business day after the day of receipt."
    ),
    (
        "A complaint resolved by the end of the 5th business day after receipt needs no written "
        "IDR response (unless asked for, or a hardship complaint); this is not a deadline and is "
        "not encoded."
    ),
    (
        "An IDR delay notification (reasons and the right to go to AFCA) given before the deadline "
        "meets it: record it as a delay_notice extension of final_response. RG 271 sets no later "
        "deadline, so the extended target equals the target."
    ),
    (
        "Calendar days are counted from the day after receipt; the deadline is the end of the last "
        "day in the zone of the chosen state."
    ),
    _NO_PAUSE,
)


def _rg_271(name: str, title: str, days: int, extra_notes: tuple[str, ...] = ()) -> Preset:
    return Preset(
        name=name,
        title=title,
        jurisdiction="Australia: financial firms under ASIC RG 271 (complaints received on or "
        "after 5 October 2021)",
        clock_starts="receipt of the complaint",
        sources=_RG_271_SOURCES,
        as_of=_CHECKED,
        notes=_RG_271_NOTES + extra_notes,
        holidays_country="AU",
        subdivisions=tuple(_AU_ZONES),
        zone="Australia/Sydney",
        subdivision_zones=_AU_ZONES,
        metrics=(
            _acknowledgement(_bd(1), "Acknowledge within 24 hours (or 1 business day) of receipt"),
            _met_by_letter(
                f"IDR response within {days} calendar days, or an IDR delay notification "
                "before then",
                ExtensionKind.DELAY_NOTICE,
                _cd(days),
            ),
        ),
    )


def _build() -> tuple[Preset, ...]:
    return (
        Preset(
            name="fca-disp-1.6",
            title="FCA DISP 1.6: final or holding response by the end of 8 weeks",
            jurisdiction="United Kingdom: firms regulated by the Financial Conduct Authority",
            clock_starts="receipt of the complaint",
            sources=_FCA_DISP_16,
            as_of=_CHECKED,
            notes=(
                _EIGHT_WEEK_READING,
                (
                    "A holding response (why the firm cannot reply yet, when it expects to, and "
                    "the immediate right to refer to the ombudsman) also meets the deadline: "
                    "record it as a holding_response extension of final_response, or as an "
                    "outbound communication of kind holding_response. It does not move the "
                    "deadline, so the extended target equals the target."
                ),
                (
                    "DISP 1.6 asks for a 'prompt' written acknowledgement stating the deadline but "
                    "gives no number, so this preset has no acknowledgement metric; add one as the "
                    "firm's own policy if wanted."
                ),
                (
                    "Business days exclude weekends, Christmas Day, Good Friday and the bank "
                    "holidays of the relevant part of the UK (ENG, WLS, SCT, NIR); the 8-week "
                    "deadline itself counts calendar days."
                ),
                _NO_PAUSE,
            ),
            holidays_country="GB",
            subdivisions=_UK,
            zone=_LONDON,
            metrics=(_DISP_16_FINAL,),
        ),
        Preset(
            name="fca-disp-1.5",
            title="FCA DISP 1.5: summary resolution by close of business on the 3rd business "
            "day after the day of receipt",
            jurisdiction="United Kingdom: firms regulated by the Financial Conduct Authority",
            clock_starts="the day of receipt of the complaint",
            sources=(
                "https://public-ui-fcahandbook-dev.azurewebsites.net/handbook/disp1/disp1s5",
                "https://www.handbook.fca.org.uk/handbook/DISP/1/5.html?date=2007-12-02",
                *_FCA_DISP_16[1:2],
            ),
            as_of=_CHECKED,
            notes=(
                (
                    "summary_resolution is met when the complainant accepts the response (which "
                    "need not be written) by close of business on the 3rd business day after the "
                    "day of receipt. Missing it is not a breach: the complaint then falls under "
                    "DISP 1.6, whose 8-week final_response metric runs alongside from receipt."
                ),
                (
                    "Optional receipt cut-off (DISP 1.5.3G in the 2007 and 2012 texts): a "
                    "complaint received after close of business or on a non-business day may be "
                    "treated as received on the next business day. Off by default; turn it on with "
                    "policy(cutoff=time(17)). Whether the current text keeps this guidance is "
                    "unconfirmed."
                ),
                (
                    "Until 30 June 2016 the window was the next business day; this preset encodes "
                    "the 3rd business day in force since."
                ),
                _EIGHT_WEEK_READING,
                _NO_PAUSE,
            ),
            holidays_country="GB",
            subdivisions=_UK,
            zone=_LONDON,
            metrics=(
                Metric(
                    name="summary_resolution",
                    description="Resolved to the complainant's satisfaction by close of "
                    "business on the 3rd business day after the day of receipt",
                    target=_bd(3, due_at=DueAt.CLOSE_OF_BUSINESS),
                    stop=(_ACCEPTED, _RESOLVED),
                    on_reopen=ReopenRule.KEEP,
                ),
                _DISP_16_FINAL,
            ),
            cutoff_metrics=("summary_resolution",),
        ),
        Preset(
            name="fca-disp-1.6.2a",
            title="FCA DISP 1.6.2A: payment services and e-money complaints, final response in "
            "15 business days (35 after a holding response)",
            jurisdiction="United Kingdom: payment service providers and e-money issuers",
            clock_starts="receipt of the complaint",
            sources=(
                *_FCA_DISP_16[1:2],
                "https://handbook.fca.org.uk/handbook/DISP/2/8.html?date=2024-04-02&timeline=True",
                _FCA_DISP_16[3],
            ),
            as_of=_CHECKED,
            notes=(
                (
                    "Business days are counted from the day after receipt; the deadline is the end "
                    "of the 15th (or 35th) business day."
                ),
                (
                    "In exceptional circumstances a holding response within 15 business days "
                    "giving the reasons and the final deadline extends final_response to 35 "
                    "business days from receipt."
                ),
                (
                    "The prompt acknowledgement (stating the 15/35 business-day deadlines) has no "
                    "number, so it is not a metric here."
                ),
                _NO_PAUSE,
            ),
            holidays_country="GB",
            subdivisions=_UK,
            zone=_LONDON,
            metrics=(_two_stage(15, 35),),
        ),
        Preset(
            name="eu-psd2-art-101",
            title="EU PSD2 Art. 101: reply in 15 business days (35 after a holding reply)",
            jurisdiction="European Union: payment service providers under Directive (EU) "
            "2015/2366 (as transposed; Member States may be more favourable to the user)",
            clock_starts="receipt of the complaint",
            sources=(
                "Directive (EU) 2015/2366, Article 101 (EBA single rulebook)",
                "https://service.betterregulation.com/document/318523",
            ),
            as_of=_CHECKED,
            notes=(
                (
                    "The calendar has no holidays: 'business day' is the payment service "
                    "provider's own, so pass a calendar of the Member State, e.g. "
                    "BusinessCalendar.standard(..., holidays=holidays_from_package('IE', "
                    "years=...))."
                ),
                (
                    "Business days are counted from the day after receipt; the deadline is the end "
                    "of the 15th (or 35th) business day."
                ),
                (
                    "A holding reply (reasons beyond the provider's control and the date of the "
                    "final reply) extends final_response to 35 business days from receipt."
                ),
                _NO_PAUSE,
            ),
            holidays_country=None,
            zone="Europe/Brussels",
            metrics=(_two_stage(15, 35),),
        ),
        _rg_271(
            "asic-rg-271",
            "ASIC RG 271: acknowledge in 1 business day, IDR response in 30 calendar days",
            30,
        ),
        _rg_271(
            "asic-rg-271-superannuation",
            "ASIC RG 271, superannuation trustees: IDR response in 45 calendar days",
            45,
            (
                (
                    "Death-benefit distribution complaints have their own timeframe (reportedly 90 "
                    "days after the 28-day objection period ends); unconfirmed and not encoded."
                ),
            ),
        ),
        _rg_271(
            "asic-rg-271-default-notice",
            "ASIC RG 271, complaints about a default notice: IDR response in 21 calendar days",
            21,
            (
                (
                    "The 21-day figure is partly confirmed: it comes from a firm's policy "
                    "restating RG 271."
                ),
            ),
        ),
        _rg_271(
            "asic-rg-271-hardship",
            "ASIC RG 271, hardship and enforcement-proceedings complaints: IDR response in 21 "
            "calendar days",
            21,
            (
                (
                    "The 21-day figure is partly confirmed: it comes from a firm's policy "
                    "restating RG 271. A hardship complaint always needs a written IDR response."
                ),
            ),
        ),
        Preset(
            name="cfpb",
            title="US CFPB company portal: response in 15 days, final response in 60 days",
            jurisdiction="United States: companies answering complaints routed by the Consumer "
            "Financial Protection Bureau",
            clock_starts="the date the complaint is sent to the company (CFPB portal)",
            sources=(
                (
                    "https://stg.fintechfutures.com/2015/05/cfpb-updates-consumer-complaint-manual-may-26-2015"
                ),
                (
                    "http://llt4fun.insidearm.com/news/00043245-what-include-interim-response-cfpb-compla"
                ),
                "http://cfpbjournal.com/the-cfpb-has-loosened-consumer-complaint-deadlines/",
                "https://github.com/cfpb/complaint/commit/898374062e042dadb489b25d5bef4e9a597a9c37",
            ),
            as_of=_CHECKED,
            notes=(
                (
                    "Record the complaint's received_at as the moment it was sent to the company "
                    "(date_sent_to_company), not when the CFPB received it."
                ),
                (
                    "Calendar days are counted from the day after the complaint was sent; the "
                    "deadline is the end of the last day (Eastern time by default). Weekends and "
                    "holidays do not move it."
                ),
                (
                    "first_response is met by the final response, or by an 'in progress' response "
                    "(an outbound progress update or holding response)."
                ),
                _NO_PAUSE,
            ),
            holidays_country="US",
            zone="America/New_York",
            metrics=(
                Metric(
                    name="first_response",
                    description="Respond through the portal within 15 days (a final response, "
                    "or 'in progress')",
                    target=_cd(15),
                    stop=(_DECISION, _outbound("progress_update"), _outbound("holding_response")),
                    on_reopen=ReopenRule.KEEP,
                ),
                Metric(
                    name="final_response",
                    description="Close all but the most complicated complaints within 60 days",
                    target=_cd(60),
                    stop=(_DECISION,),
                ),
            ),
        ),
        Preset(
            name="cbi-cpc",
            title="Central Bank of Ireland Consumer Protection Code: acknowledge in 5 business "
            "days, update every 20, resolve in 40",
            jurisdiction="Ireland: regulated financial service providers (Consumer Protection "
            "Code 2012, ch. 10; modernised Code from 24 March 2026)",
            clock_starts="receipt of the complaint",
            sources=(
                "https://complaintlab.com/resources/knowledge-base/ireland-cbi-complaint-handling",
                (
                    "https://www.mondaq.com/ireland/dodd-frank-consumer-protection-act/1603060/the-consumer-protection-code-is-modernised"
                ),
            ),
            as_of=_CHECKED,
            notes=(
                "The 5 business-day acknowledgement is unconfirmed.",
                "The 20 business-day update interval is unconfirmed.",
                (
                    "The 40 business-day resolution is partly confirmed; the modernised Code "
                    "(applying from 24 March 2026) keeps it."
                ),
                (
                    "The provision number (10.9), and the duties to explain a longer timeframe "
                    "after 40 business days and to send the outcome within 5 business days of the "
                    "end of the investigation, are unconfirmed and not encoded."
                ),
                (
                    "Business days are counted from the day after receipt; deadlines are at the "
                    "end of the last business day. Payment services complaints follow reg. 124 "
                    "(use eu-psd2-art-101 with an Irish calendar)."
                ),
                _NO_PAUSE,
            ),
            holidays_country="IE",
            zone="Europe/Dublin",
            metrics=(
                _acknowledgement(_bd(5), "Written acknowledgement within 5 business days"),
                _updates(_bd(20), "Update the complainant at intervals of 20 business days"),
                Metric(
                    name="final_response",
                    description="Investigate and resolve within 40 business days",
                    target=_bd(40),
                    stop=(_DECISION,),
                ),
            ),
        ),
        Preset(
            name="ofcom",
            title="Ofcom: ADR letter at deadlock or after 8 weeks",
            jurisdiction="United Kingdom: communications providers",
            clock_starts="receipt of the complaint",
            sources=(
                (
                    "https://partners.ombudsman-services.org/resources/guidance-notes/eight-week-and-deadlock-letters-communications"
                ),
            ),
            as_of=_CHECKED,
            notes=(
                _EIGHT_WEEK_READING,
                (
                    "final_response is met by the final (deadlock) response or by the 8-week ADR "
                    "letter, recorded as an outbound communication of kind holding_response or a "
                    "holding_response extension."
                ),
                _NO_PAUSE,
            ),
            holidays_country="GB",
            subdivisions=_UK,
            zone=_LONDON,
            metrics=(
                _met_by_letter(
                    "Final response or ADR letter (deadlock or 8 weeks after receipt)",
                    ExtensionKind.HOLDING_RESPONSE,
                    _EIGHT_WEEKS,
                ),
            ),
        ),
        Preset(
            name="ofgem",
            title="Ofgem: 8-week or deadlock letter to the Energy Ombudsman",
            jurisdiction="Great Britain: gas and electricity suppliers (Consumer Complaints "
            "Handling Standards Regulations 2008)",
            clock_starts="receipt of the complaint",
            sources=(
                (
                    "https://partners.ombudsman-services.org/resources/guidance-notes/eight-week-and-deadlock-letters-energy"
                ),
                "http://www.legislation.gov.uk/uksi/2008/2355/regulation/9/made",
            ),
            as_of=_CHECKED,
            notes=(
                _EIGHT_WEEK_READING,
                (
                    "final_response is met by the deadlock letter (the final position) or by the "
                    "8-week letter, recorded as an outbound communication of kind holding_response "
                    "or a holding_response extension."
                ),
                _NO_PAUSE,
            ),
            holidays_country="GB",
            subdivisions=_UK[:3],
            zone=_LONDON,
            metrics=(
                _met_by_letter(
                    "Final response, deadlock letter or 8-week letter",
                    ExtensionKind.HOLDING_RESPONSE,
                    _EIGHT_WEEKS,
                ),
            ),
        ),
        Preset(
            name="nhs-england",
            title="NHS England and adult social care: acknowledge in 3 working days, respond "
            "in 6 months or an agreed period",
            jurisdiction="England: NHS bodies and adult social care (SI 2009/309)",
            clock_starts="the day of receipt of the complaint",
            sources=(
                "http://legislation.data.gov.uk/uksi/2012/3094/part/5/made",
                "https://legislation.gov.uk/en/uksi/2012/3094/regulation/29/made",
            ),
            as_of=_CHECKED,
            notes=(
                (
                    "Acknowledge (and offer to discuss the handling) not later than 3 working days "
                    "after the day of receipt: counting starts the next working day, due at the "
                    "end of the 3rd. Working days exclude weekends and the bank holidays of "
                    "England."
                ),
                (
                    "There is no fixed response deadline: the period is agreed in that discussion; "
                    "record it as an agreed extension of final_response with its date."
                ),
                (
                    "Six months are counted as calendar months from the day of receipt, that day "
                    "included: received 15 January, due by the end of 14 July."
                ),
                _NO_PAUSE,
            ),
            holidays_country="GB",
            subdivisions=("ENG",),
            zone=_LONDON,
            metrics=(
                _acknowledgement(
                    _bd(3), "Acknowledge within 3 working days after the day of receipt"
                ),
                Metric(
                    name="final_response",
                    description="Respond within 6 months, or a longer period agreed with the "
                    "complainant",
                    target=Target(amount=6, unit=Unit.MONTHS, count_start_day=True),
                    stop=(_DECISION,),
                    extensions=(ExtensionKind.AGREED,),
                ),
            ),
        ),
        Preset(
            name="spso-stage-1",
            title="Scottish Public Services Ombudsman model procedure, stage 1 (frontline): "
            "decision in 5 working days",
            jurisdiction="Scotland: public bodies under the SPSO model complaints handling "
            "procedure",
            clock_starts="receipt of the complaint",
            sources=("https://www.duellcall.com/complaint-resolution-process/",),
            as_of=_CHECKED,
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
                _NO_PAUSE,
            ),
            holidays_country="GB",
            subdivisions=("SCT",),
            zone=_LONDON,
            metrics=(
                Metric(
                    name="final_response",
                    description="Frontline decision within 5 working days",
                    target=_bd(5, count_start_day=True),
                    stop=(_DECISION,),
                    extensions=(ExtensionKind.AGREED,),
                ),
            ),
        ),
        Preset(
            name="spso-stage-2",
            title="Scottish Public Services Ombudsman model procedure, stage 2 (investigation): "
            "acknowledge in 3 working days, decide in 20",
            jurisdiction="Scotland: public bodies under the SPSO model complaints handling "
            "procedure",
            clock_starts="receipt of the complaint at stage 2 (directly or on escalation)",
            sources=("https://www.duellcall.com/complaint-resolution-process/",),
            as_of=_CHECKED,
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
                _NO_PAUSE,
            ),
            holidays_country="GB",
            subdivisions=("SCT",),
            zone=_LONDON,
            metrics=(
                _acknowledgement(_bd(3, count_start_day=True), "Acknowledge within 3 working days"),
                Metric(
                    name="final_response",
                    description="Stage 2 decision within 20 working days, signposting the SPSO",
                    target=_bd(20, count_start_day=True),
                    stop=(_DECISION,),
                    extensions=(ExtensionKind.AGREED,),
                ),
            ),
        ),
        Preset(
            name="cbuae",
            title="Central Bank of the UAE rulebook 17.3: acknowledge in 2 business days, "
            "final response in 10",
            jurisdiction="United Arab Emirates: licensed financial institutions (N 35/2018 STA)",
            clock_starts="receipt of the complaint",
            sources=("https://cbuae.thomsonreuters.com/en/rulebook/173-turnaround-time",),
            as_of=_CHECKED,
            notes=(
                (
                    "Business days are Monday to Friday, the UAE working week since January 2022; "
                    "this choice is unconfirmed by the sources. Islamic holidays in the holidays "
                    "package follow its estimated lunar calendar."
                ),
                (
                    "Business days are counted from the day after receipt; deadlines are at the "
                    "end of the last business day."
                ),
                (
                    "Receipt is confirmed by SMS or e-mail. When the final response is overdue the "
                    "customer is updated on the next business day; that follow-up is not encoded."
                ),
                _NO_PAUSE,
            ),
            holidays_country="AE",
            zone="Asia/Dubai",
            metrics=(
                _acknowledgement(_bd(2), "Confirm receipt by SMS or e-mail within 2 business days"),
                Metric(
                    name="final_response",
                    description="Resolve and send the final response within 10 business days",
                    target=_bd(10),
                    stop=(_DECISION,),
                ),
            ),
        ),
    )


@functools.lru_cache(maxsize=1)
def _registry() -> Mapping[str, Preset]:
    return MappingProxyType({p.name: p for p in _build()})


def presets() -> Mapping[str, Preset]:
    """Every preset by name, in a stable order (UK, EU, Australia, US, Ireland, UK sectors, UAE)."""
    return _registry()


def preset(name: str) -> Preset:
    """
    The preset called ``name``.

    Raises:
        ValidationError: naming ``preset``, listing the known presets, if there is none.
    """
    found = _registry().get(name) if isinstance(name, str) else None
    if found is None:
        known = ", ".join(_registry())
        raise ValidationError("preset", f"no preset named {name!r} (known presets: {known})")
    return found
