"""
:class:`SlaConfig`: the policies a desk knows (every version ever applied) and the ordered rules
that choose one for a complaint.
"""

from __future__ import annotations

import attrs

from iso10002.errors import ValidationError
from iso10002.model import _checks as check
from iso10002.model.complaint import Complaint
from iso10002.model.events import DeadlineExtended
from iso10002.sla.policy import PolicyRule, SlaPolicy

__all__ = ["SlaConfig"]


@attrs.frozen(kw_only=True)
class SlaConfig:
    """
    Which timeliness policy applies to which complaint.

    Args:
        policies: every policy version the desk may meet in a history. The last version listed
            under a name is the one new selections get; older ones stay so that complaints
            they were applied to are still evaluated with them.
        rules: tried in order; the first that matches picks the policy (by name).
        default: the policy for a complaint no rule matches; without one, such a complaint
            has no timeliness policy.

    Raises:
        ValidationError: a rule or the default names a policy that is not listed, or a
            (name, version) pair repeats.
    """

    policies: tuple[SlaPolicy, ...] = attrs.field(
        converter=check.to_tuple, validator=check.tuple_of(SlaPolicy)
    )
    rules: tuple[PolicyRule, ...] = attrs.field(
        default=(), converter=check.to_tuple, validator=check.tuple_of(PolicyRule)
    )
    default: str | None = attrs.field(default=None, validator=check.optional_text)

    def __attrs_post_init__(self) -> None:
        keys = [p.key for p in self.policies]
        if len(keys) != len(set(keys)):
            raise ValidationError("policies", f"a policy version is listed twice: {keys}")
        names = {p.name for p in self.policies}
        for i, rule in enumerate(self.rules):
            if rule.policy not in names:
                raise ValidationError(f"rules[{i}].policy", f"no policy named {rule.policy!r}")
        if self.default is not None and self.default not in names:
            raise ValidationError("default", f"no policy named {self.default!r}")

    def latest(self, name: str) -> SlaPolicy:
        """The newest version of the policy called ``name``."""
        found = [p for p in self.policies if p.name == name]
        if not found:
            raise ValidationError("policy", f"no policy named {name!r}")
        return found[-1]

    def find(self, name: str, version: str) -> SlaPolicy:
        """The policy version recorded in a history."""
        for p in self.policies:
            if p.key == (name, version):
                return p
        raise ValidationError(
            "policy", f"policy {name!r} version {version!r} is not in this configuration"
        )

    def select(self, complaint: Complaint) -> tuple[SlaPolicy, str] | None:
        """The policy for ``complaint`` as it is now and why, or None if nothing applies."""
        for i, rule in enumerate(self.rules):
            if rule.matches(complaint):
                return self.latest(rule.policy), f"rule {i + 1}: {rule.describe()}"
        if self.default is not None:
            return self.latest(self.default), "default policy"
        return None

    def current(self, complaint: Complaint) -> SlaPolicy | None:
        """The policy version last applied to ``complaint``, if any."""
        if complaint.sla_policy is None or complaint.sla_policy_version is None:
            return None
        return self.find(complaint.sla_policy, complaint.sla_policy_version)

    def check_extension(
        self,
        complaint: Complaint,
        extension: DeadlineExtended,
        *,
        policy: SlaPolicy | None = None,
    ) -> None:
        """
        Refuse an extension the complaint's policy (``policy``, the one its history recorded,
        or else the version of this configuration its state names) does not allow.

        Raises:
            ValidationError: no policy applies, the metric is unknown, or its regime does not
                allow this kind of extension.
        """
        policy = self.current(complaint) if policy is None else policy
        if policy is None:
            raise ValidationError(
                "metric", f"complaint {complaint.reference} has no timeliness policy"
            )
        metric = policy.metric(extension.metric)
        if extension.kind not in metric.extensions:
            allowed = ", ".join(k.value for k in metric.extensions) or "none"
            raise ValidationError(
                "kind",
                f"metric {metric.name!r} of policy {policy.name!r} does not allow a "
                f"{extension.kind.value} extension (allowed: {allowed})",
            )
        if extension.until is None and metric.extended_target is None:
            raise ValidationError(
                "until", f"metric {metric.name!r} has no extended target; give the agreed date"
            )
        if extension.until is not None and extension.until <= complaint.received_at:
            raise ValidationError("until", "an extension must end after the receipt")
