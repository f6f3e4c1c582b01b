"""What each mail to a participant says: one function per kind (see kinds.py).

Each function writes its words in the language the person signed up in and queues the mail
in the caller's transaction (compose.py lays it out and attaches the .ics). `token` is the
plain manage token when the caller has one (it is never stored); without it the mail points
to "my bookings". `message` is the note staff may add; it is quoted as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from app.enrollment.tokens import absence_token, manage_token
from app.mail.compose import (
    Draft,
    language_of,
    manage_actions,
    manage_url,
    opens_with_greeting,
    public_url,
    queue_about,
    render,
    title_of,
    when,
)
from app.mail.kinds import MailKind
from app.mail.outbox import queue_mail
from app.models import (
    Enrollment,
    EnrollmentStatus,
    Occurrence,
    Offering,
    OfferingKind,
    OutboxMessage,
)
from app.privacy.retention import RetentionRules, erase_date


def _note(message: str | None) -> list[str]:
    return [message] if message else []


def _erase_note(enrollment: Enrollment) -> list[str]:
    """The day this sign-up's personal data is erased, by the rule the sign-up form states."""
    day = erase_date(enrollment.offering, RetentionRules.from_config(current_app.config))
    if day is None:
        return []
    format_date = current_app.jinja_env.filters["date"]
    return [_("Your details for this sign-up are erased on %(date)s.", date=format_date(day))]


def _who5_note(enrollment: Enrollment) -> list[str]:
    """An offering that asks WHO-5 says so where the seat is confirmed (app/wellbeing/)."""
    if not enrollment.offering.who5_enabled:
        return []
    return [
        _(
            "On the page behind your link you will also find five short questions about how "
            "you have been feeling. Answering them is optional; you can skip them."
        )
    ]


def mail_confirmed(
    enrollment: Enrollment, *, now: datetime, token: str | None = None
) -> OutboxMessage | None:
    """A seat is theirs: at sign-up, from the waiting list, or an offer accepted."""
    with force_locale(language_of(enrollment)):
        title = title_of(enrollment.offering)
        paragraphs = [
            _("You have a seat on %(title)s. We look forward to seeing you.", title=title)
        ]
        if enrollment.hold_expires_at is not None:
            paragraphs.append(
                _(
                    "Please confirm your seat by %(when)s: open your link below and press "
                    '"Confirm my seat". Until then we hold the seat for you; after that it goes '
                    "to the next person.",
                    when=when(enrollment.hold_expires_at),
                )
            )
        paragraphs += _erase_note(enrollment)
        paragraphs += _who5_note(enrollment)
        draft = Draft(
            _("You have a seat: %(title)s", title=title), paragraphs, manage_actions(token)
        )
        return queue_about(MailKind.CONFIRMED, enrollment, draft, now=now)


def mail_waitlisted(
    enrollment: Enrollment, *, position: int, now: datetime, token: str | None = None
) -> OutboxMessage | None:
    """The offering is full: they are number `position` on the waiting list."""
    with force_locale(language_of(enrollment)):
        title = title_of(enrollment.offering)
        draft = Draft(
            _("You are on the waiting list: %(title)s", title=title),
            [
                _(
                    "%(title)s is full, so you are on the waiting list, as number %(position)s.",
                    title=title,
                    position=position,
                ),
                _(
                    "When a seat frees up and it is your turn, we will email you and hold the "
                    "seat for you."
                ),
                *_erase_note(enrollment),
            ],
            manage_actions(token),
        )
        return queue_about(MailKind.WAITLISTED, enrollment, draft, now=now)


def mail_requested(
    enrollment: Enrollment, *, now: datetime, token: str | None = None
) -> OutboxMessage | None:
    """They asked to join an offering the staff approve by hand."""
    with force_locale(language_of(enrollment)):
        title = title_of(enrollment.offering)
        draft = Draft(
            _("We have your request: %(title)s", title=title),
            [
                _("Thank you for asking to join %(title)s.", title=title),
                _(
                    "The people who run it will get back to you, often for a short talk "
                    "before you start. You do not need to do anything now."
                ),
                *_erase_note(enrollment),
            ],
            manage_actions(token),
        )
        return queue_about(MailKind.REQUESTED, enrollment, draft, now=now)


