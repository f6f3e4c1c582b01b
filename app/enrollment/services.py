"""Who gets a seat: the only code that changes an enrollment's status.

Every function that can change a seat count first takes the offering's lock
(`lock_offering`): `SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the request or CLI command
began its write in `app.transaction`, so it is `BEGIN IMMEDIATE` and holds the database's
write lock. Two sign-ups therefore never read the same seat count, and capacity is
never exceeded, however many arrive at once.

Functions flush and never commit: the request (or CLI command) commits once, in
`app.transaction`. Each writes the mail its change causes into the outbox in the same
transaction (app/mail/participants.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from app.audit import AuditAction, record_audit
from app.database import as_utc, note_seats_changed
from app.emails import normalize_email
from app.enrollment.availability import SeatState, availability, signup_closes_at
from app.enrollment.seats import (
    OfferingSeats,
    facts_from_row,
    has_free_seat,
    has_seat_for,
    held_by_audience,
    offering_seats,
    seats_taken,
    signup_facts,
)
from app.enrollment.shares import can_take_seat, shares_apply, shares_of
from app.enrollment.standing import mail_standing, mail_standing_after_commit
from app.enrollment.tokens import manage_token, new_manage_nonce_hash
from app.extensions import db
from app.mail.kinds import MailKind
from app.mail.participants import (
    mail_approved,
    mail_cancelled,
    mail_cancelled_by_staff,
    mail_confirmed,
    mail_declined,
    mail_offer,
    mail_offer_expired,
    mail_waitlisted,
)
from app.models import (
    ACTIVE_ENROLLMENT_STATUSES,
    SEAT_HOLDING_STATUSES,
    Enrollment,
    EnrollmentStatus,
    EnrolmentMode,
    Offering,
    OfferingAudience,
    OfferingStatus,
    TalkStatus,
)
from app.notices.models import NoticeEvent
from app.notices.services import tell_facilitators


@dataclass
class PersonDetails:
    """What a person tells us when they sign up (or what staff type in for them)."""

    name: str
    email: str | None  # None only when staff add someone who phoned (then `phone` is set)
    phone: str | None = None
    audience: str = "citizen"
    wants_companion: bool = False  # følgeskab: a peer worker meets them at the door
    sms_reminders: bool = False  # remind me by text message (needs `phone`)
    needs: str | None = None
    workplace: str | None = None  # asked only by a staff-only offering that wants it
    language: str = "da"
    # The privacy notice the person was shown on the form (None: staff typed them in).
    privacy_notice_version: str | None = None


class EnrollmentError(Exception):
    """A rule said no; views turn these into a calm message."""


class NotFound(EnrollmentError):
    pass


class SignupClosed(EnrollmentError):
    def __init__(self, state: SeatState | None = None) -> None:
        super().__init__(state)
        self.state = state


class AudienceNotAllowed(EnrollmentError):
    pass


class AlreadyEnrolled(EnrollmentError):
    def __init__(self, enrollment: Enrollment) -> None:
        super().__init__(enrollment.id)
        self.enrollment = enrollment


class InvalidTransition(EnrollmentError):
    """The enrollment is not in a state where this makes sense (e.g. cancelled twice)."""


class OfferExpired(InvalidTransition):
    pass


class NoSeatFree(EnrollmentError):
    """Staff tried to give someone a seat on a full offering."""


class CapacityBelowConfirmed(EnrollmentError):
    """Capacity cannot go below the seats already held (confirmed + offered)."""

    def __init__(self, minimum: int) -> None:
        super().__init__(minimum)
        self.minimum = minimum


# --- the lock ------------------------------------------------------------------------------


def lock_offering(offering_id: int) -> Offering:
    """Take the offering's row lock for the rest of the transaction and return it fresh.

    PostgreSQL: SELECT ... FOR UPDATE. SQLite ignores FOR UPDATE; there the transaction was
    opened with BEGIN IMMEDIATE (app.transaction), which already serialises writers.
    """
    offering = (
        db.session.scalars(_LOCK_OFFERING, {"lock_offering": offering_id}).unique().one_or_none()
    )
    if offering is None:
        raise NotFound(offering_id)
    return offering


# Built once (see app/enrollment/seats.py). The audiences and their shares come in the same
# statement: read afresh after the lock, but without one more round trip while it is held.
_LOCK_OFFERING = (
    sa.select(Offering)
    .where(Offering.id == sa.bindparam("lock_offering"))
    .options(joinedload(Offering.audience_rows))
    .with_for_update(of=Offering)
    .execution_options(populate_existing=True)
)


def claim_offering(offering_id: int) -> bool:
    """Take the offering's row lock unless someone holds it (then False, without waiting).

    For scheduled commands that run on every server at once: PostgreSQL's SKIP LOCKED lets
    each run take the offerings no other run is working on. SQLite's write lock (BEGIN
    IMMEDIATE) already lets one run at a time in, so there it always succeeds.
    """
    return (
        db.session.scalar(
            sa.select(Offering.id)
            .where(Offering.id == offering_id)
            .with_for_update(skip_locked=True)
        )
        is not None
    )


def _load_locked(enrollment_id: int) -> Enrollment:
    """An enrollment, re-read after its offering is locked (its status may have changed)."""
    offering_id = db.session.scalar(
        sa.select(Enrollment.offering_id).where(Enrollment.id == enrollment_id)
    )
    if offering_id is None:
        raise NotFound(enrollment_id)
    lock_offering(offering_id)
    return db.session.scalars(
        sa.select(Enrollment)
        .where(Enrollment.id == enrollment_id)
        .execution_options(populate_existing=True)
    ).one()


_UNREAD = object()


def _next_queued_at(offering_id: int, now: datetime, latest=_UNREAD) -> datetime:
    """Never before anyone already in line: the queue order is the order the lock was won.

    `latest`: the offering's latest queued_at, when the caller read it already (the sign-up).
    """
    if latest is _UNREAD:
        latest = db.session.scalar(
            sa.select(sa.func.max(Enrollment.queued_at)).where(
                Enrollment.offering_id == offering_id
            )
        )
    if latest is not None:
        latest = as_utc(latest)
        if latest > now:
            return latest + timedelta(microseconds=1)
    return now


def waitlist_position(enrollment: Enrollment) -> int | None:
    """1 for the first in line; None when the person is not waiting."""
    return waitlist_positions([enrollment]).get(enrollment.id)


def waitlist_positions(enrollments: Iterable[Enrollment]) -> dict[int, int]:
    """The place on the waiting list of each waiting person among `enrollments`, in one
    query (the courier's batch of mails): in line in the order they got in line."""
    waiting = {e.id: e.offering_id for e in enrollments if e.status == EnrollmentStatus.WAITLISTED}
    if not waiting:
        return {}
    line = (
        sa.select(
            Enrollment.id,
            sa.func.row_number()
            .over(
                partition_by=Enrollment.offering_id,
                order_by=(Enrollment.queued_at, Enrollment.id),
            )
            .label("position"),
        )
        .where(
            Enrollment.offering_id.in_(set(waiting.values())),
            Enrollment.status == EnrollmentStatus.WAITLISTED,
        )
        .subquery()
    )
    rows = db.session.execute(
        sa.select(line.c.id, line.c.position).where(line.c.id.in_(waiting))
    ).all()
    return {row.id: int(row.position) for row in rows}


def _active_enrollment_for(offering_id: int, email_normalized: str) -> Enrollment | None:
    return db.session.scalars(
        sa.select(Enrollment).where(
            Enrollment.offering_id == offering_id,
            Enrollment.email_normalized == email_normalized,
            Enrollment.status.in_(ACTIVE_ENROLLMENT_STATUSES),
        )
    ).first()


def _new_enrollment(
    offering: Offering, person: PersonDetails, *, status, now, latest_queued_at=_UNREAD
) -> tuple:
    email = (person.email or "").strip() or None
    enrollment = Enrollment(
        offering_id=offering.id,
        name=person.name.strip(),
        email=email,
        email_normalized=normalize_email(email) if email else None,
        phone=(person.phone or "").strip() or None,
        audience=person.audience,
        status=status,
        queued_at=_next_queued_at(offering.id, now, latest_queued_at),
        consent_at=now,
        # A staff-only offering offers no peer companion, and only it may ask for a workplace.
        wants_companion=bool(person.wants_companion) and not offering.for_staff_only,
        sms_reminders=bool(person.sms_reminders and person.phone),
        needs=(person.needs or "").strip() or None,
        workplace=((person.workplace or "").strip() or None)
        if offering.for_staff_only and offering.asks_workplace
        else None,
        language=person.language if person.language in ("da", "en") else "da",
        manage_token_hash=new_manage_nonce_hash(),
        privacy_notice_version=person.privacy_notice_version,
        confirmed_at=now if status == EnrollmentStatus.CONFIRMED else None,
        first_talk=TalkStatus.TO_DO if status == EnrollmentStatus.INTERESTED else None,
        created_at=now,
        updated_at=now,
    )
    enrollment.offering = offering
    db.session.add(enrollment)
    db.session.flush()
    return enrollment, manage_token(enrollment)


def can_cancel(enrollment: Enrollment) -> bool:
    """A seat or a request is cancelled here; an offer is declined, the waiting list left."""
    return enrollment.status in (
        EnrollmentStatus.CONFIRMED,
        EnrollmentStatus.REQUESTED,
        EnrollmentStatus.INTERESTED,
    )


# --- signing up ----------------------------------------------------------------------------


def enroll(offering_id: int, person: PersonDetails, *, now: datetime) -> tuple[Enrollment, str]:
    """Sign a person up: a seat, a place on the waiting list, or a request to join.

    Returns the enrollment and its plain manage token (only its hash is stored).
    """
    offering = lock_offering(offering_id)
    if offering.status == OfferingStatus.DRAFT:
        raise NotFound(offering_id)
    # Everything the decision needs, in one statement after the lock (a rush waits for each
    # statement here, once per person in line).
    facts = signup_facts(offering, normalize_email(person.email))
    state = availability(facts_from_row(offering, facts), now)
    if not state.signup_possible:
        raise SignupClosed(state.state)
    if person.audience not in offering.audiences:
        raise AudienceNotAllowed(person.audience)
    if facts.existing_id is not None:
        raise AlreadyEnrolled(db.session.get(Enrollment, facts.existing_id))
    if offering.enrolment_mode == EnrolmentMode.INTEREST:
        status = EnrollmentStatus.INTERESTED  # on the list until the first talk and the start
    elif offering.enrolment_mode == EnrolmentMode.REQUEST:
        status = EnrollmentStatus.REQUESTED
    elif has_seat_for(offering, person.audience, now, taken=int(facts.seats_taken)):
        status = EnrollmentStatus.CONFIRMED
    else:
        status = EnrollmentStatus.WAITLISTED
    enrollment, token = _new_enrollment(
        offering, person, status=status, now=now, latest_queued_at=facts.latest_queued_at
    )
    hold_hours = float(current_app.config.get("SIGNUP_CONFIRM_HOURS") or 0)
    if status == EnrollmentStatus.CONFIRMED and hold_hours > 0:
        enrollment.hold_expires_at = now + timedelta(hours=hold_hours)
        db.session.flush()
    # The mail is written after the commit, when the offering's lock is let go.
    mail_standing_after_commit(enrollment, now)
    if status == EnrollmentStatus.REQUESTED:
        tell_facilitators(enrollment, NoticeEvent.REQUEST, now=now)
    return enrollment, token


def confirm_address(enrollment_id: int, *, now: datetime) -> Enrollment:
    """The person opened the mailed link and confirmed: the held seat is theirs for good."""
    enrollment = _load_locked(enrollment_id)
    if enrollment.hold_expires_at is None:
        return enrollment
    if enrollment.status != EnrollmentStatus.CONFIRMED:
        raise InvalidTransition(enrollment.status)
    if enrollment.hold_expires_at <= now:
        raise OfferExpired(enrollment.status)
    enrollment.hold_expires_at = None
    enrollment.updated_at = now
    db.session.flush()
    return enrollment


def sign_up(offering_id: int, person: PersonDetails, *, now: datetime) -> str | None:
    """The public sign-up: the new enrollment's manage token, or None when the address was
    already signed up. Then its manage link is mailed to it again, and the page says no more
    than that a mail is on its way (it never tells a stranger who is signed up)."""
    try:
        _enrollment, token = enroll(offering_id, person, now=now)
    except AlreadyEnrolled as already:  # the offering is locked already: no second lock
        _mail_link_again(already.enrollment, now=now)
        return None
    return token


def resend_manage_link(enrollment_id: int, *, now: datetime) -> None:
    """Someone signed up again with the same address: mail their manage link to it again."""
    _mail_link_again(_load_locked(enrollment_id), now=now)


def _mail_link_again(enrollment: Enrollment, *, now: datetime) -> None:
    mail_standing_after_commit(enrollment, now, kind=MailKind.ALREADY_ENROLLED)
    # A new sign-up raises its offering's seat counter: so does this one, so that both
    # answers do the same work (nobody learns from the time who is signed up).
    note_seats_changed(db.session(), enrollment.offering_id)


def add_participant_by_staff(
    offering_id: int, person: PersonDetails, *, now: datetime, staff_user_id: int
) -> Enrollment:
    """Staff sign up someone who phoned: a seat if one is free, else the waiting list.

    The sign-up window and audiences do not bind staff; consent is recorded as given now.
    Without an email address nobody is mailed: staff tell the person by phone.
    """
    offering = lock_offering(offering_id)
    if offering.status == OfferingStatus.CANCELLED:
        raise SignupClosed(SeatState.CANCELLED)
    if person.email:
        existing = _active_enrollment_for(offering.id, normalize_email(person.email))
        if existing is not None:
            raise AlreadyEnrolled(existing)
    seat = has_seat_for(offering, person.audience, now)
    status = EnrollmentStatus.CONFIRMED if seat else EnrollmentStatus.WAITLISTED
    enrollment, token = _new_enrollment(offering, person, status=status, now=now)
    enrollment.added_by_id = staff_user_id
    mail_standing(enrollment, token, now)
    return enrollment


# --- freeing and filling seats -------------------------------------------------------------


def _offer_hours() -> float:
    return float(current_app.config.get("WAITLIST_OFFER_HOURS", 48))


def _next_in_line(offering: Offering, now: datetime):
    """The waiting people to give a seat to, in turn, while a seat is free.

    Without audience shares: the first in line, again and again. With them: the first in
    line whose audience may take a seat now; someone whose audience has none left keeps
    their place while the people behind them move up.
    """
    shares = shares_of(offering)
    if not shares_apply(shares):
        while has_free_seat(offering):
            first = db.session.scalars(
                sa.select(Enrollment)
                .where(
                    Enrollment.offering_id == offering.id,
                    Enrollment.status == EnrollmentStatus.WAITLISTED,
                )
                .order_by(Enrollment.queued_at, Enrollment.id)
                .limit(1)
            ).first()
            if first is None:
                return
            yield first
        return
    held = held_by_audience([offering.id])[offering.id]
    waiting = db.session.scalars(
        sa.select(Enrollment)
        .where(
            Enrollment.offering_id == offering.id,
            Enrollment.status == EnrollmentStatus.WAITLISTED,
        )
        .order_by(Enrollment.queued_at, Enrollment.id)
    ).all()
    for person in waiting:
        if not has_free_seat(offering):
            return
        audience = str(person.audience)
        if can_take_seat(audience, offering.capacity, shares, held, now):
            held[audience] = held.get(audience, 0) + 1
            yield person


def waiting_list_moves(offering: Offering, seats: OfferingSeats) -> bool:
    """Whether a seat freed now goes to the waiting list: not once sign-up has closed (the
    course has begun) or the offering is cancelled or unpublished."""
    return offering.status == OfferingStatus.PUBLISHED and seats.availability.state not in (
        SeatState.CLOSED,
        SeatState.CANCELLED,
    )


def seat_given_up(offering: Offering, seats: OfferingSeats) -> str:
    """What becomes of a seat its holder gives up now, as the cancel page tells them:
    "next_in_line" (the waiting list gets it), "free" (anyone may take it) or "gone"
    (sign-up has closed: nobody gets it, and they cannot sign up again)."""
    if waiting_list_moves(offering, seats) and seats.availability.waitlist_count > 0:
        return "next_in_line"
    return "free" if seats.availability.signup_possible else "gone"


def fill_freed_seats(offering_id: int, *, now: datetime) -> list[Enrollment]:
    """Give free seats to the waiting list, first come first served; returns who got one.

    With WAITLIST_OFFER_HOURS > 0 the seat is offered and held until the person answers (or
    the offer expires); with 0 the next person is confirmed at once.
    """
    offering = lock_offering(offering_id)
    seats = offering_seats(offering, now)
    if not waiting_list_moves(offering, seats):
        return []
    hours = _offer_hours()
    closes = signup_closes_at(seats.facts)
    promoted: list[Enrollment] = []
    for first in _next_in_line(offering, now):
        token = manage_token(first)
        first.updated_at = now
        if hours <= 0:
            first.status = EnrollmentStatus.CONFIRMED
            first.confirmed_at = now
            db.session.flush()
            mail_confirmed(first, token=token, now=now)
        else:
            expires = now + timedelta(hours=hours)
            if closes is not None and now < closes < expires:
                expires = closes  # an offer for a course that has begun is no offer
            first.status = EnrollmentStatus.OFFERED
            first.offer_expires_at = expires
            db.session.flush()
            mail_offer(first, expires=expires, token=token, now=now)
        promoted.append(first)
    return promoted


def _end(enrollment: Enrollment, status: str, now: datetime, message: str | None = None) -> bool:
    """Move an active enrollment to an end state; True if it held a seat."""
    if enrollment.status not in ACTIVE_ENROLLMENT_STATUSES:
        raise InvalidTransition(enrollment.status)
    had_seat = enrollment.status in SEAT_HOLDING_STATUSES
    enrollment.status = status
    enrollment.cancelled_at = now
    enrollment.offer_expires_at = None
    enrollment.updated_at = now
    if message:
        enrollment.staff_message = message
    db.session.flush()
    return had_seat


def _log_decision(
    action: str, enrollment: Enrollment, by_user_id: int | None, now: datetime
) -> None:
    """A staff decision about one person, in the audit log (ids only, never the name)."""
    record_audit(
        user_id=by_user_id,
        action=action,
        offering_id=enrollment.offering_id,
        now=now,
        details=f"enrollment {enrollment.id}: {enrollment.status}",
    )


def cancel_enrollment(
    enrollment_id: int,
    *,
    now: datetime,
    by_staff_id: int | None = None,
    message: str | None = None,
) -> Enrollment:
    """Cancel a sign-up (by the person or by staff); a freed seat goes to the next in line."""
    enrollment = _load_locked(enrollment_id)
    was_confirmed = enrollment.status == EnrollmentStatus.CONFIRMED
    had_seat = _end(enrollment, EnrollmentStatus.CANCELLED, now, message)
    if by_staff_id is not None:
        _log_decision(AuditAction.CANCEL_SEAT, enrollment, by_staff_id, now)
        mail_cancelled_by_staff(enrollment, message=message, had_seat=was_confirmed, now=now)
    else:
        enrollment.cancelled_by_person = True
        mail_cancelled(enrollment, had_seat=was_confirmed, now=now)
        tell_facilitators(enrollment, NoticeEvent.CANCELLED, now=now)
    if had_seat:
        fill_freed_seats(enrollment.offering_id, now=now)
    return enrollment


def leave_waitlist(enrollment_id: int, *, now: datetime) -> Enrollment:
    enrollment = _load_locked(enrollment_id)
    if enrollment.status != EnrollmentStatus.WAITLISTED:
        raise InvalidTransition(enrollment.status)
    _end(enrollment, EnrollmentStatus.CANCELLED, now)
    enrollment.cancelled_by_person = True
    mail_cancelled(enrollment, had_seat=False, now=now)
    tell_facilitators(enrollment, NoticeEvent.CANCELLED, now=now)
    return enrollment


def accept_offer(enrollment_id: int, *, now: datetime) -> Enrollment:
    """Say yes to a held seat before the offer runs out."""
    enrollment = _load_locked(enrollment_id)
    if enrollment.status != EnrollmentStatus.OFFERED:
        raise InvalidTransition(enrollment.status)
    if enrollment.offer_expires_at is not None and enrollment.offer_expires_at <= now:
        raise OfferExpired(enrollment.status)
    enrollment.status = EnrollmentStatus.CONFIRMED
    enrollment.confirmed_at = now
    enrollment.offer_expires_at = None
    enrollment.updated_at = now
    db.session.flush()
    mail_confirmed(enrollment, now=now)
    tell_facilitators(enrollment, NoticeEvent.OFFER_ACCEPTED, now=now)
    return enrollment


def decline_offer(enrollment_id: int, *, now: datetime) -> Enrollment:
    """Say no thanks to a held seat: it goes to the next person at once."""
    enrollment = _load_locked(enrollment_id)
    if enrollment.status != EnrollmentStatus.OFFERED:
        raise InvalidTransition(enrollment.status)
    _end(enrollment, EnrollmentStatus.CANCELLED, now)
    enrollment.cancelled_by_person = True
    mail_cancelled(enrollment, had_seat=False, now=now)
    tell_facilitators(enrollment, NoticeEvent.CANCELLED, now=now)
    fill_freed_seats(enrollment.offering_id, now=now)
    return enrollment


def _lapsed(now: datetime):
    """Offers nobody answered in time, and held seats whose address was never confirmed."""
    return sa.or_(
        sa.and_(Enrollment.status == EnrollmentStatus.OFFERED, Enrollment.offer_expires_at <= now),
        sa.and_(Enrollment.status == EnrollmentStatus.CONFIRMED, Enrollment.hold_expires_at <= now),
    )


def expire_offers(*, now: datetime) -> int:
    """Offers nobody answered in time, and seats held for an address nobody confirmed, go to
    the next person. Idempotent; run it every minute."""
    offering_ids = db.session.scalars(
        sa.select(Enrollment.offering_id)
        .where(_lapsed(now))
        .distinct()
        .order_by(Enrollment.offering_id)  # one lock order for everyone: no deadlocks
    ).all()
    expired = 0
    for offering_id in offering_ids:
        if not claim_offering(offering_id):
            continue  # another server's run (or a sign-up) holds it; the next run sees it
        stale = db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.offering_id == offering_id, _lapsed(now))
            .order_by(Enrollment.queued_at, Enrollment.id)
            .execution_options(populate_existing=True)
        ).all()
        for enrollment in stale:
            unconfirmed = enrollment.status == EnrollmentStatus.CONFIRMED
            _end(enrollment, EnrollmentStatus.CANCELLED, now)
            enrollment.hold_expires_at = None
            mail_offer_expired(enrollment, now=now, unconfirmed=unconfirmed)
            if not unconfirmed:
                tell_facilitators(enrollment, NoticeEvent.OFFER_EXPIRED, now=now)
            expired += 1
        if stale:
            fill_freed_seats(offering_id, now=now)
    return expired


