"""Deliver the outbox: SMTP when MAIL_SERVER is set, else .eml files in MAIL_OUTBOX.

Messages are first claimed in small batches (`claim_due`: their next attempt pushed a lease
into the future, attempts+1, committed), then read in one query, each sent outside any
transaction, and the batch marked sent in one transaction. Senders on every server may run
at once: each message is claimed by one. A crash between sending and marking means a message
may go out twice, never that it is lost. A refused or failed send is retried after
MAIL_RETRY_SECONDS, doubling each time, and is marked "failed" after MAIL_MAX_ATTEMPTS so
staff can see it. Nothing here raises to the caller.

The sender writes with Core statements on purpose: delivering mail changes nothing a page
shows, so it must not raise the page-cache change marker.
"""

from __future__ import annotations

import contextlib
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import policy as email_policy
from email.charset import QP, Charset
from email.errors import HeaderParseError
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.parser import HeaderParser
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.mail.addresses import NotMailable, deliverable_address, header_text
from app.mail.kinds import FORGOTTEN_ON_DELIVERY, TO_STAFF, TO_STAFF_ABOUT_A_PARTICIPANT
from app.models import Enrollment, Offering, OutboxMessage, OutboxStatus
from app.transaction import write_transaction

CLAIM_LEASE = timedelta(minutes=10)
CLAIM_BATCH = 10  # claimed per transaction: small, so parallel senders share the work
MAX_DELAY = timedelta(hours=6)
_table = OutboxMessage.__table__


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0  # gave up on these for good
    broken: int = 0  # could not even be built (logged; the lease retries them later)
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed + self.broken

    def __str__(self) -> str:
        return f"sent {self.sent}, will retry {self.retrying}, failed {self.failed}"


class UnbuildableMessage(ValueError):
    """No message can be made of this row (a broken address, a header that would not stay
    one header): it is marked failed at once, for staff to see, never retried for ever."""


# The top-level headers of every message (Content-* and MIME-Version are the MIME layout's);
# mail to a participant about their sign-up also has Reply-To, the offering's contact.
_HEADERS = ["From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted"]


class _Policy(email_policy.EmailPolicy):
    """The default policy, but the subject is encoded whole (RFC 2047, as compat32 does).

    Python's header folder loses or adds the space between an encoded word and the next
    word ("handling – små" arrived as "handling –små"), and may cut a base64 word in two. A
    subject that fits on one line in ASCII is written as it is; any other is one run of
    UTF-8 encoded words with every space inside them, which every reader decodes exactly.
    """

    def _fold(self, name, value, refold_binary=False):
        if name.lower() != "subject" or self.utf8:
            return super()._fold(name, value, refold_binary)
        text = _subject(str(value), self.max_line_length)
        if isinstance(text, Header):
            text = text.encode(linesep=self.linesep)
        return f"{name}: {text}{self.linesep}"


def _subject(text: str, max_line_length: int) -> str | Header:
    """The subject as it is when it fits on one line in ASCII, else one run of UTF-8 encoded
    words (`_Policy`; the classic build writes the Header as it is)."""
    if text.isascii() and len("Subject: ") + len(text) <= max_line_length:
        return text
    return Header(text, "utf-8", maxlinelen=max_line_length, header_name="Subject")


_POLICY = _Policy()
_UTF8 = _POLICY.clone(utf8=True)  # for SMTPUTF8 addresses and .eml files


def build_email(
    message: OutboxMessage, *, sender: str, domain: str, contact: str | None = None
) -> Message:
    """The message for one outbox row (`contact`: its offering's contact address, read for
    the whole batch by `_contacts`). Every header value written by a person (subject,
    name) is one plain line (`header_text`), and the finished headers are read back, so
    no value can add a header or another recipient. Raises UnbuildableMessage.

    Built with the email package's classic (compat32) classes: the modern ones parse every
    header when it is set and again when it is written, which was a fifth of a worker's time
    in a sign-up rush. A mail with an address that needs SMTPUTF8 (letters beyond ASCII
    before the @) is built the modern way, the only one that can write it in UTF-8."""
    try:
        to_address = deliverable_address(message.to_address)
        to_name = header_text(message.to_name)
        subject = header_text(message.subject)
        from_name, from_address = parseaddr(sender)
        if not from_address:
            raise ValueError(f"MAIL_FROM is not an address: {sender!r}")
        reply_to = _reply_to(message, contact)
        if not all(a.isascii() for a in (to_address, from_address, reply_to or "")):
            return _build_modern(message, sender, to_address, to_name, subject, reply_to, domain)
        email: Message = _text_part(message.body_text, "plain", _QP_UTF8)
        if message.body_html:
            html = _text_part(message.body_html, "html", _QP_UTF8)
            email = _multipart("alternative", email, html)
        if message.ics:
            calendar = _text_part(message.ics, "calendar", _BASE64_UTF8)
            calendar.set_param("method", message.ics_method or "PUBLISH")
            calendar.add_header("Content-Disposition", "attachment", filename="invite.ics")
            email = _multipart("mixed", email, calendar)
        email["From"] = formataddr((header_text(from_name), from_address), "utf-8")
        email["To"] = formataddr((to_name, to_address), "utf-8")
        email["Subject"] = _subject(subject, _POLICY.max_line_length)
        _add_headers(email, message, reply_to, domain)
        head = email.as_bytes().split(b"\n\n", 1)[0].decode("ascii") + "\n"
    except (ValueError, TypeError, IndexError, HeaderParseError) as error:
        raise UnbuildableMessage(str(error)) from error
    _check_header_block(head, to_address, reply_to)
    return email


