"""'I can't come this time' (meld afbud): one tap per upcoming date, and its undo.

Absence is part of recovery, so sending word never costs a course or group seat: the person is
marked excused in attendance, the facilitators are told (at once, in their daily digest or
never, as each chose: app/notices/), and the enrollment stays as it is.
A themed meeting has one date, so there the same tap is a cancellation, as before: the seat
goes to the waiting list (services.cancel_enrollment).

The reminder mail carries a link per date signed for that enrollment and date only
(`tokens.absence_token`): it opens a page with one button, so a mail scanner that opens the link
changes nothing. The link dies with the manage link (both are signed over its nonce hash).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.enrollment.services import EnrollmentError, NotFound, _load_locked, cancel_enrollment
from app.extensions import db
from app.models import (
    Attendance,
    AttendanceStatus,
    Enrollment,
    EnrollmentStatus,
    Occurrence,
    OccurrenceStatus,
    OfferingKind,
)
from app.notices.models import NoticeEvent
from app.notices.services import tell_facilitators


class AbsenceNotPossible(EnrollmentError):
    """The date has begun, is cancelled, or the person has no seat for it."""


@dataclass
class AbsenceResult:
    occurrence: Occurrence
    cancelled_seat: bool  # a themed meeting: the tap cancelled the sign-up


def cancels_seat(enrollment: Enrollment) -> bool:
    """A single themed meeting: "I can't come" is a cancellation; else the seat is kept."""
    return enrollment.offering.kind == OfferingKind.MEETING


def _occurrence(enrollment: Enrollment, occurrence_id: int, now: datetime) -> Occurrence:
    occurrence = db.session.get(Occurrence, occurrence_id)
    if occurrence is None or occurrence.offering_id != enrollment.offering_id:
        raise NotFound(occurrence_id)
    if occurrence.status != OccurrenceStatus.SCHEDULED or occurrence.starts_at <= now:
        raise AbsenceNotPossible(occurrence_id)
    return occurrence


def _row(enrollment_id: int, occurrence_id: int) -> Attendance | None:
    return db.session.scalar(
        sa.select(Attendance).where(
            Attendance.enrollment_id == enrollment_id, Attendance.occurrence_id == occurrence_id
        )
    )


def send_word(enrollment_id: int, occurrence_id: int, *, now: datetime) -> AbsenceResult:
    """The person cannot come to one date: excused, the facilitators told, the seat kept."""
    enrollment = _load_locked(enrollment_id)
    if enrollment.status != EnrollmentStatus.CONFIRMED:
        raise AbsenceNotPossible(enrollment.status)
    occurrence = _occurrence(enrollment, occurrence_id, now)
    if cancels_seat(enrollment):
        cancel_enrollment(enrollment.id, now=now)
        return AbsenceResult(occurrence, cancelled_seat=True)
    row = _row(enrollment.id, occurrence.id)
    if row is not None and row.sent_word_at is not None:
        return AbsenceResult(occurrence, cancelled_seat=False)  # a second tap changes nothing
    if row is None:
        row = Attendance(enrollment_id=enrollment.id, occurrence_id=occurrence.id)
        db.session.add(row)
    row.status = AttendanceStatus.EXCUSED
    row.recorded_at = now
    row.recorded_by_id = None
    row.sent_word_at = now
    db.session.flush()
    tell_facilitators(enrollment, NoticeEvent.ABSENCE, occurrence=occurrence, now=now)
    return AbsenceResult(occurrence, cancelled_seat=False)


def take_back_word(enrollment_id: int, occurrence_id: int, *, now: datetime) -> Occurrence:
    """Undo "I can't come" until the date starts: no longer excused, the facilitators told."""
    enrollment = _load_locked(enrollment_id)
    occurrence = _occurrence(enrollment, occurrence_id, now)
    row = _row(enrollment.id, occurrence.id)
    if row is None or row.sent_word_at is None:
        return occurrence
    if row.recorded_by_id is None:
        db.session.delete(row)  # nobody else recorded anything for this date
    else:
        row.sent_word_at = None  # staff tapped a status since; theirs stays
    db.session.flush()
    tell_facilitators(enrollment, NoticeEvent.ABSENCE_TAKEN_BACK, occurrence=occurrence, now=now)
    return occurrence


def dates_with_word_sent(enrollment_id: int) -> set[int]:
    """The occurrence ids for which this person has sent word."""
    return set(
        db.session.scalars(
            sa.select(Attendance.occurrence_id).where(
                Attendance.enrollment_id == enrollment_id, Attendance.sent_word_at.is_not(None)
            )
        )
    )


def word_sent_for(occurrence_ids: list[int]) -> dict[int, list[Enrollment]]:
    """occurrence id → the confirmed people who sent word for it (for staff pages)."""
    if not occurrence_ids:
        return {}
    rows = db.session.execute(
        sa.select(Attendance.occurrence_id, Enrollment)
        .join(Enrollment, Enrollment.id == Attendance.enrollment_id)
        .where(
            Attendance.occurrence_id.in_(occurrence_ids),
            Attendance.sent_word_at.is_not(None),
            Enrollment.status == EnrollmentStatus.CONFIRMED,
        )
        .order_by(Enrollment.name)
    ).all()
    result: dict[int, list[Enrollment]] = {}
    for occurrence_id, enrollment in rows:
        result.setdefault(occurrence_id, []).append(enrollment)
    return result
