"""Staff are told: facilitators hear about requests, cancellations, waiting-list offers and
undelivered mail, at once (the default), in a daily digest, or never, as each chose per
offering. Delivered through the outbox to a real SMTP server."""

from __future__ import annotations

import re
import socket
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.enrollment import services
from app.extensions import db
from app.mail.sender import send_pending
from app.models import Enrollment, OutboxMessage, OutboxStatus
from app.notices.models import PendingNotice
from tests.enrollment.helpers import outbox, person
from tests.factories import add_facilitator, make_offering, make_user, now
from tests.management.helpers import make_staff, sign_in_as

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def ctx(app):
    with app.app_context():
        yield app


def _offering(**fields):
    """A course with two staff facilitators and a guest (guests have no address)."""
    offering = make_offering(title="Håb og recovery", **fields)
    sanne = make_user(name="Sanne", email="sanne@example.org")
    add_facilitator(offering, user=sanne)
    add_facilitator(offering, guest_name="Gæst Gitte", role="professional")
    return offering, sanne


def _to(smtp_server, address: str) -> list:
    return [m for m in smtp_server.messages if m.envelope_to == [address]]


def _deliver() -> None:
    db.session.commit()
    send_pending(now=now())


def test_a_new_request_reaches_each_facilitator_at_once_by_default(smtp_server):
    offering, sanne = _offering(enrolment_mode="request")
    other = make_user(name="Ole", email="ole@example.org")
    add_facilitator(offering, user=other)
    services.enroll(offering.id, person("Carl"), now=now())
    _deliver()
    [to_sanne] = _to(smtp_server, "sanne@example.org")
    assert to_sanne["Subject"] == "Ny anmodning: Deltager Carl, Håb og recovery"
    text = to_sanne.get_body(("plain",)).get_content()
    assert text.startswith("Hej Sanne")
    assert f"/manage/offerings/{offering.id}/participants" in text
    assert len(_to(smtp_server, "ole@example.org")) == 1


def test_cancelling_taking_an_offer_and_an_offer_running_out_are_told(smtp_server, app):
    offering, _sanne = _offering(capacity=1)
    seated, _ = services.enroll(offering.id, person(1), now=now())
    second, _ = services.enroll(offering.id, person(2), now=now())
    third, _ = services.enroll(offering.id, person(3), now=now())
    services.cancel_enrollment(seated.id, now=now())  # the person cancels: seat offered on
    services.accept_offer(second.id, now=now())
    services.cancel_enrollment(second.id, now=now())
    db.session.flush()
    db.session.get(Enrollment, third.id).offer_expires_at = now() - timedelta(minutes=1)
    services.expire_offers(now=now())
    _deliver()
    subjects = [m["Subject"] for m in _to(smtp_server, "sanne@example.org")]
    assert subjects == [
        "Afmeldt: Deltager 1, Håb og recovery",
        "Tog pladsen: Deltager 2, Håb og recovery",
        "Afmeldt: Deltager 2, Håb og recovery",
        "Tilbuddet udløb: Deltager 3, Håb og recovery",
    ]


def test_staff_decisions_are_not_told_back_to_the_facilitators():
    offering, _sanne = _offering(capacity=1)
    seated, _ = services.enroll(offering.id, person(1), now=now())
    services.cancel_enrollment(seated.id, now=now(), by_staff_id=None)
    staff_cancel, _ = services.enroll(offering.id, person(2), now=now())
    before = len(outbox("facilitator_notice"))
    services.cancel_enrollment(staff_cancel.id, now=now(), by_staff_id=make_user().id)
    assert len(outbox("facilitator_notice")) == before