def _add_headers(email: Message, message: OutboxMessage, reply_to: str | None, domain: str) -> None:
    """The headers after From, To and Subject, in the order `_check_header_block` expects."""
    if reply_to is not None:
        email["Reply-To"] = reply_to
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}", domain=domain)
    email["Auto-Submitted"] = "auto-generated"
    email["Content-Language"] = message.language


_QP_UTF8 = Charset("utf-8")
_QP_UTF8.body_encoding = QP  # the words stay readable in the source of the mail
_BASE64_UTF8 = Charset("utf-8")  # the calendar: its CRLF line ends kept exactly


def _text_part(text: str, subtype: str, charset: Charset) -> MIMEText:
    if subtype != "calendar":  # lines end in one way, and the last one ends (as set_content)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = text if text.endswith("\n") else text + "\n"
    return MIMEText(text, subtype, charset)


def _multipart(subtype: str, *parts: Message) -> MIMEMultipart:
    for part in parts:
        del part["MIME-Version"]  # said once, at the top
    return MIMEMultipart(subtype, _subparts=parts)


def _build_modern(
    message: OutboxMessage,
    sender: str,
    to_address: str,
    to_name: str,
    subject: str,
    reply_to: str | None,
    domain: str,
) -> EmailMessage:
    """`build_email` for a mail that must go with SMTPUTF8 (see there)."""
    local, _at, to_domain = to_address.rpartition("@")
    email = EmailMessage(policy=_POLICY)
    email["From"] = sender
    email["To"] = Address(display_name=to_name, username=local, domain=to_domain)
    email["Subject"] = subject
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
    _add_headers(email, message, reply_to, domain)  # after set_content, which drops Content-*
    _check_headers(email, to_address, reply_to)
    return email


def _reply_to(message: OutboxMessage, contact: str | None) -> str | None:
    """Where an answer goes: to the staff member who wrote the mail (`message.reply_to`: a
    welcome, a message to participants); else a participant who answers a mail about their
    sign-up writes to the people who run the offering (its contact address), not to the
    site's no-reply sender."""
    if message.reply_to:
        try:
            return deliverable_address(message.reply_to)
        except NotMailable:
            pass  # never lose the mail over it; the offering's contact, if any
    if message.enrollment_id is None or message.kind in TO_STAFF_ABOUT_A_PARTICIPANT:
        return None
    if not contact:
        return None
    try:
        return deliverable_address(contact)
    except NotMailable:
        return None  # never lose the mail over the contact field


def _check_headers(email: EmailMessage, to_address: str, reply_to: str | None = None) -> None:
    """`_check_header_block` for a modern message: its headers folded as the generator
    folds them when the mail is sent."""
    try:
        block = "".join(_UTF8.fold(name, value) for name, value in email.items())
    except Exception as error:  # noqa: BLE001 - anything unwritable is unsendable
        raise UnbuildableMessage(f"unwritable headers: {error}") from error
    _check_header_block(block, to_address, reply_to)


def _check_header_block(block: str, to_address: str, reply_to: str | None = None) -> None:
    """Read the finished headers back as a mail reader would: exactly our headers, and one
    recipient, whatever the email package did with the values.

    Only the header block is read back: the bodies cannot add a header, and writing and
    parsing them again took a fifth of a worker's time in a sign-up rush."""
    try:
        parsed = HeaderParser(policy=_UTF8).parsestr(block + "\n")
        names = [
            name
            for name in parsed.keys()  # noqa: SIM118 (keys keeps repeated headers)
            if not name.lower().startswith("content-") and name != "MIME-Version"
        ]
        addresses = parsed["To"].addresses
    except Exception as error:  # noqa: BLE001 - anything unreadable is unsendable
        raise UnbuildableMessage(f"unreadable headers: {error}") from error
    expected = _HEADERS if reply_to is None else [*_HEADERS[:3], "Reply-To", *_HEADERS[3:]]
    if reply_to is not None and [a.addr_spec for a in parsed["Reply-To"].addresses] != [reply_to]:
        raise UnbuildableMessage("Reply-To changed while building")
    if names != expected or len(addresses) != 1 or addresses[0].addr_spec != to_address:
        raise UnbuildableMessage(f"headers changed while building: {names}")


