"""The access matrix on the foundation's routes, plus the policy table itself."""

from __future__ import annotations

from flask import Blueprint, Flask

from tests.web.access import ALL_ROLES, CASES, Case, check_access
from workflow.models import Role
from workflow.security import POLICIES, Permission, role_required


def test_foundation_routes_match_the_matrix(app: Flask) -> None:
    assert check_access(app, CASES) == []


def test_matrix_catches_role_restricted_routes(app: Flask) -> None:
    bp = Blueprint("matrix_probe", __name__)

    @bp.get("/probe/penetapan")
    @role_required(Role.PPK, Role.ADMIN)
    def decide() -> str:
        return "ok"

    app.register_blueprint(bp)
    case = Case("GET", "/probe/penetapan", allowed=frozenset({Role.PPK, Role.ADMIN}))
    assert check_access(app, [case]) == []
    # And a wrong expectation is reported, so the helper is not vacuous.
    wrong = Case("GET", "/probe/penetapan", allowed=frozenset({Role.PPK}))
    assert check_access(app, [wrong], who=[Role.ADMIN]) == ["GET /probe/penetapan as admin: got 200, want 403"]


def test_policy_table_covers_every_role() -> None:
    assert set(POLICIES) == ALL_ROLES
    for policy in POLICIES.values():
        assert Permission.VIEW_HOME in policy.permissions


def test_admin_prepares_but_never_decides() -> None:
    deciding = {
        Permission.APPOINT,
        Permission.SIGN_COMMITTEE_VOTE,
        Permission.CHAIR_COMMITTEE,
        Permission.VERIFY_COMPETENCY,
    }
    assert POLICIES[Role.ADMIN].permissions.isdisjoint(deciding)
    assert POLICIES[Role.INSPECTOR].permissions == {Permission.VIEW_HOME, Permission.INSPECT_PROCESSES}
