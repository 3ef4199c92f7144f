"""
The timeliness policies that governed complaints, as recorded: :class:`RecordedSla`.

When a policy first governs a complaint its exact content (the metrics, and the calendar with
its holiday dates, not a package name and version) is recorded once in the store, keyed by the
hash of its canonical JSON (:func:`policy_record`), and the ``sla_policy_applied`` event names
that fingerprint. Evaluating, auditing or showing a complaint then reads the recorded policy:
a newer ``holidays`` package or an edited configuration changes nothing for it, until the desk
re-applies policies explicitly (``ComplaintDesk.apply_policies``), which is recorded too.

Events written before configurations were recorded name the policy and its version only: the
policy is then found in the store by those, or, the first time, in the desk's configuration,
and recorded as found.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from enum import Enum

from iso10002.model.complaint import Complaint
from iso10002.model.configuration import SLA_POLICY, ConfigurationRecord
from iso10002.model.events import DeadlineExtended, Event, SlaPolicyApplied
from iso10002.ports.store import is_configuration_store
from iso10002.serialization import (
    canonical_json,
    make_converter,
    parse_json,
    structure,
    unstructure,
)
from iso10002.sla import calendar as _calendar
from iso10002.sla import policy as _policy
from iso10002.sla.config import SlaConfig
from iso10002.sla.policy import SlaPolicy

__all__ = ["RecordedSla", "policy_from_record", "policy_record"]


def policy_record(policy: SlaPolicy) -> ConfigurationRecord:
    """``policy`` as a store keeps it: its canonical JSON, keyed by the hash of it."""
    content = canonical_json(unstructure(policy))
    return ConfigurationRecord.of(
        kind=SLA_POLICY,
        name=policy.name,
        version=policy.version,
        content=content,
    )


# The library's converter, also reading the enums of a policy's metrics and calendar by value
# (it reads only the model's own enums so): exact-type hooks, since a str-based enum would
# otherwise take the str hook.
_CONVERTER = make_converter(detailed_validation=False)
for _module in (_calendar, _policy):
    for _enum in vars(_module).values():
        if (
            isinstance(_enum, type)
            and issubclass(_enum, Enum)
            and _enum.__module__ == _module.__name__
        ):
            _CONVERTER.register_structure_hook(_enum, lambda value, cls: cls(value))


def policy_from_record(record: ConfigurationRecord) -> SlaPolicy:
    """
    The policy a record holds.

    Raises:
        SerializationError: the content is not a policy this release reads.
    """
    data = parse_json(record.content)
    try:
        return _CONVERTER.structure(data, SlaPolicy)
    except Exception:  # the library's converter then names the path of what is wrong
        return structure(data, SlaPolicy, path="$.configuration")


_PAYLOADS_KEPT = 1024
"""Payloads of ``sla_policy_applied`` kept at most (a few per policy); then the cache restarts."""


class RecordedSla:
    """
    A desk's timeliness configuration together with what its store recorded: new selections
    come from ``config``; a complaint is evaluated with the policy its history names, read from
    the store. A policy an older history names only by name and version is recorded as found in
    ``config``, unless ``record_found`` is off (an audit only reads). Safe to share between
    threads (its caches only ever gain the same values).
    """

    def __init__(self, config: SlaConfig, store: object, *, record_found: bool = True) -> None:
        self.config = config
        self._record_found = record_found
        self._store = store if is_configuration_store(store) else None
        self._fingerprints: dict[int, tuple[SlaPolicy, str]] = {}
        self._by_fingerprint: dict[str, SlaPolicy] = {}
        self._by_name: dict[tuple[str, str], SlaPolicy] = {}
        self._payloads: dict[tuple[str, str], SlaPolicyApplied] = {}

    def select(self, complaint: Complaint) -> tuple[SlaPolicy, str] | None:
        """The policy the configuration selects for ``complaint`` now, and why."""
        return self.config.select(complaint)

    def record(self, policy: SlaPolicy) -> str:
        """Record ``policy`` (once) and return its fingerprint, for the event to name."""
        known = self._fingerprints.get(id(policy))
        if known is not None and known[0] is policy:
            return known[1]
        record = policy_record(policy)
        if self._store is not None and record.fingerprint not in self._by_fingerprint:
            self._store.record_configuration(record)
        self._by_fingerprint.setdefault(record.fingerprint, policy)
        self._by_name.setdefault((policy.name, policy.version), policy)
        self._fingerprints[id(policy)] = (policy, record.fingerprint)
        return record.fingerprint

    def payload(self, policy: SlaPolicy, reason: str) -> SlaPolicyApplied:
        """
        The ``sla_policy_applied`` payload that puts a complaint under ``policy`` (recorded:
        :meth:`record`) for ``reason``. Every complaint put under one policy for one reason
        gets the same payload object (an immutable value), so that what is made of it for
        storage can be kept (the desk prepares it from a template).
        """
        fingerprint = self.record(policy)
        key = (fingerprint, reason)
        found = self._payloads.get(key)
        if found is None:
            calendar = policy.calendar
            found = SlaPolicyApplied(
                policy=policy.name,
                version=policy.version,
                calendar=calendar.name,
                calendar_version=calendar.version,
                calendar_fingerprint=calendar.fingerprint(),
                reason=reason,
                configuration=fingerprint,
            )
            if len(self._payloads) >= _PAYLOADS_KEPT:
                self._payloads.clear()
            self._payloads[key] = found
        return found

    def applied(self, payload: SlaPolicyApplied) -> SlaPolicy:
        """
        The policy an ``sla_policy_applied`` event put the complaint under.

        Raises:
            ValidationError: the event names neither a recorded configuration nor a policy
                the store or the desk's configuration knows.
        """
        fingerprint = payload.configuration
        if fingerprint is not None:
            found = self._by_fingerprint.get(fingerprint)
            if found is not None:
                return found
            record = None if self._store is None else self._store.configuration(fingerprint)
            if record is not None:
                policy = policy_from_record(record)
                self._by_fingerprint[fingerprint] = policy
                return policy
        return self.named(payload.policy, payload.version)

    def named(self, name: str, version: str) -> SlaPolicy:
        """
        The policy first recorded as ``name`` ``version``; if none is, the configuration's,
        recorded as found.

        Raises:
            ValidationError: neither the store nor the configuration knows it.
        """
        found = self._by_name.get((name, version))
        if found is not None:
            return found
        record = (
            None
            if self._store is None
            else self._store.find_configuration(SLA_POLICY, name, version)
        )
        if record is not None:
            policy = policy_from_record(record)
            self._by_name.setdefault((name, version), policy)
            return policy
        policy = self.config.find(name, version)
        if self._record_found:
            self.record(policy)
        return policy

    def current(self, history: Iterable[Event]) -> SlaPolicy | None:
        """The policy last applied in ``history``, if any."""
        return self.as_of(history, None)

    def as_of(self, history: Iterable[Event], when: _dt.datetime | None) -> SlaPolicy | None:
        """The policy applied last in ``history`` at or before ``when`` (None: at its end)."""
        applied = None
        for event in history:
            if isinstance(event.payload, SlaPolicyApplied) and (
                when is None or event.occurred_at <= when
            ):
                applied = event.payload
        return None if applied is None else self.applied(applied)

    def applied_fingerprint(self, history: Sequence[Event]) -> str | None:
        """The fingerprint of the policy last applied in ``history``, if any."""
        policy = self.current(history)
        return None if policy is None else self.record(policy)

    def for_complaint(self, complaint: Complaint) -> SlaPolicy | None:
        """The policy ``complaint``'s state names (by name and version), if any."""
        if complaint.sla_policy is None or complaint.sla_policy_version is None:
            return None
        return self.named(complaint.sla_policy, complaint.sla_policy_version)

    def check_extension(self, complaint: Complaint, extension: DeadlineExtended) -> None:
        """
        Refuse an extension the complaint's recorded policy does not allow.

        Raises:
            ValidationError: as :meth:`SlaConfig.check_extension`.
        """
        self.config.check_extension(complaint, extension, policy=self.for_complaint(complaint))
