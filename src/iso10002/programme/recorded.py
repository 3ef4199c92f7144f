"""
The complaints-handling programme as recorded: :func:`programme_record` and
:func:`programme_from_record`.

A programme is the organisation's, not one complaint's, but it governs the complaints received
while it is in force: a desk given a programme records it once in the store, keyed by the hash
of its canonical JSON, and names that fingerprint in each ``complaint_received`` event. An audit
not given a programme reads the one recorded by the latest complaint received by the audit's
instant, so that it judges the programme that was in force, not today's file.
"""

from __future__ import annotations

from iso10002.model.configuration import PROGRAMME, ConfigurationRecord
from iso10002.programme.config import Programme
from iso10002.programme.files import programme_from_dict, programme_to_dict
from iso10002.serialization import canonical_json, parse_json

__all__ = ["programme_from_record", "programme_record"]


def programme_record(programme: Programme) -> ConfigurationRecord:
    """``programme`` as a store keeps it: its canonical JSON, keyed by the hash of it."""
    content = canonical_json(programme_to_dict(programme))
    return ConfigurationRecord.of(
        kind=PROGRAMME,
        name=programme.organisation,
        version=programme.version,
        content=content,
    )


def programme_from_record(record: ConfigurationRecord) -> Programme:
    """
    The programme a record holds.

    Raises:
        SerializationError: the content is not a programme this release reads.
    """
    return programme_from_dict(parse_json(record.content))
