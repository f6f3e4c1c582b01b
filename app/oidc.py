"""Staff sign-in with the municipality's own accounts (OpenID Connect: Entra ID and others).

Optional: on when OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set. Authlib does the
protocol: discovery from the issuer's `/.well-known/openid-configuration`, the authorization
code flow with PKCE (S256), `state` and `nonce` kept in the signed session cookie, and the ID
token's checks (signature against the provider's published keys, issuer, audience = our
client id, expiry, nonce). A staff member whose *verified* email matches an active account is
signed in without a local password; nobody gets an account here (admins make accounts).

With local passwords off the login page offers only the municipality account, and password
sign-in and password reset are refused. An admin switches them at /manage/sign-in (stored in
the database, app/management/site_settings.py); LOCAL_PASSWORDS is the default until then.
While no provider is configured, passwords are on whatever is stored: nobody is locked out.
"""

from __future__ import annotations

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_user
from joserfc.errors import JoseError

from app.accounts import start_session
from app.management import accounts
from app.management.access import safe_next
from app.management.site_settings import stored_local_passwords

bp = Blueprint("oidc", __name__, url_prefix="/manage/oidc")

CLIENT_NAME = "municipality"
_NEXT_KEY = "oidc_next"
_PASSWORD_ENDPOINTS = {"management.forgot_password", "management.reset_password"}
# Set at sign-in through the provider (the session is cleared at every sign-in and sign-out).
SIGNED_IN_WITH_OIDC = "signed_in_with_oidc"


def oidc_enabled(app: Flask) -> bool:
    return all(app.config.get(k) for k in ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"))


def local_passwords(app: Flask) -> bool:
    """Passwords stay on unless switched off, and only while another way to sign in exists.

    An admin's choice in the database wins over the LOCAL_PASSWORDS setting (the default).
    """
    if not oidc_enabled(app):
        return True
    stored = stored_local_passwords()
    return app.config.get("LOCAL_PASSWORDS", True) if stored is None else stored


def signed_in_with_oidc() -> bool:
    """Did the current staff member sign in through the municipality's provider?"""
    return session.get(SIGNED_IN_WITH_OIDC) is True


def _client():
    registry: OAuth | None = current_app.extensions.get("holdplads_oidc")
    if registry is None:
        abort(404)
    return registry.create_client(CLIENT_NAME)


def _refuse(message: str, detail: str):
    current_app.logger.warning("oidc sign-in refused: %s", detail)
    flash(message, "error")
    return redirect(url_for("management.login"))


def sign_in():
    """Send the staff member to the municipality's sign-in page."""
    client = _client()
    session[_NEXT_KEY] = safe_next(request.args.get("next", "")) or ""
    redirect_uri = current_app.config["PUBLIC_URL"] + url_for(".callback")
    return client.authorize_redirect(redirect_uri)


def callback():
    """Back from the provider: check everything, then sign in the matching staff account."""
    client = _client()
    failed = _("Sign-in with your municipality account did not work. Please try again.")
    try:
        token = client.authorize_access_token()
    except (OAuthError, JoseError, ValueError) as error:
        return _refuse(failed, f"{type(error).__name__}: {error}")
    claims = token.get("userinfo")
    if not claims:
        return _refuse(failed, "no ID token")
    email = claims.get("email")
    if not email or claims.get("email_verified") is not True:
        return _refuse(
            _("Your municipality account did not give us a verified email address."),
            "email missing or not verified",
        )
    user = accounts.user_for_reset(email)  # the active account with this email, if any
    if user is None:
        return _refuse(
            _("No staff account uses this email address. Ask an administrator for one."),
            "no active account for the email",
        )
    target = session.pop(_NEXT_KEY, "") or url_for("management.dashboard")
    session.clear()  # nothing from before sign-in survives into the signed-in session
    login_user(user)
    start_session(user)  # as a password sign-in does: else a bumped session version refuses it
    session[SIGNED_IN_WITH_OIDC] = True
    return redirect(target)


bp.add_url_rule("/sign-in", view_func=sign_in, methods=["GET"])
bp.add_url_rule("/callback", view_func=callback, methods=["GET"])


def _passwords_switched_off():
    """With local passwords off, password sign-in and reset are not offered at all."""
    password_pages = request.endpoint in _PASSWORD_ENDPOINTS
    password_post = request.endpoint == "management.login" and request.method == "POST"
    if not (password_pages or password_post) or local_passwords(current_app):
        return None  # only these requests ask the database
    if password_pages:
        abort(404)
    flash(_("Sign in with your municipality account."), "error")
    return redirect(url_for("management.login"))


class _LocalPasswords:
    """For templates: asks (once) only when a template looks, not on every page."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.value: bool | None = None

    def __bool__(self) -> bool:
        if self.value is None:
            self.value = local_passwords(self.app)
        return self.value


def _template_values() -> dict:
    return {
        "staff_sign_in_oidc": oidc_enabled(current_app),
        "staff_sign_in_passwords": _LocalPasswords(current_app._get_current_object()),
    }


def init_app(app: Flask) -> None:
    app.before_request(_passwords_switched_off)
    app.context_processor(_template_values)
    if not oidc_enabled(app):
        return  # no /manage/oidc URLs at all
    app.register_blueprint(bp)
    registry = OAuth(app)
    registry.register(
        CLIENT_NAME,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=app.config["OIDC_ISSUER"].rstrip("/")
        + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )
    app.extensions["holdplads_oidc"] = registry
