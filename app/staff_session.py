"""A staff session ends after a while without use, and some hours after sign-in, whatever.

A staff member's session opens participant lists; a forgotten tab on a shared computer must
not stay open for days. STAFF_SESSION_IDLE_MINUTES and STAFF_SESSION_MAX_HOURS set the two
limits. Times are kept in the signed session cookie, so every worker agrees on them.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user, user_logged_in

SIGNED_IN_AT = "staff_signed_in_at"
SEEN_AT = "staff_seen_at"
# Refresh "last seen" at most this often, so not every request rewrites the cookie.
_SEEN_RESOLUTION = 60


def _mark_sign_in(_app, user=None) -> None:
    now = int(time.time())
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def session_expired(signed_in_at: int, seen_at: int, now: int, *, idle: int, absolute: int) -> bool:
    return now - seen_at > idle or now - signed_in_at > absolute


def end_stale_staff_sessions():
    """Before each request: sign a staff member out once either limit has passed."""
    if "_user_id" not in session:
        return None
    now = int(time.time())
    signed_in_at = session.get(SIGNED_IN_AT)
    seen_at = session.get(SEEN_AT)
    if signed_in_at is None or seen_at is None:  # signed in before the limits existed
        _mark_sign_in(current_app)
        return None
    config = current_app.config
    if session_expired(
        signed_in_at,
        seen_at,
        now,
        idle=config["STAFF_SESSION_IDLE_MINUTES"] * 60,
        absolute=config["STAFF_SESSION_MAX_HOURS"] * 3600,
    ):
        logout_user()
        session.clear()
        if request.path.startswith("/manage") and request.endpoint != "management.login":
            flash(_("You were signed out because the session had run out. Please sign in again."))
            return redirect(url_for("management.login"))
        return None
    if now - seen_at >= _SEEN_RESOLUTION:
        session[SEEN_AT] = now
    return None


def init_app(app: Flask) -> None:
    user_logged_in.connect(_mark_sign_in, app)
    app.before_request(end_stale_staff_sessions)
