"""The interest list's rules: record the first talk, start the group, give a seat later.

Like app/enrollment/services.py these take the offering's lock before they change a seat,
flush and never commit, and write the mail each change causes into the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from app.audit import AuditAction, record_audit
from app.enrollment.seats import has_free_seat, has_seat_for
from app.enrollment.services import (
    InvalidTransition,
    NoSeatFree,
    _load_locked,
    lock_offering,
    waitlist_position,
)
from app.enrollment.tokens import manage_token
from app.extensions import db
from app.mail.compose import public_url
from app.mail.participants import (
    mail_cancelled,
    mail_group_started,
    mail_interest_invitation,
    mail_waitlisted,
)
from app.management.services import OfferingDetails, add_occurrences, create_offering
from app.models import (
    Enrollment,
    EnrollmentStatus,
    EnrolmentMode,
    Offering,
    OfferingStatus,
    TalkStatus,
)
from app.suggestions.models import GroupSuggestion, SuggestionStatus
from app.suggestions.services import SuggestionError


class InterestError(Exception):
    """A rule of the interest list said no; the view says why."""


class NotInterestMode(InterestError):
    pass


class AlreadyStarted(InterestError):
    pass


class NotEnoughReady(InterestError):
    def __init__(self, ready: int, needed: int) -> None:
        super().__init__(ready, needed)
        self.ready = ready
        self.needed = needed


class NoDates(InterestError):
    pass


def interest_list(offering_id: int) -> list[Enrollment]:
    """Everyone on the list, in the order they registered (withdrawn people at the end)."""
    rows = db.session.scalars(
        sa.select(Enrollment)
        .where(
            Enrollment.offering_id == offering_id,
            sa.or_(
                Enrollment.status == EnrollmentStatus.INTERESTED,
                Enrollment.first_talk == TalkStatus.WITHDREW,
            ),
        )
        .order_by(Enrollment.queued_at, Enrollment.id)
    ).all()
    return sorted(rows, key=lambda e: e.first_talk == TalkStatus.WITHDREW)


def ready_count(offering_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Enrollment.offering_id == offering_id,
            Enrollment.status == EnrollmentStatus.INTERESTED,
            Enrollment.first_talk == TalkStatus.HELD,
        )
    )


def record_talk(
    enrollment_id: int, talk: str, on: date | None, *, now: datetime, by_user_id: int | None
) -> Enrollment:
    """The first talk: a status and a date. "Withdrew" takes the person off the list."""
    enrollment = _load_locked(enrollment_id)
    if enrollment.status != EnrollmentStatus.INTERESTED:
        raise InvalidTransition(enrollment.status)
    talk = TalkStatus(talk)
    enrollment.first_talk = talk
    enrollment.first_talk_on = on if talk != TalkStatus.TO_DO else None
    enrollment.updated_at = now
    if talk == TalkStatus.WITHDREW:
        enrollment.status = EnrollmentStatus.CANCELLED
        enrollment.cancelled_at = now
        db.session.flush()
        mail_cancelled(enrollment, had_seat=False, now=now)
    db.session.flush()
    return enrollment


@dataclass
class Started:
    """Who got a seat when the group started, and who went on its waiting list."""

    seated: list[Enrollment] = field(default_factory=list)
    waiting: list[Enrollment] = field(default_factory=list)


def start_group(
    offering_id: int,
    times: list[tuple[datetime, datetime]],
    *,
    now: datetime,
    by_user_id: int | None,
) -> Started:
    """Start the group: its dates, a seat for everyone who has had their talk (in the order
    they registered, while seats last), the calendar by mail. The rest stay on the interest
    list; if the group is full, the ready ones without a seat and those still waiting for
    their talk become its waiting list ("not a fit now" stays on the interest list)."""
    offering = lock_offering(offering_id)
    if offering.enrolment_mode != EnrolmentMode.INTEREST:
        raise NotInterestMode(offering_id)
    if offering.started_at is not None:
        raise AlreadyStarted(offering_id)
    if offering.status != OfferingStatus.PUBLISHED:
        raise NotInterestMode(offering_id)
    ready = ready_count(offering.id)
    needed = offering.min_participants or 1
    if ready < needed:
        raise NotEnoughReady(ready, needed)
    if not times:
        raise NoDates(offering_id)
    add_occurrences(offering, times, now=now)
    offering.started_at = now
    db.session.flush()
    result = Started()
    people = interest_list(offering.id)
    for person in people:
        if person.status != EnrollmentStatus.INTERESTED or person.first_talk != TalkStatus.HELD:
            continue
        if has_seat_for(offering, str(person.audience), now):
            _seat(person, now)
            result.seated.append(person)
    if not has_free_seat(offering):  # full: the rest of the line is its waiting list
        for person in people:
            if person.status == EnrollmentStatus.INTERESTED and person.first_talk in (
                TalkStatus.HELD,
                TalkStatus.TO_DO,
                None,
            ):
                person.status = EnrollmentStatus.WAITLISTED
                person.updated_at = now
                db.session.flush()
                result.waiting.append(person)
        for person in result.waiting:
            mail_waitlisted(
                person,
                position=waitlist_position(person),
                token=manage_token(person),
                now=now,
            )
    record_audit(
        user_id=by_user_id,
        action=AuditAction.PROMOTE,
        offering_id=offering.id,
        now=now,
        details=f"group started: {len(result.seated)} seated, {len(result.waiting)} waiting",
    )
    return result


def _seat(person: Enrollment, now: datetime) -> None:
    person.status = EnrollmentStatus.CONFIRMED
    person.confirmed_at = now
    person.updated_at = now
    db.session.flush()
    mail_group_started(person, token=manage_token(person), now=now)


def give_seat(enrollment_id: int, *, now: datetime, by_user_id: int | None) -> Enrollment:
    """After the start: someone on the list has had their talk; a free seat is theirs."""
    enrollment = _load_locked(enrollment_id)
    offering: Offering = enrollment.offering
    if enrollment.status != EnrollmentStatus.INTERESTED or offering.started_at is None:
        raise InvalidTransition(enrollment.status)
    if not has_seat_for(offering, str(enrollment.audience), now):
        raise NoSeatFree(offering.id)
    _seat(enrollment, now)
    record_audit(
        user_id=by_user_id,
        action=AuditAction.PROMOTE,
        offering_id=offering.id,
        now=now,
        details=f"enrollment {enrollment.id}: {enrollment.status}",
    )
    return enrollment


def group_from_suggestion(
    suggestion_id: int,
    *,
    title: str,
    summary: str,
    organisation_id: int,
    capacity: int,
    min_participants: int,
    user_id: int,
    now: datetime,
) -> Offering:
    """Turn an open suggestion into a published group in interest mode, and invite everyone
    who left an address to register interest (then the addresses are blanked: the form
    promised to use them only to tell whether the group starts)."""
    suggestion = db.session.get(GroupSuggestion, suggestion_id)
    if suggestion is None or suggestion.status not in (
        SuggestionStatus.PENDING,
        SuggestionStatus.APPROVED,
    ):
        raise SuggestionError(suggestion_id)
    offering = create_offering(
        OfferingDetails(
            title=title,
            kind="group",
            summary=summary,
            description=suggestion.reason,
            organisation_id=organisation_id,
            audiences=["citizen", "relative"],
            capacity=capacity,
            enrolment_mode=EnrolmentMode.INTEREST,
            min_participants=min_participants,
        ),
        created_by_id=user_id,
        now=now,
    )
    offering.status = OfferingStatus.PUBLISHED
    suggestion.status = SuggestionStatus.BECAME_GROUP
    suggestion.decided_at = now
    suggestion.decided_by_id = user_id
    suggestion.offering_id = offering.id
    db.session.flush()
    url = public_url("enrollment.enroll", slug=offering.slug)
    invited = 0
    for supporter in suggestion.supporters:
        if supporter.email:
            mail_interest_invitation(
                supporter.email, title=title, url=url, language=supporter.language, now=now
            )
            supporter.email = None
            invited += 1
    record_audit(
        user_id=user_id,
        action=AuditAction.APPROVE_SUGGESTION,
        offering_id=offering.id,
        now=now,
        details=f"suggestion {suggestion.id} became a group, {invited} invited",
    )
    db.session.flush()
    return offering
