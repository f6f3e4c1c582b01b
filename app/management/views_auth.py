"""Signing in and out, and resetting a forgotten password by an emailed one-time link."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.accounts import start_session
from app.database import utcnow
from app.emails import normalize_email
from app.extensions import limiter
from app.i18n import current_language
from app.management import accounts
from app.management.access import safe_next
from app.management.forms import ForgotPasswordForm, LoginForm, ResetPasswordForm


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _email_key() -> str:
    return "login-email:" + normalize_email(request.form.get("email", ""))[:254]


@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_email_key)
def login():
    """Staff sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("management.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            target = safe_next(form.next.data) or url_for("management.dashboard")
            session.clear()  # nothing from before sign-in survives into the signed-in session
            login_user(user)
            start_session(user)
            return redirect(target)
        form.password.errors.append(_("The email or the password is not right."))
    return render_template("management/login.html", form=form)


def logout():
    """Sign out here and in every other browser signed in as this account."""
    if current_user.is_authenticated:
        accounts.end_sessions(current_user)  # committed with the request
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("management.login"))


@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_email_key)
def forgot_password():
    """Ask for a reset link; the answer is the same whether the email has an account or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data, language=current_language(), now=utcnow())
        flash(
            _(
                "If that email has a staff account, a link to choose a new password is on its way. "
                "It works for one hour."
            ),
            "success",
        )
        return redirect(url_for("management.login"))
    return render_template("management/forgot_password.html", form=form)


def reset_password(token: str):
    """Set a new password with a one-time link; an unknown or used link is a kind 404."""
    now = utcnow()
    if accounts.valid_reset_token(token, now=now) is None:
        return render_template("management/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        accounts.reset_password(token, form.password.data, now=now)
        flash(_("Your new password is saved. Please sign in."), "success")
        return redirect(url_for("management.login"))
    return render_template("management/reset_password.html", form=form, token=token)
