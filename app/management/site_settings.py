"""Switches an administrator sets in the staff area, stored in the database.

One so far: local passwords (issue 17). The LOCAL_PASSWORDS setting is the default; an admin
may switch passwords off or on again at /manage/sign-in. Never a lock-out:
- passwords can only be switched off while sign-in with the municipality's accounts (OpenID
  Connect) is configured, and only by an admin who is signed in that way right now, which
  proves it works for at least one admin;
- while OIDC is not configured, passwords are on whatever is stored (app/oidc.py);
- `flask local-passwords on` switches them on again from the server.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.audit import AuditAction, record_audit
from app.database import UTCDateTime, utcnow
from app.extensions import db

LOCAL_PASSWORDS = "local_passwords"
_ON, _OFF = "on", "off"


class SiteSetting(db.Model):
    """One switch: its name, its value, and who set it when."""

    __tablename__ = "site_settings"
    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )


class OidcNotConfigured(Exception):
    """Passwords cannot go while there is no other way to sign in."""


class NotSignedInWithOidc(Exception):
    """Only an admin who signed in with the municipality account may switch passwords off."""


def stored_local_passwords() -> bool | None:
    """What an admin chose, or None when nobody has (then the setting decides)."""
    query = sa.select(SiteSetting.value).where(SiteSetting.key == LOCAL_PASSWORDS)
    value = db.session.scalar(query)
    return None if value is None else value == _ON


def set_local_passwords(
    on: bool,
    *,
    by_user_id: int | None,
    now: datetime,
    oidc_configured: bool,
    signed_in_with_oidc: bool,
) -> None:
    """Switch local passwords on or off; switching off is refused unless it is safe."""
    if not on:
        if not oidc_configured:
            raise OidcNotConfigured()
        if not signed_in_with_oidc:
            raise NotSignedInWithOidc()
    row = db.session.get(SiteSetting, LOCAL_PASSWORDS)
    if row is None:
        row = SiteSetting(key=LOCAL_PASSWORDS)
        db.session.add(row)
    row.value = _ON if on else _OFF
    row.updated_at = now
    row.updated_by_id = by_user_id
    record_audit(
        user_id=by_user_id,
        action=AuditAction.LOCAL_PASSWORDS,
        offering_id=None,
        now=now,
        details=f"local passwords {row.value}",
    )
    db.session.flush()
