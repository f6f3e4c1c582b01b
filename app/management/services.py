"""Business rules of the staff area: offerings, their dates, attendance and the audit log.

Plain functions with explicit arguments and `now` passed in. They raise `ManagementError`s
that views translate into messages, they flush, and the request (or CLI command) commits.
Enrollments are changed only by `app.enrollment.services`; mail goes through
`app.mail.notifications` into the outbox, in the same transaction as the change.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.audit import AuditAction, record_audit
from app.calendar.changes import mark_occurrence_changed
from app.enrollment.services import change_capacity
from app.extensions import db
from app.i18n import local, local_to_utc
from app.mail.kinds import TO_STAFF
from app.mail.notifications import (
    notify_occurrence_changed,
    notify_offering_cancelled,
    notify_participants,
)
from app.mail.outbox import send_again
from app.management.queries import recipients
from app.models import (
    Attendance,
    AttendanceStatus,
    Enrollment,
    EnrollmentStatus,
    EnrolmentMode,
    Facilitator,
    Location,
    Occurrence,
    OccurrenceStatus,
    Offering,
    OfferingAudience,
    OfferingStatus,
    Organisation,
    OutboxMessage,
    OutboxStatus,
    Theme,
    User,
)

MAX_SERIES_LENGTH = 104  # two years of weekly meetings; protects against a typo like 1000
SLUG_MAX = 120


class ManagementError(Exception):
    """A staff action that cannot be carried out; the view explains why."""


class SlugTaken(ManagementError):
    pass


class NoOccurrences(ManagementError):
    """An offering without a date cannot be published: nobody could sign up for anything."""


class WrongStatus(ManagementError):
    """A status change that the offering's or date's present status does not allow."""


class CancelledCannotBePublished(WrongStatus):
    """A cancelled offering has told its participants; publishing it again would confuse them."""


class NotPublished(WrongStatus):
    """Taking down applies to what is in the catalogue; a draft or cancelled one is not."""


class OfferingAlreadyCancelled(WrongStatus):
    pass


class DateAlreadyCancelled(WrongStatus):
    pass


class CancelledDateCannotMove(WrongStatus):
    """Participants were told the date is off; a new date is added instead of reviving it."""


class BadSeries(ManagementError):
    """The series rule gives no dates, or too many, or ends before it starts."""


class BadTimes(ManagementError):
    """An occurrence must end after it starts."""


class NotAParticipant(ManagementError):
    """Attendance is kept only for confirmed participants of the same offering."""


# --- slugs ---------------------------------------------------------------------------------

_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa"})


def slugify(text: str) -> str:
    """ "Angst – og håb" → "angst-og-haab": the URL word people can read aloud."""
    text = unicodedata.normalize("NFKD", text.translate(_DANISH))
    text = text.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:SLUG_MAX].strip("-") or "tilbud"


def slug_in_use(slug: str, *, except_id: int | None = None) -> bool:
    query = sa.select(Offering.id).where(Offering.slug == slug)
    if except_id is not None:
        query = query.where(Offering.id != except_id)
    return db.session.scalar(query) is not None


def unique_slug(base: str, *, except_id: int | None = None) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever is free."""
    base = slugify(base)
    candidate, n = base, 1
    while slug_in_use(candidate, except_id=except_id):
        n += 1
        suffix = f"-{n}"
        candidate = base[: SLUG_MAX - len(suffix)] + suffix
    return candidate


# --- offerings -----------------------------------------------------------------------------


@dataclass
class FacilitatorDetails:
    role: str
    user_id: int | None = None
    guest_name: str | None = None


@dataclass
class LocationDetails:
    name: str
    address: str
    postcode: str | None = None
    city: str | None = None
    room: str | None = None
    step_free: bool = False
    accessible_toilet: bool = False
    hearing_loop: bool = False
    accessibility_notes: str | None = None
    accessibility_notes_en: str | None = None
    directions: str | None = None
    directions_en: str | None = None


