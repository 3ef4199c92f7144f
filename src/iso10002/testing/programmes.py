"""
A small, valid programme configuration for tests, with keyword overrides for each part:
``programmes.programme(charges=Charges(charged=True))`` is the sample with one gap.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any

from iso10002.model.values import Channel
from iso10002.programme import (
    Access,
    Charges,
    Confidentiality,
    Escalation,
    ExternalBody,
    Objective,
    PolicyStatement,
    Programme,
    Resource,
    Responsibility,
    TrainingRecord,
)

__all__ = [
    "access",
    "confidentiality",
    "escalation",
    "external_body",
    "objective",
    "policy",
    "programme",
    "responsibility",
    "training",
]


def policy(**overrides: Any) -> PolicyStatement:
    """A published policy statement."""
    fields: dict[str, Any] = {
        "text": "We welcome complaints and handle them fairly.",
        "approved_by": "Chief Executive",
        "approved_on": _dt.date(2025, 1, 10),
        "published_at": ("https://example.org/complaints",),
    }
    return PolicyStatement(**(fields | overrides))


def access(**overrides: Any) -> Access:
    """Two channels, one language."""
    fields: dict[str, Any] = {
        "how_to_complain": "Call us or write to us.",
        "channels": (Channel.PHONE, Channel.EMAIL),
        "accessible_formats": ("large print",),
        "languages": ("en",),
        "published_at": ("https://example.org/complaints",),
    }
    return Access(**(fields | overrides))


def responsibility(**overrides: Any) -> Responsibility:
    """The management representative."""
    fields: dict[str, Any] = {
        "role": "management_representative",
        "person": "Ann Rep",
        "responsibilities": ("run the process",),
        "authorities": ("reassign complaints",),
    }
    return Responsibility(**(fields | overrides))


def objective(**overrides: Any) -> Objective:
    """95 percent of final responses in time."""
    fields: dict[str, Any] = {
        "id": "final-response",
        "description": "Final responses in time.",
        "measure": "final_response",
        "target": Decimal(95),
        "unit": "percent_within_target",
        "reviewed_every": "month",
    }
    return Objective(**(fields | overrides))


def training(**overrides: Any) -> TrainingRecord:
    """A one-year course completed on 2025-01-01."""
    fields: dict[str, Any] = {
        "person": "Ann Rep",
        "course": "Complaints handling",
        "completed_on": _dt.date(2025, 1, 1),
        "expires_on": _dt.date(2026, 1, 1),
    }
    return TrainingRecord(**(fields | overrides))


def confidentiality(**overrides: Any) -> Confidentiality:
    """Six years' retention."""
    fields: dict[str, Any] = {
        "who_may_see_personal_data": ("complaints team",),
        "retention_years": 6,
        "retention_basis": "regulator's record-keeping rules",
        "disclosure_rules": "With consent or where the law requires it.",
    }
    return Confidentiality(**(fields | overrides))


def external_body(**overrides: Any) -> ExternalBody:
    """An ombudsman."""
    fields: dict[str, Any] = {
        "name": "The Ombudsman",
        "url": "https://ombudsman.example",
        "time_limit": "6 months after the final response",
    }
    return ExternalBody(**(fields | overrides))


def escalation(**overrides: Any) -> Escalation:
    """Internal review, then the ombudsman."""
    fields: dict[str, Any] = {
        "internal_review_by": "Customer Relations Manager",
        "external_body": external_body(),
    }
    return Escalation(**(fields | overrides))


def programme(**overrides: Any) -> Programme:
    """A complete, valid programme."""
    fields: dict[str, Any] = {
        "organisation": "Example Ltd",
        "version": "1",
        "effective_from": _dt.date(2025, 2, 1),
        "policy": policy(),
        "access": access(),
        "charges": Charges(),
        "responsibilities": (
            responsibility(),
            responsibility(role="top_management", person="Bo Boss", authorities=()),
            responsibility(role="customer_contact_staff", person="Cy Agent"),
            responsibility(role="customer_contact_staff", person="Di Agent"),
        ),
        "objectives": (objective(), objective(id="days", target=10, unit="days")),
        "resources": (Resource(description="Two handlers", amount="2 FTE"),),
        "training": (training(), training(person="Cy Agent", expires_on=None)),
        "confidentiality": confidentiality(),
        "escalation": escalation(),
    }
    return Programme(**(fields | overrides))
