"""The one-time sign-in link for "my bookings": participants have no password.

A link is valid for 30 minutes and works once; only its hash is stored. Whether or not the
address has any bookings, the same happens (a link is made and mailed; without bookings it
opens an empty list), so neither the page nor the time it takes reveals who signed up.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app import one_time_links
from app.emails import normalize_email
from app.extensions import db
from app.mail.participants import mail_sign_in_link
from app.models import Enrollment, SignInToken

SIGN_IN_VALID_FOR = timedelta(minutes=30)
# Where the views keep the signed-in participant, once a link is redeemed: an address, not a
# User. /my (enrollment) and its calendar actions (calendar) read it.
PARTICIPANT_SESSION_KEY = "participant_email"


def request_sign_in_link(email: str, *, language: str, now: datetime) -> None:
    """Mail a one-time sign-in link to the address, whether or not it has bookings."""
    email_normalized = normalize_email(email)
    # The address as the person wrote it when they signed up, not as typed now (another
    # case, another form of the same letters): that is the address we know works.
    stored = db.session.scalar(
        sa.select(Enrollment.email)
        .where(Enrollment.email_normalized == email_normalized)
        .order_by(Enrollment.created_at.desc(), Enrollment.id.desc())
        .limit(1)
    )
    token = one_time_links.issue(
        SignInToken,
        now=now,
        lifetime=SIGN_IN_VALID_FOR,
        email_normalized=email_normalized,
        language=language,
    )
    mail_sign_in_link(stored or email.strip(), token, language=language, now=now)


def find_sign_in_token(token: str, *, now: datetime) -> SignInToken | None:
    """The unused, unexpired token behind a link, or None."""
    return one_time_links.find(SignInToken, token, now=now)


def redeem_sign_in_token(token: str, *, now: datetime) -> str | None:
    """Use a link once: returns the normalized email it signs in, or None.

    The UPDATE only succeeds for an unused token, so two clicks at once sign in once.
    """
    row = find_sign_in_token(token, now=now)
    if row is None or not one_time_links.use(SignInToken, row, now=now):
        return None
    return row.email_normalized
