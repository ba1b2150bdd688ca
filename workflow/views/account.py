"""The signed-in user's own pages: Beranda (home) and changing the password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required

from workflow import security
from workflow.errors import InvalidInputError
from workflow.extensions import limiter

bp = Blueprint("account", __name__)


@bp.get("/beranda")
@login_required
def home() -> ResponseReturnValue:
    """One section per role the account holds: what the role does, and its dashboard once built."""
    return render_template("account/home.html", roles=current_user.sorted_roles())


@bp.get("/akun/kata-sandi")
@login_required
def password_form() -> ResponseReturnValue:
    return render_template("account/password.html", errors={})


def _account_key() -> str:
    # Guessing the current password through this form is as bad as guessing it at sign-in.
    return f"password-change|{current_user.get_id() if current_user.is_authenticated else request.remote_addr}"


@bp.post("/akun/kata-sandi")
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    deduct_when=security.attempt_failed,
)
@login_required
def change_password() -> ResponseReturnValue:
    try:
        security.change_password(
            current_user.account,
            current=request.form.get("current_password", ""),
            new=request.form.get("new_password", ""),
            confirm=request.form.get("confirm_password", ""),
        )
    except InvalidInputError as err:
        return render_template("account/password.html", errors=err.errors), 422
    flash(gettext("Kata sandi sudah diganti. Sesi lain akun ini telah diakhiri."), "success")
    return redirect(url_for("account.home"), code=303)