class Envelope(NamedTuple):
    """What the transport needs of a message, read before its transaction ends."""

    id: int
    kind: str
    to_address: str  # as on the envelope: the domain in IDNA form


class _Transport:
    """One SMTP connection for a batch (opened on first use), or the .eml folder."""

    def __init__(self, config) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def send(self, message: Envelope, email: Message) -> None:
        if not self.config["MAIL_SERVER"]:
            folder = Path(self.config["MAIL_OUTBOX"])
            folder.mkdir(parents=True, exist_ok=True)
            # UTF-8 headers where the message is a modern one; the classic ones are ASCII.
            eml = (
                email.as_bytes(policy=_UTF8)
                if isinstance(email, EmailMessage)
                else email.as_bytes()
            )
            (folder / f"{message.id:08d}-{message.kind}.eml").write_bytes(eml)
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


def claim_due(*, now: datetime, size: int) -> list[int]:
    """Claim up to `size` due messages for this sender, in one short transaction.

    PostgreSQL: `FOR UPDATE SKIP LOCKED`, so senders on every server take disjoint batches
    without waiting for each other. SQLite: the transaction opens with the write lock
    (BEGIN IMMEDIATE), so claims happen one after the other. Either way a claimed message's
    next attempt moves a lease into the future, so no other sender sees it as due.
    """
    with write_transaction():  # its own transaction, with the write lock on SQLite
        ids = list(
            db.session.scalars(
                sa.select(_table.c.id)
                .where(_table.c.status == OutboxStatus.PENDING, _table.c.next_attempt_at <= now)
                .order_by(_table.c.next_attempt_at, _table.c.id)
                .limit(size)
                .with_for_update(skip_locked=True)
            )
        )
        if ids:
            db.session.execute(
                _table.update()
                .where(_table.c.id.in_(ids))
                .values(next_attempt_at=now + CLAIM_LEASE, attempts=_table.c.attempts + 1)
            )
    return ids


def _retry_delay(attempts: int, base_seconds: int) -> timedelta:
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_DELAY)


def send_pending(*, now: datetime, limit: int = 100) -> SendReport:
    """Claim and send up to `limit` due messages, a batch at a time; never raises."""
    report = SendReport()
    domain = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"
    transport = _Transport(current_app.config)
    try:
        while report.handled < limit:
            claimed = claim_due(now=now, size=min(CLAIM_BATCH, limit - report.handled))
            if not claimed:
                break
            _deliver_batch(claimed, transport, report, now=now, domain=domain)
    except Exception as error:  # noqa: BLE001 - the database went away; try again next run
        db.session.rollback()
        current_app.logger.exception("sending mail stopped")
        report.errors.append(str(error))
    finally:
        transport.close()
    return report


class _Prepared(NamedTuple):
    envelope: Envelope
    attempts: int
    email: Message


def _deliver_batch(
    message_ids: list[int], transport: _Transport, report: SendReport, *, now: datetime, domain: str
) -> None:
    """Send one claimed batch: read in one query, sent one by one outside any transaction,
    the delivered ones marked in one transaction. A broken row never stops the rest.

    Per message this was a read, a lookup of the offering's contact and a transaction to mark
    it; in a sign-up rush those statements were a fifth of a worker's time."""
    config = current_app.config
    prepared: list[_Prepared] = []
    unbuildable: list[tuple[int, UnbuildableMessage]] = []
    try:
        messages = db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids))
            .order_by(OutboxMessage.id)
            .execution_options(populate_existing=True)
        ).all()
        contacts = _contacts(messages)
    except Exception as error:  # noqa: BLE001 - the lease retries the batch later
        db.session.rollback()
        current_app.logger.exception("could not read outbox messages %s", message_ids)
        report.errors.append(f"{message_ids}: {error}")
        report.broken += len(message_ids)
        return
    for message in messages:
        try:
            email = build_email(
                message,
                sender=config["MAIL_FROM"],
                domain=domain,
                contact=contacts.get(message.enrollment_id),
            )
            # Read now: touching the expired object later would open a transaction.
            envelope = Envelope(
                message.id, str(message.kind), deliverable_address(message.to_address)
            )
            prepared.append(_Prepared(envelope, message.attempts, email))
        except UnbuildableMessage as error:
            unbuildable.append((message.id, error))
        except Exception as error:  # noqa: BLE001 - the lease retries it later
            current_app.logger.exception("could not prepare outbox message %s", message.id)
            report.errors.append(f"{message.id}: {error}")
            report.broken += 1
    db.session.commit()  # no transaction is held while we talk to the server
    for message_id, error in unbuildable:
        _give_up(message_id, f"cannot be built: {error}", now=now)
        report.errors.append(f"{message_id}: {error}")
        report.failed += 1
        current_app.logger.warning("mail %s cannot be built: %s", message_id, error)
    delivered: list[Envelope] = []
    for message in prepared:
        if _send(message, transport, report, now=now):
            delivered.append(message.envelope)
    if delivered:
        _mark_delivered(delivered, now=now)
        report.sent += len(delivered)