def release_kept_seats(*, now: datetime) -> int:
    """Seats kept for an audience until a date that has passed go to the waiting list.

    A waiting staff member may have been held back only by seats kept for citizens; once
    the date passes nobody cancels, so nothing else would offer them the seat. Idempotent;
    `flask process-waitlist` runs it every minute. Returns how many got a seat.
    """
    offering_ids = db.session.scalars(
        sa.select(OfferingAudience.offering_id)
        .join(Offering, Offering.id == OfferingAudience.offering_id)
        .where(
            OfferingAudience.kept_until <= now,
            OfferingAudience.min_share_percent.is_not(None),
            Offering.status == OfferingStatus.PUBLISHED,
            sa.exists().where(
                Enrollment.offering_id == OfferingAudience.offering_id,
                Enrollment.status == EnrollmentStatus.WAITLISTED,
            ),
        )
        .distinct()
        .order_by(OfferingAudience.offering_id)  # one lock order for everyone
    ).all()
    seated = 0
    for offering_id in offering_ids:
        if claim_offering(offering_id):
            seated += len(fill_freed_seats(offering_id, now=now))
    return seated


# --- the facilitator's side ----------------------------------------------------------------


def approve_request(
    enrollment_id: int, *, now: datetime, by_user_id: int | None, message: str | None = None
) -> Enrollment:
    """Say yes to a request: a seat if one is free, else the waiting list from now."""
    enrollment = _load_locked(enrollment_id)
    if enrollment.status != EnrollmentStatus.REQUESTED:
        raise InvalidTransition(enrollment.status)
    enrollment.staff_message = message or enrollment.staff_message
    enrollment.updated_at = now
    if has_seat_for(enrollment.offering, enrollment.audience, now):
        enrollment.status = EnrollmentStatus.CONFIRMED
        enrollment.confirmed_at = now
        db.session.flush()
        token = manage_token(enrollment)
        mail_approved(enrollment, message=message, token=token, now=now)
    else:
        enrollment.status = EnrollmentStatus.WAITLISTED
        enrollment.queued_at = _next_queued_at(enrollment.offering_id, now)
        db.session.flush()
        token = manage_token(enrollment)
        position = waitlist_position(enrollment)
        mail_waitlisted(enrollment, position=position, token=token, now=now)
    _log_decision(AuditAction.APPROVE_REQUEST, enrollment, by_user_id, now)
    return enrollment


