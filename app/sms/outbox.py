"""The SMS outbox: queue in the caller's transaction, deliver later, claimed once, retried.

The same idea as the mail outbox (app/mail/sender.py): `send_pending_sms` claims due
messages in small batches (a lease in the future, attempts+1, committed; SKIP LOCKED on
PostgreSQL), sends each outside any transaction through the gateway, then marks it sent. A
temporary failure is retried after MAIL_RETRY_SECONDS, doubling; a refusal, or the last of
MAIL_MAX_ATTEMPTS, marks it failed. A message is never written twice (its dedupe key), and a
claimed one is never sent by two senders at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Enrollment, Occurrence, OutboxStatus, SmsMessage
from app.sms.gateway import Rejected, SmsGateway, TemporaryFailure, configured_gateway
from app.transaction import write_transaction

CLAIM_LEASE = timedelta(minutes=10)
CLAIM_BATCH = 10
MAX_DELAY = timedelta(hours=6)
_table = SmsMessage.__table__


def msisdn_of(phone: str | None) -> str | None:
    """A phone number as the gateway wants it: digits with the country code (45 for 8 digits)."""
    digits = re.sub(r"[^0-9]", "", phone or "")
    if (phone or "").strip().startswith("00"):
        digits = digits[2:]
    if len(digits) == 8:
        return "45" + digits
    if (phone or "").strip().startswith(("+", "00")) and 10 <= len(digits) <= 15:
        return digits
    return None


def queue_sms_reminder(
    enrollment: Enrollment, occurrence: Occurrence, *, short_link: str, now: datetime
) -> SmsMessage | None:
    """The text-message reminder of one date, once; None if not wanted, not set up or written."""
    if not current_app.config.get("SMS_GATEWAY_TOKEN") or not enrollment.sms_reminders:
        return None
    msisdn = msisdn_of(enrollment.phone)
    if msisdn is None:
        return None
    from app.mail.compose import title_of, when

    with force_locale(enrollment.language or "da"):
        location = occurrence.location
        place = (
            _("Online")
            if enrollment.offering.is_online
            else (location.name_and_room if location is not None else "")
        )
        text = _(
            "Reminder: %(title)s, %(when)s, %(place)s. Your sign-up: %(link)s",
            title=title_of(enrollment.offering),
            when=when(occurrence.starts_at),
            place=place,
            link=short_link,
        )
    message = SmsMessage(
        kind="reminder",
        msisdn=msisdn,
        body=text[:480],
        enrollment_id=enrollment.id,
        dedupe_key=f"sms-reminder:{enrollment.id}:{occurrence.id}",
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    exists = db.session.scalar(
        sa.select(SmsMessage.id).where(SmsMessage.dedupe_key == message.dedupe_key)
    )
    if exists is not None:
        return None
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None
    return message


@dataclass
class SmsReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"sms sent {self.sent}, will retry {self.retrying}, failed {self.failed}"


def _claim_due(*, now: datetime, size: int) -> list:
    """Claim due messages in one short transaction; returns (id, msisdn, body, attempts)."""
    with write_transaction():
        rows = db.session.execute(
            sa.select(_table.c.id, _table.c.msisdn, _table.c.body, _table.c.attempts)
            .where(_table.c.status == OutboxStatus.PENDING, _table.c.next_attempt_at <= now)
            .order_by(_table.c.next_attempt_at, _table.c.id)
            .limit(size)
            .with_for_update(skip_locked=True)
        ).all()
        if rows:
            db.session.execute(
                _table.update()
                .where(_table.c.id.in_([row.id for row in rows]))
                .values(next_attempt_at=now + CLAIM_LEASE, attempts=_table.c.attempts + 1)
            )
    # `attempts` as counted with this claim
    return [(row.id, row.msisdn, row.body, row.attempts + 1) for row in rows]


def send_pending_sms(
    *, now: datetime, limit: int = 100, gateway: SmsGateway | None = None
) -> SmsReport:
    """Claim and send up to `limit` due text messages; without a gateway, nothing happens."""
    report = SmsReport()
    gateway = gateway or configured_gateway(current_app.config)
    if gateway is None:
        return report
    config = current_app.config
    handled = 0
    while handled < limit:
        claimed = _claim_due(now=now, size=min(CLAIM_BATCH, limit - handled))
        if not claimed:
            break
        for message_id, msisdn, body, attempts in claimed:
            handled += 1
            values: dict
            try:
                provider_id = gateway.send(msisdn, body, reference=f"sms-{message_id}")
                values = {"status": OutboxStatus.SENT, "sent_at": now, "provider_id": provider_id,
                          "last_error": None}  # fmt: skip
                report.sent += 1
            except (TemporaryFailure, Rejected) as error:
                gave_up = isinstance(error, Rejected) or attempts >= int(
                    config.get("MAIL_MAX_ATTEMPTS", 8)
                )
                base = int(config.get("MAIL_RETRY_SECONDS", 60))
                delay = min(timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_DELAY)
                values = {
                    "status": OutboxStatus.FAILED if gave_up else OutboxStatus.PENDING,
                    "last_error": str(error)[:1000],
                    "next_attempt_at": now + delay,
                }
                if gave_up:
                    report.failed += 1
                else:
                    report.retrying += 1
                current_app.logger.warning("sms %s not sent: %s", message_id, error)
            with write_transaction():
                db.session.execute(
                    _table.update().where(_table.c.id == message_id).values(**values)
                )
    return report