def _contacts(messages: list[OutboxMessage]) -> dict[int, str | None]:
    """The contact address of each message's offering, by enrollment, in one query (for
    the Reply-To of a mail about a sign-up: `_reply_to`)."""
    ids = {
        m.enrollment_id
        for m in messages
        if m.enrollment_id is not None and m.kind not in TO_STAFF_ABOUT_A_PARTICIPANT
    }
    if not ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(Enrollment.id, Offering.contact_email)
            .join(Offering, Enrollment.offering_id == Offering.id)
            .where(Enrollment.id.in_(ids))
        ).all()
    )


def _send(message: _Prepared, transport: _Transport, report: SendReport, *, now: datetime) -> bool:
    """Hand one message to the transport; on failure record the retry or the give-up."""
    config = current_app.config
    message_id, attempts = message.envelope.id, message.attempts
    try:
        transport.send(message.envelope, message.email)
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        # A server that cannot carry the address (no SMTPUTF8) or refuses the recipient for
        # good (5xx) will say the same next time: failed at once, for staff to see.
        gave_up = _permanent(error) or attempts >= int(config.get("MAIL_MAX_ATTEMPTS", 8))
        delay = _retry_delay(attempts, int(config.get("MAIL_RETRY_SECONDS", 60)))
        with write_transaction():
            db.session.execute(
                _table.update()
                .where(_table.c.id == message_id)
                .values(
                    status=OutboxStatus.FAILED if gave_up else OutboxStatus.PENDING,
                    last_error=str(error)[:1000],
                    next_attempt_at=now + delay,
                )
            )
            if gave_up:
                _tell_about_bounce(message_id, str(error), now=now)
        report.errors.append(f"{message_id}: {error}")
        if gave_up:
            report.failed += 1
        else:
            report.retrying += 1
        current_app.logger.warning("mail %s not sent (attempt %s): %s", message_id, attempts, error)
        return False
    return True


def _mark_delivered(envelopes: list[Envelope], *, now: datetime) -> None:
    """One transaction for a batch: sent, and a kind forgotten on delivery emptied."""
    forgotten = [e.id for e in envelopes if e.kind in FORGOTTEN_ON_DELIVERY]
    kept = [e.id for e in envelopes if e.kind not in FORGOTTEN_ON_DELIVERY]
    delivered = {"status": OutboxStatus.SENT, "sent_at": now, "last_error": None}
    with write_transaction():
        if kept:
            db.session.execute(_table.update().where(_table.c.id.in_(kept)).values(**delivered))
        if forgotten:
            db.session.execute(
                _table.update()
                .where(_table.c.id.in_(forgotten))
                .values(
                    **delivered,
                    to_address="",
                    to_name=None,
                    subject="",
                    body_text="",
                    body_html=None,
                    purged_at=now,
                )
            )


def _permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    return False


def _give_up(message_id: int, reason: str, *, now: datetime) -> None:
    with write_transaction():
        db.session.execute(
            _table.update()
            .where(_table.c.id == message_id)
            .values(status=OutboxStatus.FAILED, last_error=reason[:1000], next_attempt_at=now)
        )
        _tell_about_bounce(message_id, reason, now=now)


def _tell_about_bounce(message_id: int, error: str, *, now: datetime) -> None:
    """A participant's mail gave up for good: their offering's facilitators are told (as each
    chose), in the transaction that marks it failed. Staff mails have no enrollment. (This
    rare write goes through the ORM and so raises the change marker; that is harmless.)"""
    from app.notices.services import tell_facilitators  # notices mail through this package

    row = db.session.execute(
        sa.select(_table.c.enrollment_id, _table.c.kind).where(_table.c.id == message_id)
    ).first()
    if row is None or row.enrollment_id is None or row.kind in TO_STAFF:
        return
    enrollment = db.session.get(Enrollment, row.enrollment_id)
    if enrollment is not None:
        tell_facilitators(enrollment, "bounced", now=now, error=error)


def retry_failed(message_id: int, *, now: datetime) -> bool:
    """Staff: give a failed message a fresh set of attempts."""
    result = db.session.execute(
        _table.update()
        .where(_table.c.id == message_id, _table.c.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now)
    )
    return result.rowcount == 1
