"""What the participant's mails say and how they arrive (issue 18, "Mails").

Subjects keep every space through RFC 2047 encoding; a moved date names the old and the new
time; a place the person left themselves reads "Du har afmeldt dig"; the reminder links to
the person's own manage page; answers go to the offering's contact; one greeting; and
co-organisers read "i samarbejde med A og B".
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email import policy as email_policy
from email.header import decode_header, make_header

import pytest

from app.enrollment import services
from app.extensions import db
from app.mail import notifications
from app.mail.kinds import MailKind
from app.mail.sender import build_email, send_pending
from app.management import services as management
from tests.enrollment.helpers import outbox, person
from tests.factories import make_offering, make_organisation, now
from tests.mail import test_kinds

ORIGINAL_TITLE = test_kinds.TITLE
TITLES = [
    "Recovery-handling – små skridt",
    "Håb og recovery – små skridt i hverdagen, når livet er svært — og når det går godt igen",
    "Ét – to – tre: “Åben” gruppe for pårørende (ÆØÅ æøå)",
    "handling – små",
]


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def _decoded_both_ways(raw: bytes) -> tuple[str, str]:
    """The Subject as a modern parser reads it, and as a strict RFC 2047 decoder does."""
    modern = message_from_bytes(raw, policy=email_policy.default)["Subject"]
    folded = message_from_bytes(raw, policy=email_policy.compat32)["Subject"]
    unfolded = re.sub(r"\r?\n(?=[ \t])", "", folded)
    strict = str(make_header(decode_header(unfolded)))
    return modern, strict


@pytest.mark.parametrize("title", TITLES, ids=range(len(TITLES)))
@pytest.mark.parametrize("kind", list(MailKind), ids=str)
def test_every_subject_the_app_writes_decodes_back_exactly(ctx, monkeypatch, kind, title):
    monkeypatch.setattr(test_kinds, "TITLE", title)
    monkeypatch.setattr(test_kinds, "STAFF_WORDS", title)
    for language in ("da", "en"):
        message = test_kinds._written(kind, language)
        if ORIGINAL_TITLE in test_kinds.EXPECTED[kind][0]:  # a subject that names the offering
            assert title in message.subject
        raw = build_email(message, sender="Holdplads <noreply@example.org>", domain="x").as_bytes()
        assert _decoded_both_ways(raw) == (message.subject, message.subject), raw[:600]
        for line in raw.split(b"\n\n")[0].splitlines():
            assert len(line) <= 78  # still folded into proper header lines


def test_a_subject_with_a_dash_arrives_over_smtp_with_its_spaces(ctx, smtp_server):
    offering = make_offering(title="Recovery-handling – små skridt")
    services.enroll(offering.id, person(1), now=now())
    db.session.commit()
    assert send_pending(now=now()).sent == 1
    [message] = smtp_server.messages
    assert message["Subject"] == "Du har fået en plads: Recovery-handling – små skridt"


def test_a_moved_date_says_the_old_and_the_new_time(ctx):
    starts = datetime(2027, 1, 12, 17, 30, tzinfo=UTC)  # 18.30 Danish time
    offering = make_offering(starts=[starts])
    services.enroll(offering.id, person("da"), now=now())
    services.enroll(offering.id, person("en", language="en"), now=now())
    management.move_occurrence(
        offering.occurrences[0],
        starts_at=starts + timedelta(days=1, hours=1),
        ends_at=starts + timedelta(days=1, hours=3),
        now=now(),
    )
    danish, english = outbox(MailKind.OCCURRENCE_MOVED)
    assert (
        "er flyttet fra tirsdag den 12. januar 2027 kl. 18.30 "
        "til onsdag den 13. januar 2027 kl. 19.30." in danish.body_text
    )
    assert (
        "has moved from Tuesday, January 12, 2027 at 18:30 "
        "to Wednesday, January 13, 2027 at 19:30." in english.body_text
    )


def test_a_place_you_left_yourself_says_you_cancelled_never_aflyst(ctx):
    offering = make_offering(title="Håb")
    danish, _ = services.enroll(offering.id, person("da"), now=now())
    english, _ = services.enroll(offering.id, person("en", language="en"), now=now())
    services.cancel_enrollment(danish.id, now=now())
    services.cancel_enrollment(english.id, now=now())
    da_mail, en_mail = outbox(MailKind.CANCELLED)
    assert da_mail.subject == "Du har afmeldt dig: Håb"
    assert "Du har afmeldt dig Håb." in da_mail.body_text
    assert en_mail.subject == "You have cancelled: Håb"
    assert "You have cancelled your sign-up for Håb." in en_mail.body_text
    for mail in (da_mail, en_mail):
        assert "flyst" not in mail.subject + mail.body_text
        assert "ancelled:" not in mail.body_text


def test_the_reminder_links_to_the_persons_own_manage_page(ctx):
    offering = make_offering(starts=[now() + timedelta(hours=5)])
    enrollment, token = services.enroll(offering.id, person(1), now=now())
    assert notifications.queue_reminders(now=now()) == 1
    [reminder] = outbox(MailKind.REMINDER)
    assert f"/enrollments/{token}\n" in reminder.body_text
    assert f'/enrollments/{token}"' in reminder.body_html
    assert "/my\n" not in reminder.body_text and "/my/" not in reminder.body_text


def test_mail_to_a_participant_has_the_offerings_contact_as_reply_to(ctx, smtp_server):
    with_contact = make_offering(contact_email="kursus@recovery.example")
    without = make_offering()
    services.enroll(with_contact.id, person(1), now=now())
    services.enroll(without.id, person(2), now=now())
    db.session.commit()
    assert send_pending(now=now()).sent == 2
    by_address = {m.envelope_to[0]: m for m in smtp_server.messages}
    assert by_address["deltager1@example.com"]["Reply-To"] == "kursus@recovery.example"
    assert by_address["deltager2@example.com"]["Reply-To"] is None


def test_a_staff_message_that_greets_gets_no_second_greeting(ctx):
    offering = make_offering()
    a, _ = services.enroll(offering.id, person(1), now=now())
    notifications.notify_participants(
        offering.id, [a.id], subject="Husk", body="Hej alle,\n\nHusk madpakke.", now=now()
    )
    notifications.notify_participants(
        offering.id, [a.id], subject="Husk", body="Husk madpakke.", now=now()
    )
    greeted, plain = outbox(MailKind.STAFF_MESSAGE)
    assert greeted.body_text.startswith("Hej alle,\n\nHusk madpakke.")
    assert "Kære" not in greeted.body_text and "Kære" not in greeted.body_html
    assert plain.body_text.startswith("Kære Deltager 1\n\nHusk madpakke.")


@pytest.mark.parametrize(
    ("partners", "danish", "english"),
    [
        (["Frivilligcenteret"], "i samarbejde med Frivilligcenteret", None),
        (
            ["Frivilligcenteret", "Bydelsmødrene"],
            "i samarbejde med Bydelsmødrene og Frivilligcenteret",
            "in cooperation with Bydelsmødrene and Frivilligcenteret",
        ),
        (
            ["Frivilligcenteret", "Bydelsmødrene", "Café Parasollen"],
            "i samarbejde med Bydelsmødrene, Café Parasollen og Frivilligcenteret",
            None,
        ),
    ],
)
def test_co_organisers_read_a_og_b_in_mails_and_on_the_page(ctx, client, partners, danish, english):
    offering = make_offering(title="Håb")
    offering.co_organisers = [make_organisation(None, name) for name in partners]
    db.session.commit()
    services.enroll(offering.id, person("da"), now=now())
    services.enroll(offering.id, person("en", language="en"), now=now())
    db.session.commit()
    da_mail, en_mail = outbox(MailKind.CONFIRMED)
    assert f"Arrangør: Recovery-skolen {danish}\n" in da_mail.body_text
    assert f"Recovery-skolen {danish}</p>" in da_mail.body_html
    if english:
        assert f"Organiser: Recovery-skolen {english}\n" in en_mail.body_text
    page = client.get(f"/offerings/{offering.slug}").text
    assert f"Recovery-skolen {danish}</dd>" in page
    if english:
        assert (
            f"Recovery-skolen {english}</dd>"
            in client.get(f"/offerings/{offering.slug}?lang=en").text
        )
