"""``/api/v1/me``: who you are, your own explanations, and your personal access tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_smorest.pagination import PaginationParameters

from workflow.api import tokens
from workflow.api.auth import principal, require, utcnow
from workflow.api.base import ApiBlueprint, page_of_list
from workflow.api.explanations import own_explanations
from workflow.api.schemas import (
    CreateTokenSchema,
    ExplanationQuerySchema,
    ExplanationSchema,
    MeSchema,
    NewTokenSchema,
    TokenSchema,
)
from workflow.extensions import db
from workflow.models import Role, User
from workflow.models.tokens import ApiToken

bp = ApiBlueprint(
    "api_me", __name__, url_prefix="/api/v1/me",
    description="The caller: identity, own explanations (ASN) and personal access tokens. Any signed-in role.",
)


def user_dict(user: User) -> dict[str, Any]:
    return {
        "id": user.id, "username": user.username, "display_name": user.display_name,
        "roles": sorted(str(r.role) for r in user.roles), "employee_id": user.employee_id,
        "affiliation": user.affiliation, "is_active": user.is_active,
        "service_account": tokens.is_service_account(db.session, user.id), "created_at": user.created_at,
    }


def token_dict(row: ApiToken, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": row.id, "user_id": row.user_id, "created_by_id": row.created_by_id, "name": row.name,
        "prefix": row.prefix, "roles": list(row.roles), "created_at": row.created_at, "expires_at": row.expires_at,
        "last_used_at": row.last_used_at, "revoked_at": row.revoked_at,
        "active": row.revoked_at is None and tokens.utc(row.expires_at) > now,
    }


@bp.route("", methods=["GET"])
@bp.response(200, MeSchema)
@bp.errors(401)
def me() -> dict[str, Any]:
    """Your account, and the roles this request acts in (a token's scope, or all your roles)."""
    caller = principal()
    return {
        "user": user_dict(caller.account), "roles": sorted(str(r) for r in caller.roles),
        "auth": "session" if caller.token is None else "token",
        "token_id": None if caller.token is None else caller.token.id,
    }


@bp.route("/explanations", methods=["GET"])
@bp.arguments(ExplanationQuerySchema, location="query")
@bp.response(200, ExplanationSchema(many=True))
@bp.paginate()
@bp.errors(401, 403)
def explanations(query: dict[str, Any], pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """Your own result in every process you were evaluated in, rule by rule (`lang`: id or en). ASN.

    Only your own record: the explanation shows your values, each rule, your rank and the cut-off.
    """
    caller = require(Role.ASN, action="view_own_explanation")
    if caller.account.employee_id is None:
        pagination_parameters.item_count = 0
        return []
    items = own_explanations(caller.account.employee_id, lang=query["lang"])
    return page_of_list(items, pagination_parameters)


@bp.route("/tokens", methods=["GET"])
@bp.response(200, TokenSchema(many=True))
@bp.paginate()
@bp.errors(401)
def list_tokens(pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """Your tokens, newest first (revoked and expired ones too). Never the token strings."""
    caller = principal()
    now = utcnow()
    rows = page_of_list(tokens.tokens_of(db.session, caller.account.id), pagination_parameters)
    return [token_dict(r, now) for r in rows]


def create_token_for(owner: User, data: dict[str, Any]) -> dict[str, Any]:
    caller = principal()
    now = utcnow()
    issued = tokens.issue_token(
        db.session, owner=owner, issuer=caller.account, issuer_roles=caller.roles, name=data["name"],
        roles=data["roles"], expires_at=now + dt.timedelta(days=data["expires_in_days"]), now=now,
        issuer_token_expires_at=None if caller.token is None else caller.token.expires_at,
    )
    return {**token_dict(issued.row, now), "token": issued.token}


@bp.route("/tokens", methods=["POST"])
@bp.arguments(CreateTokenSchema)
@bp.response(201, NewTokenSchema)
@bp.errors(401, 403, 422)
def create_token(data: dict[str, Any]) -> dict[str, Any]:
    """Create a token for yourself; `token` is in this response only.

    `roles` must be a subset of the roles this request acts in (a token can hand on at most its
    own scope, and a token made with a token cannot outlive it). Default: all of them.
    """
    return create_token_for(principal().account, data)


@bp.route("/tokens/<id:token_id>", methods=["DELETE"])
@bp.response(200, TokenSchema)
@bp.errors(401, 404)
def revoke_token(token_id: int) -> dict[str, Any]:
    """Revoke one of your tokens (at once; idempotent)."""
    caller = principal()
    now = utcnow()
    return token_dict(tokens.revoke_token(db.session, token_id, owner_id=caller.account.id, now=now), now)
