"""
The KPI report as JSON, in the stable layout ``iso10002.kpi-report/1``, and back.

The JSON is what :func:`iso10002.serialization.unstructure` makes of a
:class:`~iso10002.monitoring.report.KpiReport`: the library's one converter, so the rules are
the same as everywhere else. Instants are ISO 8601 strings with their UTC offset
(``2026-04-01T06:30:00+00:00``); durations are numbers of hours; rates and shares are
fractions from 0 to 1; money amounts are decimal strings (``"12345.67"``), so no precision is
lost; a figure with nothing to measure is ``null``. Keys appear in the order below, ``schema``
first. Within ``/1`` fields are only added, never renamed or removed; since a reader refuses
keys it does not know (as the converter does everywhere), read a report with the release that
wrote it or a later one.

Top level:

- ``schema``: ``"iso10002.kpi-report/1"``.
- ``generated_at``: when the report was computed.
- ``period``, ``previous``: the reporting period and the one before it of the same length,
  each ``{"start", "end", "zone", "bucket"}``: instants (``end`` exclusive), the IANA zone in
  which days, weeks and months begin, and the trend bucket (``day``, ``week``, ``month`` or
  ``quarter``).
- ``volume``: ``received`` (duplicates excepted), ``closed`` (withdrawn and duplicates
  excepted), ``withdrawn``, ``duplicates``, ``open_at_start``, ``open_at_end``, ``imported``
  (of ``received``, imported from another system) and ``imported_open`` (of ``open_at_end``,
  imported complaints the source left open).
- ``by_channel``, ``by_category``, ``by_product``, ``by_priority``: arrays of
  ``{"key", "received", "closed", "upheld"}``, ``upheld`` counting upheld and partially
  upheld complaints among ``closed``.
- ``timeliness``: ``acknowledge`` (cohort: received in the period) and ``final_response``
  (cohort: closed in the period), each an array of duration statistics ``{"measure", "count",
  "mean", "median", "p90", "not_measured"}``: ``measure`` is ``calendar`` (elapsed time) or
  ``business`` (open time of the calendar given); ``mean``, ``median`` and ``p90`` are hours;
  ``not_measured`` counts complaints without usable instants.
- ``sla``: an array of ``{"metric", "finished", "met", "breached", "share_met",
  "overdue_open"}``, one per timeliness metric: clocks that stopped in the period, in time or
  not, the share met, and clocks still running past their deadline at the period's end.
- ``outcomes``: ``decided``, ``upheld``, ``partially_upheld``, ``not_upheld`` and
  ``upheld_rate``, a rate (see below) counting partially upheld as upheld.
- ``remedies``: an array of ``{"key", "count"}``, remedy kinds offered.
- ``redress``: an array of ``{"amount", "currency"}``, the money paid per currency, the
  amount a decimal string.
- ``rates``: ``first_contact_resolution``, ``reopened``, ``internal_review`` and
  ``external_referral``, rates over the complaints closed in the period;
  ``first_contact_not_measured``, the closed complaints imported with dates only, left out of
  ``first_contact_resolution`` (whose ``value`` is ``null`` when every one is).
- ``satisfaction``: ``responses``, ``mean_percent`` (mean of ``(score - 1) / (scale - 1)`` as
  a percentage) and ``satisfied`` (a rate: responses at 75 % of the scale or above).
- ``customers``: the customer count given, or ``null``; ``per_1000_customers``: complaints
  received per 1,000 customers, or ``null``.
- ``root_causes``: ``recorded``, ``unrecorded``, ``recurring_threshold`` (how often a cause
  must occur to count as recurring), ``recurring`` (complaints whose cause is recurring),
  ``single_incident`` and ``pareto``, an array of ``{"cause", "category", "count", "share",
  "cumulative_share", "recurring"}``, most frequent first (``category`` may be ``null``;
  ``recurring`` is true or false).
- ``trend``: an array of buckets ``{"start", "label", "received", "closed", "upheld_rate",
  "median_final_response", "anomalies"}``; ``median_final_response`` is hours, ``anomalies``
  an array of texts naming the series that look unusual there (``"received above
  expected"``).
- ``comparison``: an array of ``{"kpi", "current", "previous", "change", "relative"}``:
  ``change`` is ``current - previous``, ``relative`` is ``change / previous`` (``null`` when
  ``previous`` is 0 or a value is missing). First-contact resolution's entry also has
  ``current_not_measured`` or ``previous_not_measured`` when that period's closed complaints
  include some imported with dates only (a count): with its value ``null``, the figure was not
  measured rather than missing.
- ``rules``: an array of texts, the counting rules applied, for the reader.
- ``surveys``: an array, one entry per survey asked for, over the answers recorded in the
  period: ``{"survey", "version", "responses", "other_versions", "comments", "questions",
  "overall_question"}``; each question ``{"question", "overall", "low", "high", "count",
  "mean", "mean_percent", "satisfied", "satisfied_share", "distribution"}``, the distribution
  an array of ``{"point", "label", "count"}`` (see the surveys guide).

A rate is ``{"numerator", "denominator", "value"}`` with ``value`` the fraction rounded to four
places, ``null`` when the denominator is 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iso10002.errors import SerializationError
from iso10002.monitoring.report import REPORT_SCHEMA, KpiReport
from iso10002.serialization import parse_json, pretty_json, structure, unstructure

__all__ = ["report_from_dict", "report_from_json", "report_to_dict", "report_to_json"]


def report_to_dict(report: KpiReport) -> dict[str, Any]:
    """
    The report as plain JSON data (dicts, lists, strings, numbers, booleans, None) in the
    layout ``iso10002.kpi-report/1`` described in this module, ``schema`` first. Fields the
    report has beyond that layout are included the same way.
    """
    data: dict[str, Any] = unstructure(report)
    for change in data.get("comparison", ()):
        # Only first-contact resolution can be unmeasured: the key is there when it is.
        for key in ("current_not_measured", "previous_not_measured"):
            if not change.get(key):
                change.pop(key, None)
    return {"schema": data.pop("schema"), **data}


def report_to_json(report: KpiReport, *, indent: int | None = 2) -> str:
    """
    :func:`report_to_dict` as JSON text (characters beyond ASCII kept as they are).

    Raises:
        SerializationError: a figure is not a finite number, which JSON cannot hold.
    """
    try:
        return pretty_json(report_to_dict(report), indent=indent, finite=True)
    except ValueError as e:
        raise SerializationError(f"$: the report holds a number JSON cannot hold: {e}") from e


def report_from_dict(data: object, *, path: str = "$") -> KpiReport:
    """
    Read a report from the data :func:`report_to_dict` makes.

    Raises:
        SerializationError: not an object, another layout, a missing or unknown key, or a bad
            value; the message gives the path (``$.volume.received``).
    """
    if not isinstance(data, Mapping):
        raise SerializationError(f"{path}: expected an object", path=path)
    where = f"{path}.schema"
    if "schema" not in data:
        raise SerializationError(f"{where}: required key is missing", path=where)
    if data["schema"] != REPORT_SCHEMA:
        raise SerializationError(
            f"{where}: unsupported report layout {data['schema']!r} "
            f"(this release reads {REPORT_SCHEMA!r})",
            path=where,
        )
    return structure(data, KpiReport, path=path)


def report_from_json(text: str | bytes) -> KpiReport:
    """
    Read a report written by :func:`report_to_json`.

    Raises:
        SerializationError: not valid JSON, or as :func:`report_from_dict`.
    """
    return report_from_dict(parse_json(text))
