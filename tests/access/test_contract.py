"""The default role matrix, and a variant of it, against the shipped authorizer contract."""

from __future__ import annotations

from iso10002.access import Action, RoleBasedAuthorizer, Scope
from iso10002.model.values import Role
from iso10002.testing import AuthorizerContract


class TestRoleBasedAuthorizer(AuthorizerContract):
    def make_authorizer(self) -> RoleBasedAuthorizer:
        return RoleBasedAuthorizer()


class TestAChangedRoleMatrix(AuthorizerContract):
    """Grants added and taken away, and a role narrowed to its assigned complaints."""

    def make_authorizer(self) -> RoleBasedAuthorizer:
        return (
            RoleBasedAuthorizer()
            .with_grants(Role.INVESTIGATOR, Action.DECIDE, Action.SLA_QUEUE)
            .without_grants(Role.FRONT_LINE, Action.HISTORY, Action.ADD_NOTE)
            .without_grants(Role.AUDITOR, Action.QUERY)
            .with_scope(Role.FRONT_LINE, Scope.ASSIGNED)
        )
