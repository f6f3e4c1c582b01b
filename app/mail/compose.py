"""How a mail to a participant is laid out and queued; what each one says is in participants.py.

A mail is a few translated paragraphs and links (a `Draft`), the offering's details, and a
greeting and footer, rendered into plain text and simple HTML by templates/mail/message.txt
and message.html, and written to the outbox in the caller's transaction. Mails about a seat
carry an .ics invitation (REQUEST) or its withdrawal (CANCEL) from the calendar area.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr

from flask import current_app, render_template
from flask_babel import gettext as _

from app.calendar.ical import build_invitation
from app.i18n import localized, organisers
from app.mail.kinds import MailKind
from app.mail.outbox import queue_mail
from app.models import Enrollment, EnrollmentStatus, Occurrence, Offering, OutboxMessage


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
    greet: bool = True  # False when the words already open with a greeting (staff's own)


def language_of(enrollment: Enrollment) -> str:
    """The language a participant signed up in: every mail to them speaks it."""
    return enrollment.language or "da"


def title_of(offering: Offering) -> str:
    return localized(offering.title, offering.title_en)


def when(start: datetime) -> str:
    """A moment as a mail says it: the full date and the time, in the mail's language."""
    env = current_app.jinja_env
    # Danish mails say "kl. 18.30"; English ones "at 18:30".
    return (
        f"{env.filters['date'](start, 'full')} {_('at %(time)s', time=env.filters['time'](start))}"
    )


def manage_url(token: str | None) -> str:
    """One's sign-up page (with the plain manage token), or "my bookings" without one."""
    if token is None:
        return public_url("enrollment.my_bookings")
    return public_url("enrollment.manage", token=token)


_GREETINGS = frozenset(
    ["hej", "hejsa", "hey", "hi", "hello", "dear", "kære", "goddag", "godmorgen", "godaften"]
)


def opens_with_greeting(paragraphs: Sequence[str]) -> bool:
    """True when a text written by staff already greets ("Hej alle,", "Kære deltagere"): the
    mail then starts with their greeting, not ours as well."""
    if not paragraphs:
        return False
    words = paragraphs[0].split(maxsplit=1)
    return bool(words) and words[0].strip(",.!:;").casefold() in _GREETINGS


def manage_actions(token: str | None) -> list[tuple[str, str]]:
    label = _("See your bookings") if token is None else _("See or change your sign-up")
    return [(label, manage_url(token))]


def _details(enrollment: Enrollment, now: datetime) -> dict:
    offering = enrollment.offering
    upcoming = [o for o in offering.occurrences if o.ends_at >= now]
    place = None
    if offering.is_online:
        place = _("Online")
    elif offering.location is not None:
        place = offering.location.place_text
    join_url = (
        offering.online_join_url
        if offering.is_online and enrollment.status == EnrollmentStatus.CONFIRMED
        else None
    )
    return {
        "title": title_of(offering),
        "organisers": organisers(offering),
        "offering_url": public_url("catalogue.offering", slug=offering.slug),
        "occurrences": upcoming,
        "place": place,
        "join_url": join_url,
        "contact": offering.contact_email,
    }


def render(draft: Draft, *, name: str | None, details: dict | None) -> tuple[str, str]:
    """The plain-text and HTML bodies of a mail."""
    context = {
        "draft": draft,
        "greeting": (_("Dear %(name)s,", name=name) if name else _("Hello,"))
        if draft.greet
        else None,
        "details": details if draft.show_details else None,
        "my_url": public_url("enrollment.my_bookings"),
        "privacy_url": public_url("privacy.notice"),
    }
    return (
        render_template("mail/message.txt", **context),
        render_template("mail/message.html", **context),
    )


def _invitation(
    enrollment: Enrollment, occurrences: Sequence[Occurrence], method: str, now: datetime
) -> str | None:
    try:
        return build_invitation(
            enrollment,
            list(occurrences),
            method=method,
            public_url=current_app.config["PUBLIC_URL"],
            organizer_email=parseaddr(current_app.config["MAIL_FROM"])[1],
            now=now,
            seat_number=enrollment.id,
        )
    except Exception:  # noqa: BLE001 - a calendar bug must never cost anyone their seat
        current_app.logger.exception("no invitation for enrollment %s", enrollment.id)
        return None


def queue_about(
    kind: MailKind,
    enrollment: Enrollment,
    draft: Draft,
    *,
    now: datetime,
    had_seat: bool = False,
    dedupe_key: str | None = None,
    reply_to: str | None = None,
) -> OutboxMessage | None:
    """Render `draft` about one enrollment and queue it, with the kind's .ics if it applies.

    Call it inside force_locale(language_of(enrollment)), where the draft was written. An
    invitation goes only to someone with a seat now; a withdrawal only if `had_seat` (they
    were sent an invitation to withdraw). The invitation always holds every date (one
    calendar object per iTIP message). Someone without an email address gets nothing.
    """
    if not enrollment.email:
        return None  # added by staff with a phone number only: staff phone them instead
    body_text, body_html = render(draft, name=enrollment.name, details=_details(enrollment, now))
    method = kind.ics_method
    if method == "REQUEST" and enrollment.status != EnrollmentStatus.CONFIRMED:
        method = None
    if method == "CANCEL" and not had_seat:
        method = None
    ics = None
    if method is not None:
        ics = _invitation(enrollment, enrollment.offering.occurrences, method, now)
    return queue_mail(
        kind=kind,
        to_address=enrollment.email,
        to_name=enrollment.name,
        subject=draft.subject,
        body_text=body_text,
        body_html=body_html,
        language=language_of(enrollment),
        enrollment_id=enrollment.id,
        ics=ics,
        ics_method=method if ics else None,
        dedupe_key=dedupe_key,
        now=now,
        reply_to=reply_to,
    )
