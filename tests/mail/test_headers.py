"""Mail headers after the outside probe (issue 11, findings 3 and 4).

3: no value a person or a peer worker writes can add a header or restructure `To:`, whatever
   the Python version (CVE-2024-6923: an encoded CR/LF in a header value).
4: an address with a non-ASCII domain is delivered (IDNA); one with a non-ASCII local part is
   delivered with SMTPUTF8 when MAIL_SMTPUTF8 is on and the server offers it, and otherwise
   refused at the form with a clear message; a message that cannot be built or sent at all
   is marked failed at once, and admins see it.
"""

from __future__ import annotations

import socket
from datetime import timedelta
from email.message import EmailMessage

import pytest
import sqlalchemy as sa

from app.enrollment import services
from app.extensions import db
from app.mail.outbox import queue_mail
from app.mail.sender import _POLICY, UnbuildableMessage, _check_headers, send_pending
from app.models import OutboxMessage
from tests.conftest import _Inbox
from tests.enrollment.helpers import form_data, outbox, person
from tests.factories import make_offering, now
from tests.management.helpers import make_world, sign_in_as

ENCODED_CRLF = "=?utf-8?q?x=0D=0AReply-To:_evil@x.example?="


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def _queue(**fields):
    values = dict(
        kind="staff_message",
        to_address="ida@example.com",
        to_name="Ida",
        subject="Hej",
        body_text="Tekst",
        now=now(),
    )
    values.update(fields)
    return queue_mail(**values)


def _only_expected_headers(message):
    assert message["Reply-To"] is None
    assert message["Bcc"] is None and message["Cc"] is None
    assert len(message.get_all("To")) == 1


def test_an_encoded_line_break_in_an_offering_title_adds_no_header(ctx, smtp_server):
    offering = make_offering(title=f"Kursus {ENCODED_CRLF} slut")
    services.enroll(offering.id, person(1, email="ida@example.com"), now=now())
    db.session.commit()
    assert send_pending(now=now()).sent == 1
    [message] = smtp_server.messages
    _only_expected_headers(message)
    assert "Kursus" in message["Subject"] and "slut" in message["Subject"]
    assert message.envelope_to == ["ida@example.com"]


@pytest.mark.parametrize(
    "subject",
    [
        "Husk madpakke\r\nBcc: evil@x.example",
        "Husk madpakke\nReply-To: evil@x.example",
        f"Husk {ENCODED_CRLF}",
        "Husk\u2028Reply-To: evil@x.example",
        "Husk\x85Reply-To: evil@x.example",
    ],
)
def test_a_staff_subject_cannot_add_headers(ctx, smtp_server, subject):
    _queue(subject=subject)
    db.session.commit()
    assert send_pending(now=now()).sent == 1
    [message] = smtp_server.messages
    _only_expected_headers(message)
    assert message["Subject"].startswith("Husk")
    assert message.envelope_to == ["ida@example.com"]


def test_a_name_with_colon_comma_and_semicolon_stays_one_recipient(ctx, smtp_server):
    _queue(to_name='Anna; Bo, "Carl": <evil@x.example>\r\nCc: evil@x.example')
    db.session.commit()
    assert send_pending(now=now()).sent == 1
    [message] = smtp_server.messages
    _only_expected_headers(message)
    [address] = message["To"].addresses
    assert address.addr_spec == "ida@example.com"
    assert message.envelope_to == ["ida@example.com"]


def test_a_domain_in_danish_letters_is_delivered_in_its_idna_form(app, client, smtp_server):
    offering = make_offering()
    response = client.post(
        f"/offerings/{offering.slug}/enroll", data=form_data(1, email="peter@ærøskøbing.dk")
    )
    assert response.status_code == 302
    with app.app_context():
        assert send_pending(now=now() + timedelta(seconds=5)).sent == 1
    [message] = smtp_server.messages
    assert message.envelope_to == ["peter@xn--rskbing-lxa7nc.dk"]
    assert message["To"].addresses[0].domain in ("xn--rskbing-lxa7nc.dk", "ærøskøbing.dk")


def test_a_local_part_in_danish_letters_is_refused_at_the_form_without_smtputf8(client):
    offering = make_offering()
    response = client.post(
        f"/offerings/{offering.slug}/enroll", data=form_data(1, email="søren.ærø@example.dk")
    )
    assert response.status_code == 400
    assert "æ, ø eller å før @" in response.text
    assert outbox() == []


def _server(app, *, smtputf8: bool):
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, enable_SMTPUTF8=smtputf8)
    controller.start()
    saved = {
        k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_SMTPUTF8")
    }
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_SMTPUTF8=smtputf8
    )
    return controller, inbox, saved


@pytest.fixture
def smtputf8_server(app):
    """A server that offers SMTPUTF8, and MAIL_SMTPUTF8 on."""
    controller, inbox, saved = _server(app, smtputf8=True)
    try:
        yield inbox
    finally:
        controller.stop()
        app.config.update(saved)


@pytest.fixture
def ascii_only_server(app):
    """A server that does not offer SMTPUTF8."""
    controller, inbox, saved = _server(app, smtputf8=False)
    try:
        yield inbox
    finally:
        controller.stop()
        app.config.update(saved)