def decline_request(
    enrollment_id: int, *, now: datetime, by_user_id: int | None, message: str | None = None
) -> Enrollment:
    enrollment = _load_locked(enrollment_id)
    if enrollment.status != EnrollmentStatus.REQUESTED:
        raise InvalidTransition(enrollment.status)
    _end(enrollment, EnrollmentStatus.DECLINED, now, message)
    _log_decision(AuditAction.DECLINE_REQUEST, enrollment, by_user_id, now)
    mail_declined(enrollment, message=message, now=now)
    return enrollment


def move_from_waitlist(enrollment_id: int, *, now: datetime, by_user_id: int | None) -> Enrollment:
    """Staff give a waiting person a free seat at once (no offer round)."""
    enrollment = _load_locked(enrollment_id)
    if enrollment.status != EnrollmentStatus.WAITLISTED:
        raise InvalidTransition(enrollment.status)
    if not has_seat_for(enrollment.offering, enrollment.audience, now):
        raise NoSeatFree(enrollment.offering_id)
    enrollment.status = EnrollmentStatus.CONFIRMED
    enrollment.confirmed_at = now
    enrollment.updated_at = now
    db.session.flush()
    _log_decision(AuditAction.PROMOTE, enrollment, by_user_id, now)
    token = manage_token(enrollment)
    mail_confirmed(enrollment, token=token, now=now)
    return enrollment


