"""Plain helpers for the API tests: an inspector in the services' world, a token per role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tests.services.helpers import T0, World
from workflow import services
from workflow.api import tokens as token_service
from workflow.extensions import db
from workflow.models import Role, User

LONG = dt.timedelta(days=3650)


def issue(user: User, *roles: Role, expires_at: dt.datetime | None = None) -> str:
    """A token for ``user`` scoped to ``roles`` (all of theirs when none are given)."""
    now = dt.datetime.now(dt.UTC)
    held = [Role(str(r.role)) for r in user.roles]
    return token_service.issue_token(
        db.session, owner=user, issuer=user, issuer_roles=held, name="test", roles=list(roles) or None,
        expires_at=expires_at or now + dt.timedelta(days=300), now=now,
    ).token


@dataclass
class TokenSet:
    admin: str
    chair: str
    member: str
    verifier: str
    ppk: str
    inspector: str
    asn: str
    inspector_user: User

    def by_role(self) -> dict[str, str]:
        return {"admin": self.admin, "committee_chair": self.chair, "committee_member": self.member,
                "verifier": self.verifier, "ppk": self.ppk, "inspector": self.inspector, "asn": self.asn}


def make_tokens(world: World) -> TokenSet:
    inspector = services.create_user(
        db.session, actor=None, username="pengawas", display_name="Pengawas", password_hash="x",
        roles=[Role.INSPECTOR], now=T0, affiliation="Inspektorat",
    )
    return TokenSet(
        admin=issue(world.admin), chair=issue(world.chair), member=issue(world.members[0]),
        verifier=issue(world.verifier), ppk=issue(world.ppk), inspector=issue(inspector), asn=issue(world.asn),
        inspector_user=inspector,
    )