def mail_approved(
    enrollment: Enrollment, *, message: str | None, now: datetime, token: str | None = None
) -> OutboxMessage | None:
    """Staff said yes to a request and there was a seat."""
    with force_locale(language_of(enrollment)):
        title = title_of(enrollment.offering)
        draft = Draft(
            _("You have a seat: %(title)s", title=title),
            [
                _("Good news: you have a seat on %(title)s.", title=title),
                *_note(message),
                *_erase_note(enrollment),
                *_who5_note(enrollment),
            ],
            manage_actions(token),
        )
        return queue_about(MailKind.APPROVED, enrollment, draft, now=now)


def mail_declined(
    enrollment: Enrollment, *, message: str | None, now: datetime
) -> OutboxMessage | None:
    """Staff said no to a request."""
    with force_locale(language_of(enrollment)):
        title = title_of(enrollment.offering)
        draft = Draft(
            _("About your request: %(title)s", title=title),
            [
                _("Thank you for asking to join %(title)s.", title=title),
                _("Unfortunately we cannot offer you a place this time."),
                *_note(message),
                _("You are welcome to look for other offerings in the catalogue."),
            ],
            [(_("See all offerings"), public_url("catalogue.index"))],
            show_details=False,
        )
        return queue_about(MailKind.DECLINED, enrollment, draft, now=now)


def mail_offer(
    enrollment: Enrollment, *, expires: datetime | None, now: datetime, token: str | None = None
) -> OutboxMessage | None:
    """A seat is held for the first on the waiting list until `expires`."""
    with force_locale(language_of(enrollment)):
        title = title_of(enrollment.offering)
        paragraphs = [
            _("A seat has freed up on %(title)s, and it is yours if you want it.", title=title)
        ]
        if expires is not None:
            paragraphs.append(
                _(
                    "Please answer by %(when)s. If we have not heard from you by then, the "
                    "seat goes to the next person on the waiting list.",
                    when=when(expires),
                )
            )
        draft = Draft(
            _("A seat is free for you: %(title)s", title=title),
            paragraphs,
            [(_("Answer yes or no"), manage_url(token))],
        )
        return queue_about(MailKind.OFFER, enrollment, draft, now=now)


def mail_offer_expired(
    enrollment: Enrollment, *, now: datetime, unconfirmed: bool = False
) -> OutboxMessage | None:
    """They did not answer an offer in time (or, `unconfirmed`, did not confirm the seat they
    were holding from the sign-up mail); the seat went on."""
    with force_locale(language_of(enrollment)):
        title = title_of(enrollment.offering)
        draft = Draft(
            _("The seat has gone to the next person: %(title)s", title=title),
            [
                _(
                    "We held a seat on %(title)s for you, but did not hear from you in time, "
                    "so it has gone to the next person on the waiting list.",
                    title=title,
                ),
                _("You are no longer signed up. You are welcome to sign up again.")
                if unconfirmed
                else _("You are no longer on the waiting list. You are welcome to sign up again."),
            ],
            [
                (
                    _("See the offering"),
                    public_url("catalogue.offering", slug=enrollment.offering.slug),
                )
            ],
            show_details=False,
        )
        return queue_about(MailKind.OFFER_EXPIRED, enrollment, draft, now=now)


def mail_cancelled(
    enrollment: Enrollment, *, had_seat: bool, now: datetime
) -> OutboxMessage | None:
    """They cancelled, left the waiting list or turned an offer down.

    `had_seat`: they held a confirmed seat, so their calendar invitation is withdrawn.
    """
    with force_locale(language_of(enrollment)):
        title = title_of(enrollment.offering)
        draft = Draft(
            _("You have cancelled: %(title)s", title=title),
            [
                _("You have cancelled your sign-up for %(title)s.", title=title),
                _("Thank you for letting us know. You are welcome to sign up again later."),
            ],
            show_details=False,
        )
        return queue_about(MailKind.CANCELLED, enrollment, draft, now=now, had_seat=had_seat)


