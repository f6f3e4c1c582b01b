"""What each mail to a staff account says: one function and one text template per kind."""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from app.mail.compose import public_url
from app.mail.kinds import MailKind
from app.mail.outbox import queue_mail
from app.models import User


def _queue_to_staff(
    kind: MailKind, user: User, *, subject: str, body_text: str, language: str, now: datetime
) -> None:
    queue_mail(
        kind=kind,
        to_address=user.email,
        to_name=user.name,
        subject=subject,
        body_text=body_text,
        language=language,
        now=now,
    )


def mail_welcome(user: User, *, token: str, language: str, now: datetime) -> None:
    """A new staff account: choose a password with this one-time link (three days)."""
    with force_locale(language):
        link = public_url("management.reset_password", token=token)
        _queue_to_staff(
            MailKind.WELCOME,
            user,
            subject=_("Your staff account on Holdplads"),
            body_text=render_template("mail/staff/welcome.txt", user=user, link=link),
            language=language,
            now=now,
        )


def mail_password_reset(user: User, *, token: str, language: str, now: datetime) -> None:
    """Someone asked for a new password: this one-time link sets it (one hour)."""
    with force_locale(language):
        link = public_url("management.reset_password", token=token)
        _queue_to_staff(
            MailKind.PASSWORD_RESET,
            user,
            subject=_("Choose a new password for Holdplads"),
            body_text=render_template("mail/staff/password_reset.txt", user=user, link=link),
            language=language,
            now=now,
        )