def _seats_text(capacity: int | None) -> str:
    return "unlimited" if capacity is None else str(capacity)


def change_capacity(
    offering_id: int, new_capacity: int | None, *, now: datetime, by_user_id: int | None
) -> Offering:
    """Change the number of seats; never below those held, new seats go to the waiting list."""
    offering = lock_offering(offering_id)
    if new_capacity is not None:
        held = seats_taken(offering_id)
        if new_capacity < max(held, 1):
            raise CapacityBelowConfirmed(max(held, 1))
    record_audit(
        user_id=by_user_id,
        action=AuditAction.CHANGE_CAPACITY,
        offering_id=offering_id,
        now=now,
        details=f"capacity {_seats_text(offering.capacity)} → {_seats_text(new_capacity)}",
    )
    offering.capacity = new_capacity
    db.session.flush()
    fill_freed_seats(offering_id, now=now)
    return offering


@dataclass
class ShareSetting:
    """What staff set for one audience: a kept share until a date, and a maximum."""

    audience: str
    min_share_percent: int | None = None
    kept_until: datetime | None = None
    max_seats: int | None = None


class SharesTooLarge(EnrollmentError):
    """The kept shares add up to more than all the seats."""


class ShareNeedsCapacity(EnrollmentError):
    """A share of the seats needs a number of seats."""


