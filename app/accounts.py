"""How Flask-Login finds the signed-in staff member behind a session."""

from __future__ import annotations

from flask import session

from app.extensions import db, login_manager
from app.models import User
from app.routing import as_row_id

SESSION_VERSION_KEY = "_session_version"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    row_id = as_row_id(user_id)
    if row_id is None:
        return None
    user = db.session.get(User, row_id)
    if user is None or not user.is_active:
        return None
    # A cookie from before sign-out, a password reset or a deactivation opens nothing.
    if session.get(SESSION_VERSION_KEY, 0) != user.session_version:
        return None
    return user


def start_session(user: User) -> None:
    """Write the account's current session version into the (fresh) session cookie."""
    session[SESSION_VERSION_KEY] = user.session_version
