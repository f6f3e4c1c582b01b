"""Every mail Holdplads sends a participant, composed in the language they signed up in.

Each message is a few translated paragraphs, the offering's details and the links the person
needs, rendered into plain text and simple HTML by the two templates in templates/mail/,
and written to the outbox in the caller's transaction. Messages about a seat carry an .ics
invitation (REQUEST) or withdrawal (CANCEL) built by the calendar area.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.i18n import localized
from app.mail.outbox import queue_mail
from app.models import (
    ACTIVE_ENROLLMENT_STATUSES,
    Enrollment,
    EnrollmentStatus,
    Occurrence,
    OccurrenceStatus,
    Offering,
    OfferingStatus,
    OutboxMessage,
)


def public_url(endpoint: str, **values) -> str:
    """An absolute link for a mail: PUBLIC_URL plus the route's path (no request needed)."""
    adapter = current_app.url_map.bind("localhost")
    return current_app.config["PUBLIC_URL"] + adapter.build(endpoint, values)


@dataclass
class Draft:
    """What one mail says, before it is rendered."""

    subject: str
    paragraphs: list[str]
    actions: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    show_details: bool = True


def _title(offering: Offering) -> str:
    return localized(offering.title, offering.title_en)


def _when(start: datetime) -> str:
    env = current_app.jinja_env
    return f"{env.filters['date'](start, 'full')} {env.filters['time'](start)}"


def _details(enrollment: Enrollment, now: datetime) -> dict:
    offering = enrollment.offering
    upcoming = [o for o in offering.occurrences if o.ends_at >= now]
    place = None
    if offering.is_online:
        place = _("Online")
    elif offering.location is not None:
        loc = offering.location
        place = ", ".join(p for p in (loc.name, loc.room, loc.full_address) if p)
    join_url = (
        offering.online_join_url
        if offering.is_online and enrollment.status == EnrollmentStatus.CONFIRMED
        else None
    )
    return {
        "title": _title(offering),
        "offering_url": public_url("catalogue.offering", slug=offering.slug),
        "occurrences": upcoming,
        "place": place,
        "join_url": join_url,
        "contact": offering.contact_email,
    }


def _render(draft: Draft, *, name: str | None, details: dict | None) -> tuple[str, str]:
    context = {
        "draft": draft,
        "greeting": _("Dear %(name)s,", name=name) if name else _("Hello,"),
        "details": details if draft.show_details else None,
        "my_url": public_url("enrollment.my_bookings"),
    }
    return (
        render_template("mail/message.txt", **context),
        render_template("mail/message.html", **context),
    )


def _invitation(
    enrollment: Enrollment, occurrences: Sequence[Occurrence], method: str, now: datetime
):
    """The calendar area's iCalendar text, or None while it is not installed."""
    try:
        from app.calendar.ical import build_invitation
    except ImportError:
        return None
    try:
        return build_invitation(
            enrollment,
            list(occurrences),
            method=method,
            public_url=current_app.config["PUBLIC_URL"],
            organizer_email=parseaddr(current_app.config["MAIL_FROM"])[1],
            now=now,
        )
    except Exception:  # noqa: BLE001 - a calendar bug must never cost anyone their seat
        current_app.logger.exception("no invitation for enrollment %s", enrollment.id)
        return None


def _manage_action(token: str | None) -> list[tuple[str, str]]:
    if token is None:
        return [(_("See your bookings"), public_url("enrollment.my_bookings"))]
    return [(_("See or change your sign-up"), public_url("enrollment.manage", token=token))]