def set_audience_shares(
    offering_id: int, settings: list[ShareSetting], *, now: datetime, by_user_id: int | None
) -> Offering:
    """Set the audience shares of an offering (audiences it is not for are ignored).

    Nobody loses a seat; a raised maximum, a smaller share or a past date can let waiting
    people in at once.
    """
    offering = lock_offering(offering_id)
    rows = {str(row.audience): row for row in offering.audience_rows}
    wanted = [s for s in settings if s.audience in rows]
    if any(s.min_share_percent for s in wanted) and offering.capacity is None:
        raise ShareNeedsCapacity(offering_id)
    if sum(s.min_share_percent or 0 for s in wanted) > 100:
        raise SharesTooLarge(offering_id)
    for setting in wanted:
        row = rows[setting.audience]
        row.min_share_percent = setting.min_share_percent or None
        row.kept_until = setting.kept_until if setting.min_share_percent else None
        row.max_seats = setting.max_seats
    offering.updated_at = now
    db.session.flush()
    record_audit(
        user_id=by_user_id,
        action=AuditAction.CHANGE_CAPACITY,
        offering_id=offering_id,
        now=now,
        details="audience shares: "
        + ", ".join(
            f"{s.audience} {s.min_share_percent or 0}% max {_seats_text(s.max_seats)}"
            for s in wanted
        ),
    )
    fill_freed_seats(offering_id, now=now)
    return offering


