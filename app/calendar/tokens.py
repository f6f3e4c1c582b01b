"""Secret feed addresses: a participant's personal calendar and a facilitator's calendar.

A calendar app polls the same URL for years and `/my` and the staff page show it again on
every visit, so these are signed tokens (app/signed_tokens.py): the row keeps only the hash
of a nonce, and renewing kills the old address at once.

Functions flush; the caller commits.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import PersonalCalendar, User
from app.signed_tokens import matches, new_nonce_hash, row_id_of, sign

_PERSONAL = "personal-calendar"
_FACILITATOR = "facilitator-calendar"


def personal_calendar_token(
    email_normalized: str, *, renew: bool = False, now: datetime | None = None
) -> str:
    """The participant's feed token, creating their calendar on first use.

    `renew=True` gives a new token and kills the old address.
    """
    calendar = db.session.scalar(
        sa.select(PersonalCalendar).where(PersonalCalendar.email_normalized == email_normalized)
    )
    if calendar is None:
        calendar = PersonalCalendar(
            email_normalized=email_normalized,
            token_hash=new_nonce_hash(),
            created_at=now or datetime.now(UTC),
        )
        db.session.add(calendar)
        db.session.flush()
    elif renew:
        calendar.token_hash = new_nonce_hash()
        calendar.renewed_at = now or datetime.now(UTC)
        db.session.flush()
    return sign(_PERSONAL, calendar.id, calendar.token_hash)


def set_discreet(email_normalized: str, discreet: bool) -> None:
    """Discreet titles ("Holdplads" and the time) for calendars others can see."""
    personal_calendar_token(email_normalized)  # makes sure the row exists
    calendar = personal_calendar_settings(email_normalized)
    calendar.discreet = discreet
    db.session.flush()


def personal_calendar_settings(email_normalized: str) -> PersonalCalendar | None:
    """The participant's calendar row (discreet flag), or None before their first feed."""
    return db.session.scalar(
        sa.select(PersonalCalendar).where(PersonalCalendar.email_normalized == email_normalized)
    )


def personal_calendar_for(token: str) -> PersonalCalendar | None:
    row_id = row_id_of(token)
    if row_id is None:
        return None
    calendar = db.session.get(PersonalCalendar, row_id)
    if calendar is None or not matches(token, _PERSONAL, row_id, calendar.token_hash):
        return None
    return calendar


def facilitator_calendar_token(user_id: int, *, renew: bool = False) -> str:
    """The staff member's feed token for the occurrences they run; `renew` kills the old one."""
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    if user.calendar_token_hash is None or renew:
        user.calendar_token_hash = new_nonce_hash()
        db.session.flush()
    return sign(_FACILITATOR, user.id, user.calendar_token_hash)


def facilitator_for(token: str) -> User | None:
    row_id = row_id_of(token)
    if row_id is None:
        return None
    user = db.session.get(User, row_id)
    if (
        user is None
        or not user.is_active_account
        or not matches(token, _FACILITATOR, row_id, user.calendar_token_hash)
    ):
        return None
    return user
