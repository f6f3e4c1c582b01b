"""Deliver the outbox: SMTP when MAIL_SERVER is set, else .eml files in MAIL_OUTBOX.

Each message is first claimed (its next attempt pushed a lease into the future, attempts+1,
committed), then sent outside any transaction, then marked sent. A crash between sending and
marking means the message may go out twice, never that it is lost. A refused or failed send
is retried after MAIL_RETRY_SECONDS, doubling each time, and is marked "failed" after
MAIL_MAX_ATTEMPTS so staff can see it. Nothing here raises to the caller.

The sender writes with Core statements on purpose: delivering mail changes nothing a page
shows, so it must not raise the page-cache change marker.
"""

from __future__ import annotations

import contextlib
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import OutboxMessage, OutboxStatus

CLAIM_LEASE = timedelta(minutes=10)
MAX_DELAY = timedelta(hours=6)
_table = OutboxMessage.__table__


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0  # gave up on these for good
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"sent {self.sent}, will retry {self.retrying}, failed {self.failed}"


def build_email(message: OutboxMessage, *, sender: str, domain: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = formataddr((message.to_name or "", message.to_address))
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}", domain=domain)
    email["Auto-Submitted"] = "auto-generated"
    email["Content-Language"] = message.language
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    if message.ics:
        email.add_attachment(
            message.ics.encode("utf-8"),
            maintype="text",
            subtype="calendar",
            filename="invite.ics",
            params={"method": message.ics_method or "PUBLISH", "charset": "utf-8"},
        )
    return email


class _Transport:
    """One SMTP connection for a batch (opened on first use), or the .eml folder."""

    def __init__(self, config) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def send(self, message: OutboxMessage, email: EmailMessage) -> None:
        if not self.config["MAIL_SERVER"]:
            folder = Path(self.config["MAIL_OUTBOX"])
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{message.id:08d}-{message.kind}.eml").write_bytes(bytes(email))
            return
        if self.smtp is None:
            smtp = smtplib.SMTP(
                self.config["MAIL_SERVER"],
                self.config["MAIL_PORT"],
                timeout=self.config.get("MAIL_TIMEOUT", 20),
            )
            if self.config["MAIL_USE_TLS"]:
                smtp.starttls()
            if self.config["MAIL_USERNAME"]:
                smtp.login(self.config["MAIL_USERNAME"], self.config["MAIL_PASSWORD"])
            self.smtp = smtp
        try:
            self.smtp.send_message(email, to_addrs=[message.to_address])
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            raise
        except smtplib.SMTPException:
            # The server refused this message; reset so the next one starts clean.
            try:
                self.smtp.rset()
            except (smtplib.SMTPException, OSError):
                self.close()
            raise

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None


def _claim(message_id: int, now: datetime) -> bool:
    """Take one due message for this sender; False if another sender was quicker."""
    claimed = db.session.execute(
        _table.update()
        .where(
            _table.c.id == message_id,
            _table.c.status == OutboxStatus.PENDING,
            _table.c.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + CLAIM_LEASE, attempts=_table.c.attempts + 1)
    )
    db.session.commit()
    return claimed.rowcount == 1


def _retry_delay(attempts: int, base_seconds: int) -> timedelta:
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_DELAY)


def send_pending(*, now: datetime, limit: int = 100) -> SendReport:
    """Send up to `limit` due messages; commits per message; never raises."""
    report = SendReport()
    config = current_app.config
    domain = urlsplit(config["PUBLIC_URL"]).hostname or "localhost"
    max_attempts = int(config.get("MAIL_MAX_ATTEMPTS", 8))
    base = int(config.get("MAIL_RETRY_SECONDS", 60))
    transport = _Transport(config)
    try:
        due = db.session.scalars(
            sa.select(_table.c.id)
            .where(_table.c.status == OutboxStatus.PENDING, _table.c.next_attempt_at <= now)
            .order_by(_table.c.next_attempt_at, _table.c.id)
            .limit(limit)
        ).all()
        db.session.commit()
        for message_id in due:
            try:
                if not _claim(message_id, now):
                    continue
                message = db.session.get(OutboxMessage, message_id, populate_existing=True)
                email = build_email(message, sender=config["MAIL_FROM"], domain=domain)
                attempts = message.attempts
                db.session.commit()  # no transaction is held while we talk to the server
            except Exception as error:  # noqa: BLE001 - a broken row must not stop the rest
                db.session.rollback()
                current_app.logger.exception("could not prepare outbox message %s", message_id)
                report.errors.append(f"{message_id}: {error}")
                continue
            try:
                transport.send(message, email)
            except (TimeoutError, smtplib.SMTPException, OSError) as error:
                gave_up = attempts >= max_attempts
                db.session.execute(
                    _table.update()
                    .where(_table.c.id == message_id)
                    .values(
                        status=OutboxStatus.FAILED if gave_up else OutboxStatus.PENDING,
                        last_error=str(error)[:1000],
                        next_attempt_at=now + _retry_delay(attempts, base),
                    )
                )
                db.session.commit()
                report.errors.append(f"{message_id}: {error}")
                if gave_up:
                    report.failed += 1
                else:
                    report.retrying += 1
                current_app.logger.warning(
                    "mail %s not sent (attempt %s): %s", message_id, attempts, error
                )
                continue
            db.session.execute(
                _table.update()
                .where(_table.c.id == message_id)
                .values(status=OutboxStatus.SENT, sent_at=now, last_error=None)
            )
            db.session.commit()
            report.sent += 1
    except Exception as error:  # noqa: BLE001 - the database went away; try again next run
        db.session.rollback()
        current_app.logger.exception("sending mail stopped")
        report.errors.append(str(error))
    finally:
        transport.close()
    return report


def retry_failed(message_id: int, *, now: datetime) -> bool:
    """Staff: give a failed message a fresh set of attempts."""
    result = db.session.execute(
        _table.update()
        .where(_table.c.id == message_id, _table.c.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now)
    )
    return result.rowcount == 1