# --- corrections ---------------------------------------------------------------------------

KEEP = object()  # "leave the address as it is" (participants cannot change it themselves)


def correct_details(
    enrollment_id: int,
    *,
    name: str,
    phone: str | None | object = KEEP,
    needs: str | None | object = KEEP,
    email: str | None | object = KEEP,
    now: datetime,
    by_staff_id: int | None = None,
) -> list[str]:
    """Correct a person's name, phone and needs (and, for staff, the address); returns the
    names of the fields that changed. A field passed as KEEP stays as it is (participants do
    not change their address; staff change only what they may see). Staff corrections are
    audit-logged (field names only, never the values). An address already signed up for the
    offering is refused."""
    enrollment = _load_locked(enrollment_id)
    if enrollment.erased_at is not None:
        raise InvalidTransition(enrollment.status)
    given = {"name": name, "phone": phone, "email": email, "needs": needs}
    wanted = {
        field: (value or "").strip() or None for field, value in given.items() if value is not KEEP
    }
    changed = [field for field, value in wanted.items() if getattr(enrollment, field) != value]
    if "email" in changed and wanted["email"] is not None:
        other = _active_enrollment_for(enrollment.offering_id, normalize_email(wanted["email"]))
        if other is not None and other.id != enrollment.id:
            raise AlreadyEnrolled(other)
    if not changed:
        return []
    for field in changed:
        setattr(enrollment, field, wanted[field])
    if "email" in changed:
        address = enrollment.email
        enrollment.email_normalized = normalize_email(address) if address else None
    if enrollment.phone is None:
        enrollment.sms_reminders = False
    enrollment.updated_at = now
    db.session.flush()
    if by_staff_id is not None:
        record_audit(
            user_id=by_staff_id,
            action=AuditAction.CORRECT_DETAILS,
            offering_id=enrollment.offering_id,
            now=now,
            details=f"enrollment {enrollment.id}: {', '.join(changed)}",
        )
    return changed


# --- reading, for the participant's pages -------------------------------------------------


def enrollments_for_email(email_normalized: str) -> list[Enrollment]:
    """All of one person's enrollments, newest first (for "my bookings")."""
    return list(
        db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.email_normalized == email_normalized)
            .options(selectinload(Enrollment.offering).selectinload(Offering.occurrences))
            .order_by(Enrollment.created_at.desc(), Enrollment.id.desc())
        )
    )
