"""Admin areas: accounts (and service accounts' tokens), signing keys, merit import.

Admin prepares but never decides (DESIGN.md §6): accounts and keys go through the same services as
the command line (``create_user`` enrols the key in the log, ``revoke_user_key`` logs
``key.revoke``). An admin may issue tokens only for *service accounts* (machine clients created
here with ``service_account: true``, which have no usable password), never for a person's account.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

import sqlalchemy as sa
from flask_smorest.pagination import PaginationParameters

from workflow import services
from workflow.api import tokens
from workflow.api.auth import require, utcnow
from workflow.api.base import ApiBlueprint, page_of, page_of_list
from workflow.api.me import create_token_for, token_dict, user_dict
from workflow.api.schemas import (
    CreateTokenSchema,
    CreateUserSchema,
    ImportFileSchema,
    ImportReportSchema,
    KeyQuerySchema,
    NewTokenSchema,
    RevokeKeySchema,
    SigningKeySchema,
    TokenSchema,
    UserQuerySchema,
    UserSchema,
)
from workflow.errors import ConflictError, InvalidInputError, NotFoundError
from workflow.extensions import db
from workflow.importing import MeritImportError, UnsupportedFormatError, import_merit
from workflow.models import Employee, Role, User, UserRole
from workflow.models.ledger import SigningKey
from workflow.security import hash_password

# Largest merit file accepted over HTTP; bigger imports go through `flask import-merit`.
MAX_IMPORT_BYTES = 50 * 1024 * 1024

users_bp = ApiBlueprint(
    "api_users", __name__, url_prefix="/api/v1/users",
    description="Accounts, their signing keys and service-account tokens. Admin.",
)
keys_bp = ApiBlueprint(
    "api_keys", __name__, url_prefix="/api/v1/keys",
    description="Every signing key the log knows (log, system, users). Admin or inspector.",
)
merit_bp = ApiBlueprint(
    "api_merit", __name__, url_prefix="/api/v1/merit",
    description="Merit data import (SIASN/SIMATA-style CSV or JSON). Admin.",
)


class MeritFileRefusedError(InvalidInputError):
    """The merit file was refused as a whole; ``errors.files`` names each bad line or record."""


def _admin(action: str = "manage_accounts") -> Any:
    return require(Role.ADMIN, action=action)


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"There is no account {user_id}.")
    return user


def key_dict(k: SigningKey) -> dict[str, Any]:
    return {
        "id": k.id, "key_id": k.key_id, "owner_kind": str(k.owner_kind), "user_id": k.user_id,
        "public_key": base64.b64encode(bytes(k.public_key)).decode("ascii"), "status": str(k.status),
        "enrolled_seq": k.enrolled_seq, "created_at": k.created_at, "revoked_at": k.revoked_at,
    }


# --- accounts ------------------------------------------------------------------------------------


@users_bp.route("", methods=["GET"])
@users_bp.arguments(UserQuerySchema, location="query")
@users_bp.response(200, UserSchema(many=True))
@users_bp.paginate()
@users_bp.errors(401, 403)
def list_users(query: dict[str, Any], pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """Accounts by id. Filters: `role`, `q` (text in the username or display name)."""
    _admin()
    stmt = sa.select(User).order_by(User.id)
    if "role" in query:
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == query["role"])))
    if query.get("q"):
        like = "%" + query["q"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(sa.or_(User.username.ilike(like, escape="\\"), User.display_name.ilike(like, escape="\\")))
    return [user_dict(u) for u in page_of(stmt, pagination_parameters)]


@users_bp.route("", methods=["POST"])
@users_bp.arguments(CreateUserSchema)
@users_bp.response(201, UserSchema)
@users_bp.errors(401, 403, 404, 409, 422)
def create_user(data: dict[str, Any]) -> dict[str, Any]:
    """Create an account and enrol its signing key in the log (`key.enrol`).

    A person's account needs a `password`; a service account (`service_account: true`) has none
    and works with tokens an admin issues for it.
    """
    caller = _admin()
    employee_id = data["employee_id"]
    if employee_id is not None:
        if db.session.get(Employee, employee_id) is None:
            raise InvalidInputError("The account was not created.", {"employee_id": ["There is no such employee."]})
        if db.session.scalar(sa.select(User.id).where(User.employee_id == employee_id)) is not None:
            raise ConflictError(f"Employee {employee_id} already has an account.")
    secret = data["password"] if data["password"] is not None else secrets.token_urlsafe(32)
    now = utcnow()
    user = services.create_user(
        db.session, actor=caller.actor, username=data["username"], display_name=data["display_name"],
        password_hash=hash_password(secret), roles=sorted(set(data["roles"])), now=now, employee_id=employee_id,
        affiliation=data["affiliation"],
    )
    if data["service_account"]:
        tokens.mark_service_account(db.session, user.id, created_by=caller.account,
                                    description=data["description"], now=now)
    return user_dict(user)


@users_bp.route("/<id:user_id>", methods=["GET"])
@users_bp.response(200, UserSchema)
@users_bp.errors(401, 403, 404)
def get_user(user_id: int) -> dict[str, Any]:
    """One account."""
    _admin()
    return user_dict(_user(user_id))


# --- service-account tokens ----------------------------------------------------------------------


@users_bp.route("/<id:user_id>/tokens", methods=["GET"])
@users_bp.response(200, TokenSchema(many=True))
@users_bp.paginate()
@users_bp.errors(401, 403, 404)
def list_user_tokens(user_id: int, pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """An account's tokens, newest first (never the token strings)."""
    _admin()
    _user(user_id)
    now = utcnow()
    return [token_dict(r, now) for r in page_of_list(tokens.tokens_of(db.session, user_id), pagination_parameters)]


