"""The mail that tells a person where they stand, written after the offering's lock is let go.

During a rush every sign-up for one offering waits for the one before it to commit: the lock
on the offering row is held from counting the seats to the commit. Writing the mail (its
templates, the dates in words, the calendar file) took about a third of that time. So the
public sign-up leaves only a draft in the outbox, in the same transaction as the seat. The
worker's mail courier (app/mail/courier.py) writes the drafts after the commit, a batch at a
time and off the request, then sends them (`write_drafts`); without a courier the mail is
written right after the commit, in a short transaction of its own (`after_commit` in
app/transaction.py). Claiming the draft (deleting it) makes each be written once. Should the
process stop in between, `flask send-mail` writes the drafts left over (a minute old), so no
mail is ever lost. Outside a request (commands, tests of the services) the mail is written
at once, as before.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from app.enrollment.tokens import manage_token
from app.extensions import db
from app.mail.courier import courier_runs, mark_mail_queued
from app.mail.kinds import MailKind
from app.mail.outbox import queue_together
from app.mail.participants import (
    mail_already_enrolled,
    mail_confirmed,
    mail_interest_registered,
    mail_requested,
    mail_waitlisted,
)
from app.models import Enrollment, EnrollmentStatus, Offering, OutboxMessage, OutboxStatus
from app.transaction import after_commit, write_transaction

LEFT_OVER_AFTER = timedelta(minutes=1)
RETRY_DRAFT_AFTER = timedelta(minutes=10)
DRAFT_BATCH = 20


def mail_standing(
    enrollment: Enrollment, token: str | None, now: datetime, *, position: int | None = None
) -> None:
    """The mail that says where a person stands after they got in line or a seat.

    `position`: their place on the waiting list, when the caller read it already."""
    from app.enrollment.services import waitlist_position

    if enrollment.status == EnrollmentStatus.CONFIRMED:
        mail_confirmed(enrollment, token=token, now=now)
    elif enrollment.status == EnrollmentStatus.WAITLISTED:
        if position is None:
            position = waitlist_position(enrollment)
        mail_waitlisted(enrollment, position=position, token=token, now=now)
    elif enrollment.status == EnrollmentStatus.REQUESTED:
        mail_requested(enrollment, token=token, now=now)
    elif enrollment.status == EnrollmentStatus.INTERESTED:
        mail_interest_registered(enrollment, token=token, now=now)


def mail_standing_after_commit(
    enrollment: Enrollment, now: datetime, *, kind: str | None = None
) -> None:
    """In a request: a draft now, the mail right after the commit. Elsewhere: the mail now.

    `kind` ALREADY_ENROLLED: the manage link once more, to someone who signed up again; the
    new and the repeated sign-up then do the same work (no enumeration by timing).
    """
    draft = OutboxMessage(
        kind=kind or str(enrollment.status),
        to_address=enrollment.email or "",
        to_name=enrollment.name,
        subject="",
        body_text="",
        language=enrollment.language,
        enrollment_id=enrollment.id,
        status=OutboxStatus.DRAFT,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(draft)
    db.session.flush()
    if courier_runs():
        mark_mail_queued(db.session)  # the courier writes it, with the next few, after the commit
        return
    draft_id = draft.id
    if not after_commit(lambda: write_draft(draft_id, now=now)):
        write_draft(draft_id, now=now)


def write_draft(draft_id: int, *, now: datetime) -> bool:
    """Write the mail a draft stands for, in the caller's transaction; False if someone else
    did (or the person's data is gone)."""
    claimed = db.session.execute(
        sa.delete(OutboxMessage)
        .where(OutboxMessage.id == draft_id, OutboxMessage.status == OutboxStatus.DRAFT)
        .returning(OutboxMessage.enrollment_id, OutboxMessage.kind)
    ).first()
    if claimed is None or claimed.enrollment_id is None:
        return False
    enrollment = db.session.get(Enrollment, claimed.enrollment_id)
    return _write_mail(enrollment, claimed.kind, now=now)


def _write_mail(
    enrollment: Enrollment | None, kind: str, *, now: datetime, position: int | None = None
) -> bool:
    """The mail of one claimed draft; False if the person's data is gone."""
    if enrollment is None or enrollment.erased_at is not None:
        return False
    if kind == MailKind.ALREADY_ENROLLED:
        mail_already_enrolled(enrollment, token=manage_token(enrollment), now=now)
    else:  # the status now: the mail says where the person stands when it is written
        mail_standing(enrollment, manage_token(enrollment), now, position=position)
    return True


def write_drafts(*, now: datetime, limit: int = DRAFT_BATCH) -> int:
    """The courier: write the mails of up to `limit` drafts in one transaction; returns how
    many drafts it took.

    In a rush the drafts are for one offering: its dates, place and organisers are read once
    for the batch instead of once per mail. Should one mail fail, the batch is undone and
    each draft is written in a transaction of its own; the one that fails stays a draft and
    waits `RETRY_DRAFT_AFTER` (so it does not undo every later batch), and `flask send-mail`
    tries it again when it is a minute old."""
    claimed: list[int] = []
    try:
        with write_transaction():  # undone whole if one mail fails
            claimed = list(
                db.session.scalars(
                    sa.select(OutboxMessage.id)
                    .where(
                        OutboxMessage.status == OutboxStatus.DRAFT,
                        OutboxMessage.next_attempt_at <= now,
                    )
                    .order_by(OutboxMessage.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            if claimed:
                _write_claimed(claimed, now=now)
        return len(claimed)
    except Exception:
        if not claimed:
            raise
        current_app.logger.exception("writing a batch of drafts failed; one by one")
    for draft_id in claimed:
        try:
            with write_transaction():
                write_draft(draft_id, now=now)
        except Exception:  # noqa: BLE001 - it stays a draft, for a later try
            current_app.logger.exception("the mail of draft %s could not be written", draft_id)
            with write_transaction():
                db.session.execute(
                    sa.update(OutboxMessage)
                    .where(OutboxMessage.id == draft_id, OutboxMessage.status == OutboxStatus.DRAFT)
                    .values(next_attempt_at=now + RETRY_DRAFT_AFTER)
                )
    return len(claimed)


def _write_claimed(claimed: list[int], *, now: datetime) -> None:
    rows = db.session.execute(
        sa.delete(OutboxMessage)
        .where(OutboxMessage.id.in_(claimed))
        .returning(OutboxMessage.enrollment_id, OutboxMessage.kind)
    ).all()
    ids = {row.enrollment_id for row in rows if row.enrollment_id is not None}
    enrollments = {
        e.id: e
        for e in db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.id.in_(ids))
            .options(
                joinedload(Enrollment.offering).options(
                    joinedload(Offering.organisation),
                    joinedload(Offering.location),
                    selectinload(Offering.co_organisers),
                    selectinload(Offering.occurrences),
                )
            )
        )
    }
    from app.enrollment.services import waitlist_positions  # services imports this module

    positions = waitlist_positions(enrollments.values())
    with queue_together(db.session):  # the batch's mails in one INSERT
        for row in rows:
            _write_mail(
                enrollments.get(row.enrollment_id),
                row.kind,
                now=now,
                position=positions.get(row.enrollment_id),
            )


def write_left_drafts(*, now: datetime) -> int:
    """`flask send-mail`: write the drafts a stopped process left (each in its own
    transaction); returns how many mails were written."""
    left = db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.DRAFT,
            OutboxMessage.created_at <= now - LEFT_OVER_AFTER,
        )
        .order_by(OutboxMessage.id)
    ).all()
    written = 0
    for draft_id in left:
        with write_transaction():
            written += write_draft(draft_id, now=now)
    return written
