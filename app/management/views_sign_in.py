"""How staff sign in: an admin switches Holdplads passwords off or on (issue 17, point 5)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.database import utcnow
from app.forms import ConfirmForm
from app.management import policy, site_settings
from app.management.access import allowed_if
from app.management.messages import error_message
from app.oidc import local_passwords, oidc_enabled, signed_in_with_oidc


@allowed_if(policy.can_switch_local_passwords)
def sign_in_settings():
    """What sign-in is on, and the switch; switching off is refused while it is not safe."""
    oidc = oidc_enabled(current_app)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        on = request.form.get("local_passwords") == "on"
        try:
            site_settings.set_local_passwords(
                on,
                by_user_id=current_user.id,
                now=utcnow(),
                oidc_configured=oidc,
                signed_in_with_oidc=signed_in_with_oidc(),
            )
        except (site_settings.OidcNotConfigured, site_settings.NotSignedInWithOidc) as error:
            flash(error_message(error), "error")
        else:
            done = (
                _("Holdplads passwords are on. Staff can sign in with a password.")
                if on
                else _("Holdplads passwords are off. Staff sign in with the municipality account.")
            )
            flash(done, "success")
        return redirect(url_for("management.sign_in_settings"))
    return render_template(
        "management/sign_in_settings.html",
        form=form,
        oidc=oidc,
        passwords_on=local_passwords(current_app),
        stored=site_settings.stored_local_passwords(),
        default_on=bool(current_app.config.get("LOCAL_PASSWORDS", True)),
        via_oidc=signed_in_with_oidc(),
    )