def test_with_smtputf8_a_local_part_in_danish_letters_is_delivered(app, client, smtputf8_server):
    offering = make_offering()
    response = client.post(
        f"/offerings/{offering.slug}/enroll", data=form_data(1, email="søren.ærø@ærø.dk")
    )
    assert response.status_code == 302
    with app.app_context():
        assert send_pending(now=now() + timedelta(seconds=5)).sent == 1
    [message] = smtputf8_server.messages
    assert message.envelope_to[0].startswith("søren.ærø@")


def test_a_message_the_server_cannot_take_is_failed_at_once_and_admins_see_it(
    app, client, ascii_only_server
):
    with app.app_context():
        _queue(to_address="søren.ærø@example.dk")  # the server offers no SMTPUTF8
        db.session.commit()
        report = send_pending(now=now())
    assert report.failed == 1
    [row] = db.session.scalars(sa.select(OutboxMessage)).all()
    assert row.status == "failed" and row.last_error
    w = make_world()
    sign_in_as(client, w.admin)
    assert "søren.ærø@example.dk" in client.get("/manage/mail").text


def test_a_message_that_cannot_be_built_is_failed_at_once(ctx):
    _queue(to_address="not an address@@example.dk")
    db.session.commit()
    report = send_pending(now=now())
    assert report.failed == 1 and report.sent == 0
    [row] = db.session.scalars(sa.select(OutboxMessage)).all()
    assert row.status == "failed" and row.last_error


def test_my_bookings_link_goes_to_the_stored_address_whatever_case_was_typed(client):
    offering = make_offering()
    client.post(
        f"/offerings/{offering.slug}/enroll", data=form_data(1, email="Peter@Ærøskøbing.dk")
    )
    other = client.application.test_client()
    response = other.post("/my", data={"email": "PETER@ÆRØSKØBING.DK"})
    assert response.status_code == 200
    assert [m.to_address for m in outbox("sign_in")] == ["Peter@Ærøskøbing.dk"]


def _built(**extra) -> EmailMessage:
    email = EmailMessage(policy=_POLICY)
    email["From"] = "Holdplads <noreply@example.com>"
    email["To"] = extra.pop("to", "Signe <signe@example.com>")
    email["Subject"] = "Velkommen"
    for name, value in extra.items():
        email[name] = value
    email["Date"] = "Tue, 01 Dec 2026 10:00:00 +0000"
    email["Message-ID"] = "<outbox1@example.com>"
    email["Auto-Submitted"] = "auto-generated"
    email["Content-Language"] = "da"
    email.set_content("Hej")
    email.add_attachment(b"BEGIN:VCALENDAR", maintype="text", subtype="calendar")
    return email


def test_the_finished_headers_are_read_back_and_any_extra_header_or_recipient_refused():
    _check_headers(_built(), "signe@example.com")  # exactly ours: accepted
    with pytest.raises(UnbuildableMessage):
        _check_headers(_built(Bcc="spion@example.com"), "signe@example.com")
    with pytest.raises(UnbuildableMessage):
        _check_headers(_built(to="signe@example.com, spion@example.com"), "signe@example.com")


def test_the_quick_build_reads_exactly_as_the_modern_one(ctx):
    """Mail to plain addresses is built with the classic classes (fast), mail that needs
    SMTPUTF8 the modern way: a reader finds the same headers, words and invitation in both."""
    from email import message_from_bytes
    from email import policy as email_policy
    from types import SimpleNamespace

    from app.mail.addresses import deliverable_address, header_text
    from app.mail.sender import _build_modern, build_email

    ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Åben café\r\n"
    row = SimpleNamespace(
        id=7,
        kind="confirmed",
        to_address="soes@ærø.dk",
        to_name='Søs "Ærø" Bøgh; Jensen',
        subject="Du har fået en plads: Håb og recovery – små skridt i hverdagen, når det er svært",
        reply_to="tovholder@example.org",
        enrollment_id=None,
        created_at=now(),
        language="da",
        body_text="Kære Søs,\n\n" + "Vi glæder os til at se dig på torsdag – kl. 18.30. " * 6,
        body_html="<p>Kære Søs,</p><p>" + "Vi ses på torsdag – kl. 18.30. " * 6 + "</p>",
        ics=ics,
        ics_method="REQUEST",
    )
    sender = "Recovery-skolen Århus <noreply@example.org>"
    quick = build_email(row, sender=sender, domain="example.org")
    modern = _build_modern(
        row,
        sender,
        deliverable_address(row.to_address),
        header_text(row.to_name),
        row.subject,
        "tovholder@example.org",
        "example.org",
    )
    assert not isinstance(quick, EmailMessage)  # the classic build was taken
    read = [message_from_bytes(m.as_bytes(), policy=email_policy.default) for m in (quick, modern)]
    for name in ("From", "Subject", "Reply-To", "Date", "Auto-Submitted", "Content-Language"):
        assert read[0][name] == read[1][name], name
    assert read[0]["To"].addresses[0].display_name == 'Søs "Ærø" Bøgh; Jensen'
    assert read[0]["To"].addresses[0].addr_spec == "soes@xn--r-3fa9c.dk"
    for kind in ("plain", "html"):
        assert read[0].get_body((kind,)).get_content() == read[1].get_body((kind,)).get_content()
    invites = [
        [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
        for message in read
    ]
    for [invite] in invites:
        assert invite.get_param("method") == "REQUEST" and invite.get_filename() == "invite.ics"
        assert invite.get_payload(decode=True) == ics.encode()
    for line in quick.as_bytes().split(b"\n\n")[0].splitlines():
        assert len(line) <= 78
