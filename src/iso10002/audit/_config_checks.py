"""
The configuration checks of the audit criteria: each reads the programme configuration (and,
where it says so, the store or the other findings) and returns a :class:`ConfigOutcome`.

An outcome counts what it checked in its own unit (people, objectives, nonconformities,
closed complaints), so a finding never rates people against a count of complaints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from iso10002.audit.findings import FindingStatus

if TYPE_CHECKING:
    from iso10002.audit.run import AuditContext

__all__ = [
    "ConfigOutcome",
    "accessible_to_all",
    "actions_for_nonconformities",
    "external_body",
    "how_to_complain",
    "no_charges",
    "objectives_monitored",
    "personal_data_restricted",
    "plural",
    "policy_published",
    "retention",
    "roles_assigned",
    "staff_trained",
]


@attrs.frozen(kw_only=True)
class ConfigOutcome:
    """The result of a configuration criterion: whether it conforms, and what was read."""

    conforms: bool | None
    """``None``: the criterion does not apply (e.g. nothing to check)."""
    summary: str
    values: dict[str, str] = attrs.field(factory=dict)
    failed: tuple[str, ...] = ()
    """What did not conform, in the criterion's unit: people, objectives, complaints, ..."""
    notes: tuple[str, ...] = ()
    checked: int | None = None
    """How many were checked; ``None`` when the criterion counts nothing (a yes or no)."""
    unit: str = "complaints"
    """What ``checked`` and ``failed`` count, in the plural."""


def plural(n: int, one: str, many: str) -> str:
    """``"1 person"``, ``"2 people"``: ``n`` with the right form of the noun."""
    return f"{n} {one if n == 1 else many}"


def no_charges(ctx: AuditContext) -> ConfigOutcome:
    """4.8: complaining costs the complainant nothing."""
    p = ctx.require_programme()
    charged = p.charges.charged
    return ConfigOutcome(
        conforms=not charged,
        summary=(
            f"Complaining costs the complainant something: {p.charges.description}"
            if charged
            else "Access to the complaints process is free of charge."
        ),
        values={"charges.charged": str(charged).lower()},
    )


def objectives_monitored(ctx: AuditContext) -> ConfigOutcome:
    """8.4: every objective measures something the library monitors."""
    p = ctx.require_programme()
    if not p.objectives:
        return ConfigOutcome(conforms=False, summary="No measurable objectives are set.")
    known = ctx.known_measures()
    unmonitored = tuple(o.id for o in p.objectives if o.measure not in known)
    values = {f"objectives.{o.id}.measure": o.measure for o in p.objectives}
    if unmonitored:
        return ConfigOutcome(
            conforms=False,
            summary=(
                f"{len(unmonitored)} of {len(p.objectives)} objectives measure nothing the "
                f"library monitors: {', '.join(unmonitored)}."
            ),
            values=values,
            failed=unmonitored,
            notes=(f"monitored measures: {', '.join(sorted(known))}",),
            checked=len(p.objectives),
            unit="objectives",
        )
    return ConfigOutcome(
        conforms=True,
        summary=f"All {len(p.objectives)} objectives are tied to a monitored measure.",
        values=values,
        checked=len(p.objectives),
        unit="objectives",
    )


def retention(ctx: AuditContext) -> ConfigOutcome:
    """8.1 and 4.10: no closed complaint is held beyond the retention period."""
    p = ctx.require_programme()
    years = p.confidentiality.retention_years
    expired, closed = ctx.held_beyond_retention(years)
    values = {"confidentiality.retention_years": str(years)}
    if expired:
        return ConfigOutcome(
            conforms=False,
            summary=(
                f"{len(expired)} closed complaints are held beyond the {years}-year retention "
                "period."
            ),
            values=values,
            failed=expired,
            checked=closed,
        )
    return ConfigOutcome(
        conforms=True,
        summary=f"No closed complaint is held beyond the {years}-year retention period.",
        values=values,
        checked=closed,
    )


def policy_published(ctx: AuditContext) -> ConfigOutcome:
    """5.3: the complaints policy is published."""
    p = ctx.require_programme()
    where = p.policy.published_at
    return ConfigOutcome(
        conforms=bool(where),
        summary=(
            f"The complaints policy is published at {', '.join(where)}."
            if where
            else "The complaints policy is not published anywhere."
        ),
        values={
            "policy.published_at": ", ".join(where),
            "policy.approved_by": p.policy.approved_by,
        },
    )


def roles_assigned(ctx: AuditContext) -> ConfigOutcome:
    """5.4: top management and the management representative are named."""
    p = ctx.require_programme()
    representative = p.person_for("management_representative")
    top = p.person_for("top_management")
    missing = [
        name
        for name, people in (("management_representative", representative), ("top_management", top))
        if not people
    ]
    return ConfigOutcome(
        conforms=not missing,
        summary=(
            f"No one holds the role(s): {', '.join(missing)}."
            if missing
            else "Top management and the complaints-handling management representative are named."
        ),
        values={
            "responsibilities.management_representative": ", ".join(representative),
            "responsibilities.top_management": ", ".join(top),
        },
    )


