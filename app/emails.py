"""Email addresses as Holdplads compares them."""

from __future__ import annotations


def normalize_email(email: str) -> str:
    """Same address, same person: trimmed and lower-cased.

    What `Enrollment.email_normalized`, `SignInToken.email_normalized`, `PersonalCalendar` and
    `User.email` hold, and what every lookup by address compares with.
    """
    return email.strip().lower()
