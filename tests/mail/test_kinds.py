"""Every kind of mail, written in Danish and in English (one row per MailKind)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.enrollment import services
from app.mail import participants, staff
from app.mail.kinds import MailKind
from app.management import accounts
from tests.enrollment.helpers import outbox, person
from tests.factories import make_offering, make_user, now

TITLE = "Håb og recovery"
STAFF_WORDS = "Husk madpakke"


def _participant(kind: MailKind, language: str):
    """Sign someone up (which mails too), then return what writes the `kind` mail to them."""
    offering = make_offering(title=TITLE, starts=[now() + timedelta(days=3)])
    enrollment, token = services.enroll(offering.id, person(language, language=language), now=now())
    occurrence = offering.occurrences[0]
    write = {
        MailKind.CONFIRMED: lambda: participants.mail_confirmed(enrollment, token=token, now=now()),
        MailKind.WAITLISTED: lambda: participants.mail_waitlisted(
            enrollment, position=2, token=token, now=now()
        ),
        MailKind.REQUESTED: lambda: participants.mail_requested(enrollment, token=token, now=now()),
        MailKind.APPROVED: lambda: participants.mail_approved(
            enrollment, message=STAFF_WORDS, token=token, now=now()
        ),
        MailKind.DECLINED: lambda: participants.mail_declined(
            enrollment, message=STAFF_WORDS, now=now()
        ),
        MailKind.OFFER: lambda: participants.mail_offer(
            enrollment, expires=now() + timedelta(hours=24), token=token, now=now()
        ),
        MailKind.OFFER_EXPIRED: lambda: participants.mail_offer_expired(enrollment, now=now()),
        MailKind.CANCELLED: lambda: participants.mail_cancelled(
            enrollment, had_seat=True, now=now()
        ),
        MailKind.CANCELLED_BY_STAFF: lambda: participants.mail_cancelled_by_staff(
            enrollment, message=STAFF_WORDS, had_seat=True, now=now()
        ),
        MailKind.ALREADY_ENROLLED: lambda: participants.mail_already_enrolled(
            enrollment, token=token, now=now()
        ),
        MailKind.OCCURRENCE_MOVED: lambda: participants.mail_occurrence_moved(
            enrollment, occurrence, message=STAFF_WORDS, now=now()
        ),
        MailKind.OCCURRENCE_CANCELLED: lambda: participants.mail_occurrence_cancelled(
            enrollment, occurrence, message=STAFF_WORDS, now=now()
        ),
        MailKind.OFFERING_CANCELLED: lambda: participants.mail_offering_cancelled(
            enrollment, message=STAFF_WORDS, now=now()
        ),
        MailKind.REMINDER: lambda: participants.mail_reminder(enrollment, occurrence, now=now()),
        MailKind.STAFF_MESSAGE: lambda: participants.mail_staff_message(
            enrollment, subject=STAFF_WORDS, paragraphs=[STAFF_WORDS], now=now()
        ),
        MailKind.EVALUATION: lambda: participants.mail_evaluation(
            enrollment, token="token", round_name="end", now=now()
        ),
        MailKind.SIGN_IN: lambda: participants.mail_sign_in_link(
            "deltager@example.com", "token", language=language, now=now()
        ),
        MailKind.SUGGESTION_DECLINED: lambda: participants.mail_suggestion_declined(
            "deltager@example.com", topic=TITLE, language=language, now=now()
        ),
        MailKind.DATA_ERASED: lambda: participants.mail_data_erased(
            "deltager@example.com", language=language, offering=offering, cancelled=1, now=now()
        ),
        MailKind.INTEREST_REGISTERED: lambda: participants.mail_interest_registered(
            enrollment, token=token, now=now()
        ),
        MailKind.GROUP_STARTED: lambda: participants.mail_group_started(
            enrollment, token=token, now=now()
        ),
        MailKind.INTEREST_INVITATION: lambda: participants.mail_interest_invitation(
            "deltager@example.com",
            title=TITLE,
            url="http://holdplads.test/offerings/x/enroll",
            language=language,
            now=now(),
        ),
    }
    return write[kind]


def _staff(kind: MailKind, language: str):
    user = make_user(name="Sanne")
    if kind in NOTICE_KINDS:
        offering = make_offering(title=TITLE, starts=[now() + timedelta(days=3)])
        enrollment, _token = services.enroll(offering.id, person(language), now=now())
        if kind == MailKind.FACILITATOR_NOTICE:
            return lambda: staff.mail_facilitator_notice(
                user, enrollment, "request", language=language, now=now()
            )
        line = staff.NoticeLine(
            event="request", event_label="x", name=enrollment.name, at="1. dec. 2026 10.00"
        )
        return lambda: staff.mail_facilitator_digest(
            user, [(offering, [line])], day=language, language=language, now=now()
        )
    if kind in ABSENCE_KINDS:
        offering = make_offering(title=TITLE, starts=[now() + timedelta(days=3)])
        enrollment, _token = services.enroll(offering.id, person(language), now=now())
        return lambda: staff.mail_absence(
            user,
            enrollment,
            offering.occurrences[0],
            taken_back=kind == MailKind.ABSENCE_TAKEN_BACK,
            language=language,
            now=now(),
        )
    send = {
        MailKind.WELCOME: accounts.send_welcome_link,
        MailKind.PASSWORD_RESET: accounts.send_password_reset_link,
        MailKind.PASSWORD_RESET_UNKNOWN: lambda user, **kw: accounts.request_password_reset(
            "ingen-konto@example.org", **kw
        ),
    }
    return lambda: send[kind](user, language=language, now=now())


# kind -> (Danish subject, English subject, calendar method of the attachment)
EXPECTED = {
    MailKind.CONFIRMED: (f"Du har fået en plads: {TITLE}", f"You have a seat: {TITLE}", "REQUEST"),
    MailKind.WAITLISTED: (
        f"Du er på ventelisten: {TITLE}",
        f"You are on the waiting list: {TITLE}",
        None,
    ),
    MailKind.REQUESTED: (
        f"Vi har modtaget din forespørgsel: {TITLE}",
        f"We have your request: {TITLE}",
        None,
    ),
    MailKind.APPROVED: (f"Du har fået en plads: {TITLE}", f"You have a seat: {TITLE}", "REQUEST"),
    MailKind.DECLINED: (f"Om din forespørgsel: {TITLE}", f"About your request: {TITLE}", None),
    MailKind.OFFER: (
        f"Der er en plads til dig: {TITLE}",
        f"A seat is free for you: {TITLE}",
        None,
    ),
    MailKind.OFFER_EXPIRED: (
        f"Pladsen er gået videre: {TITLE}",
        f"The seat has gone to the next person: {TITLE}",
        None,
    ),
    MailKind.CANCELLED: (
        f"Du har afmeldt dig: {TITLE}",
        f"You have cancelled: {TITLE}",
        "CANCEL",
    ),
    MailKind.CANCELLED_BY_STAFF: (
        f"Din tilmelding er afmeldt: {TITLE}",
        f"Your sign-up has been cancelled: {TITLE}",
        "CANCEL",
    ),
    MailKind.ALREADY_ENROLLED: (
        f"Du er allerede tilmeldt: {TITLE}",
        f"You are already signed up: {TITLE}",
        None,
    ),
    MailKind.OCCURRENCE_MOVED: (f"Nyt tidspunkt: {TITLE}", f"New time: {TITLE}", "REQUEST"),
    MailKind.OCCURRENCE_CANCELLED: (
        f"Aflyst mødegang: {TITLE}",
        f"Cancelled meeting: {TITLE}",
        "REQUEST",  # the whole invitation again, with that date as EXDATE
    ),
    MailKind.OFFERING_CANCELLED: (f"Aflyst: {TITLE}", f"Cancelled: {TITLE}", "CANCEL"),
    MailKind.REMINDER: (f"Påmindelse: {TITLE}", f"Reminder: {TITLE}", None),
    MailKind.STAFF_MESSAGE: (STAFF_WORDS, STAFF_WORDS, None),
    MailKind.EVALUATION: (f"Hvordan var {TITLE}?", f"How was {TITLE}?", None),
    MailKind.SIGN_IN: ("Dit link til dine tilmeldinger", "Your link to your bookings", None),
    MailKind.SUGGESTION_DECLINED: (
        f"Om dit forslag: {TITLE}",
        f"About your suggestion: {TITLE}",
        None,
    ),
    MailKind.DATA_ERASED: (
        "Dine oplysninger er slettet",
        "Your data has been erased",
        None,
    ),
    MailKind.INTEREST_REGISTERED: (
        f"Du er på interesselisten: {TITLE}",
        f"You are on the interest list: {TITLE}",
        None,
    ),
    MailKind.GROUP_STARTED: (f"Gruppen starter: {TITLE}", f"The group starts: {TITLE}", "REQUEST"),
    MailKind.INTEREST_INVITATION: (
        f"En gruppe, du har efterspurgt, er ved at starte: {TITLE}",
        f"A group you asked for is forming: {TITLE}",
        None,
    ),
    MailKind.WELCOME: (
        "Din medarbejderkonto på Holdplads",
        "Your staff account on Holdplads",
        None,
    ),
    MailKind.PASSWORD_RESET: (
        "Vælg en ny adgangskode til Holdplads",
        "Choose a new password for Holdplads",
        None,
    ),
    MailKind.PASSWORD_RESET_UNKNOWN: (
        "Vælg en ny adgangskode til Holdplads",
        "Choose a new password for Holdplads",
        None,
    ),
    MailKind.ABSENCE: (
        f"Melder afbud: Deltager da, {TITLE}",
        f"Cannot come: Deltager en, {TITLE}",
        None,
    ),
    MailKind.ABSENCE_TAKEN_BACK: (
        f"Kommer alligevel: Deltager da, {TITLE}",
        f"Coming after all: Deltager en, {TITLE}",
        None,
    ),
    MailKind.FACILITATOR_NOTICE: (
        f"Ny anmodning: Deltager da, {TITLE}",
        f"New request: Deltager en, {TITLE}",
        None,
    ),
    MailKind.FACILITATOR_DIGEST: (
        "Holdplads i dag: 1 ting at vide",
        "Holdplads today: 1 thing to know",
        None,
    ),
}
ABSENCE_KINDS = {MailKind.ABSENCE, MailKind.ABSENCE_TAKEN_BACK}
NOTICE_KINDS = {MailKind.FACILITATOR_NOTICE, MailKind.FACILITATOR_DIGEST}
STAFF_KINDS = {
    *NOTICE_KINDS,
    MailKind.WELCOME,
    MailKind.PASSWORD_RESET,
    MailKind.PASSWORD_RESET_UNKNOWN,
    *ABSENCE_KINDS,
}


@pytest.fixture(autouse=True)
def ctx(app):
    with app.app_context():
        yield app


def _written(kind: MailKind, language: str):
    write = (_staff if kind in STAFF_KINDS else _participant)(kind, language)
    before = {message.id for message in outbox()}
    write()
    [message] = [m for m in outbox(kind) if m.id not in before]
    return message


def test_every_mail_kind_is_tested_here():
    assert set(EXPECTED) == set(MailKind)


@pytest.mark.parametrize("kind", list(MailKind), ids=str)
def test_each_mail_kind_is_written_in_danish_and_in_english(kind):
    danish, english = _written(kind, "da"), _written(kind, "en")
    da_subject, en_subject, ics_method = EXPECTED[kind]
    assert (danish.subject, english.subject) == (da_subject, en_subject)
    assert (danish.language, english.language) == ("da", "en")
    assert (danish.ics_method, english.ics_method) == (ics_method, ics_method)
    if kind == MailKind.PASSWORD_RESET_UNKNOWN:
        assert danish.body_text.startswith("Hej\n")
        assert english.body_text.startswith("Hello,")
        assert "/manage/password/reset/" not in danish.body_text
    elif kind in ABSENCE_KINDS:
        assert danish.body_text.startswith("Hej Sanne")
        assert english.body_text.startswith("Hello Sanne,")
        assert "/attendance" in danish.body_text
    elif kind in NOTICE_KINDS:
        assert danish.body_text.startswith("Hej Sanne")
        assert english.body_text.startswith("Hello Sanne,")
        assert "/participants" in danish.body_text
    elif kind in STAFF_KINDS:
        assert danish.body_text.startswith("Hej Sanne")
        assert english.body_text.startswith("Hello Sanne,")
        assert "/manage/password/reset/" in danish.body_text
    else:
        assert danish.body_text.startswith(("Kære Deltager da", "Hej"))
        assert english.body_text.startswith(("Dear Deltager en,", "Hello,"))
        assert "Vi spørger aldrig om diagnoser." in danish.body_text
        assert '<html lang="da">' in danish.body_html
        assert '<html lang="en">' in english.body_html
    # No sentence of the English mail is left untranslated in the Danish one.
    same = set(danish.body_text.splitlines()) & set(english.body_text.splitlines())
    words = [line for line in same if line.strip() and "http" not in line]
    assert set(words) <= {TITLE, STAFF_WORDS, "Holdplads", "-- "}, words