@dataclass
class OfferingDetails:
    """An offering's editable facts, written once: the form, `_apply` and "duplicate" read it.

    A field named like a column of `Offering` is copied to and from that column as it is
    (see `_COLUMNS`), so a new column costs one line here (plus the form field of the same
    name). The others are the offering's relations and the parts the form enters apart
    (`slug`, `capacity`, the place), each handled by name in `_apply` and `from_offering`.
    Indico's `populate_from_dict` is the model.
    """

    title: str
    kind: str
    summary: str
    organisation_id: int
    slug: str | None = None  # None: made from the title
    title_en: str | None = None
    summary_en: str | None = None
    description: str = ""
    description_en: str | None = None
    audiences: list[str] = field(default_factory=list)
    theme_ids: list[int] = field(default_factory=list)
    facilitators: list[FacilitatorDetails] = field(default_factory=list)
    location_id: int | None = None
    new_location: LocationDetails | None = None
    is_online: bool = False
    online_join_url: str | None = None
    capacity: int | None = None
    enrolment_mode: str = "instant"
    min_participants: int | None = None  # interest mode: how many must be ready to start
    signup_opens_at: datetime | None = None
    signup_closes_at: datetime | None = None
    teaching_language: str = "da"
    accessibility_notes: str | None = None
    accessibility_notes_en: str | None = None
    contact_email: str | None = None
    asks_workplace: bool = False
    co_organiser_ids: list[int] = field(default_factory=list)
    # Erase participants' data this many days after the last date, if sooner than the site's
    # rule (app/privacy/retention.py); a copy for the next season keeps the same reason.
    retention_days: int | None = None
    who5_enabled: bool = False

    @classmethod
    def from_offering(cls, offering: Offering) -> OfferingDetails:
        """The details an existing offering holds (to fill its form, or to copy it)."""
        return cls(
            **{name: getattr(offering, name) for name in _COLUMNS},
            slug=offering.slug,
            capacity=offering.capacity,
            location_id=offering.location_id,
            audiences=list(offering.audiences),
            theme_ids=[t.id for t in offering.themes],
            co_organiser_ids=[o.id for o in offering.co_organisers],
            facilitators=[
                FacilitatorDetails(role=f.role, user_id=f.user_id, guest_name=f.guest_name)
                for f in offering.facilitators
            ],
        )


# Details that are columns of Offering, copied as they are. Slug and capacity are columns
# too, but have rules of their own (unique; never below the seats held), as does the place.
_SPECIAL = {"slug", "capacity", "location_id"}
_COLUMNS = tuple(
    f.name
    for f in fields(OfferingDetails)
    if f.name in Offering.__table__.columns and f.name not in _SPECIAL
)


def _clean(name: str, value):
    """Text as stored: trimmed, and empty optional text as NULL (Markdown keeps its spaces)."""
    if name == "description":
        return value or ""
    if not isinstance(value, str):
        return value
    return value.strip() if not Offering.__table__.columns[name].nullable else _none_if_blank(value)


def _none_if_blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _location(details: OfferingDetails) -> Location | None:
    if details.new_location is not None:
        new = details.new_location
        location = Location(
            name=new.name.strip(),
            address=new.address.strip(),
            postcode=_none_if_blank(new.postcode),
            city=_none_if_blank(new.city),
            room=_none_if_blank(new.room),
            step_free=new.step_free,
            accessible_toilet=new.accessible_toilet,
            hearing_loop=new.hearing_loop,
            accessibility_notes=_none_if_blank(new.accessibility_notes),
            accessibility_notes_en=_none_if_blank(new.accessibility_notes_en),
            directions=_none_if_blank(new.directions),
            directions_en=_none_if_blank(new.directions_en),
        )
        db.session.add(location)
        return location
    if details.location_id:
        return db.session.get(Location, details.location_id)
    return None