def staff_trained(ctx: AuditContext) -> ConfigOutcome:
    """6.4 and 4.14: everyone who acted on a complaint held a current training record."""
    # The pass over the histories checked each action against the programme's records.
    staff = len(ctx.staff)
    if not staff:
        return ConfigOutcome(conforms=None, summary="No staff handled complaints in the period.")
    untrained = ctx.untrained
    if untrained:
        people = tuple(sorted(untrained))
        return ConfigOutcome(
            conforms=False,
            summary=(
                f"{len(untrained)} of the {plural(staff, 'person', 'people')} who handled "
                f"complaints had no current training record when they acted: "
                f"{', '.join(people)}."
            ),
            failed=people,
            notes=tuple(
                f"{person}: {plural(len(refs), 'complaint', 'complaints')} "
                f"({', '.join(sorted(refs))})"
                for person, refs in sorted(untrained.items())
            ),
            checked=staff,
            unit="people",
        )
    everyone = "The only person" if staff == 1 else f"All {staff} people"
    return ConfigOutcome(
        conforms=True,
        summary=f"{everyone} who handled complaints had current training.",
        checked=staff,
        unit="people",
    )


def how_to_complain(ctx: AuditContext) -> ConfigOutcome:
    """7.1: how and where to complain is published, with channels."""
    p = ctx.require_programme()
    access = p.access
    ok = bool(access.published_at) and bool(access.channels)
    return ConfigOutcome(
        conforms=ok,
        summary=(
            f"How to complain is published at {', '.join(access.published_at)}, with "
            f"{len(access.channels)} channels."
            if ok
            else "How to complain is not published, or no channel is offered."
        ),
        values={
            "access.published_at": ", ".join(access.published_at),
            "access.channels": ", ".join(c.value for c in access.channels),
            "access.languages": ", ".join(access.languages),
        },
    )


def accessible_to_all(ctx: AuditContext) -> ConfigOutcome:
    """
    4.5: the process can be used by everyone: more than one channel (somebody who cannot use
    one has another), at least one accessible format, and the languages it is offered in.
    """
    access = ctx.require_programme().access
    gaps = []
    if len(access.channels) < 2:
        gaps.append("fewer than two channels are offered")
    if not access.accessible_formats:
        gaps.append("no accessible format (large print, easy read, audio, ...) is offered")
    if not access.languages:
        gaps.append("the languages the process is offered in are not stated")
    values = {
        "access.channels": ", ".join(c.value for c in access.channels),
        "access.accessible_formats": ", ".join(access.accessible_formats),
        "access.languages": ", ".join(access.languages),
    }
    if gaps:
        return ConfigOutcome(
            conforms=False,
            summary=f"The process is not accessible to all: {'; '.join(gaps)}.",
            values=values,
        )
    return ConfigOutcome(
        conforms=True,
        summary=(
            f"The process is offered by {len(access.channels)} channels, in "
            f"{plural(len(access.accessible_formats), 'accessible format', 'accessible formats')}"
            f" and {plural(len(access.languages), 'language', 'languages')}."
        ),
        values=values,
    )


def personal_data_restricted(ctx: AuditContext) -> ConfigOutcome:
    """
    4.10: who may see personal data is stated, and the rules for disclosing it; both are what
    the access policy and the subject export are configured from.
    """
    confidentiality = ctx.require_programme().confidentiality
    gaps = []
    if not confidentiality.who_may_see_personal_data:
        gaps.append("nobody is named as allowed to see personal data")
    if not confidentiality.disclosure_rules:
        gaps.append("no rules say when personal data may be disclosed")
    values = {
        "confidentiality.who_may_see_personal_data": ", ".join(
            confidentiality.who_may_see_personal_data
        ),
        "confidentiality.disclosure_rules": confidentiality.disclosure_rules or "",
        "confidentiality.retention_basis": confidentiality.retention_basis,
    }
    if gaps:
        return ConfigOutcome(
            conforms=False,
            summary=f"Personal data is not restricted: {'; '.join(gaps)}.",
            values=values,
        )
    return ConfigOutcome(
        conforms=True,
        summary=(
            "Access to personal data is restricted to "
            f"{', '.join(confidentiality.who_may_see_personal_data)}, with disclosure rules."
        ),
        values=values,
    )


def external_body(ctx: AuditContext) -> ConfigOutcome:
    """7.9: an external dispute-resolution body is named."""
    p = ctx.require_programme()
    body = p.escalation.external_body
    return ConfigOutcome(
        conforms=body is not None,
        summary=(
            f"Complainants are told of {body.name} ({body.time_limit})."
            if body is not None
            else "No external dispute-resolution body is named."
        ),
        values={"escalation.external_body": body.name if body is not None else ""},
    )


_NONCONFORMING = (FindingStatus.MAJOR_NONCONFORMITY, FindingStatus.MINOR_NONCONFORMITY)


def actions_for_nonconformities(ctx: AuditContext) -> ConfigOutcome:
    """
    8.7: every nonconformity the other criteria found has an improvement action that answers
    it (open, in progress or done; a cancelled action answers nothing).
    """
    if ctx.actions is None:
        return ConfigOutcome(
            conforms=None,
            summary="No improvement actions were given, so this was not checked.",
        )
    found = [f.criterion for f in ctx.findings if f.status in _NONCONFORMING]
    if not found:
        return ConfigOutcome(conforms=None, summary="The audit found no nonconformity.")
    answered = {a.finding for a in ctx.actions if a.status.value != "cancelled"}
    without = tuple(c for c in found if c not in answered)
    if without:
        return ConfigOutcome(
            conforms=False,
            summary=(
                f"{len(without)} of {plural(len(found), 'nonconformity', 'nonconformities')} "
                f"{'has' if len(without) == 1 else 'have'} no improvement action: "
                f"{', '.join(without)}."
            ),
            failed=without,
            checked=len(found),
            unit="nonconformities",
        )
    every = (
        "The only nonconformity has"
        if len(found) == 1
        else f"All {len(found)} nonconformities have"
    )
    return ConfigOutcome(
        conforms=True,
        summary=f"{every} an improvement action.",
        checked=len(found),
        unit="nonconformities",
    )