def mail_cancelled_by_staff(
    enrollment: Enrollment, *, message: str | None, had_seat: bool, now: datetime
) -> OutboxMessage | None:
    """Staff cancelled their sign-up (`had_seat` as in mail_cancelled)."""
    with force_locale(language_of(enrollment)):
        title = title_of(enrollment.offering)
        draft = Draft(
            _("Your sign-up has been cancelled: %(title)s", title=title),
            [
                _("The people who run %(title)s have cancelled your sign-up.", title=title),
                *_note(message),
                _("If this surprises you, please write to them."),
            ],
        )
        return queue_about(
            MailKind.CANCELLED_BY_STAFF, enrollment, draft, now=now, had_seat=had_seat
        )


def mail_already_enrolled(
    enrollment: Enrollment, *, token: str, now: datetime
) -> OutboxMessage | None:
    """Someone signed up again with the same address: the manage link once more."""
    with force_locale(language_of(enrollment)):
        title = title_of(enrollment.offering)
        draft = Draft(
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
            manage_actions(token),
        )
        return queue_about(MailKind.ALREADY_ENROLLED, enrollment, draft, now=now)


def mail_occurrence_moved(
    enrollment: Enrollment,
    occurrence: Occurrence,
    *,
    message: str | None,
    now: datetime,
    was_starts_at: datetime | None = None,
) -> OutboxMessage | None:
    """One meeting has a new time (it started at `was_starts_at`); someone with a seat gets
    the updated invitation. The mail says the old time and the new one."""
    with force_locale(language_of(enrollment)):
        title, at = title_of(enrollment.offering), when(occurrence.starts_at)
        if was_starts_at is not None and was_starts_at != occurrence.starts_at:
            moved = _(
                "A meeting of %(title)s has moved from %(old)s to %(new)s.",
                title=title,
                old=when(was_starts_at),
                new=at,
            )
        else:
            moved = _("A meeting of %(title)s on %(when)s has changed.", title=title, when=at)
        draft = Draft(
            _("New time: %(title)s", title=title),
            [moved, *_note(message)],
            manage_actions(manage_token(enrollment)),
        )
        return queue_about(MailKind.OCCURRENCE_MOVED, enrollment, draft, now=now)


def mail_occurrence_cancelled(
    enrollment: Enrollment, occurrence: Occurrence, *, message: str | None, now: datetime
) -> OutboxMessage | None:
    """One meeting is cancelled; someone with a seat gets that meeting withdrawn."""
    with force_locale(language_of(enrollment)):
        title, at = title_of(enrollment.offering), when(occurrence.starts_at)
        cancelled = _(
            "The meeting of %(title)s on %(when)s has been cancelled.", title=title, when=at
        )
        draft = Draft(
            _("Cancelled meeting: %(title)s", title=title),
            [cancelled, *_note(message)],
            manage_actions(manage_token(enrollment)),
        )
        return queue_about(
            MailKind.OCCURRENCE_CANCELLED,
            enrollment,
            draft,
            now=now,
            had_seat=enrollment.status == EnrollmentStatus.CONFIRMED,
        )


def mail_offering_cancelled(
    enrollment: Enrollment, *, message: str | None, now: datetime
) -> OutboxMessage | None:
    """The whole offering is cancelled; someone with a seat gets every meeting withdrawn."""
    with force_locale(language_of(enrollment)):
        title = title_of(enrollment.offering)
        draft = Draft(
            _("Cancelled: %(title)s", title=title),
            [
                _("We are sorry: %(title)s has been cancelled.", title=title),
                *_note(message),
                _("You are welcome to look for other offerings in the catalogue."),
            ],
            [(_("See all offerings"), public_url("catalogue.index"))],
            show_details=False,
        )
        return queue_about(
            MailKind.OFFERING_CANCELLED,
            enrollment,
            draft,
            now=now,
            had_seat=enrollment.status == EnrollmentStatus.CONFIRMED,
        )


