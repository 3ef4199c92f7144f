"""
Where holiday lists come from: a snapshot of the ``holidays`` package, or a recurrence rule.

Both return a plain tuple of :class:`~iso10002.sla.calendar.Holiday` values. That snapshot is what
goes into a calendar version, so a calendar keeps giving the same answers when the ``holidays``
package changes its data in a later release; take a new snapshot to make a new version.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

from dateutil.rrule import rrule, rrulestr

from iso10002.errors import DefinitionError, ValidationError
from iso10002.sla.calendar import Holiday, Window

__all__ = ["holidays_from_package", "holidays_from_rrule"]


def holidays_from_package(
    country: str,
    *,
    subdiv: str | None = None,
    years: Iterable[int],
    categories: Iterable[str] | None = None,
) -> tuple[Holiday, ...]:
    """
    The holidays of ``country`` (ISO 3166 code) in ``years``, from the ``holidays`` package.

    ``subdiv`` picks a subdivision where holidays differ; for the United Kingdom (``"GB"``)
    ``"ENG"``, ``"WLS"``, ``"SCT"`` and ``"NIR"``. ``categories`` selects the package's
    categories (``"public"``, ``"bank"``, …; its default when ``None``). Several names on one date
    are joined with ``"; "``. Every holiday closes its whole date.

    Raises:
        DefinitionError: the ``holidays`` package, a dependency of iso10002, is missing.
        ValidationError: unknown ``country``, ``subdiv`` or ``categories``, or bad ``years``.
    """
    try:
        import holidays as _holidays
    except ImportError as e:  # pragma: no cover - a dependency, installed with iso10002
        raise DefinitionError(
            "holidays_from_package needs the 'holidays' package: pip install holidays"
        ) from e
    year_list = []
    for year in years:
        if not isinstance(year, int) or isinstance(year, bool):
            raise ValidationError("years", f"expected integer years, got {year!r}")
        year_list.append(year)
    if not year_list:
        raise ValidationError("years", "name at least one year")
    supported = _holidays.list_supported_countries()
    if not isinstance(country, str) or country not in supported:
        raise ValidationError("country", f"{country!r} is not a country the holidays package knows")
    if subdiv is not None and subdiv not in supported[country]:
        known = ", ".join(sorted(supported[country])) or "none"
        raise ValidationError(
            "subdiv", f"{subdiv!r} is not a subdivision of {country} (known: {known})"
        )
    chosen = None if categories is None else tuple(categories)
    try:
        table = _holidays.country_holidays(
            country, subdiv=subdiv, years=year_list, categories=chosen
        )
    except (NotImplementedError, ValueError) as e:
        raise ValidationError("categories", str(e)) from e
    return tuple(Holiday(date=day, name=str(name)) for day, name in sorted(table.items()))


def holidays_from_rrule(
    rule: str | rrule,
    *,
    name: str,
    start: _dt.date,
    end: _dt.date,
    closed: tuple[Window, ...] = (),
) -> tuple[Holiday, ...]:
    """
    A holiday named ``name`` on each date of ``rule`` from ``start`` to ``end`` inclusive.

    ``rule`` is an RFC 5545 recurrence (``"FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24"``) or a
    ``dateutil.rrule.rrule``; a string rule starts at ``start``, an ``rrule`` keeps its own start.
    ``closed`` closes only those local ranges of each date, e.g. a half day from noon.

    Raises:
        ValidationError: a rule that cannot be parsed (``rule``), ``end`` before ``start``, or a
            bad ``name`` or ``closed``.
    """
    for field, value in (("start", start), ("end", end)):
        if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
            raise ValidationError(field, f"expected a date, got {value!r}")
    if end < start:
        raise ValidationError("end", f"{end.isoformat()} is before start {start.isoformat()}")
    first = _dt.datetime.combine(start, _dt.time(0))
    last = _dt.datetime.combine(end, _dt.time(0))
    if isinstance(rule, str):
        try:
            parsed = rrulestr(rule, dtstart=first)
        except (ValueError, TypeError) as e:
            raise ValidationError("rule", f"{rule!r} is not a recurrence rule: {e}") from e
    elif isinstance(rule, rrule):
        parsed = rule
    else:
        raise ValidationError("rule", f"expected an RRULE string or rrule, got {rule!r}")
    if not isinstance(parsed, rrule):
        raise ValidationError("rule", "expected a single RRULE, not a set")
    # An aware rule only compares with aware bounds; its first occurrence carries its zone.
    zone = next(iter(parsed), first).tzinfo
    first, last = first.replace(tzinfo=zone), last.replace(tzinfo=zone)
    days = sorted({occurrence.date() for occurrence in parsed.between(first, last, inc=True)})
    return tuple(Holiday(date=day, name=name, closed=closed) for day in days)
