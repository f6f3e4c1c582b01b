"""The manage link of an enrollment: a signed token (app/signed_tokens.py).

Every mail about an enrollment carries the same link, so the one in the first mail keeps
working, while the database holds only the hash of its nonce. (The one-time sign-in link is
in app/one_time_links.py.)
"""

from __future__ import annotations

import hmac

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Enrollment, Offering
from app.signed_tokens import matches, new_nonce_hash, row_id_of, sign

_MANAGE = "manage-enrollment"


def new_manage_nonce_hash() -> str:
    """What Enrollment.manage_token_hash holds: the hash of the link's secret nonce."""
    return new_nonce_hash()


def manage_token(enrollment: Enrollment) -> str:
    """The enrollment's manage link token, the same every time it is asked for."""
    return sign(_MANAGE, enrollment.id, enrollment.manage_token_hash)


def enrollment_by_token(token: str) -> Enrollment | None:
    """The enrollment a manage link opens, or None for anything else."""
    enrollment_id = row_id_of(token)
    if enrollment_id is None:
        return None
    enrollment = db.session.scalars(
        sa.select(Enrollment)
        .where(Enrollment.id == enrollment_id)
        .options(selectinload(Enrollment.offering).selectinload(Offering.occurrences))
    ).first()
    if enrollment is None or not matches(
        token, _MANAGE, enrollment_id, enrollment.manage_token_hash
    ):
        return None
    return enrollment


_ABSENCE = "absence"


def absence_token(enrollment: Enrollment, occurrence_id: int) -> str:
    """The reminder's "I can't come" link: one person, one date, dead with the manage link."""
    return sign(f"{_ABSENCE}|{occurrence_id}", enrollment.id, enrollment.manage_token_hash)


def enrollment_by_absence_token(token: str, occurrence_id: int) -> Enrollment | None:
    """The enrollment an "I can't come" link opens for that date, or None for anything else."""
    enrollment_id = row_id_of(token)
    if enrollment_id is None:
        return None
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or not matches(
        token, f"{_ABSENCE}|{occurrence_id}", enrollment_id, enrollment.manage_token_hash
    ):
        return None
    return enrollment


def short_manage_token(enrollment: Enrollment) -> str:
    """A short form of the manage link for a text message: the row id and 80 bits of its
    signature (`/m/<short>` checks them and opens the full manage link)."""
    return manage_token(enrollment)[: len(str(enrollment.id)) + 1 + 20]


def enrollment_by_short_token(short: str) -> Enrollment | None:
    enrollment_id, _, signature = (short or "").partition("-")
    if len(signature) != 20 or not enrollment_id.isdigit() or len(enrollment_id) > 12:
        return None
    enrollment = db.session.get(Enrollment, int(enrollment_id))
    if enrollment is None or not hmac.compare_digest(short_manage_token(enrollment), short):
        return None
    return enrollment