def mail_reminder(
    enrollment: Enrollment, occurrence: Occurrence, *, now: datetime
) -> OutboxMessage | None:
    """A meeting is soon. Written once per person and meeting: None if it already was."""
    with force_locale(language_of(enrollment)):
        title = title_of(enrollment.offering)
        draft = Draft(
            _("Reminder: %(title)s", title=title),
            [
                _(
                    "A friendly reminder: %(title)s meets %(when)s. We look forward to seeing you.",
                    title=title,
                    when=when(occurrence.starts_at),
                ),
                _(
                    "If you cannot come this time, please tell us with the link below. Your "
                    "seat gives way to the next person on the waiting list."
                )
                if enrollment.offering.kind == OfferingKind.MEETING
                else _(
                    "If you cannot come this time, please tell us with the link below. You "
                    "keep your seat for the other dates."
                ),
            ],
            [
                (
                    _("I can't come this time"),
                    public_url(
                        "enrollment.absence_from_mail",
                        occurrence_id=occurrence.id,
                        token=absence_token(enrollment, occurrence.id),
                    ),
                ),
                *manage_actions(manage_token(enrollment)),
            ],
        )
        return queue_about(
            MailKind.REMINDER,
            enrollment,
            draft,
            now=now,
            dedupe_key=f"reminder:{enrollment.id}:{occurrence.id}",
        )


def mail_staff_message(
    enrollment: Enrollment,
    *,
    subject: str,
    paragraphs: Sequence[str],
    now: datetime,
    reply_to: str | None = None,
) -> OutboxMessage | None:
    """Staff wrote to the participants of an offering; their words, our frame, in the
    participant's language; an answer goes to the staff member who wrote (`reply_to`)."""
    with force_locale(language_of(enrollment)):
        draft = Draft(
            subject,
            list(paragraphs),
            manage_actions(manage_token(enrollment)),
            greet=not opens_with_greeting(paragraphs),
        )
        return queue_about(MailKind.STAFF_MESSAGE, enrollment, draft, now=now, reply_to=reply_to)


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
        body_text, body_html = render(draft, name=None, details=None)
        queue_mail(
            kind=MailKind.SIGN_IN,
            to_address=email,
            to_name=None,
            subject=draft.subject,
            body_text=body_text,
            body_html=body_html,
            language=language,
            now=now,
        )


def mail_suggestion_declined(
    email: str, *, topic: str, language: str, now: datetime
) -> OutboxMessage | None:
    """A suggested group will not start: the kind standard answer to whoever left an address."""
    with force_locale(language):
        draft = Draft(
            _("About your suggestion: %(topic)s", topic=topic),
            [
                _("Thank you for suggesting a group about “%(topic)s”.", topic=topic),
                _(
                    "We cannot start this group right now. That is no judgement of the need: "
                    "often the right people or place are not there yet, or a group like it "
                    "already exists."
                ),
                _(
                    "You are always welcome to look in the catalogue or to ask the volunteer "
                    "centre, who can help you find something that fits."
                ),
            ],
            [(_("See courses and groups"), public_url("catalogue.index"))],
            show_details=False,
        )
        body_text, body_html = render(draft, name=None, details=None)
        return queue_mail(
            kind=MailKind.SUGGESTION_DECLINED,
            to_address=email,
            to_name=None,
            subject=draft.subject,
            body_text=body_text,
            body_html=body_html,
            language=language,
            now=now,
        )


def mail_evaluation(
    enrollment: Enrollment, *, token: str, round_name: str, now: datetime
) -> OutboxMessage | None:
    """The course is over (or a group's term): a once-only link to the anonymous questionnaire."""
    with force_locale(language_of(enrollment)):
        title = title_of(enrollment.offering)
        draft = Draft(
            _("How was %(title)s?", title=title),
            [
                _("Thank you for taking part in %(title)s.", title=title),
                _(
                    "Will you tell us how it was? Four short questions and a comment if you "
                    "like; it takes two minutes. Your answer is anonymous: we store it without "
                    "your name, your email address or the time, and the people who run the "
                    "offering only see answers from five people or more together."
                ),
                _("The link works once."),
            ],
            [(_("Answer the questions"), public_url("evaluations.questionnaire", token=token))],
            show_details=False,
        )
        return queue_about(
            MailKind.EVALUATION,
            enrollment,
            draft,
            now=now,
            dedupe_key=f"evaluation:{enrollment.id}:{round_name}",
        )


