"""Who is signed in and what they may do: password hashing, sign-in, roles and their policies.

Web layer: imports Flask, Flask-Login and the models. Views and templates use it; services never
do — they receive the actor as an argument (STYLE.md §3 rule 3).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, Response, abort, current_app, flash, jsonify, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, lazy_gettext
from flask_babel.speaklater import LazyString
from flask_login import UserMixin, current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from workflow.errors import InvalidInputError
from workflow.extensions import db, login_manager
from workflow.models import Role, User

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# werkzeug's scrypt (n=2**15, r=8, p=1): memory-hard, standard library only, no extra wheel to pin.
HASH_METHOD = "scrypt"
PASSWORD_MIN_LENGTH = 12
# scrypt's cost does not grow with the input, but a cap keeps absurd form bodies out of the hasher.
PASSWORD_MAX_LENGTH = 1024
USERNAME_MAX_LENGTH = 64


# --- passwords ---------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """The storable hash of ``password`` (``scrypt:32768:8:1$salt$hash``)."""
    return generate_password_hash(password, method=HASH_METHOD)


@functools.cache
def _decoy_hash() -> str:
    # Compared against when the account does not exist, so an unknown name costs one scrypt run,
    # like a wrong password, and response time does not reveal which usernames exist.
    return hash_password(secrets.token_urlsafe(32))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; ``None`` (no such account) is always False.

    ``check_password_hash`` compares digests with ``hmac.compare_digest`` (constant time).
    """
    if stored_hash is None:
        check_password_hash(_decoy_hash(), password)
        return False
    try:
        return check_password_hash(stored_hash, password)
    except ValueError:  # a malformed stored hash must read as "wrong", never as a 500
        log.warning("account has an unreadable password hash")
        return False


# --- the signed-in principal ---------------------------------------------------------------------


def _session_stamp(user: User) -> str:
    # Bound into the Flask-Login id, so changing the password ends every other session of the
    # account (the session cookie is client-side, so there is no server list to purge).
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, user.password_hash.encode(), hashlib.sha256).hexdigest()[:32]


class SessionUser(UserMixin):
    """The account behind ``current_user``: the ORM row plus its roles, read once per request.

    Pass ``current_user.account`` (the ``User`` row) to services, never the proxy itself.
    """

    def __init__(self, account: User) -> None:
        self.account = account
        self.id = account.id
        self.username = account.username
        self.display_name = account.display_name
        self.employee_id = account.employee_id
        self.roles: frozenset[Role] = frozenset(r.role for r in account.roles)

    @property
    def is_active(self) -> bool:
        return bool(self.account.is_active)

    def get_id(self) -> str:
        return f"{self.id}:{_session_stamp(self.account)}"

    def has_any_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    def can(self, permission: Permission) -> bool:
        return any(permission in POLICIES[role].permissions for role in self.roles)

    def sorted_roles(self) -> list[Role]:
        """Roles in the order of DESIGN.md §6, for display."""
        return [role for role in Role if role in self.roles]


def _load_user(session_id: str) -> SessionUser | None:
    user_id, _, stamp = session_id.partition(":")
    if not user_id.isdigit() or not stamp:
        return None
    account = db.session.get(User, int(user_id))
    if account is None or not account.is_active:
        return None
    if not hmac.compare_digest(stamp, _session_stamp(account)):
        return None  # the password changed since this session signed in
    return SessionUser(account)


# --- authorisation -------------------------------------------------------------------------------


def wants_json() -> bool:
    """API paths and clients that ask for JSON get JSON errors; browsers get pages."""
    return request.path.startswith(("/api/", "/healthz")) or request.accept_mimetypes.best == "application/json"


def _unauthorized() -> ResponseReturnValue:
    if wants_json():
        body = {"code": "Unauthorized", "status": 401, "message": "Sign in first.", "errors": {}}
        return jsonify(body), 401
    flash(gettext("Silakan masuk untuk membuka halaman itu."), "info")
    return redirect(url_for("auth.login", next=current_local_url()))


def role_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R | ResponseReturnValue]]:
    """Allow the view only to signed-in accounts holding at least one of ``roles``.

    Anonymous requests go to the sign-in page (401 JSON under ``/api/``); a signed-in account
    without the role gets 403. Stack it below the route decorator (STYLE.md C14); it implies
    ``login_required``.
    """
    if not roles:
        raise ValueError("role_required needs at least one role")

    def decorator(view: Callable[P, R]) -> Callable[P, R | ResponseReturnValue]:
        @functools.wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R | ResponseReturnValue:
            if not current_user.is_authenticated:
                return _unauthorized()
            if not current_user.has_any_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


