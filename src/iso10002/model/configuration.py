"""
:class:`ConfigurationRecord`: the exact content of a configuration that governed a complaint
(a timeliness policy with its calendar resolved to dates, a workflow, a programme), as a store
keeps it: once, under the hash of its canonical form, so that events can refer to it and an
old complaint is read with what governed it, whatever is installed or configured today.
"""

from __future__ import annotations

import hashlib

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check

__all__ = ["PROGRAMME", "SLA_POLICY", "WORKFLOW", "ConfigurationRecord", "fingerprint_of"]

SLA_POLICY = "sla_policy"
"""The kind of a timeliness policy's record: the policy, its metrics and its calendar."""

WORKFLOW = "workflow"
"""The kind of a workflow's record: its states, transitions and the guards they carry."""

PROGRAMME = "programme"
"""The kind of a complaints-handling programme's record (policy, objectives, roles, ...)."""

_PREFIX = "sha256:"


def fingerprint_of(content: str) -> str:
    """The key of ``content`` (canonical JSON): ``sha256:`` and the hex digest of its UTF-8."""
    return _PREFIX + hashlib.sha256(content.encode("utf-8")).hexdigest()


@attrs.frozen(kw_only=True)
class ConfigurationRecord:
    """
    One configuration as it was in force: its ``kind`` (:data:`SLA_POLICY`, :data:`WORKFLOW`,
    :data:`PROGRAMME`), the ``name`` and ``version`` it was known by, and its ``content``,
    canonical JSON written by the serialization module, keyed by its ``fingerprint``.

    Raises:
        ValidationError: the fingerprint is not the content's.
    """

    kind: str = attrs.field(validator=check.text)
    name: str = attrs.field(validator=check.text)
    version: str = attrs.field(validator=check.text)
    content: str = attrs.field(validator=check.text, repr=False)
    fingerprint: str = attrs.field(validator=check.text)

    @classmethod
    def of(cls, *, kind: str, name: str, version: str, content: str) -> ConfigurationRecord:
        """The record of ``content`` (canonical JSON), keyed by its own fingerprint."""
        return cls(
            kind=kind,
            name=name,
            version=version,
            content=content,
            fingerprint=fingerprint_of(content),
        )

    def __attrs_post_init__(self) -> None:
        if self.fingerprint != fingerprint_of(self.content):
            raise ValidationError(
                "fingerprint",
                f"{self.fingerprint!r} is not the hash of the {self.kind} {self.name!r} "
                f"version {self.version!r} it keys",
            )
