"""One-time links: signing in to "my bookings", and choosing a staff password.

A link carries 256 random bits from `secrets`; the database keeps only their sha256, when the
link expires and when it was used. A link works once, until it expires. Each kind has its own
table (SignInToken, PasswordResetToken) with these columns: token_hash, created_at,
expires_at, used_at.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa

from app.extensions import db
from app.models import PasswordResetToken, SignInToken

Link = TypeVar("Link", SignInToken, PasswordResetToken)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(model: type[Link], *, now: datetime, lifetime: timedelta, **fields) -> str:
    """Store a new link of `model` (with its own `fields`); the plain token is returned once."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        model(token_hash=_hash(token), created_at=now, expires_at=now + lifetime, **fields)
    )
    db.session.flush()
    return token


def find(model: type[Link], token: str, *, now: datetime) -> Link | None:
    """The unused, unexpired link behind `token`, or None for anything else."""
    if not token or len(token) > 200:
        return None
    row = db.session.scalar(sa.select(model).where(model.token_hash == _hash(token)))
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row


def use(model: type[Link], row: Link, *, now: datetime) -> bool:
    """Mark a found link used. False if another request used it first (two clicks at once)."""
    used = db.session.execute(
        sa.update(model).where(model.id == row.id, model.used_at.is_(None)).values(used_at=now)
    )
    return used.rowcount == 1