def mail_data_erased(
    email: str, *, language: str, offering: Offering | None, cancelled: int, now: datetime
) -> OutboxMessage | None:
    """The person deleted their data (all of it, or one sign-up's): the last mail, which says
    so. It names no one and is blanked in the outbox as soon as it is delivered."""
    with force_locale(language):
        if offering is None:
            first = _(
                "As you asked, we have erased the personal data we held about you on Holdplads: "
                "your name, how to reach you, what you told us, and the mails we sent you."
            )
        else:
            first = _(
                "As you asked, we have erased your personal data for your sign-up for "
                "%(title)s: your name, how to reach you, what you told us, and the mails we "
                "sent you about it.",
                title=title_of(offering),
            )
        paragraphs = [first]
        if cancelled:
            paragraphs.append(
                ngettext(
                    "%(num)d sign-up for dates still to come is cancelled, and the seat goes to "
                    "the next person on the waiting list. If the dates are in your calendar, "
                    "you can delete them there.",
                    "%(num)d sign-ups for dates still to come are cancelled, and the seats go "
                    "to the next people on the waiting list. If the dates are in your calendar, "
                    "you can delete them there.",
                    cancelled,
                )
            )
        paragraphs.append(
            _(
                "We keep only numbers without names, so we can report on the offerings. You "
                "are welcome to sign up again at any time."
            )
        )
        draft = Draft(
            _("Your data has been erased"),
            paragraphs,
            [(_("See courses and groups"), public_url("catalogue.index"))],
            show_details=False,
        )
        body_text, body_html = render(draft, name=None, details=None)
        return queue_mail(
            kind=MailKind.DATA_ERASED,
            to_address=email,
            to_name=None,
            subject=draft.subject,
            body_text=body_text,
            body_html=body_html,
            language=language,
            now=now,
        )


def mail_interest_registered(
    enrollment: Enrollment, *, now: datetime, token: str | None = None
) -> OutboxMessage | None:
    """They are on a group's interest list: a first talk comes, then the start."""
    with force_locale(language_of(enrollment)):
        title = title_of(enrollment.offering)
        draft = Draft(
            _("You are on the interest list: %(title)s", title=title),
            [
                _("Thank you for your interest in %(title)s.", title=title),
                _(
                    "Someone from the group will contact you for a short first talk. The group "
                    "starts when enough people are ready, and then you get the dates by email. "
                    "You do not need to do anything now."
                ),
            ],
            manage_actions(token),
        )
        return queue_about(MailKind.INTEREST_REGISTERED, enrollment, draft, now=now)


def mail_group_started(
    enrollment: Enrollment, *, now: datetime, token: str | None = None
) -> OutboxMessage | None:
    """The group starts and they have a seat: the dates, in the calendar attachment too."""
    with force_locale(language_of(enrollment)):
        title = title_of(enrollment.offering)
        draft = Draft(
            _("The group starts: %(title)s", title=title),
            [
                _(
                    "Enough people are ready, so %(title)s starts, and you have a seat. The dates "
                    "are below and in the attached calendar file.",
                    title=title,
                ),
                _("We look forward to seeing you."),
            ],
            manage_actions(token),
        )
        return queue_about(MailKind.GROUP_STARTED, enrollment, draft, now=now)


def mail_interest_invitation(
    email: str, *, title: str, url: str, language: str, now: datetime
) -> OutboxMessage | None:
    """A group they suggested (or said "me too" to) is forming: register interest."""
    with force_locale(language):
        draft = Draft(
            _("A group you asked for is forming: %(title)s", title=title),
            [
                _(
                    "You asked to be told if a group like this starts. Now %(title)s is "
                    "forming, and you are welcome to register your interest.",
                    title=title,
                ),
                _(
                    "After a short first talk with the people who run it, the group starts when "
                    "enough people are ready."
                ),
            ],
            [(_("Register interest"), url)],
            show_details=False,
        )
        body_text, body_html = render(draft, name=None, details=None)
        return queue_mail(
            kind=MailKind.INTEREST_INVITATION,
            to_address=email,
            to_name=None,
            subject=draft.subject,
            body_text=body_text,
            body_html=body_html,
            language=language,
            now=now,
        )
