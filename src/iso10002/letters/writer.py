"""
:class:`LetterWriter`: turns a complaint (and its SLA report) into a :class:`Letter` — a
:class:`~iso10002.notify.Notification` ready for any notifier, and how it was written.

For every letter the writer

1. picks the channel (:func:`~iso10002.letters.addressing.addresses`) and the template in the
   complainant's language, else its primary language, else the configured fallback;
2. fills the kind's variables (:mod:`iso10002.letters.variables`): dates in the letter's
   language and in the business calendar's time zone, amounts in the letter's language;
3. renders the subject, the text and the HTML (every value escaped), or the SMS text;
4. names the notification ``<complaint id>:<kind>:<sequence>``. The sequence comes from the
   letter itself (``1`` for an acknowledgement, the decision's instant for a decision letter,
   the new date for a holding response), so writing the same letter again gives the same key
   and a receiver drops the repeat; pass ``sequence=`` to tell two letters apart yourself.

Nothing is sent and nothing is recorded: hand the notification to a notifier, and record the
communication on the complaint with the desk.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from dateutil.relativedelta import relativedelta

from iso10002.errors import NaiveDatetimeError, ValidationError
from iso10002.letters.addressing import Address, addresses
from iso10002.letters.builtin import builtin_templates
from iso10002.letters.catalogue import LetterTemplate, TemplateSet
from iso10002.letters.formatting import (
    format_date,
    format_deadline,
    format_money,
    primary_language,
)
from iso10002.letters.settings import LetterSettings
from iso10002.letters.template import Output
from iso10002.letters.variables import LetterKind, variables
from iso10002.model import _checks as check
from iso10002.model.complaint import Complaint
from iso10002.model.notification import Notification
from iso10002.model.values import Complainant, ContactMethod, Outcome, RemedyKind
from iso10002.sla.config import SlaConfig
from iso10002.sla.engine import MetricStatus, SlaReport, SlaStatus
from iso10002.sla.recorded import RecordedSla
from iso10002.survey.definition import Survey

__all__ = ["Letter", "LetterWriter"]

_SEQUENCE = re.compile(r"^[!-~]{1,64}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_LINK = re.compile(r"^https?://\S+$")

_Values = dict[str, object]


@attrs.frozen(kw_only=True)
class Letter:
    """A letter written for one complaint: the notification, and how it was written."""

    notification: Notification
    """What to hand to a notifier."""
    kind: LetterKind
    channel: ContactMethod
    """``EMAIL``, ``LETTER`` (the text starts with the postal address) or ``SMS``."""
    language: str
    """The language it is written in."""
    requested_language: str
    """The complainant's language."""
    language_fallback: bool
    """True when the template set has neither the complainant's language nor its primary
    language, so the letter is in the configured fallback language."""
    template: str
    """Where the template came from: ``"built-in"``, a directory, a file."""


def _aware(value: _dt.datetime, name: str) -> _dt.datetime:
    if not isinstance(value, _dt.datetime):
        raise ValidationError(name, f"expected a datetime, got {type(value).__name__}")
    if value.utcoffset() is None:
        raise NaiveDatetimeError(name)
    return value.astimezone(_dt.timezone.utc)


def _sequence(value: str) -> str:
    if not isinstance(value, str) or not _SEQUENCE.match(value):
        raise ValidationError("sequence", "must be 1-64 printable ASCII characters without spaces")
    return value


def _live(metric: MetricStatus) -> bool:
    return (
        metric.due_at is not None
        and metric.stopped_at is None
        and metric.status in (SlaStatus.RUNNING, SlaStatus.WARNING)
    )


def _find(report: SlaReport | None, name: str) -> MetricStatus | None:
    if report is None:
        return None
    return next((m for m in report.metrics if m.metric == name), None)


def _check_inputs(complaint: object, sla: object) -> None:
    if not isinstance(complaint, Complaint):
        raise ValidationError("complaint", f"expected a Complaint, got {type(complaint).__name__}")
    if sla is not None:
        if not isinstance(sla, SlaReport):
            raise ValidationError("sla", f"expected an SlaReport, got {type(sla).__name__}")
        if sla.reference != complaint.reference:
            raise ValidationError(
                "sla", f"the report is for complaint {sla.reference}, not {complaint.reference}"
            )