def _draft(kind: str, enrollment: Enrollment, *, token, message, now, extra) -> Draft:
    """The words of each kind of mail. Called inside force_locale(the person's language)."""
    title = _title(enrollment.offering)
    manage = _manage_action(token)
    staff_note = [message] if message else []
    if kind == "confirmed":
        return Draft(
            _("You have a seat: %(title)s", title=title),
            [_("You have a seat on %(title)s. We look forward to seeing you.", title=title)],
            manage,
        )
    if kind == "waitlisted":
        return Draft(
            _("You are on the waiting list: %(title)s", title=title),
            [
                _(
                    "%(title)s is full, so you are on the waiting list, as number %(position)s.",
                    title=title,
                    position=extra.get("position", "?"),
                ),
                _(
                    "When a seat frees up and it is your turn, we will email you and hold the "
                    "seat for you."
                ),
            ],
            manage,
        )
    if kind == "requested":
        return Draft(
            _("We have your request: %(title)s", title=title),
            [
                _("Thank you for asking to join %(title)s.", title=title),
                _(
                    "The people who run it will get back to you, often for a short talk "
                    "before you start. You do not need to do anything now."
                ),
            ],
            manage,
        )
    if kind == "approved":
        return Draft(
            _("You have a seat: %(title)s", title=title),
            [_("Good news: you have a seat on %(title)s.", title=title), *staff_note],
            manage,
        )
    if kind == "declined":
        return Draft(
            _("About your request: %(title)s", title=title),
            [
                _("Thank you for asking to join %(title)s.", title=title),
                _("Unfortunately we cannot offer you a place this time."),
                *staff_note,
                _("You are welcome to look for other offerings in the catalogue."),
            ],
            [(_("See all offerings"), public_url("catalogue.index"))],
            show_details=False,
        )
    if kind == "offer":
        expires = extra.get("expires")
        paragraphs = [
            _("A seat has freed up on %(title)s, and it is yours if you want it.", title=title)
        ]
        if expires is not None:
            paragraphs.append(
                _(
                    "Please answer by %(when)s. If we have not heard from you by then, the "
                    "seat goes to the next person on the waiting list.",
                    when=_when(expires),
                )
            )
        return Draft(
            _("A seat is free for you: %(title)s", title=title),
            paragraphs,
            [(_("Answer yes or no"), manage[0][1])],
        )
    if kind == "offer_expired":
        return Draft(
            _("The seat has gone to the next person: %(title)s", title=title),
            [
                _(
                    "We held a seat on %(title)s for you, but did not hear from you in time, "
                    "so it has gone to the next person on the waiting list.",
                    title=title,
                ),
                _("You are no longer on the waiting list. You are welcome to sign up again."),
            ],
            [
                (
                    _("See the offering"),
                    public_url("catalogue.offering", slug=enrollment.offering.slug),
                )
            ],
            show_details=False,
        )
    if kind == "cancelled":
        return Draft(
            _("You are no longer signed up: %(title)s", title=title),
            [
                _("You are no longer signed up for %(title)s.", title=title),
                _("Thank you for letting us know. You are welcome to sign up again later."),
            ],
            show_details=False,
        )
    if kind == "cancelled_by_staff":
        return Draft(
            _("Your sign-up has been cancelled: %(title)s", title=title),
            [
                _("The people who run %(title)s have cancelled your sign-up.", title=title),
                *staff_note,
                _("If this surprises you, please write to them."),
            ],
            show_details=True,
        )
    if kind == "already_enrolled":
        return Draft(
            _("You are already signed up: %(title)s", title=title),
            [
                _(
                    "Someone, most likely you, tried to sign up for %(title)s with this email "
                    "address. You are already signed up, so nothing has changed.",
                    title=title,
                ),
                _(
                    "Here is your link to see or change your sign-up, the same as in your "
                    "first mail."
                ),
            ],
            manage,
        )
    if kind == "occurrence_moved":
        occurrence = extra["occurrence"]
        return Draft(
            _("New time: %(title)s", title=title),
            [
                _(
                    "A meeting of %(title)s has moved. It is now %(when)s.",
                    title=title,
                    when=_when(occurrence.starts_at),
                ),
                *staff_note,
            ],
            manage,
        )
    if kind == "occurrence_cancelled":
        occurrence = extra["occurrence"]
        return Draft(
            _("Cancelled meeting: %(title)s", title=title),
            [
                _(
                    "The meeting of %(title)s on %(when)s has been cancelled.",
                    title=title,
                    when=_when(occurrence.starts_at),
                ),
                *staff_note,
            ],
            manage,
        )
    if kind == "offering_cancelled":
        return Draft(
            _("Cancelled: %(title)s", title=title),
            [
                _("We are sorry: %(title)s has been cancelled.", title=title),
                *staff_note,
                _("You are welcome to look for other offerings in the catalogue."),
            ],
            [(_("See all offerings"), public_url("catalogue.index"))],
            show_details=False,
        )
    if kind == "reminder":
        occurrence = extra["occurrence"]
        return Draft(
            _("Reminder: %(title)s", title=title),
            [
                _(
                    "A friendly reminder: %(title)s meets %(when)s. We look forward to seeing you.",
                    title=title,
                    when=_when(occurrence.starts_at),
                ),
                _("If you cannot come after all, you can cancel through your bookings."),
            ],
            manage,
        )
    if kind == "staff_message":
        return Draft(extra["subject"], extra["paragraphs"], manage)
    raise ValueError(f"unknown mail kind {kind!r}")


