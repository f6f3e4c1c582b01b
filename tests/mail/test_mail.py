"""Mail that is never lost: the outbox, a real SMTP server, one that refuses, reminders."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.enrollment import services
from app.extensions import db
from app.mail import notifications
from app.mail.outbox import queue_mail
from app.mail.sender import send_pending
from app.models import OutboxMessage
from tests.enrollment.helpers import outbox, person
from tests.factories import make_offering, now


@pytest.fixture(autouse=True)
def ctx(app):
    with app.app_context():
        yield app


def _queue(**fields):
    values = dict(
        kind="test",
        to_address="ida@example.com",
        to_name="Ida",
        subject="Hej",
        body_text="Tekst",
        body_html="<p>Tekst</p>",
        now=now(),
    )
    values.update(fields)
    return queue_mail(**values)


def test_confirmation_arrives_over_smtp_with_text_html_and_calendar_invitation(smtp_server):
    offering = make_offering(title="Håb og recovery")
    services.enroll(offering.id, person(1, email="ida@example.com", language="da"), now=now())
    db.session.commit()
    report = send_pending(now=now())
    assert report.sent == 1
    [message] = smtp_server.messages
    assert message.envelope_to == ["ida@example.com"]
    assert "Håb og recovery" in message["Subject"]
    plain = message.get_body(("plain",)).get_content()
    assert re.search(r", kl\. \d\d\.\d\d–\d\d\.\d\d", plain)  # "kl. 18.30–20.30"
    assert "<a href=" in message.get_body(("html",)).get_content()
    [invite] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert invite.get_param("method") == "REQUEST"
    assert invite.get_filename() == "invite.ics"
    assert "BEGIN:VEVENT" in invite.get_content()
    assert outbox()[0].status == "sent"


def test_cancellation_mail_withdraws_the_invitation(smtp_server):
    offering = make_offering()
    enrollment, _ = services.enroll(offering.id, person(1), now=now())
    services.cancel_enrollment(enrollment.id, now=now())
    db.session.commit()
    send_pending(now=now())
    cancelled = smtp_server.messages[-1]
    [invite] = [p for p in cancelled.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert invite.get_param("method") == "CANCEL"


def test_signing_up_again_after_cancelling_sends_an_invitation_above_the_cancel(smtp_server):
    import icalendar

    offering = make_offering(starts=[now() + timedelta(days=d) for d in (3, 10, 17)])
    enrollment, _ = services.enroll(offering.id, person(1), now=now())
    services.cancel_enrollment(enrollment.id, now=now())
    services.enroll(offering.id, person(1), now=now())
    db.session.commit()
    send_pending(now=now())
    sent = []
    for message in smtp_server.messages:
        for part in message.iter_attachments():
            if part.get_content_type() == "text/calendar":
                cal = icalendar.Calendar.from_ical(part.get_content())
                (event,) = cal.walk("VEVENT")  # one calendar object: three dates, one UID
                sent.append((str(cal["METHOD"]), int(event["SEQUENCE"]), str(event["UID"])))
    (first, cancel, again) = sent
    assert [m for m, _s, _u in sent] == ["REQUEST", "CANCEL", "REQUEST"]
    assert first[2] == cancel[2] == again[2]
    assert first[1] < cancel[1] < again[1]


def test_refused_mail_is_kept_and_retried_with_back_off_then_marked_failed(
    refusing_smtp_server, app
):
    message = _queue()
    db.session.commit()
    start = now()
    report = send_pending(now=start)
    assert (report.sent, report.retrying) == (0, 1)
    db.session.refresh(message)
    assert message.status == "pending" and message.attempts == 1
    assert "451" in message.last_error
    first_delay = message.next_attempt_at - start
    assert send_pending(now=start).retrying == 0  # not due yet
    send_pending(now=message.next_attempt_at)
    db.session.refresh(message)
    assert message.next_attempt_at - start > first_delay * 2  # backing off
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    try:
        report = send_pending(now=message.next_attempt_at)
    finally:
        app.config["MAIL_MAX_ATTEMPTS"] = 8
    db.session.refresh(message)
    assert report.failed == 1 and message.status == "failed" and message.attempts == 3


def test_sender_never_raises_when_the_server_is_down(app):
    message = _queue()
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    try:
        report = send_pending(now=now())
    finally:
        app.config.update(MAIL_SERVER="")
    assert report.retrying == 1
    db.session.refresh(message)
    assert message.status == "pending" and message.last_error


def test_without_smtp_settings_mail_is_written_as_eml_files(app, tmp_path):
    app.config["MAIL_OUTBOX"] = str(tmp_path)
    message = _queue(subject="Til fil")
    db.session.commit()
    send_pending(now=now())
    [eml] = list(tmp_path.glob("*.eml"))
    assert b"Til fil" in eml.read_bytes()
    db.session.refresh(message)
    assert message.status == "sent"


def test_signup_is_kept_when_mail_cannot_be_sent(refusing_smtp_server):
    offering = make_offering()
    enrollment, _ = services.enroll(offering.id, person(1), now=now())
    db.session.commit()
    send_pending(now=now())
    assert db.session.get(type(enrollment), enrollment.id).status == "confirmed"
    assert outbox()[0].status == "pending"


def test_dedupe_key_writes_a_message_once():
    assert _queue(dedupe_key="once") is not None
    assert _queue(dedupe_key="once") is None
    assert db.session.query(OutboxMessage).filter_by(dedupe_key="once").count() == 1


def test_reminders_go_to_confirmed_people_once_per_meeting(app):
    soon = now() + timedelta(hours=20)
    offering = make_offering(capacity=1, starts=[soon, now() + timedelta(days=8)])
    services.enroll(offering.id, person(1), now=now())
    services.enroll(offering.id, person(2), now=now())  # waiting list: no reminder
    assert notifications.queue_reminders(now=now()) == 1
    assert notifications.queue_reminders(now=now()) == 0
    [reminder] = outbox("reminder")
    assert reminder.to_address == "deltager1@example.com"
    assert reminder.dedupe_key.startswith("reminder:")


def test_cli_commands_are_idempotent(runner):
    offering = make_offering(capacity=1, starts=[now() + timedelta(hours=3)])
    services.enroll(offering.id, person(1), now=now())
    db.session.commit()
    first = runner.invoke(args=["send-reminders"])
    second = runner.invoke(args=["send-reminders"])
    assert "reminders queued: 1" in first.output
    assert "reminders queued: 0" in second.output
    assert "expired offers: 0" in runner.invoke(args=["process-waitlist"]).output
    assert "sent 2" in runner.invoke(args=["send-mail"]).output
    assert "sent 0" in runner.invoke(args=["send-mail"]).output


def test_occurrence_changes_and_offering_cancel_tell_everyone_signed_up():
    offering = make_offering(capacity=1)
    seated, _ = services.enroll(offering.id, person(1), now=now())
    services.enroll(offering.id, person(2), now=now())
    occurrence = offering.occurrences[0]
    occurrence.starts_at += timedelta(hours=1)
    occurrence.ends_at += timedelta(hours=1)
    occurrence.sequence += 1
    db.session.flush()
    assert (
        notifications.notify_occurrence_changed(
            occurrence.id, change="moved", now=now(), message="Nyt lokale"
        )
        == 2
    )
    moved = outbox("occurrence_moved")
    assert "Nyt lokale" in moved[0].body_text
    assert moved[0].ics_method == "REQUEST" and moved[1].ics is None  # only a seat gets one
    notifications.notify_occurrence_changed(occurrence.id, change="cancelled", now=now())
    # One date off: the whole invitation again, that date as EXDATE, not a CANCEL of it all.
    assert outbox("occurrence_cancelled")[0].ics_method == "REQUEST"
    assert notifications.notify_offering_cancelled(offering.id, now=now()) == 2


def test_staff_message_reaches_only_the_chosen_active_participants():
    offering = make_offering()
    other = make_offering()
    a, _ = services.enroll(offering.id, person(1), now=now())
    b, _ = services.enroll(offering.id, person(2), now=now())
    stranger, _ = services.enroll(other.id, person(3), now=now())
    sent = notifications.notify_participants(
        offering.id,
        [a.id, stranger.id],
        subject="Husk madpakke",
        body="Hej alle.\n\nVi ses!",
        now=now(),
    )
    assert sent == 1
    [mail] = outbox("staff_message")
    assert mail.to_address == "deltager1@example.com" and mail.subject == "Husk madpakke"
    assert "Vi ses!" in mail.body_text