class Permission(StrEnum):
    """Things a role may do. Page authors add members here and grant them in ``POLICIES``."""

    VIEW_HOME = "view_home"
    MANAGE_ACCOUNTS = "manage_accounts"
    PREPARE_PROCESS = "prepare_process"
    SIGN_COMMITTEE_VOTE = "sign_committee_vote"
    CHAIR_COMMITTEE = "chair_committee"
    APPOINT = "appoint"
    VERIFY_COMPETENCY = "verify_competency"
    INSPECT_PROCESSES = "inspect_processes"
    VIEW_OWN_EXPLANATION = "view_own_explanation"


@dataclass(frozen=True, slots=True)
class RolePolicy:
    """One row of the policy table: what a role is called, may do, and where its dashboard is."""

    label: LazyString
    summary: LazyString
    permissions: frozenset[Permission]
    # Endpoint of the role's dashboard once a page author builds it; None shows the placeholder.
    dashboard_endpoint: str | None = None


# The policy table, one row per role of DESIGN.md §6. Admin prepares but never decides, so it
# holds no deciding permission; a test checks the table covers every Role.
POLICIES: Mapping[Role, RolePolicy] = {
    Role.ADMIN: RolePolicy(
        lazy_gettext("Admin (sekretariat BKD)"),
        lazy_gettext(
            "Menyiapkan proses pengisian jabatan, mengelola akun dan mengimpor data merit. "
            "Admin menyiapkan, tetapi tidak pernah memutuskan."
        ),
        frozenset({Permission.VIEW_HOME, Permission.MANAGE_ACCOUNTS, Permission.PREPARE_PROCESS}),
        dashboard_endpoint="processes.index",
    ),
    Role.COMMITTEE_MEMBER: RolePolicy(
        lazy_gettext("Anggota panitia seleksi"),
        lazy_gettext(
            "Menandatangani pakta integritas dan pernyataan konflik kepentingan, "
            "lalu menilai kandidat dan menandatangani suara."
        ),
        frozenset({Permission.VIEW_HOME, Permission.SIGN_COMMITTEE_VOTE}),
        dashboard_endpoint="committee.index",
    ),
    Role.COMMITTEE_CHAIR: RolePolicy(
        lazy_gettext("Ketua panitia seleksi"),
        lazy_gettext("Memimpin panitia, memastikan kuorum, dan mengajukan hasil seleksi kepada PPK."),
        frozenset({Permission.VIEW_HOME, Permission.SIGN_COMMITTEE_VOTE, Permission.CHAIR_COMMITTEE}),
        dashboard_endpoint="committee.index",
    ),
    Role.PPK: RolePolicy(
        lazy_gettext("Pejabat Pembina Kepegawaian (PPK)"),
        lazy_gettext("Menetapkan satu kandidat yang direkomendasikan dan mencatat nomor serta tanggal keputusan."),
        frozenset({Permission.VIEW_HOME, Permission.APPOINT}),
        dashboard_endpoint="processes.index",
    ),
    Role.VERIFIER: RolePolicy(
        lazy_gettext("Verifikator kompetensi"),
        lazy_gettext("Memeriksa hasil asesmen setiap kandidat: tanggal, lembaga terakreditasi, dan JPM."),
        frozenset({Permission.VIEW_HOME, Permission.VERIFY_COMPETENCY}),
        dashboard_endpoint="processes.index",
    ),
    Role.INSPECTOR: RolePolicy(
        lazy_gettext("Inspektur"),
        lazy_gettext("Membaca setiap proses dan memverifikasi log serta bundel bukti, tanpa mengubah apa pun."),
        frozenset({Permission.VIEW_HOME, Permission.INSPECT_PROCESSES}),
        dashboard_endpoint="inspector.index",
    ),
    Role.ASN: RolePolicy(
        lazy_gettext("ASN"),
        lazy_gettext("Melihat penjelasan untuk diri sendiri: setiap aturan, nilai Anda, syarat, peringkat, dan bukti."),
        frozenset({Permission.VIEW_HOME, Permission.VIEW_OWN_EXPLANATION}),
        dashboard_endpoint="asn.index",
    ),
}


# --- sign-in and password change (the web layer's own small use cases) --------------------------


def authenticate(username: str, password: str) -> User | None:
    """The active account with these credentials, or None; same cost whether or not it exists."""
    account = db.session.scalar(sa.select(User).where(User.username == username))
    ok = verify_password(account.password_hash if account else None, password)
    if account is None or not ok or not account.is_active:
        # A digest, not the name: people sometimes type their password into the username field.
        log.info("sign-in refused (name digest %s, ip %s)", _digest(username), request.remote_addr)
        return None
    return account