def _apply(offering: Offering, details: OfferingDetails) -> None:
    """Copy the form's facts onto the offering (capacity is the caller's business)."""
    slug = _none_if_blank(details.slug)
    if slug:
        slug = slugify(slug)
        if slug_in_use(slug, except_id=offering.id):
            raise SlugTaken(slug)
    else:
        # Left empty (or cleared, as on a copy for next season): made from the title as it is.
        slug = unique_slug(details.title, except_id=offering.id)
    offering.slug = slug
    for name in _COLUMNS:
        setattr(offering, name, _clean(name, getattr(details, name)))
    offering.location = _location(details)

    wanted = set(details.audiences)
    offering.audience_rows = [r for r in offering.audience_rows if r.audience in wanted]
    have = {r.audience for r in offering.audience_rows}
    offering.audience_rows.extend(OfferingAudience(audience=a) for a in sorted(wanted - have))

    offering.themes = (
        list(db.session.scalars(sa.select(Theme).where(Theme.id.in_(details.theme_ids))))
        if details.theme_ids
        else []
    )
    offering.co_organisers = (
        list(
            db.session.scalars(
                sa.select(Organisation).where(
                    Organisation.id.in_(details.co_organiser_ids),
                    Organisation.id != details.organisation_id,
                )
            )
        )
        if details.co_organiser_ids
        else []
    )
    _set_facilitators(offering, details.facilitators)


def _set_facilitators(offering: Offering, wanted: list[FacilitatorDetails]) -> None:
    """Keep rows that stay (their ids stay too), replace the rest, in the form's order."""
    existing = {
        (f.user_id, f.guest_name if f.user_id is None else None): f for f in offering.facilitators
    }
    rows: list[Facilitator] = []
    seen: set = set()
    for position, item in enumerate(wanted):
        key = (item.user_id, None if item.user_id else (item.guest_name or "").strip())
        if key in seen:
            continue
        seen.add(key)
        row = existing.get(key) or Facilitator(
            user_id=item.user_id, guest_name=None if item.user_id else key[1]
        )
        row.role = item.role
        row.position = position
        rows.append(row)
    offering.facilitators = rows


def create_offering(
    details: OfferingDetails, *, created_by_id: int | None, now: datetime
) -> Offering:
    """A new draft offering; publish it once it has dates."""
    offering = Offering(
        status=OfferingStatus.DRAFT,
        capacity=details.capacity,
        created_by_id=created_by_id,
        created_at=now,
        updated_at=now,
    )
    offering.slug = ""
    _apply(offering, details)
    db.session.add(offering)
    db.session.flush()
    return offering


def update_offering(
    offering: Offering, details: OfferingDetails, *, now: datetime, by_user_id: int | None
) -> Offering:
    """Save the form. Capacity goes through the sign-up service: it refuses to go below the
    confirmed count (`CapacityBelowConfirmed`) and offers new seats to the waiting list."""
    if details.capacity != offering.capacity:
        change_capacity(offering.id, details.capacity, now=now, by_user_id=by_user_id)
    _apply(offering, details)
    offering.revision += 1
    offering.updated_at = now
    db.session.flush()
    return offering


def publish_offering(offering: Offering, *, now: datetime) -> None:
    if offering.status == OfferingStatus.CANCELLED:
        raise CancelledCannotBePublished()
    # An interest-mode group is published to gather interest; its dates come at the start.
    interest = offering.enrolment_mode == EnrolmentMode.INTEREST and offering.started_at is None
    if not interest and not any(not o.is_cancelled for o in offering.occurrences):
        raise NoOccurrences()
    offering.status = OfferingStatus.PUBLISHED
    offering.updated_at = now
    db.session.flush()


def unpublish_offering(offering: Offering, *, now: datetime) -> None:
    """Back to draft: gone from the catalogue; people already signed up keep their seats."""
    if offering.status != OfferingStatus.PUBLISHED:
        raise NotPublished()
    offering.status = OfferingStatus.DRAFT
    offering.updated_at = now
    db.session.flush()


