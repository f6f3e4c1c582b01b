"""Reminders by text message, against a local HTTP server that speaks GatewayAPI's REST API."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from app.enrollment import services
from app.extensions import db
from app.mail import notifications
from app.models import OutboxStatus, SmsMessage
from app.sms.outbox import msisdn_of, send_pending_sms
from tests.enrollment.helpers import form_data, person
from tests.factories import make_offering, now

TOKEN = "test-token-abc"


@pytest.fixture(autouse=True)
def ctx(app):
    with app.app_context():
        yield app


class FakeGatewayAPI:
    """POST /rest/mtsms as GatewayAPI documents it: a token, JSON in, `{"ids": [...]}` out, and
    its error answers (`{"code", "message", "incident_uuid"}`) when told to give them."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.answers: list[int] = []  # status codes to give first; then 200

        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path != "/rest/mtsms":
                    return self._answer(404, {"code": "0x0404", "message": "Not found"})
                if self.headers.get("Authorization") != f"Token {TOKEN}":
                    return self._answer(
                        401, {"code": "0x0201", "message": "Unauthorized", "incident_uuid": "u1"}
                    )
                status = gateway.answers.pop(0) if gateway.answers else 200
                if status != 200:
                    return self._answer(
                        status,
                        {"code": "0x0500", "message": f"error {status}", "incident_uuid": "u2"},
                    )
                gateway.received.append(body)
                self._answer(200, {"ids": [1000 + len(gateway.received)], "usage": {}})

            def _answer(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/rest/mtsms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def gateway(app):
    fake = FakeGatewayAPI()
    saved = {k: app.config[k] for k in ("SMS_GATEWAY_TOKEN", "SMS_GATEWAY_URL")}
    app.config.update(SMS_GATEWAY_TOKEN=TOKEN, SMS_GATEWAY_URL=fake.url, MAIL_RETRY_SECONDS=60)
    yield fake
    app.config.update(saved)
    fake.server.shutdown()


def _sms() -> list[SmsMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(SmsMessage).order_by(SmsMessage.id)))


def _signed_up_for_tomorrow(**fields):
    offering = make_offering(title="Håb og recovery", starts=[now() + timedelta(hours=20)])
    values = {"phone": "+45 12 34 56 78", "sms_reminders": True}
    values.update(fields)
    enrollment, _ = services.enroll(offering.id, person(1, **values), now=now())
    db.session.commit()
    return offering, enrollment


def test_phone_numbers_become_msisdns():
    assert msisdn_of("12 34 56 78") == "4512345678"
    assert msisdn_of("+45 12345678") == "4512345678"
    assert msisdn_of("0046 70 123 45 67") == "46701234567"
    assert msisdn_of("1234") is None and msisdn_of(None) is None


def test_a_reminder_sms_is_sent_once_with_the_date_the_place_and_a_short_link(app, gateway, client):
    offering, enrollment = _signed_up_for_tomorrow()
    assert notifications.queue_reminders(now=now()) == 1
    assert notifications.queue_reminders(now=now()) == 0  # never written twice
    db.session.commit()
    assert send_pending_sms(now=now()).sent == 1
    assert send_pending_sms(now=now() + timedelta(minutes=30)).sent == 0  # never sent twice
    [sent] = gateway.received
    assert sent["recipients"] == [{"msisdn": 4512345678}]
    assert sent["sender"] == "Holdplads"
    text = sent["message"]
    assert "Håb og recovery" in text and offering.location.name in text
    link = text.rsplit(" ", 1)[-1]
    assert "/m/" in link and len(link) < 60
    page = client.get(urlsplit(link).path, follow_redirects=True)
    assert page.status_code == 200 and "Håb og recovery" in page.text
    [row] = _sms()
    assert row.status == OutboxStatus.SENT and row.provider_id == "1001"


def test_a_gateway_error_is_retried_later_and_a_refusal_is_not(app, gateway):
    _signed_up_for_tomorrow()
    notifications.queue_reminders(now=now())
    db.session.commit()
    gateway.answers = [500]
    report = send_pending_sms(now=now())
    assert (report.sent, report.retrying) == (0, 1)
    [row] = _sms()
    assert row.status == OutboxStatus.PENDING and "0x0500" in row.last_error
    assert send_pending_sms(now=now()).sent == 0  # not due again yet
    assert send_pending_sms(now=now() + timedelta(minutes=2)).sent == 1
    assert len(gateway.received) == 1
    # A wrong token is a refusal: failed at once, for staff to see, not retried for ever.
    app.config["SMS_GATEWAY_TOKEN"] = "wrong"
    offering = make_offering(starts=[now() + timedelta(hours=10)])
    services.enroll(offering.id, person(2, phone="87654321", sms_reminders=True), now=now())
    notifications.queue_reminders(now=now())
    db.session.commit()
    assert send_pending_sms(now=now()).failed == 1
    assert "0x0201" in _sms()[-1].last_error and _sms()[-1].status == OutboxStatus.FAILED


def test_without_gateway_settings_nothing_is_queued_or_sent(app):
    app.config["SMS_GATEWAY_TOKEN"] = ""
    _signed_up_for_tomorrow()
    assert notifications.queue_reminders(now=now()) == 1  # the mail still goes
    assert _sms() == []
    assert send_pending_sms(now=now()).sent == 0


def test_only_those_who_ticked_the_box_get_a_text(app, gateway):
    _signed_up_for_tomorrow(sms_reminders=False)
    notifications.queue_reminders(now=now())
    assert _sms() == []


def test_the_form_asks_for_a_number_that_can_get_texts(app, gateway, client):
    offering = make_offering()
    client.set_cookie("lang", "en")
    response = client.post(
        f"/offerings/{offering.slug}/enroll", data=form_data(1, phone="", sms_reminders="y")
    )
    assert response.status_code == 400
    assert "can get text messages" in response.text
    ok = client.post(
        f"/offerings/{offering.slug}/enroll",
        data=form_data(1, phone="12345678", sms_reminders="y"),
    )
    assert ok.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SmsMessage)) == 0
