"""Mail goes out within seconds of the sign-up, without `flask send-mail`, never slowing a page.

These turn on MAIL_DELIVER_AT_ONCE (the suite keeps it off so that no background thread
sends mail behind another test's back) and commit for real.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.mail.courier import Courier
from app.models import OutboxMessage, OutboxStatus
from tests.enrollment.helpers import form_data
from tests.factories import make_offering

pytestmark = pytest.mark.committing


@pytest.fixture
def at_once(app):
    app.extensions["mail_courier"] = courier = Courier(app)
    try:
        yield courier
    finally:
        courier.idle.wait(timeout=30)
        del app.extensions["mail_courier"]


def _wait_for(condition, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_signup_mail_goes_out_without_the_send_mail_command(app, client, smtp_server, at_once):
    offering = make_offering(capacity=5)
    response = client.post(f"/offerings/{offering.slug}/enroll", data=form_data(1))
    assert response.status_code == 302
    assert _wait_for(lambda: len(smtp_server.messages) == 1)
    assert smtp_server.messages[0]["To"].addresses[0].addr_spec == "deltager1@example.com"
    assert at_once.idle.wait(timeout=10)
    db.session.rollback()
    statuses = db.session.scalars(sa.select(OutboxMessage.status)).all()
    assert statuses == [OutboxStatus.SENT]


def test_without_a_mail_server_the_mail_lands_as_an_eml_file_at_once(
    app, client, at_once, tmp_path
):
    app.config["MAIL_OUTBOX"], saved = str(tmp_path), app.config["MAIL_OUTBOX"]
    try:
        offering = make_offering(capacity=5)
        client.post(f"/offerings/{offering.slug}/enroll", data=form_data(2))
        assert _wait_for(lambda: len(list(tmp_path.glob("*.eml"))) == 1)
    finally:
        assert at_once.idle.wait(timeout=10)
        app.config["MAIL_OUTBOX"] = saved


class _SlowInbox:
    """An SMTP server that holds every message until the test lets it go."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
        self.received.append(envelope.content)
        return "250 OK"


def test_a_slow_mail_server_never_holds_up_the_page(app, client, at_once):
    from aiosmtpd.controller import Controller

    from tests.ops.servers import free_port

    inbox = _SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    try:
        offering = make_offering(capacity=5)
        response = client.post(f"/offerings/{offering.slug}/enroll", data=form_data(3))
        # The page has answered while the mail server still holds the message.
        assert response.status_code == 302
        assert inbox.received == []
        inbox.release.set()
        assert _wait_for(lambda: len(inbox.received) == 1)
    finally:
        inbox.release.set()
        at_once.idle.wait(timeout=30)
        controller.stop()
        app.config.update(saved)


def test_mail_from_a_rolled_back_transaction_is_not_handed_over(app, at_once):
    from app.database import utcnow
    from app.mail.outbox import queue_mail

    with app.test_request_context():
        queue_mail(
            kind="confirmed",
            to_address="x@example.com",
            to_name=None,
            subject="s",
            body_text="b",
            now=utcnow(),
        )
        db.session.rollback()
        db.session.commit()
    assert at_once._thread is None  # nobody was woken


def test_the_courier_writes_a_rush_of_signups_mails_together_each_with_its_own_standing(
    app, client, smtp_server, at_once
):
    """The sign-ups leave drafts; the courier writes them a batch at a time (one read of the
    offering for all): still a seat for the first, and each waiting person's own number."""
    offering = make_offering(capacity=1, title="Skriv sammen")
    for n in range(1, 6):
        response = client.post(f"/offerings/{offering.slug}/enroll", data=form_data(n))
        assert response.status_code == 302
    assert _wait_for(lambda: len(smtp_server.messages) == 5)
    by_person = {
        m["To"].addresses[0].addr_spec: m.get_body(("plain",)).get_content()
        for m in smtp_server.messages
    }
    assert "Du har fået en plads på Skriv sammen" in by_person["deltager1@example.com"]
    for n in range(2, 6):
        assert f"ventelisten som nummer {n - 1}." in by_person[f"deltager{n}@example.com"]
    assert at_once.idle.wait(timeout=10)
    db.session.rollback()
    statuses = db.session.scalars(sa.select(OutboxMessage.status)).all()
    assert statuses == [OutboxStatus.SENT] * 5