# kind -> the calendar method of its attachment
_ICS = {
    "confirmed": "REQUEST",
    "approved": "REQUEST",
    "occurrence_moved": "REQUEST",
    "cancelled": "CANCEL",
    "cancelled_by_staff": "CANCEL",
    "occurrence_cancelled": "CANCEL",
    "offering_cancelled": "CANCEL",
}


def mail_enrollment(
    kind: str,
    enrollment: Enrollment,
    *,
    now: datetime,
    token: str | None = None,
    message: str | None = None,
    had_seat: bool = False,
    dedupe_key: str | None = None,
    **extra,
) -> OutboxMessage | None:
    """Queue the `kind` mail about one enrollment, in its language, with its .ics if any.

    `token` is the plain manage token when the caller has one (it is never stored);
    without it the mail points to "my bookings". `had_seat` says a CANCEL is worth sending.
    """
    with force_locale(enrollment.language or "da"):
        draft = _draft(kind, enrollment, token=token, message=message, now=now, extra=extra)
        body_text, body_html = _render(
            draft, name=enrollment.name, details=_details(enrollment, now)
        )
        ics = None
        method = _ICS.get(kind)
        if method == "REQUEST" and enrollment.status != EnrollmentStatus.CONFIRMED:
            method = None
        if method == "CANCEL" and not had_seat:
            method = None
        if method is not None:
            occurrences = extra.get("ics_occurrences") or enrollment.offering.occurrences
            ics = _invitation(enrollment, occurrences, method, now)
        return queue_mail(
            kind=kind,
            to_address=enrollment.email,
            to_name=enrollment.name,
            subject=draft.subject,
            body_text=body_text,
            body_html=body_html,
            language=enrollment.language or "da",
            enrollment_id=enrollment.id,
            ics=ics,
            ics_method=method if ics else None,
            dedupe_key=dedupe_key,
            now=now,
        )


def mail_sign_in_link(email: str, token: str, *, language: str, now: datetime) -> None:
    """The one-time link to "my bookings"."""
    with force_locale(language):
        draft = Draft(
            _("Your link to your bookings"),
            [
                _("Here is your link to see your bookings on Holdplads."),
                _(
                    "It works once, for 30 minutes. If you did not ask for it, you can ignore "
                    "this mail."
                ),
            ],
            [(_("See your bookings"), public_url("enrollment.my_sign_in", token=token))],
            show_details=False,
        )
        body_text, body_html = _render(draft, name=None, details=None)
        queue_mail(
            kind="sign_in",
            to_address=email,
            to_name=None,
            subject=draft.subject,
            body_text=body_text,
            body_html=body_html,
            language=language,
            now=now,
        )


# --- what the staff area calls -------------------------------------------------------------


