"""Write a mail into the outbox, in the same transaction as the change that causes it.

If the transaction rolls back, the mail was never written; if it commits, the courier
(`courier.py`) hands it to delivery at once, and `flask send-mail` is the safety net. Nothing
here talks to a mail server.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.mail.courier import mark_mail_queued
from app.models import OutboxMessage, OutboxStatus

_TOGETHER = "holdplads.queue_together"


@contextmanager
def queue_together(session) -> Iterator[None]:
    """Mail queued inside is inserted in one statement when the block ends, not a row at a
    time (the courier's batch of drafts). Its messages have no id until then."""
    session.info[_TOGETHER] = True
    try:
        yield
    finally:
        session.info.pop(_TOGETHER, None)
    session.flush()


def queue_mail(
    *,
    kind: str,
    to_address: str,
    to_name: str | None,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    language: str = "da",
    enrollment_id: int | None = None,
    ics: str | None = None,
    ics_method: str | None = None,
    dedupe_key: str | None = None,
    reply_to: str | None = None,
    now: datetime,
) -> OutboxMessage | None:
    """Queue one message; returns None when a message with `dedupe_key` already exists."""
    if dedupe_key is not None:
        exists = db.session.scalar(
            sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if exists is not None:
            return None
    message = OutboxMessage(
        kind=kind,
        to_address=to_address,
        to_name=to_name,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        language=language,
        reply_to=reply_to,
        enrollment_id=enrollment_id,
        ics=ics,
        ics_method=ics_method if ics else None,
        dedupe_key=dedupe_key,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    if dedupe_key is None:
        db.session.add(message)
        if not db.session.info.get(_TOGETHER):
            db.session.flush()
        mark_mail_queued(db.session)
        return message
    # Two reminder runs at once: the unique key lets only one of them write it.
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None
    mark_mail_queued(db.session)
    return message


def send_again(message: OutboxMessage, *, to_address: str, now: datetime) -> None:
    """A failed message gets a fresh set of attempts, to the address as it is now (staff may
    have corrected it); the courier hands it over after the commit."""
    message.to_address = to_address
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.last_error = None
    message.next_attempt_at = now
    db.session.flush()
    mark_mail_queued(db.session)
