"""What each mail to a staff account says: one function, and one text template per kind
(templates/mail/staff/<kind>.txt): a one-time link to choose a password, a participant's
word that they cannot come to a date (afbud), linked to that sign-up so that it goes with
the person's data, and a facilitator's notices (at once, or the daily digest: app/notices/)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from app.mail.compose import public_url, title_of, when
from app.mail.failures import failure_reason
from app.mail.kinds import MailKind
from app.mail.outbox import queue_mail
from app.models import Enrollment, Occurrence, Offering, OutboxMessage, User


def _queue_link_mail(
    kind: MailKind,
    user: User,
    subject: str,
    *,
    token: str,
    language: str,
    now: datetime,
    reply_to: str | None = None,
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
        reply_to=reply_to,
        now=now,
    )


def mail_welcome(
    user: User, *, token: str, language: str, now: datetime, reply_to: str | None = None
) -> None:
    """A new staff account: choose a password with this one-time link (three days); an
    answer goes to the colleague who made the account (`reply_to`)."""
    with force_locale(language):
        subject = _("Your staff account on Holdplads")
        _queue_link_mail(
            MailKind.WELCOME,
            user,
            subject,
            token=token,
            language=language,
            now=now,
            reply_to=reply_to,
        )


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
    """A participant sent word that they cannot come to one date (afbud), or took it back;
    to a facilitator who chose to hear at once (app/notices/services.py)."""
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
                settings=_notice_settings_url(enrollment.offering_id),
            ),
            language=language,
            enrollment_id=enrollment.id,  # purged with the person's data
            now=now,
        )


@dataclass
class NoticeLine:
    """One thing a facilitator is told about: what happened, to whom, when, and why (bounce)."""

    event: str  # a NoticeEvent
    event_label: str
    name: str
    at: str
    reason: str | None = None
    date: str | None = None  # an afbud: the date it is about


def _notice_settings_url(offering_id: int) -> str:
    """Where a facilitator chooses at once, a daily digest or never for this offering."""
    return public_url("management.offering", offering_id=offering_id) + "#notices"


def _notice_subject(event: str, name: str, title: str) -> str:
    subjects = {
        "request": _("New request: %(name)s, %(title)s", name=name, title=title),
        "cancelled": _("Cancelled: %(name)s, %(title)s", name=name, title=title),
        "offer_accepted": _("Took the seat: %(name)s, %(title)s", name=name, title=title),
        "offer_expired": _("Offer ran out: %(name)s, %(title)s", name=name, title=title),
        "bounced": _("Mail not delivered: %(name)s, %(title)s", name=name, title=title),
    }
    return subjects[str(event)]


def mail_facilitator_notice(
    user: User,
    enrollment: Enrollment,
    event: str,
    *,
    error: str | None = None,
    now: datetime,
    language: str = "da",
) -> None:
    """Something happened on an offering this person facilitates; they asked to hear at once.
    For a bounce, `error` is the mail server's answer, said here in plain words."""
    with force_locale(language):
        reason = failure_reason(error) if error is not None else None
        title = title_of(enrollment.offering)
        queue_mail(
            kind=MailKind.FACILITATOR_NOTICE,
            to_address=user.email,
            to_name=user.name,
            subject=_notice_subject(event, enrollment.name, title),
            body_text=render_template(
                f"mail/staff/{MailKind.FACILITATOR_NOTICE}.txt",
                user=user,
                event=str(event),
                name=enrollment.name,
                title=title,
                reason=reason,
                link=public_url("management.participants", offering_id=enrollment.offering_id),
                settings=_notice_settings_url(enrollment.offering_id),
            ),
            language=language,
            enrollment_id=enrollment.id,  # purged with the person's data
            now=now,
        )


def mail_facilitator_digest(
    user: User,
    offerings: list[tuple[Offering, list[NoticeLine]]],
    *,
    day: str,
    now: datetime,
    language: str = "da",
) -> OutboxMessage | None:
    """The day's notices for one facilitator, per offering; once a day at most (dedupe)."""
    with force_locale(language):
        count = sum(len(lines) for _offering, lines in offerings)
        return queue_mail(
            kind=MailKind.FACILITATOR_DIGEST,
            to_address=user.email,
            to_name=user.name,
            subject=ngettext(
                "Holdplads today: %(num)d thing to know",
                "Holdplads today: %(num)d things to know",
                count,
            ),
            body_text=render_template(
                f"mail/staff/{MailKind.FACILITATOR_DIGEST}.txt",
                user=user,
                offerings=[
                    (
                        title_of(offering),
                        public_url("management.participants", offering_id=offering.id),
                        lines,
                    )
                    for offering, lines in offerings
                ],
            ),
            language=language,
            dedupe_key=f"digest:{user.id}:{day}",
            now=now,
        )