def cancel_offering(offering: Offering, *, now: datetime, message: str | None = None) -> None:
    """Cancel the whole offering; every date still to come is cancelled in every calendar,
    and every participant gets a message."""
    if offering.status == OfferingStatus.CANCELLED:
        raise OfferingAlreadyCancelled()
    offering.status = OfferingStatus.CANCELLED
    offering.cancellation_reason = _none_if_blank(message)
    offering.revision += 1
    offering.updated_at = now
    for occurrence in offering.occurrences:
        if not occurrence.is_cancelled and occurrence.ends_at > now:
            occurrence.status = OccurrenceStatus.CANCELLED
            occurrence.cancelled_at = now
            mark_occurrence_changed(occurrence, now=now)
    db.session.flush()
    notify_offering_cancelled(offering.id, now=now, message=_none_if_blank(message))


def duplicate_offering(
    offering: Offering, *, created_by_id: int | None, now: datetime, keep_join_link: bool = False
) -> Offering:
    """A draft copy for next term: everything but the slug, the dates and the people.

    It copies the offering's `OfferingDetails`, so a new detail is copied too. The private
    online join link is copied only with `keep_join_link` (the copier could see it on the
    original); otherwise the copy opens a way to a room its owner never shared.
    """
    details = OfferingDetails.from_offering(offering)
    details.slug = None  # made from the new title
    details.title = f"{offering.title} (kopi)"
    details.title_en = f"{offering.title_en} (copy)" if offering.title_en else None
    if not keep_join_link:
        details.online_join_url = None
    return create_offering(details, created_by_id=created_by_id, now=now)


# --- occurrences ---------------------------------------------------------------------------


def weekly_series(
    *,
    weekday: int,
    start: time,
    end: time,
    first_date: date,
    count: int | None = None,
    until: date | None = None,
    every_weeks: int = 1,
    skip: frozenset[date] | set[date] = frozenset(),
) -> list[tuple[datetime, datetime]]:
    """The (start, end) in UTC of a weekly or fortnightly series, computed in local time so
    that 17:00 stays 17:00 across the change to and from summer time.

    `weekday` is 0 for Monday. The series starts on the first such weekday on or after
    `first_date` and stops after `count` meetings or on `until` (inclusive). Skipped dates
    (holidays) do not count towards `count`.
    """
    if end <= start:
        raise BadTimes()
    if (count is None) == (until is None):
        raise BadSeries("give either a count or an end date")
    if count is not None and not 1 <= count <= MAX_SERIES_LENGTH:
        raise BadSeries("count out of range")
    if every_weeks not in (1, 2):
        raise BadSeries("weekly or fortnightly")
    day = first_date + timedelta(days=(weekday - first_date.weekday()) % 7)
    if until is not None and until < day:
        raise BadSeries("ends before it starts")
    dates: list[date] = []
    steps = 0
    while steps < MAX_SERIES_LENGTH * 3:
        steps += 1
        if until is not None and day > until:
            break
        if count is not None and len(dates) >= count:
            break
        if day not in skip:
            dates.append(day)
        day += timedelta(weeks=every_weeks)
    if not dates:
        raise BadSeries("no dates")
    if len(dates) > MAX_SERIES_LENGTH:
        raise BadSeries("too many dates")
    return [(local_to_utc(d, start), local_to_utc(d, end)) for d in dates]


def add_occurrences(
    offering: Offering,
    times: list[tuple[datetime, datetime]],
    *,
    now: datetime,
    note: str | None = None,
    location_id: int | None = None,
) -> list[Occurrence]:
    """New dates for an offering; a date that already exists (same start) is not repeated.
    `location_id` is a place other than the offering's usual one."""
    existing = {o.starts_at for o in offering.occurrences}
    added = []
    for starts_at, ends_at in times:
        if ends_at <= starts_at:
            raise BadTimes()
        if starts_at in existing:
            continue
        occurrence = Occurrence(
            offering=offering,
            starts_at=starts_at,
            ends_at=ends_at,
            note=_none_if_blank(note),
            location_id=location_id,
            updated_at=now,
        )
        db.session.add(occurrence)
        added.append(occurrence)
        existing.add(starts_at)
    offering.updated_at = now
    db.session.flush()
    return added