@users_bp.route("/<id:user_id>/tokens", methods=["POST"])
@users_bp.arguments(CreateTokenSchema)
@users_bp.response(201, NewTokenSchema)
@users_bp.errors(401, 403, 404, 422)
def create_user_token(data: dict[str, Any], user_id: int) -> dict[str, Any]:
    """Issue a token for a service account; `token` is in this response only. 403 for a person's account."""
    _admin()
    return create_token_for(_user(user_id), data)


@users_bp.route("/<id:user_id>/tokens/<id:token_id>", methods=["DELETE"])
@users_bp.response(200, TokenSchema)
@users_bp.errors(401, 403, 404)
def revoke_user_token(user_id: int, token_id: int) -> dict[str, Any]:
    """Revoke any account's token (at once; idempotent)."""
    _admin()
    now = utcnow()
    return token_dict(tokens.revoke_token(db.session, token_id, owner_id=user_id, now=now), now)


# --- signing keys --------------------------------------------------------------------------------


@users_bp.route("/<id:user_id>/keys", methods=["GET"])
@users_bp.response(200, SigningKeySchema(many=True))
@users_bp.paginate()
@users_bp.errors(401, 403, 404)
def list_user_keys(user_id: int, pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """An account's signing keys, by id (active, rotated, revoked)."""
    _admin()
    _user(user_id)
    stmt = sa.select(SigningKey).where(SigningKey.user_id == user_id).order_by(SigningKey.id)
    return [key_dict(k) for k in page_of(stmt, pagination_parameters)]


@users_bp.route("/<id:user_id>/keys", methods=["POST"])
@users_bp.response(200, SigningKeySchema)
@users_bp.errors(401, 403, 404)
def enrol_user_key(user_id: int) -> dict[str, Any]:
    """Give the account an active key if it has none (`key.enrol`, system-signed); else return the active one."""
    _admin("manage_keys")
    _user(user_id)
    return key_dict(services.ensure_user_key(db.session, user_id, now=utcnow()))


@users_bp.route("/<id:user_id>/keys/revoke", methods=["POST"])
@users_bp.arguments(RevokeKeySchema)
@users_bp.response(200, SigningKeySchema)
@users_bp.errors(401, 403, 404, 422)
def revoke_user_key(data: dict[str, Any], user_id: int) -> dict[str, Any]:
    """Revoke the account's active key (`key.revoke`): its later statements are refused by the log."""
    caller = _admin("manage_keys")
    _user(user_id)
    row = services.revoke_user_key(
        db.session, actor=caller.actor, user_id=user_id, reason_text=data["reason"].strip(), now=utcnow()
    )
    return key_dict(row)


@keys_bp.route("", methods=["GET"])
@keys_bp.arguments(KeyQuerySchema, location="query")
@keys_bp.response(200, SigningKeySchema(many=True))
@keys_bp.paginate()
@keys_bp.errors(401, 403)
def list_keys(query: dict[str, Any], pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    """Every signing key, by id. Filters: `status`, `user_id`. Admin or inspector."""
    require(Role.ADMIN, Role.INSPECTOR, action="view_keys")
    stmt = sa.select(SigningKey).order_by(SigningKey.id)
    if "status" in query:
        stmt = stmt.where(SigningKey.status == query["status"])
    if "user_id" in query:
        stmt = stmt.where(SigningKey.user_id == query["user_id"])
    return [key_dict(k) for k in page_of(stmt, pagination_parameters)]


# --- merit import --------------------------------------------------------------------------------


@merit_bp.route("/imports", methods=["POST"])
@merit_bp.arguments(ImportFileSchema, location="files")
@merit_bp.response(200, ImportReportSchema)
@merit_bp.errors(401, 403, 422)
def import_file(files: dict[str, Any]) -> dict[str, Any]:
    """Import one merit file (`.csv` or `.json`, multipart field `file`); all or nothing.

    A bad record is reported under `errors.files` with its line or record and field, and nothing
    from the file is written (docs/merit-import.md). Up to 50 MB; larger files: `flask import-merit`.
    """
    _admin("import_merit")
    upload = files["file"]
    name = getattr(upload, "filename", None) or ""
    read = getattr(upload, "read", None)
    if read is None:
        raise MeritFileRefusedError("Send the file as multipart/form-data field 'file'.",
                                    {"files": {"file": ["Not a file."]}})  # type: ignore[dict-item]
    content = read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise MeritFileRefusedError("The file is too large.",
                                    {"files": {"file": ["At most 50 MB; use `flask import-merit`."]}})  # type: ignore[dict-item]
    now = utcnow()
    try:
        report = import_merit(name, content, today=now.date(), now=now)
    except UnsupportedFormatError as exc:
        raise MeritFileRefusedError(str(exc), {"files": {"file": [str(exc)]}}) from None  # type: ignore[dict-item]
    except MeritImportError as exc:
        raise MeritFileRefusedError(str(exc), {"files": dict(exc.errors)}) from None  # type: ignore[dict-item]
    w = report.written
    return {
        "records": report.records, "units_created": w.units_created, "units_renamed": w.units_renamed,
        "employees_created": w.employees_created, "employees_updated": w.employees_updated,
        "employees_unchanged": w.employees_unchanged,
    }
