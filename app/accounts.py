"""How Flask-Login finds the signed-in staff member behind a session."""

from __future__ import annotations

from app.extensions import db, login_manager
from app.models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.is_active else None