class _Bouncer:
    """An SMTP server that refuses one address for good (550 5.1.1), as a real one does."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("findes-ikke@"):
            return "550 5.1.1 <findes-ikke@example.com>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def bouncing_smtp_server(app):
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Bouncer()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    try:
        yield inbox
    finally:
        controller.stop()
        app.config.update(saved)


def test_a_bounced_participant_mail_is_told_in_plain_words(bouncing_smtp_server):
    offering, _sanne = _offering()
    services.enroll(offering.id, person("X", email="findes-ikke@example.com"), now=now())
    _deliver()  # the confirmation is refused for good: 550
    [failed] = [m for m in outbox("confirmed")]
    assert failed.status == OutboxStatus.FAILED
    send_pending(now=now())  # the notice it caused
    [notice] = _to(bouncing_smtp_server, "sanne@example.org")
    assert notice["Subject"] == "Mail ikke leveret: Deltager X, Håb og recovery"
    text = notice.get_body(("plain",)).get_content()
    assert "adressen findes ikke" in text
    # A staff mail that bounces tells nobody (no loop of notices about notices).
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.kind == "facilitator_notice")
        .values(to_address="findes-ikke@example.org", status="pending", next_attempt_at=now())
    )
    count = len(outbox())
    _deliver()
    assert len(outbox()) == count


def _checked(page: str) -> str:
    [value] = re.findall(r'<input checked[^>]*name="frequency"[^>]*value="([a-z_]+)"', page)
    return value


def _choose(client, offering, user, frequency: str) -> None:
    sign_in_as(client, user)
    response = client.post(
        f"/manage/offerings/{offering.id}/notices", data={"frequency": frequency}
    )
    assert response.status_code == 302


def test_each_facilitator_chooses_on_the_offering_page(client):
    offering, _sanne = _offering(enrolment_mode="request")
    peer = make_staff("peer_worker", offering.organisation, name="Pia")
    add_facilitator(offering, user=peer)
    sign_in_as(client, peer)
    page = client.get(f"/manage/offerings/{offering.id}", headers=EN).text
    assert "What I hear about" in page
    assert _checked(page) == "at_once"  # the default
    _choose(client, offering, peer, "never")
    page = client.get(f"/manage/offerings/{offering.id}", headers=EN).text
    assert _checked(page) == "never"
    services.enroll(offering.id, person(1), now=now())
    assert [m.to_address for m in outbox("facilitator_notice")] == ["sanne@example.org"]
    # Someone who only may see the offering has nothing to choose.
    coordinator = make_staff("coordinator", offering.organisation)
    sign_in_as(client, coordinator)
    assert "What I hear about" not in client.get(f"/manage/offerings/{offering.id}").text
    assert (
        client.post(
            f"/manage/offerings/{offering.id}/notices", data={"frequency": "never"}
        ).status_code
        == 403
    )


def test_the_daily_digest_gathers_the_day_and_goes_once(client, runner, smtp_server):
    offering, _sanne = _offering(enrolment_mode="request")
    peer = make_staff("peer_worker", offering.organisation, name="Pia", email="pia@example.org")
    add_facilitator(offering, user=peer)
    _choose(client, offering, peer, "daily")
    carl, _ = services.enroll(offering.id, person("Carl"), now=now())
    services.enroll(offering.id, person("Dina"), now=now())
    services.cancel_enrollment(carl.id, now=now())
    db.session.commit()
    assert [m.to_address for m in outbox("facilitator_notice")].count("pia@example.org") == 0
    assert "digests queued: 1" in runner.invoke(args=["send-digests"]).output
    assert "digests queued: 0" in runner.invoke(args=["send-digests"]).output
    # Something new the same day waits for tomorrow's digest.
    services.enroll(offering.id, person("Eva"), now=now())
    db.session.commit()
    assert "digests queued: 0" in runner.invoke(args=["send-digests"]).output
    runner.invoke(args=["send-mail"])
    [digest] = _to(smtp_server, "pia@example.org")
    assert digest["Subject"] == "Holdplads i dag: 3 ting at vide"
    text = digest.get_body(("plain",)).get_content()
    assert "Håb og recovery" in text
    assert "Ny anmodning: Deltager Carl" in text and "Ny anmodning: Deltager Dina" in text
    assert "Afmeldte sig: Deltager Carl" in text and "Deltager Eva" not in text
    assert f"/manage/offerings/{offering.id}/participants" in text
    waiting = db.session.scalars(sa.select(PendingNotice).where(PendingNotice.sent_at.is_(None)))
    assert len(list(waiting)) == 1
