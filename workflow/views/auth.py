"""Sign-in and sign-out (``/masuk``, ``/keluar``)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, lazy_gettext
from flask_limiter.util import get_remote_address
from flask_login import current_user
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from workflow import security
from workflow.extensions import limiter
from workflow.views.errors import form_errors

bp = Blueprint("auth", __name__)


class SignInSchema(Schema):
    """The sign-in form. Other fields (``csrf_token``, ``next``) are not its business."""

    class Meta:
        unknown = EXCLUDE

    username = fields.String(
        required=True,
        error_messages={"required": lazy_gettext("Isi nama pengguna.")},
        validate=[
            validate.Length(min=1, max=security.USERNAME_MAX_LENGTH, error=lazy_gettext("Isi nama pengguna.")),
            # NUL and other control characters are never in a username, and PostgreSQL refuses NUL.
            validate.Regexp(
                r"^[^\x00-\x1f\x7f]*$", error=lazy_gettext("Nama pengguna berisi karakter yang tidak sah.")
            ),
        ],
    )
    password = fields.String(
        required=True,
        error_messages={"required": lazy_gettext("Isi kata sandi.")},
        validate=validate.Length(min=1, max=security.PASSWORD_MAX_LENGTH, error=lazy_gettext("Isi kata sandi.")),
    )


def _account_key() -> str:
    # Per address *and* account name, so one office behind a shared NAT does not lock out everyone
    # when one person mistypes; casefold so "Budi" and "budi" share a budget.
    name = request.form.get("username", "").strip().casefold()[: security.USERNAME_MAX_LENGTH]
    return f"{get_remote_address()}|{name}"


@bp.get("/masuk")
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("account.home"))
    return render_template("auth/login.html", form={}, errors={}, next=request.args.get("next", ""))


@bp.post("/masuk")
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    deduct_when=security.attempt_failed,
)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_IP"], deduct_when=security.attempt_failed)
def login_submit() -> ResponseReturnValue:
    next_url = security.safe_local_url(request.form.get("next"))
    try:
        data = SignInSchema().load(request.form)
    except ValidationError as err:
        return _login_page(form_errors(err.messages), next_url), 422
    if not security.sign_in_with_password(data["username"].strip(), data["password"]):
        return _login_page({"_form": [gettext("Nama pengguna atau kata sandi salah.")]}, next_url), 422
    flash(gettext("Selamat datang, %(name)s.", name=current_user.display_name), "success")
    return redirect(next_url or url_for("account.home"), code=303)


@bp.post("/keluar")
def logout() -> ResponseReturnValue:
    security.sign_out()
    flash(gettext("Anda sudah keluar."), "info")
    return redirect(url_for("public.index"), code=303)


def _login_page(errors: dict[str, list[str]], next_url: str | None) -> str:
    # The password is never echoed back into the form.
    form = {"username": request.form.get("username", "")}
    return render_template("auth/login.html", form=form, errors=errors, next=next_url or "")