def _text_argument(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(name, "must be non-empty text")
    return value


@attrs.frozen(kw_only=True)
class LetterWriter:
    """
    Writes the letters of a complaint from templates.

    Args:
        settings: the organisation's side of the letters.
        templates: the template set; the built-in one if omitted. Combine it with your own
            files: ``builtin_templates().with_overrides(load_templates("letters/"))``.
        sla_config: the desk's timeliness configuration (``desk.sla``); with it, dates are
            written in the time zone of the business calendar the SLA report was counted in.
        store: the desk's store (``desk.store``): with it, that calendar is the one recorded
            with the complaint's policy when it was applied, as the desk reads it, so that a
            letter for an old complaint is written as it was governed even after the
            configuration was edited (or the policy's version is no longer configured).
            Without it, the calendar is today's configuration's.

    Every method takes the complaint as the desk returns it, and:

    - ``sla``: the complaint's SLA report (``desk.sla_status(reference)``), or ``None``;
    - ``at``: the letter's instant (its date, and the notification's ``created_at``); the
      complaint's last event if omitted, so that the same complaint gives the same letter;
    - ``sequence``: tells two letters of one kind apart in the idempotency key;
    - ``zone``: the time zone for dates, instead of the calendar's or the settings'.

    Raises:
        ValidationError: the templates use an extra variable the settings do not give.
    """

    settings: LetterSettings = attrs.field(validator=check.instance(LetterSettings))
    templates: TemplateSet = attrs.field(
        factory=builtin_templates, validator=check.instance(TemplateSet)
    )
    sla_config: SlaConfig | None = attrs.field(
        default=None, validator=check.optional_instance(SlaConfig)
    )
    store: object | None = attrs.field(default=None)
    _recorded: RecordedSla | None = attrs.field(init=False, default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.sla_config is not None:
            # Reads only: a policy the store lacks is taken from the configuration, unrecorded.
            recorded = RecordedSla(self.sla_config, self.store, record_found=False)
            object.__setattr__(self, "_recorded", recorded)
        missing = sorted(self.templates.extra_variables - set(self.settings.extras))
        if missing:
            raise ValidationError(
                "extras",
                f"the templates use {', '.join(missing)}, which LetterSettings.extras "
                "does not give",
            )

    # -- the kinds ---------------------------------------------------------------------------

    def acknowledgement(
        self,
        complaint: Complaint,
        *,
        sla: SlaReport | None = None,
        at: _dt.datetime | None = None,
        sequence: str = "1",
        zone: str | None = None,
    ) -> Letter:
        """
        The acknowledgement (7.4): the reference, what happens next, and the deadlines of the
        SLA report (the final response's as ``final_response_due``, every running one in
        ``deadlines``); without a report, the letter promises no date.
        """

        def values(language: str, tz: str, _at: _dt.datetime) -> _Values:
            deadlines = [
                {
                    "metric": m.metric,
                    "description": m.description,
                    "due": format_deadline(m.due_at, tz, language),
                }
                for m in (sla.metrics if sla else ())
                if _live(m) and m.due_at is not None
            ]
            final = _find(sla, self.settings.final_response_metric)
            due = final.due_at if final is not None and _live(final) else None
            return {
                "deadlines": deadlines,
                "final_response_due": None if due is None else format_deadline(due, tz, language),
            }

        return self._letter(
            LetterKind.ACKNOWLEDGEMENT,
            complaint,
            values,
            sla=sla,
            at=at,
            sequence=sequence,
            zone=zone,
            data={},
        )

    def holding_response(
        self,
        complaint: Complaint,
        *,
        reason: str,
        expected_by: _dt.date | _dt.datetime | None = None,
        may_refer_now: bool | None = None,
        sla: SlaReport | None = None,
        at: _dt.datetime | None = None,
        sequence: str | None = None,
        zone: str | None = None,
    ) -> Letter:
        """
        A holding response or delay notice: why the final response is late, when it is now
        expected, and — where the regime allows it (``may_refer_now``, by default the settings'
        ``refer_on_delay``) — that the complainant may go to the external body now.

        Args:
            reason: why, in words for the complainant.
            expected_by: the new date (a date, or an instant written in the zone); by default
                the final response metric's deadline in ``sla`` (after any extension).
            sequence: by default the new date, so each new date is a new letter.

        Raises:
            ValidationError: ``reason`` is empty, ``expected_by`` is naive, or neither it nor
                the SLA report gives a date (naming the template and ``new_expected_date``).
        """
        _check_inputs(complaint, sla)
        _text_argument(reason, "reason")
        if isinstance(expected_by, _dt.datetime):
            _aware(expected_by, "expected_by")
        elif expected_by is not None and not isinstance(expected_by, _dt.date):
            raise ValidationError("expected_by", "expected a date or a datetime")
        refer = self.settings.refer_on_delay if may_refer_now is None else may_refer_now
        if not isinstance(refer, bool):
            raise ValidationError("may_refer_now", "expected True, False or None")
        target: _dt.date | _dt.datetime | None = expected_by
        if target is None:
            final = _find(sla, self.settings.final_response_metric)
            if final is not None and final.stopped_at is None:
                target = final.due_at

        def values(language: str, tz: str, _at: _dt.datetime) -> _Values:
            if isinstance(target, _dt.datetime):
                new_date: str | None = format_deadline(target, tz, language)
            else:
                new_date = None if target is None else format_date(target, language)
            return {"reason": reason, "new_expected_date": new_date, "may_refer_now": refer}

        if sequence is None:
            sequence = "undated" if target is None else _day(target, self._zone(sla, zone))
        return self._letter(
            LetterKind.HOLDING_RESPONSE,
            complaint,
            values,
            sla=sla,
            at=at,
            sequence=sequence,
            zone=zone,
            data={"may_refer_now": refer},
            recourse=True,
        )

    def decision(
        self,
        complaint: Complaint,
        *,
        sla: SlaReport | None = None,
        at: _dt.datetime | None = None,
        sequence: str | None = None,
        zone: str | None = None,
    ) -> Letter:
        """
        The decision letter, the final response (7.8): outcome, reasons, remedies with their
        amounts and — when the complaint is not fully upheld — the internal review and the
        external body with its time limit (7.9), as the settings' escalation names them.

        Raises:
            ValidationError: the complaint has no decision (field ``decision``); or it is not
                fully upheld and the settings name no internal review (naming the template and
                ``internal_review_by``).
        """
        _check_inputs(complaint, sla)
        decision = complaint.decision
        if decision is None or complaint.decided_at is None:
            raise ValidationError("decision", f"complaint {complaint.reference} has no decision")
        decided_at = complaint.decided_at

        def values(language: str, tz: str, _at: _dt.datetime) -> _Values:
            remedies = [
                {
                    **{kind.value: remedy.kind is kind for kind in RemedyKind},
                    "description": remedy.description,
                    "amount": None
                    if remedy.amount is None
                    else format_money(remedy.amount, language),
                }
                for remedy in decision.remedies
            ]
            return {
                "upheld": decision.outcome is Outcome.UPHELD,
                "partially_upheld": decision.outcome is Outcome.PARTIALLY_UPHELD,
                "not_upheld": decision.outcome is Outcome.NOT_UPHELD,
                "not_fully_upheld": decision.outcome is not Outcome.UPHELD,
                "reasons": decision.reasons,
                "decision_date": format_date(_local(decided_at, tz).date(), language),
                "has_remedies": bool(remedies),
                "remedies": remedies,
            }

        if sequence is None:
            sequence = decided_at.astimezone(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        return self._letter(
            LetterKind.DECISION,
            complaint,
            values,
            sla=sla,
            at=at,
            sequence=sequence,
            zone=zone,
            data={"outcome": decision.outcome.value},
            recourse=True,
        )

    def summary_resolution(
        self,
        complaint: Complaint,
        *,
        resolution: str | None = None,
        sla: SlaReport | None = None,
        at: _dt.datetime | None = None,
        sequence: str = "1",
        zone: str | None = None,
    ) -> Letter:
        """
        A summary resolution communication (FCA DISP 1.5.4R) for a complaint resolved by close
        of business on the third business day after receipt: that it is resolved, that the
        complainant may be able to refer it to the ombudsman, whether the organisation consents
        to a late referral, and the ombudsman's website.

        Args:
            resolution: what was done, in words for the complainant (optional).
            sla: when given and its policy has the summary-resolution metric, the letter is
                refused if the complaint was not resolved by that deadline.

        Raises:
            ValidationError: the settings name no external body with a website
                (``escalation``) or do not say whether they consent to a late referral
                (``time_limit_consent``); or the summary-resolution deadline has passed
                (``summary_resolution``): send a decision letter instead.
        """
        _check_inputs(complaint, sla)
        if resolution is not None:
            _text_argument(resolution, "resolution")
        escalation = self.settings.escalation
        body = escalation.external_body if escalation else None
        if body is None or body.url is None:
            raise ValidationError(
                "escalation",
                "a summary resolution communication names the ombudsman service and its "
                "website: give LetterSettings an escalation whose external body has a url",
            )
        if self.settings.time_limit_consent is None:
            raise ValidationError(
                "time_limit_consent",
                "a summary resolution communication says whether you consent to the "
                "ombudsman considering a late referral: set LetterSettings.time_limit_consent",
            )
        metric = _find(sla, self.settings.summary_resolution_metric)
        when = complaint.last_event_at if at is None else _aware(at, "at")
        if metric is not None and metric.due_at is not None:
            done = metric.stopped_at or when
            if metric.status is SlaStatus.BREACHED or done > metric.due_at:
                raise ValidationError(
                    "summary_resolution",
                    f"complaint {complaint.reference} was not resolved by "
                    f"{metric.due_at.isoformat()}: send a final response (the decision letter)",
                )

        def values(language: str, tz: str, letter_at: _dt.datetime) -> _Values:
            return {
                "resolution": resolution,
                "resolved_date": format_date(_local(letter_at, tz).date(), language),
            }

        return self._letter(
            LetterKind.SUMMARY_RESOLUTION,
            complaint,
            values,
            sla=sla,
            at=at,
            sequence=sequence,
            zone=zone,
            data={},
            recourse=True,
        )

    def survey_invitation(
        self,
        complaint: Complaint,
        *,
        link: str,
        survey: Survey | None = None,
        respond_by: _dt.date | None = None,
        sla: SlaReport | None = None,
        at: _dt.datetime | None = None,
        sequence: str | None = None,
        zone: str | None = None,
    ) -> Letter:
        """
        An invitation to the satisfaction survey (8.3).

        Args:
            link: where to answer; an ``http://`` or ``https://`` address.
            survey: the survey, for its name; the sequence defaults to its name and version.
            respond_by: the last day to answer, if there is one.

        Raises:
            ValidationError: ``link`` is not an http(s) address, ``respond_by`` not a date.
        """
        if not isinstance(link, str) or not _LINK.match(link):
            raise ValidationError("link", "must be an http:// or https:// address")
        if survey is not None and not isinstance(survey, Survey):
            raise ValidationError("survey", f"expected a Survey, got {type(survey).__name__}")
        if respond_by is not None and (
            isinstance(respond_by, _dt.datetime) or not isinstance(respond_by, _dt.date)
        ):
            raise ValidationError("respond_by", "expected a date")

        def values(language: str, _tz: str, _at: _dt.datetime) -> _Values:
            return {
                "survey_link": link,
                "survey_name": survey.name if survey else None,
                "respond_by": None if respond_by is None else format_date(respond_by, language),
            }

        if sequence is None:
            name = _UNSAFE.sub("-", f"{survey.name}-{survey.version}") if survey else "1"
            sequence = name[:64]
        data = {"survey": survey.name, "survey_version": survey.version} if survey else {}
        return self._letter(
            LetterKind.SATISFACTION_SURVEY,
            complaint,
            values,
            sla=sla,
            at=at,
            sequence=sequence,
            zone=zone,
            data=data,
        )

    # -- the common part ---------------------------------------------------------------------

    def _zone(self, sla: SlaReport | None, zone: str | None) -> str:
        if zone is not None:
            _tz(zone)  # refuse an unknown zone before anything is written
            return zone
        if sla is not None and self._recorded is not None:
            return self._recorded.named(sla.policy, sla.version).calendar.zone
        return self.settings.zone

    def _letter(
        self,
        kind: LetterKind,
        complaint: Complaint,
        specific: Callable[[str, str, _dt.datetime], _Values],
        *,
        sla: SlaReport | None,
        at: _dt.datetime | None,
        sequence: str,
        zone: str | None,
        data: Mapping[str, Any],
        recourse: bool = False,
    ) -> Letter:
        _check_inputs(complaint, sla)
        when = complaint.last_event_at if at is None else _aware(at, "at")
        key = f"{complaint.id}:{kind.value}:{_sequence(sequence)}"
        tz = self._zone(sla, zone)
        requested = complaint.complainant.language
        address, template = self._pick(kind, complaint.complainant)
        language = template.language
        values: _Values = dict(self.settings.values(language))
        values.update(
            reference=complaint.reference,
            complainant_name=complaint.complainant.name,
            language=language,
            letter_date=format_date(_local(when, tz).date(), language),
            received_date=format_date(_local(complaint.received_at, tz).date(), language),
            product=complaint.product.name if complaint.product else None,
            address_block=address.postal_block,
        )
        if recourse:
            values.update(self._recourse(values, language, when, tz))
        values.update(specific(language, tz, when))
        hints = {v.name: v.when_missing for v in variables(kind) if v.when_missing}
        subject = template.subject.render(values, output=Output.LINE, hints=hints)
        html: str | None = None
        if address.channel is ContactMethod.SMS:
            assert template.sms is not None  # _pick chose a template with an SMS text
            text = template.sms.render(values, hints=hints).strip()
        else:
            text = template.text.render(values, hints=hints)
            if template.html is not None:
                html = template.html.render(values, output=Output.HTML, hints=hints)
        fallback = language.lower() not in (requested.lower(), primary_language(requested))
        notification = Notification(
            idempotency_key=key,
            complaint_reference=complaint.reference,
            kind=kind.value,
            recipient=address.recipient,
            subject=subject or kind.value,
            text=text,
            html=html,
            language=language,
            created_at=when,
            data={
                "letter": kind.value,
                "channel": address.channel.value,
                "language": language,
                "requested_language": requested,
                "language_fallback": fallback,
                **data,
            },
        )
        return Letter(
            notification=notification,
            kind=kind,
            channel=address.channel,
            language=language,
            requested_language=requested,
            language_fallback=fallback,
            template=template.origin,
        )

    def _pick(self, kind: LetterKind, complainant: Complainant) -> tuple[Address, LetterTemplate]:
        """The first channel the complainant can be written to that a template exists for."""
        first: ValidationError | None = None
        for address in addresses(complainant):
            try:
                template = self.templates.choose(
                    kind,
                    complainant.language,
                    fallback=self.settings.fallback_language,
                    sms=address.channel is ContactMethod.SMS,
                )
            except ValidationError as e:
                first = first or e
                continue
            return address, template
        if first is not None:
            raise first
        raise ValidationError(
            "complainant.contact", "there is no e-mail, postal address or phone to write to"
        )

    def _recourse(
        self, values: Mapping[str, object], language: str, at: _dt.datetime, tz: str
    ) -> _Values:
        deadline: str | None = None
        months = self.settings.referral_months
        if values.get("external_body") is not None and months is not None:
            day = _local(at, tz).date() + relativedelta(months=months)
            deadline = format_date(day, language)
        consent = self.settings.time_limit_consent
        return {
            "external_deadline": deadline,
            "waives_time_limits": consent is True,
            "keeps_time_limits": consent is False,
        }


def _tz(zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(zone)
    except Exception as e:  # ZoneInfoNotFoundError, or ValueError for a malformed key
        raise ValidationError("zone", f"{zone!r} is not a known IANA time zone") from e


def _local(instant: _dt.datetime, zone: str) -> _dt.datetime:
    return instant.astimezone(_tz(zone))


def _day(value: _dt.date | _dt.datetime, zone: str) -> str:
    if isinstance(value, _dt.datetime):
        return _local(value, zone).strftime("%Y-%m-%dT%H%M")
    return value.isoformat()