def sign_in(account: User) -> None:
    """Start a fresh session for ``account``.

    The old session is cleared first, so nothing planted before sign-in (a fixed session, a CSRF
    token) survives; ``sid`` names the new session in logs without exposing the cookie.
    """
    session.clear()
    login_user(SessionUser(account))
    session["sid"] = secrets.token_urlsafe(16)
    log.info("signed in: user %s, session %s", account.id, _digest(session["sid"]))


def sign_in_with_password(username: str, password: str) -> bool:
    """Check the credentials and, when they are right, start a fresh session; True on success."""
    account = authenticate(username, password)
    if account is None:
        return False
    sign_in(account)
    return True


def sign_out() -> None:
    """End the session completely (Flask-Login's keys and everything else in it)."""
    logout_user()
    session.clear()


def change_password(account: User, *, current: str, new: str, confirm: str) -> None:
    """Replace the password of ``account`` and restart its session; other sessions end.

    Raises:
        InvalidInputError: with messages keyed by form field (``current_password``,
            ``new_password``, ``confirm_password``).
    """
    errors: dict[str, list[str]] = {}
    if not verify_password(account.password_hash, current):
        errors["current_password"] = [gettext("Kata sandi saat ini salah.")]
    problem = password_problem(new)
    if problem:
        errors["new_password"] = [problem]
    elif new == current:
        errors["new_password"] = [gettext("Kata sandi baru harus berbeda dari kata sandi saat ini.")]
    if new != confirm:
        errors["confirm_password"] = [gettext("Konfirmasi tidak sama dengan kata sandi baru.")]
    if errors:
        raise InvalidInputError(gettext("Kata sandi belum diganti."), errors)
    account.password_hash = hash_password(new)
    db.session.commit()
    log.info("password changed: user %s", account.id)
    sign_in(account)


def password_problem(password: str) -> str | None:
    """Why ``password`` may not be used, or None when it may."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return gettext("Kata sandi minimal %(n)d karakter.", n=PASSWORD_MIN_LENGTH)
    if len(password) > PASSWORD_MAX_LENGTH:
        return gettext("Kata sandi maksimal %(n)d karakter.", n=PASSWORD_MAX_LENGTH)
    return None


def attempt_failed(response: Response) -> bool:
    """For rate limits that count only failures: every successful form POST answers 303."""
    return response.status_code != 303


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


# --- redirects -----------------------------------------------------------------------------------


def safe_local_url(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None (no open redirects).

    Refuses absolute and scheme-relative URLs (``//evil``), backslash tricks (``/\\evil``, which
    browsers read as ``//evil``) and control characters.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(ch) < 0x20 or ch == "\x7f" or ch == "\\" for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def current_local_url() -> str:
    """The path and query of this request, for a ``next`` parameter."""
    path = request.full_path
    return path[:-1] if path.endswith("?") else path


# --- wiring --------------------------------------------------------------------------------------


def _skip_remember_hook_without_session(app: Flask) -> None:
    # Flask-Login's remember-cookie hook reads the session on every response, and any touch of
    # the session makes Flask add "Vary: Cookie", so cookieless public responses (log tiles,
    # checkpoints) would not be cached by CDNs. The hook can only have work when the request
    # brought a session or remember cookie: every sign-in is a CSRF-checked POST, which needs a
    # session cookie, and we never issue remember cookies.
    hook = login_manager._update_remember_cookie
    hooks = app.after_request_funcs.get(None, [])
    if hook not in hooks:
        return  # Flask-Login changed; tests/web/test_headers.py will say so
    cookie_names = {app.config["SESSION_COOKIE_NAME"], app.config.get("REMEMBER_COOKIE_NAME", "remember_token")}

    @functools.wraps(hook)
    def remember_hook(response: Response) -> Response:
        if cookie_names.isdisjoint(request.cookies):
            return response
        return hook(response)

    hooks[hooks.index(hook)] = remember_hook


def init_app(app: Flask) -> None:
    """Bind Flask-Login: loader, unauthorized handler, and Jinja helpers for templates."""
    login_manager.init_app(app)
    _skip_remember_hook_without_session(app)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    # "basic": a session used from another IP/browser is marked non-fresh rather than ended, since
    # ASN on phones change networks all the time.
    login_manager.session_protection = "basic"
    app.jinja_env.globals.update(
        POLICIES=POLICIES,
        Role=Role,
        Permission=Permission,
        PASSWORD_MIN_LENGTH=PASSWORD_MIN_LENGTH,
        current_local_url=current_local_url,
    )
