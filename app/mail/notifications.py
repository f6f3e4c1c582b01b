"""Mails to many participants at once: a meeting moved or cancelled, an offering cancelled,
a message from staff, and the reminders before each meeting.

Each picks who to write to and calls one function of participants.py per person, in the
caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from app.enrollment.tokens import short_manage_token
from app.extensions import db
from app.mail.compose import public_url
from app.mail.participants import (
    mail_occurrence_cancelled,
    mail_occurrence_moved,
    mail_offering_cancelled,
    mail_reminder,
    mail_staff_message,
)
from app.models import (
    ACTIVE_ENROLLMENT_STATUSES,
    Enrollment,
    EnrollmentStatus,
    Occurrence,
    OccurrenceStatus,
    Offering,
    OfferingStatus,
)
from app.sms.outbox import queue_sms_reminder


def _active_enrollments(offering_id: int, ids: Iterable[int] | None = None) -> list[Enrollment]:
    query = (
        sa.select(Enrollment)
        .where(
            Enrollment.offering_id == offering_id,
            Enrollment.status.in_(ACTIVE_ENROLLMENT_STATUSES),
        )
        .options(selectinload(Enrollment.offering).selectinload(Offering.occurrences))
        .order_by(Enrollment.id)
    )
    if ids is not None:
        query = query.where(Enrollment.id.in_(list(ids)))
    return list(db.session.scalars(query))


def notify_occurrence_changed(
    occurrence_id: int,
    *,
    change: str,
    now: datetime,
    message: str | None = None,
    was_starts_at: datetime | None = None,
) -> int:
    """Tell everyone signed up that one meeting moved or was cancelled; returns the count.

    Call it after the change is made (and the occurrence's sequence raised), in the same
    transaction, with the time the meeting had before (`was_starts_at`) when it moved.
    People with a seat get an updated invitation or its withdrawal.
    """
    if change not in ("moved", "cancelled"):
        raise ValueError("change must be 'moved' or 'cancelled'")
    occurrence = db.session.get(Occurrence, occurrence_id)
    if occurrence is None:
        return 0
    count = 0
    for enrollment in _active_enrollments(occurrence.offering_id):
        if change == "moved":
            mail_occurrence_moved(
                enrollment, occurrence, message=message, now=now, was_starts_at=was_starts_at
            )
        else:
            mail_occurrence_cancelled(enrollment, occurrence, message=message, now=now)
        count += 1
    return count


def notify_offering_cancelled(
    offering_id: int, *, now: datetime, message: str | None = None
) -> int:
    """Tell everyone signed up that the whole offering is cancelled; returns the count."""
    count = 0
    for enrollment in _active_enrollments(offering_id):
        mail_offering_cancelled(enrollment, message=message, now=now)
        count += 1
    return count


def notify_participants(
    offering_id: int,
    enrollment_ids: Iterable[int],
    *,
    subject: str,
    body: str,
    now: datetime,
    reply_to: str | None = None,
) -> int:
    """Staff write to all or some participants of one offering; returns how many got it.

    Only active enrollments of that offering are written to, whatever ids are passed.
    """
    paragraphs = [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    count = 0
    for enrollment in _active_enrollments(offering_id, enrollment_ids):
        mail_staff_message(
            enrollment, subject=subject, paragraphs=paragraphs, now=now, reply_to=reply_to
        )
        count += 1
    return count


def queue_reminders(*, now: datetime, hours: float | None = None) -> int:
    """Remind confirmed participants of each meeting starting within REMINDER_HOURS.

    Safe to run as often as you like: the dedupe key lets each reminder be written once.
    Returns how many new reminders were queued.
    """
    if hours is None:
        hours = float(current_app.config.get("REMINDER_HOURS", 24))
    horizon = now + timedelta(hours=hours)
    rows = db.session.execute(
        sa.select(Enrollment, Occurrence)
        .join(Occurrence, Occurrence.offering_id == Enrollment.offering_id)
        .join(Offering, Offering.id == Enrollment.offering_id)
        .where(
            Enrollment.status == EnrollmentStatus.CONFIRMED,
            Offering.status == OfferingStatus.PUBLISHED,
            Occurrence.status == OccurrenceStatus.SCHEDULED,
            Occurrence.starts_at > now,
            Occurrence.starts_at <= horizon,
        )
        .order_by(Occurrence.starts_at, Enrollment.id)
        # Runs on every server at once: each takes the enrollments no other run holds. The
        # dedupe key below is what makes a reminder unique; this keeps the runs from even
        # trying twice. (SQLite ignores it; the command's write lock serialises runs there.)
        .with_for_update(of=Enrollment, skip_locked=True)
    ).all()
    queued = 0
    for enrollment, occurrence in rows:
        if mail_reminder(enrollment, occurrence, now=now) is not None:
            queued += 1
        if enrollment.sms_reminders:
            short = public_url("enrollment.short_manage", token=short_manage_token(enrollment))
            queue_sms_reminder(enrollment, occurrence, short_link=short, now=now)
    return queued
