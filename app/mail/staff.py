"""What each mail to a staff account says: one function, and one text template per kind
(templates/mail/staff/<kind>.txt): a one-time link to choose a password, or a participant's
word that they cannot come to a date (afbud), linked to that sign-up so that it goes with
the person's data."""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from app.mail.compose import public_url, title_of, when
from app.mail.kinds import MailKind
from app.mail.outbox import queue_mail
from app.models import Enrollment, Occurrence, User


def _queue_link_mail(
    kind: MailKind, user: User, subject: str, *, token: str, language: str, now: datetime
) -> None:
    """Render templates/mail/staff/<kind>.txt with the link; call inside force_locale."""
    link = public_url("management.reset_password", token=token)
    queue_mail(
        kind=kind,
        to_address=user.email,
        to_name=user.name,
        subject=subject,
        body_text=render_template(f"mail/staff/{kind}.txt", user=user, link=link),
        language=language,
        now=now,
    )


def mail_welcome(user: User, *, token: str, language: str, now: datetime) -> None:
    """A new staff account: choose a password with this one-time link (three days)."""
    with force_locale(language):
        subject = _("Your staff account on Holdplads")
        _queue_link_mail(MailKind.WELCOME, user, subject, token=token, language=language, now=now)


def mail_password_reset(user: User, *, token: str, language: str, now: datetime) -> None:
    """Someone asked for a new password: this one-time link sets it (one hour)."""
    with force_locale(language):
        subject = _("Choose a new password for Holdplads")
        _queue_link_mail(
            MailKind.PASSWORD_RESET, user, subject, token=token, language=language, now=now
        )


def mail_password_reset_unknown(email: str, *, language: str, now: datetime) -> None:
    """Someone asked for a new password for an address that has no staff account."""
    with force_locale(language):
        queue_mail(
            kind=MailKind.PASSWORD_RESET_UNKNOWN,
            to_address=email,
            to_name=None,
            subject=_("Choose a new password for Holdplads"),
            body_text=render_template(
                f"mail/staff/{MailKind.PASSWORD_RESET_UNKNOWN}.txt",
                login=public_url("management.login"),
            ),
            language=language,
            now=now,
        )


def mail_absence(
    user: User,
    enrollment: Enrollment,
    occurrence: Occurrence,
    *,
    taken_back: bool,
    now: datetime,
    language: str = "da",
) -> None:
    """A participant sent word that they cannot come to one date (afbud), or took it back."""
    kind = MailKind.ABSENCE_TAKEN_BACK if taken_back else MailKind.ABSENCE
    with force_locale(language):
        title = title_of(enrollment.offering)
        if taken_back:
            subject = _("Coming after all: %(name)s, %(title)s", name=enrollment.name, title=title)
        else:
            subject = _("Cannot come: %(name)s, %(title)s", name=enrollment.name, title=title)
        queue_mail(
            kind=kind,
            to_address=user.email,
            to_name=user.name,
            subject=subject,
            body_text=render_template(
                f"mail/staff/{kind}.txt",
                user=user,
                name=enrollment.name,
                title=title,
                when=when(occurrence.starts_at),
                link=public_url("management.attendance", occurrence_id=occurrence.id),
            ),
            language=language,
            enrollment_id=enrollment.id,  # purged with the person's data
            now=now,
        )