def move_occurrence(
    occurrence: Occurrence,
    *,
    starts_at: datetime,
    ends_at: datetime,
    location_id: int | None = None,
    note: str | None = None,
    now: datetime,
    message: str | None = None,
) -> None:
    """A new time (or room) for one date; participants are told, calendars update."""
    if occurrence.is_cancelled:
        raise CancelledDateCannotMove()
    if ends_at <= starts_at:
        raise BadTimes()
    was_starts_at = occurrence.starts_at
    occurrence.starts_at = starts_at
    occurrence.ends_at = ends_at
    occurrence.location_id = location_id
    occurrence.note = _none_if_blank(note)
    mark_occurrence_changed(occurrence, now=now)
    db.session.flush()
    notify_occurrence_changed(
        occurrence.id,
        change="moved",
        now=now,
        message=_none_if_blank(message),
        was_starts_at=was_starts_at,
    )


def cancel_occurrence(occurrence: Occurrence, *, now: datetime, message: str | None = None) -> None:
    """Cancel one date; it stays in calendars as cancelled, participants are told."""
    if occurrence.is_cancelled:
        raise DateAlreadyCancelled()
    occurrence.status = OccurrenceStatus.CANCELLED
    occurrence.cancelled_at = now
    mark_occurrence_changed(occurrence, now=now)
    db.session.flush()
    notify_occurrence_changed(
        occurrence.id, change="cancelled", now=now, message=_none_if_blank(message)
    )


# --- attendance ----------------------------------------------------------------------------


class NotHeldYet(ManagementError):
    """Who came (or did not) is known from the date's own day; before it, only who sent word
    that they cannot come (excused)."""


def attendance_open(occurrence: Occurrence, now: datetime) -> bool:
    """Whether who came may be marked: from the start of the date's day (local time), so a
    facilitator can tick people off as they arrive before it starts."""
    return local(now).date() >= local(occurrence.starts_at).date()


def marks_open(occurrence: Occurrence, now: datetime) -> list[AttendanceStatus]:
    """The marks that may be set on this date now: all from its day on, before it only
    "excused" (word that someone cannot come)."""
    if attendance_open(occurrence, now):
        return list(AttendanceStatus)
    return [AttendanceStatus.EXCUSED]


def _must_take_part(enrollment: Enrollment, occurrence: Occurrence) -> None:
    """Attendance is kept for the confirmed participants of the date's own offering."""
    if (
        enrollment.offering_id != occurrence.offering_id
        or enrollment.status != EnrollmentStatus.CONFIRMED
    ):
        raise NotAParticipant()


def set_attendance(
    enrollment: Enrollment,
    occurrence: Occurrence,
    status: str,
    *,
    recorded_by_id: int | None,
    now: datetime,
    as_cover: bool = False,
) -> Attendance:
    """Present, absent or excused: one row per person and date, the last tap wins.

    `as_cover`: a colleague of the owning organisation who does not run the offering marks
    it for a sick facilitator; the audit entry says so."""
    if status not in {s.value for s in AttendanceStatus}:
        raise ValueError(status)
    if status not in marks_open(occurrence, now):
        raise NotHeldYet()
    _must_take_part(enrollment, occurrence)
    row = _attendance_row(enrollment, occurrence)
    if row is None:
        row = Attendance(enrollment_id=enrollment.id, occurrence_id=occurrence.id)
        db.session.add(row)
    row.status = status
    row.recorded_at = now
    row.recorded_by_id = recorded_by_id
    db.session.flush()
    _audit_attendance(enrollment, occurrence, status, recorded_by_id, now, as_cover)
    return row