def _active_enrollments(offering_id: int, ids: Iterable[int] | None = None) -> list[Enrollment]:
    query = (
        sa.select(Enrollment)
        .where(
            Enrollment.offering_id == offering_id,
            Enrollment.status.in_(ACTIVE_ENROLLMENT_STATUSES),
        )
        .options(selectinload(Enrollment.offering).selectinload(Offering.occurrences))
        .order_by(Enrollment.id)
    )
    if ids is not None:
        query = query.where(Enrollment.id.in_(list(ids)))
    return list(db.session.scalars(query))


def notify_occurrence_changed(
    occurrence_id: int, *, change: str, now: datetime, message: str | None = None
) -> int:
    """Tell everyone signed up that one meeting moved or was cancelled; returns the count.

    Call it after the change is made (and the occurrence's sequence raised), in the same
    transaction. People with a seat get an updated invitation or its withdrawal.
    """
    if change not in ("moved", "cancelled"):
        raise ValueError("change must be 'moved' or 'cancelled'")
    occurrence = db.session.get(Occurrence, occurrence_id)
    if occurrence is None:
        return 0
    kind = "occurrence_moved" if change == "moved" else "occurrence_cancelled"
    count = 0
    for enrollment in _active_enrollments(occurrence.offering_id):
        held = enrollment.status == EnrollmentStatus.CONFIRMED
        mail_enrollment(
            kind,
            enrollment,
            now=now,
            message=message,
            had_seat=held,
            occurrence=occurrence,
            ics_occurrences=[occurrence] if change == "cancelled" else None,
        )
        count += 1
    return count


def notify_offering_cancelled(
    offering_id: int, *, now: datetime, message: str | None = None
) -> int:
    """Tell everyone signed up that the whole offering is cancelled; returns the count."""
    count = 0
    for enrollment in _active_enrollments(offering_id):
        mail_enrollment(
            "offering_cancelled",
            enrollment,
            now=now,
            message=message,
            had_seat=enrollment.status == EnrollmentStatus.CONFIRMED,
        )
        count += 1
    return count


def notify_participants(
    offering_id: int, enrollment_ids: Iterable[int], *, subject: str, body: str, now: datetime
) -> int:
    """Staff write to all or some participants of one offering; returns how many got it.

    Only active enrollments of that offering are written to, whatever ids are passed.
    """
    paragraphs = [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    count = 0
    for enrollment in _active_enrollments(offering_id, enrollment_ids):
        mail_enrollment(
            "staff_message", enrollment, now=now, subject=subject, paragraphs=paragraphs
        )
        count += 1
    return count


def queue_reminders(*, now: datetime, hours: float | None = None) -> int:
    """Remind confirmed participants of each meeting starting within REMINDER_HOURS.

    Safe to run as often as you like: the dedupe key lets each reminder be written once.
    Returns how many new reminders were queued.
    """
    if hours is None:
        hours = float(current_app.config.get("REMINDER_HOURS", 24))
    horizon = now + timedelta(hours=hours)
    rows = db.session.execute(
        sa.select(Enrollment, Occurrence)
        .join(Occurrence, Occurrence.offering_id == Enrollment.offering_id)
        .join(Offering, Offering.id == Enrollment.offering_id)
        .where(
            Enrollment.status == EnrollmentStatus.CONFIRMED,
            Offering.status == OfferingStatus.PUBLISHED,
            Occurrence.status == OccurrenceStatus.SCHEDULED,
            Occurrence.starts_at > now,
            Occurrence.starts_at <= horizon,
        )
        .order_by(Occurrence.starts_at, Enrollment.id)
    ).all()
    queued = 0
    for enrollment, occurrence in rows:
        message = mail_enrollment(
            "reminder",
            enrollment,
            now=now,
            occurrence=occurrence,
            dedupe_key=f"reminder:{enrollment.id}:{occurrence.id}",
        )
        if message is not None:
            queued += 1
    return queued
