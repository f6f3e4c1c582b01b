"""Staff mails in the recipient's language, with a Reply-To of the sender (issue 12).
Delivered through a real SMTP server, read as the recipient's mail program reads them."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.mail.sender import send_pending
from app.models import User
from tests.factories import make_enrollment, now
from tests.management.helpers import make_staff, make_world, sign_in_as


def _delivered(smtp_server, to: str):
    with smtp_server.app.app_context():
        assert send_pending(now=now() + timedelta(minutes=1)).sent >= 1
    found = [m for m in smtp_server.messages if m["To"].addresses[0].addr_spec == to]
    assert len(found) == 1, [m["To"] for m in smtp_server.messages]
    return found[0]


def test_a_welcome_mail_is_in_the_new_colleagues_language_and_answers_go_to_the_inviter(
    app, client, smtp_server
):
    smtp_server.app = app
    w = make_world()
    sign_in_as(client, w.coordinator)  # a Danish page
    response = client.post(
        "/manage/accounts/new",
        data={
            "name": "Emma English",
            "email": "emma@example.org",
            "role": "peer_worker",
            "organisation_id": str(w.school.id),
            "language": "en",
        },
    )
    assert response.status_code == 302
    mail = _delivered(smtp_server, "emma@example.org")
    assert mail["Subject"] == "Your staff account on Holdplads"
    assert mail["Reply-To"].addresses[0].addr_spec == w.coordinator.email
    emma = db.session.scalar(sa.select(User).where(User.email == "emma@example.org"))
    assert emma.language == "en"


def test_a_password_reset_asked_for_on_a_danish_page_comes_in_the_accounts_language(
    app, client, smtp_server
):
    smtp_server.app = app
    w = make_world()
    english = make_staff("peer_worker", w.school, email="eng@example.org", language="en")
    db.session.commit()
    client.post("/manage/password/forgot?lang=da", data={"email": english.email})
    mail = _delivered(smtp_server, "eng@example.org")
    assert mail["Subject"] == "Choose a new password for Holdplads"
    assert mail["Reply-To"] is None  # nobody wrote it: nobody to answer


def test_a_mail_to_participants_is_in_each_ones_language_with_the_senders_reply_to(
    app, client, smtp_server
):
    smtp_server.app = app
    w = make_world()
    w.offering.capacity = 5
    english = make_enrollment(w.offering, status="confirmed", name="Ellen")
    english.language = "en"
    db.session.commit()
    sign_in_as(client, w.peer)
    response = client.post(
        f"/manage/offerings/{w.offering.id}/email",
        data={"audience": "confirmed", "subject": "Lokaleskift", "body": "Vi mødes i lokale 3."},
    )
    assert response.status_code == 302
    danish = _delivered(smtp_server, w.confirmed.email)
    ellen = [m for m in smtp_server.messages if m["To"].addresses[0].addr_spec == english.email]
    assert len(ellen) == 1
    for mail in (danish, ellen[0]):
        assert mail["Reply-To"].addresses[0].addr_spec == w.peer.email
    english_text = ellen[0].get_body(("plain",)).get_content()
    danish_text = danish.get_body(("plain",)).get_content()
    assert "Vi mødes i lokale 3." in english_text and "Dear Ellen" in english_text
    assert "We never ask about diagnoses" in english_text
    assert "Vi spørger aldrig om diagnoser" in danish_text
