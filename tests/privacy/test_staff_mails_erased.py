"""Deleting one's own data also blanks the mails to staff that name the person (an afbud
notice to the facilitators), from /my and from the manage link; they are never listed as
mails to the person, and carry no Reply-To to the offering's contact."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.enrollment import services
from app.enrollment.sign_in import PARTICIPANT_SESSION_KEY
from app.extensions import db
from app.mail.outbox import queue_mail
from app.mail.sender import send_pending
from app.models import OutboxMessage, OutboxStatus
from tests.enrollment.helpers import outbox, person
from tests.factories import add_facilitator, make_offering, make_user

EMAIL = "birthe.oestergaard@example.com"
NAME = "Birthe Østergaard"


@pytest.fixture(autouse=True)
def _app_context(app):
    with app.app_context():
        yield


def _now() -> datetime:
    return datetime.now(UTC)


def _birthe_sends_word(client):
    """Birthe signs up, sends word for the first date (the mail is delivered) and takes it
    back (that mail still waits): two mails to the facilitator that name her."""
    now = _now()
    offering = make_offering(
        title="Drømme om uddannelse og job",
        capacity=5,
        starts=[now + timedelta(hours=20), now + timedelta(days=8)],
    )
    add_facilitator(offering, user=make_user(name="Mette", email="mette@example.org"))
    enrollment, token = services.enroll(offering.id, person("b", email=EMAIL, name=NAME), now=now)
    db.session.commit()
    first = offering.occurrences[0].id
    assert client.post(f"/enrollments/{token}/absence/{first}", data={}).status_code == 302
    return offering, enrollment, token, first


def _rows_naming_her() -> list[OutboxMessage]:
    """After the last mail to her ("your data is erased") went out, and was forgotten."""
    send_pending(now=_now() + timedelta(seconds=5))
    db.session.expire_all()
    return [
        m
        for m in db.session.scalars(sa.select(OutboxMessage))
        if any(
            needle in (text or "")
            for needle in (NAME, EMAIL)
            for text in (m.to_address, m.to_name, m.subject, m.body_text, m.body_html, m.ics)
        )
    ]


def _no_staff_mail_in_her_data(client, token: str) -> None:
    page = client.get(f"/enrollments/{token}/data").text
    assert "Melder afbud" not in page and "Kommer alligevel" not in page
    download = client.get(f"/enrollments/{token}/data.json").text
    assert "mette@example.org" not in download


def test_deleting_from_the_manage_link_blanks_the_afbud_mails_to_staff(client, smtp_server):
    _offering, enrollment, token, first = _birthe_sends_word(client)
    send_pending(now=_now() + timedelta(seconds=1))
    [notice] = [m for m in smtp_server.messages if "Melder afbud" in str(m["Subject"])]
    assert notice["Reply-To"] is None  # to staff: no answer to the offering's contact
    client.post(f"/enrollments/{token}/absence/{first}", data={"undo": "1"})
    [sent] = outbox("absence")
    [waiting] = outbox("absence_taken_back")
    assert sent.status == OutboxStatus.SENT and waiting.status == OutboxStatus.PENDING
    assert NAME in sent.subject and sent.enrollment_id == enrollment.id
    _no_staff_mail_in_her_data(client, token)

    assert client.post(f"/enrollments/{token}/delete-data").status_code == 302

    assert _rows_naming_her() == []
    [sent] = outbox("absence")
    assert sent.purged_at is not None and sent.subject == "" and sent.to_address == ""
    assert outbox("absence_taken_back") == []  # not yet sent: nobody to tell any more


def test_deleting_all_my_data_blanks_the_afbud_mails_to_staff(client, smtp_server):
    _birthe_sends_word(client)
    assert NAME in outbox("absence")[0].subject
    with client.session_transaction() as session:
        session[PARTICIPANT_SESSION_KEY] = EMAIL
    assert "Melder afbud" not in client.get("/my/data").text
    assert "mette@example.org" not in client.get("/my/data.json").text

    assert client.post("/my/data/delete").status_code == 302

    assert _rows_naming_her() == []


def test_an_afbud_mail_written_before_it_was_linked_is_found_by_her_name(client, smtp_server):
    _offering, _enrollment, token, _first = _birthe_sends_word(client)
    older = queue_mail(
        kind="absence",
        to_address="sofie@example.org",
        to_name="Sofie",
        subject=f"Melder afbud: {NAME}, Drømme om uddannelse og job",
        body_text=f"Hej Sofie,\n\n{NAME} har meldt afbud.",
        now=_now(),
    )
    other = queue_mail(
        kind="absence",
        to_address="sofie@example.org",
        to_name="Sofie",
        subject="Melder afbud: Kim Larsen, Drømme om uddannelse og job",
        body_text="Hej Sofie,\n\nKim Larsen har meldt afbud.",
        now=_now(),
    )
    older.status, older.sent_at = OutboxStatus.SENT, _now()
    db.session.commit()
    other_id = other.id

    assert client.post(f"/enrollments/{token}/delete-data").status_code == 302

    assert _rows_naming_her() == []
    assert "Kim Larsen" in db.session.get(OutboxMessage, other_id).subject  # not hers


def test_the_mail_footer_points_to_the_erase_date_and_the_privacy_notice(client):
    """Issue 12: the footer no longer says 'as long as you are signed up'."""
    now = _now()
    offering = make_offering(title="Angst i hverdagen", starts=[now + timedelta(days=3)])
    services.enroll(offering.id, person("b", email=EMAIL, name=NAME), now=now)
    services.enroll(
        offering.id, person("e", email="e@example.com", name="Erik", language="en"), now=now
    )
    db.session.commit()
    danish, english = outbox("confirmed")
    assert (danish.language, english.language) == ("da", "en")
    for mail, erased_on, footer, notice in [
        (danish, "slettes", "Vi sletter dit navn og din e-mail på den dato", "/privacy"),
        (english, "erased on", "We erase your name and email on the date", "/privacy"),
    ]:
        assert erased_on in mail.body_text
        tail = mail.body_text.split("\n-- \n")[1]
        assert footer in tail and re.search(rf"https?://\S+{notice}\b", tail)
        assert "så længe du er tilmeldt" not in mail.body_text
        assert "as long as you are signed up" not in mail.body_text
        assert footer in mail.body_html and f'{notice}">' in mail.body_html
