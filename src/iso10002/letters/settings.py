"""
:class:`LetterSettings`: what an organisation tells its letters about itself — its name, who
signs, how to reach it, where a complainant may take the complaint next, which language to fall
back on, and the time zone dates are written in.

The escalation (internal review and external body, with its time limit) comes from the
organisation's :class:`~iso10002.programme.Programme` (:meth:`LetterSettings.from_programme`),
so that the letters say what the programme says, and nothing about an ombudsman is hard-coded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from iso10002.errors import ValidationError
from iso10002.letters.catalogue import is_language_tag, language_candidates, language_tag
from iso10002.letters.variables import SETTINGS_VARIABLES, LetterKind, variables
from iso10002.model import _checks as check
from iso10002.programme.config import Escalation, Programme

__all__ = ["LetterSettings"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _zone(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(attribute.name, f"expected an IANA time zone name, got {value!r}")
    try:
        ZoneInfo(value)
    except Exception as e:  # ZoneInfoNotFoundError, or ValueError for a malformed key
        raise ValidationError(attribute.name, f"{value!r} is not a known IANA time zone") from e


def _optional_bool(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, bool):
        raise ValidationError(attribute.name, f"expected True, False or None, got {value!r}")


def _months(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        check.int_range(1, 120)(_inst, attribute, value)


def _documented() -> frozenset[str]:
    return frozenset(v.name for kind in LetterKind for v in variables(kind))


def _extras(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check.text_mapping(_inst, attribute, value)
    assert isinstance(value, dict)
    documented = _documented()
    for name, text in value.items():
        if not _NAME.match(name):
            raise ValidationError(
                f"{attribute.name}.{name}", "is not a variable name (lower-case letters, digits, _)"
            )
        if name in documented:
            raise ValidationError(
                f"{attribute.name}.{name}", "is a variable the library fills in; choose another"
            )
        if not text.strip():
            raise ValidationError(f"{attribute.name}.{name}", "must not be empty")


def _copy(value: object) -> object:
    if isinstance(value, Mapping):
        return {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in value.items()}
    return value


@attrs.frozen(kw_only=True)
class LetterSettings:
    """
    The organisation's side of every letter.

    Args:
        organisation: the organisation's name.
        signature: who signs, e.g. ``"Customer Relations Team"``.
        contact: how to reach the complaints team, as a phrase that follows "you can":
            ``"call us on 0800 123 4567, Monday to Friday, 9am to 5pm"``.
        website: the complaints web page.
        escalation: the internal review and the external body, usually the programme's. A
            decision that does not fully uphold a complaint cannot be written without it.
        referral_months: how many months after the final response the complainant has to go to
            the external body; when given, letters also state the last date.
        time_limit_consent: whether the organisation consents to the external body considering
            a complaint referred after its time limit (FCA DISP 1 Annex 3R asks the letter to
            say so); ``None`` where the regime asks nothing.
        refer_on_delay: whether a holding response tells the complainant they may go to the
            external body now (FCA DISP 1.6, ASIC RG 271); a letter may say otherwise.
        fallback_language: the language of a letter when the template set has none in the
            complainant's.
        zone: the IANA time zone dates are written in when there is no business calendar.
        final_response_metric: the SLA metric whose deadline is the final response's.
        summary_resolution_metric: the SLA metric that must be met for a summary resolution
            communication (FCA DISP 1.5).
        extras: the organisation's own variables for its templates, e.g. ``{"phone": "…"}``.
        translations: per language, other wording for the values above (and the extras), e.g.
            ``{"fr": {"signature": "Service Réclamations"}}``; a value without a translation is
            used as it is.

    Raises:
        ValidationError: naming the field that is missing or malformed.
    """

    organisation: str = attrs.field(validator=check.text)
    signature: str = attrs.field(validator=check.text)
    contact: str | None = attrs.field(default=None, validator=check.optional_text)
    website: str | None = attrs.field(default=None, validator=check.optional_text)
    escalation: Escalation | None = attrs.field(
        default=None, validator=check.optional_instance(Escalation)
    )
    referral_months: int | None = attrs.field(default=None, validator=_months)
    time_limit_consent: bool | None = attrs.field(default=None, validator=_optional_bool)
    refer_on_delay: bool = attrs.field(default=True, validator=check.instance(bool))
    fallback_language: str = attrs.field(default="en", validator=language_tag)
    zone: str = attrs.field(default="UTC", validator=_zone)
    final_response_metric: str = attrs.field(default="final_response", validator=check.text)
    summary_resolution_metric: str = attrs.field(default="summary_resolution", validator=check.text)
    extras: Mapping[str, str] = attrs.field(
        factory=dict, converter=_copy, validator=_extras, hash=False
    )
    translations: Mapping[str, Mapping[str, str]] = attrs.field(
        factory=dict, converter=_copy, hash=False
    )

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.translations, dict):
            raise ValidationError("translations", "expected a mapping of languages")
        allowed = set(SETTINGS_VARIABLES) | set(self.extras)
        for language, words in self.translations.items():
            where = f"translations.{language}"
            if not is_language_tag(language):
                raise ValidationError(where, "is not a language tag such as en, cy or fr-CA")
            if not isinstance(words, dict):
                raise ValidationError(where, "expected a mapping of variable names to text")
            for name, text in words.items():
                if name not in allowed:
                    known = ", ".join(sorted(allowed))
                    raise ValidationError(
                        f"{where}.{name}", f"is not a settings variable (translatable: {known})"
                    )
                if not isinstance(text, str) or not text.strip():
                    raise ValidationError(f"{where}.{name}", "must be non-empty text")

    @classmethod
    def from_programme(
        cls, programme: Programme, *, signature: str, **options: Any
    ) -> LetterSettings:
        """
        Settings for ``programme``'s organisation and escalation; ``options`` are the other
        fields (``zone``, ``contact``, ``referral_months``…).
        """
        if not isinstance(programme, Programme):
            raise ValidationError(
                "programme", f"expected a Programme, got {type(programme).__name__}"
            )
        return cls(
            organisation=programme.organisation,
            signature=signature,
            escalation=programme.escalation,
            **options,
        )

    def values(self, language: str) -> dict[str, str | None]:
        """
        The settings' variables for a letter in ``language``: translated where
        :attr:`translations` has the language (or its primary subtag), as given otherwise.
        """
        body = self.escalation.external_body if self.escalation else None
        found: dict[str, str | None] = {
            "organisation": self.organisation,
            "signature": self.signature,
            "contact": self.contact,
            "website": self.website,
            "internal_review_by": self.escalation.internal_review_by if self.escalation else None,
            "external_body": body.name if body else None,
            "external_body_url": body.url if body else None,
            "external_time_limit": body.time_limit if body else None,
            **self.extras,
        }
        # Most general first, so that fr-CA wording wins over fr wording.
        for tag in reversed(language_candidates(language, language)):
            for key, words in self.translations.items():
                if key.lower() == tag.lower():
                    for name, text in words.items():
                        if found.get(name) is not None:
                            found[name] = text
        return found
