"""Email addresses as Holdplads compares them."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from app.mail.addresses import NotMailable, deliverable_address, needs_smtputf8


def normalize_email(email: str) -> str:
    """Same address, same person: trimmed and lower-cased.

    What `Enrollment.email_normalized`, `SignInToken.email_normalized`, `PersonalCalendar` and
    `User.email` hold, and what every lookup by address compares with.
    """
    return email.strip().lower()


MAX_LENGTH = 254  # RFC 5321: the longest address a mail server must accept


def email_problem(address: str, *, smtputf8: bool) -> str | None:
    """Why this is not an address we accept, or None: the ONE rule, everywhere.

    The sign-up form, /my, the staff forms (accounts, participants, contacts, organisations),
    password reset and `flask users create` all ask here, so an address accepted in one place
    is never refused in another. "too_long", "malformed", or "needs_smtputf8" (letters beyond
    ASCII before the @, which only a server with SMTPUTF8 carries: `smtputf8` is the
    MAIL_SMTPUTF8 setting). Danish letters in the domain are fine (sent as IDNA), and nobody's
    mail server is asked (that would make the rule change with the network).
    """
    text = address.strip()
    if len(text) > MAX_LENGTH:
        return "too_long"
    try:
        validate_email(text, check_deliverability=False, allow_smtputf8=True)
        deliverable_address(text)
        if needs_smtputf8(text) and not smtputf8:
            return "needs_smtputf8"
    except (EmailNotValidError, NotMailable):
        return "malformed"
    return None