def tap_attendance(
    enrollment: Enrollment,
    occurrence: Occurrence,
    status: str,
    *,
    recorded_by_id: int | None,
    now: datetime,
    as_cover: bool = False,
) -> str | None:
    """One tap on the attendance page: the mark tapped, or no mark when it was already set (a
    tap by mistake is undone by tapping it again). Returns the mark the person has now."""
    row = _attendance_row(enrollment, occurrence)
    if row is None or row.status != status:
        set_attendance(
            enrollment,
            occurrence,
            status,
            recorded_by_id=recorded_by_id,
            now=now,
            as_cover=as_cover,
        )
        return status
    _must_take_part(enrollment, occurrence)
    db.session.delete(row)
    db.session.flush()
    _audit_attendance(enrollment, occurrence, "cleared", recorded_by_id, now, as_cover)
    return None


def _attendance_row(enrollment: Enrollment, occurrence: Occurrence) -> Attendance | None:
    return db.session.scalar(
        sa.select(Attendance).where(
            Attendance.enrollment_id == enrollment.id, Attendance.occurrence_id == occurrence.id
        )
    )


def _audit_attendance(
    enrollment: Enrollment,
    occurrence: Occurrence,
    mark: str,
    recorded_by_id: int | None,
    now: datetime,
    as_cover: bool,
) -> None:
    """The audit entry of a mark set (its status) or taken away ("cleared"); the audit log
    reads it back in words (app/management/audit_log.py)."""
    record_audit(
        user_id=recorded_by_id,
        action=(
            AuditAction.RECORD_ATTENDANCE_AS_COVER if as_cover else AuditAction.RECORD_ATTENDANCE
        ),
        offering_id=occurrence.offering_id,
        now=now,
        details=f"enrollment {enrollment.id}, occurrence {occurrence.id}: {mark}",
    )


class NotDropIn(ManagementError):
    """A headcount is for drop-in meetings, which have no list of participants."""


def set_headcount(occurrence: Occurrence, headcount: int, *, now: datetime) -> None:
    """How many came to a drop-in date; the last number saved wins."""
    if occurrence.offering.enrolment_mode != EnrolmentMode.DROP_IN:
        raise NotDropIn()
    if not attendance_open(occurrence, now):
        raise NotHeldYet()
    if headcount < 0:
        raise ValueError(headcount)
    occurrence.headcount = headcount
    db.session.flush()


class NothingToSendAgain(ManagementError):
    """The mail is not (or no longer) a failed mail to this person."""


class NoAddress(ManagementError):
    """The person has no email address (any more): staff phone them."""


def send_mail_again(enrollment: Enrollment, message_id: int, *, now: datetime) -> None:
    """Send a participant's undelivered mail again, to their address as it is now."""
    message = db.session.get(OutboxMessage, message_id)
    if (
        message is None
        or message.enrollment_id != enrollment.id
        or message.status != OutboxStatus.FAILED
        or message.kind in TO_STAFF
    ):
        raise NothingToSendAgain()
    if not enrollment.email:
        raise NoAddress()
    send_again(message, to_address=enrollment.email, now=now)


# --- writing to participants ----------------------------------------------------------


def email_participants(
    offering: Offering,
    *,
    audience: str,
    occurrence_id: int | None,
    subject: str,
    body: str,
    sent_by_id: int | None,
    now: datetime,
) -> int:
    """Put one message per chosen participant in the outbox and log it; returns how many.
    Each is in the participant's language, and an answer goes to the staff member who wrote."""
    ids = recipients(offering.id, audience, occurrence_id=occurrence_id)
    sender = db.session.get(User, sent_by_id) if sent_by_id else None
    count = (
        notify_participants(
            offering.id,
            ids,
            subject=subject,
            body=body,
            now=now,
            reply_to=sender.email if sender else None,
        )
        if ids
        else 0
    )
    record_audit(
        user_id=sent_by_id,
        action=AuditAction.EMAIL_PARTICIPANTS,
        offering_id=offering.id,
        now=now,
        details=f"{audience}: {count}",
    )
    return count
