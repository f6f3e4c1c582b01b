"""How Flask-Login finds the signed-in staff member behind a session."""

from __future__ import annotations

from app.extensions import db, login_manager
from app.models import User
from app.routing import as_row_id


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    row_id = as_row_id(user_id)
    if row_id is None:
        return None
    user = db.session.get(User, row_id)
    return user if user is not None and user.is_active else None
