"""Read-side queries of the staff area: lists, the dashboard, participants, key figures.

Each page's query is written on purpose: counts are aggregated in SQL, related rows come
with `selectinload`, so a page costs the same few queries however much data there is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.database import as_utc
from app.enrollment.absence import word_sent_for
from app.enrollment.seats import SeatCounts, seat_counts
from app.extensions import db
from app.i18n import local, local_to_utc
from app.mail.kinds import TO_STAFF
from app.models import (
    ACTIVE_ENROLLMENT_STATUSES,
    Attendance,
    AttendanceStatus,
    Enrollment,
    EnrollmentStatus,
    Facilitator,
    Location,
    Occurrence,
    OccurrenceStatus,
    Offering,
    OfferingStatus,
    Organisation,
    OutboxMessage,
    OutboxStatus,
    Theme,
    User,
    UserRole,
    offering_co_organisers,
)

DASHBOARD_DAYS = 14
DASHBOARD_MIN_ROWS = 10
DASHBOARD_MAX_ROWS = 40


def load_offering(offering_id: int) -> Offering | None:
    """An offering with what the policy and the staff pages need."""
    return db.session.scalars(
        sa.select(Offering)
        .where(Offering.id == offering_id)
        .options(
            joinedload(Offering.organisation),
            joinedload(Offering.location),
            selectinload(Offering.co_organisers),
            selectinload(Offering.facilitators).joinedload(Facilitator.user),
            selectinload(Offering.occurrences).joinedload(Occurrence.location_override),
            selectinload(Offering.audience_rows),
            selectinload(Offering.themes),
        )
    ).first()


def _visible_to(user: User):
    """SQL twin of policy.can_view_offering, for lists (the policy still checks each page)."""
    if user.role == UserRole.ADMIN:
        return sa.true()
    of_org = sa.or_(
        Offering.organisation_id == user.organisation_id,
        sa.exists().where(
            offering_co_organisers.c.offering_id == Offering.id,
            offering_co_organisers.c.organisation_id == user.organisation_id,
        ),
    )
    facilitates = sa.exists().where(
        Facilitator.offering_id == Offering.id, Facilitator.user_id == user.id
    )
    if user.role == UserRole.VOLUNTEER_LEADER:  # only the groups they lead
        return facilitates
    return sa.or_(of_org, facilitates)


def _facilitated_by(user: User):
    """ "My" offerings for the dashboard: the ones I am named as a facilitator of."""
    return sa.exists().where(Facilitator.offering_id == Offering.id, Facilitator.user_id == user.id)


@dataclass
class OfferingRow:
    offering: Offering
    next_start: datetime | None
    counts: SeatCounts


def offerings_for(user: User, *, now: datetime, status: str | None = None) -> list[OfferingRow]:
    """Every offering this user may see, drafts first, then by next date."""
    next_start = (
        sa.select(sa.func.min(Occurrence.starts_at))
        .where(
            Occurrence.offering_id == Offering.id,
            Occurrence.status == OccurrenceStatus.SCHEDULED,
            Occurrence.ends_at >= now,
        )
        .scalar_subquery()
    )
    query = (
        sa.select(Offering, next_start.label("next_start"))
        .where(_visible_to(user))
        .options(joinedload(Offering.organisation))
        .order_by(
            sa.case((Offering.status == OfferingStatus.DRAFT, 0), else_=1),
            next_start.is_(None),
            next_start,
            Offering.title,
        )
    )
    if status:
        query = query.where(Offering.status == status)
    rows = db.session.execute(query).all()
    counts = seat_counts([r.Offering.id for r in rows])
    return [OfferingRow(r.Offering, as_utc(r.next_start), counts[r.Offering.id]) for r in rows]


@dataclass
class DashboardRow:
    occurrence: Occurrence
    counts: SeatCounts
    sent_word: list[Enrollment] = field(default_factory=list)  # afbud: cannot come this time


@dataclass
class Dashboard:
    rows: list[DashboardRow]
    # Offerings with requests to answer, each once (not once per date), with their count.
    requests: list[tuple[Offering, int]]


def start_of_local_day(now: datetime) -> datetime:
    """Midnight in Copenhagen today, in UTC: today's dates stay until the day is over."""
    return local_to_utc(local(now).date(), time(0, 0))


def my_dashboard(user: User, *, now: datetime) -> Dashboard:
    """The dates of the offerings I facilitate: everything in the next 14 days, and at least
    the next 10. Today's dates stay until midnight, so attendance can be taken afterwards."""
    rows = list(
        db.session.scalars(
            sa.select(Occurrence)
            .join(Offering, Offering.id == Occurrence.offering_id)
            .where(
                _facilitated_by(user),
                Occurrence.ends_at >= start_of_local_day(now),
                Offering.status != OfferingStatus.CANCELLED,
            )
            .options(
                joinedload(Occurrence.offering).joinedload(Offering.location),
                joinedload(Occurrence.location_override),
            )
            .order_by(Occurrence.starts_at, Occurrence.id)
            .limit(DASHBOARD_MAX_ROWS)
        )
    )
    horizon = now + timedelta(days=DASHBOARD_DAYS)
    rows = [o for i, o in enumerate(rows) if i < DASHBOARD_MIN_ROWS or o.starts_at < horizon]
    offering_ids = sorted({o.offering_id for o in rows})
    counts = seat_counts(offering_ids)
    sent_word = word_sent_for([o.id for o in rows])
    return Dashboard(
        rows=[DashboardRow(o, counts[o.offering_id], sent_word.get(o.id, [])) for o in rows],
        requests=_my_requests(user),
    )


def _my_requests(user: User) -> list[tuple[Offering, int]]:
    """Every offering I facilitate with requests waiting for an answer, whatever its dates."""
    rows = db.session.execute(
        sa.select(Offering, sa.func.count(Enrollment.id))
        .join(Enrollment, Enrollment.offering_id == Offering.id)
        .where(
            _facilitated_by(user),
            Offering.status != OfferingStatus.CANCELLED,
            Enrollment.status == EnrollmentStatus.REQUESTED,
        )
        .group_by(Offering.id)
        .order_by(Offering.title)
    ).all()
    return [(offering, count) for offering, count in rows]


# --- participants --------------------------------------------------------------------------


@dataclass
class Participants:
    confirmed: list[Enrollment] = field(default_factory=list)
    offered: list[Enrollment] = field(default_factory=list)
    waitlisted: list[Enrollment] = field(default_factory=list)  # in order: position = index + 1
    requested: list[Enrollment] = field(default_factory=list)
    interested: list[Enrollment] = field(default_factory=list)  # interest mode (app/interest/)
    ended: list[Enrollment] = field(default_factory=list)  # cancelled or declined

    @property
    def active(self) -> list[Enrollment]:
        return self.confirmed + self.offered + self.waitlisted + self.requested

    def waitlist_position(self, enrollment: Enrollment) -> int | None:
        for i, e in enumerate(self.waitlisted, start=1):
            if e.id == enrollment.id:
                return i
        return None


def participants(offering_id: int) -> Participants:
    result = Participants()
    enrollments = db.session.scalars(
        sa.select(Enrollment)
        .where(Enrollment.offering_id == offering_id)
        .order_by(Enrollment.queued_at, Enrollment.id)
    )
    groups = {
        EnrollmentStatus.CONFIRMED: result.confirmed,
        EnrollmentStatus.OFFERED: result.offered,
        EnrollmentStatus.WAITLISTED: result.waitlisted,
        EnrollmentStatus.REQUESTED: result.requested,
        EnrollmentStatus.INTERESTED: result.interested,  # shown on the interest list page
    }
    for e in enrollments:
        groups.get(e.status, result.ended).append(e)
    result.confirmed.sort(key=lambda e: e.name.lower())
    return result


def attendance_map(occurrence_ids: list[int]) -> dict[tuple[int, int], str]:
    """(enrollment_id, occurrence_id) → status."""
    if not occurrence_ids:
        return {}
    rows = db.session.execute(
        sa.select(Attendance.enrollment_id, Attendance.occurrence_id, Attendance.status).where(
            Attendance.occurrence_id.in_(occurrence_ids)
        )
    )
    return {(r.enrollment_id, r.occurrence_id): r.status for r in rows}


def recipients(offering_id: int, audience: str, *, occurrence_id: int | None = None) -> list[int]:
    """Enrollment ids for "email participants": all active, confirmed, waiting, or present."""
    # Those added with a phone number only get no mail: staff phone them.
    query = sa.select(Enrollment.id).where(
        Enrollment.offering_id == offering_id, Enrollment.email.is_not(None)
    )
    if audience == "confirmed":
        query = query.where(Enrollment.status == EnrollmentStatus.CONFIRMED)
    elif audience == "waitlisted":
        query = query.where(Enrollment.status == EnrollmentStatus.WAITLISTED)
    elif audience == "interested":
        query = query.where(Enrollment.status == EnrollmentStatus.INTERESTED)
    elif audience == "present":
        query = query.join(Attendance, Attendance.enrollment_id == Enrollment.id).where(
            Attendance.occurrence_id == occurrence_id,
            Attendance.status == AttendanceStatus.PRESENT,
        )
    else:
        query = query.where(Enrollment.status.in_(ACTIVE_ENROLLMENT_STATUSES))
    return list(db.session.scalars(query.order_by(Enrollment.id)))


# --- choices for forms -----------------------------------------------------------------------


def all_organisations() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))


def all_locations() -> list[Location]:
    return list(db.session.scalars(sa.select(Location).order_by(Location.name)))


def all_themes() -> list[Theme]:
    return list(db.session.scalars(sa.select(Theme).order_by(Theme.name)))


def staff_of(organisation_ids: list[int], *, include: list[int] = ()) -> list[User]:
    """Active staff of these organisations (plus `include`, e.g. facilitators already chosen)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                sa.or_(
                    sa.and_(User.organisation_id.in_(organisation_ids), User.is_active_account),
                    User.id.in_(list(include)),
                )
            )
            .options(joinedload(User.organisation))
            .order_by(User.name)
        )
    )


def accounts_of(organisation_id: int | None) -> list[User]:
    """Staff accounts by name: of one organisation, or every one (None)."""
    query = sa.select(User).options(joinedload(User.organisation)).order_by(User.name)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    return list(db.session.scalars(query))


@dataclass
class MailState:
    failed: list[OutboxMessage]
    pending_count: int
    oldest_pending: datetime | None


def mail_state(*, limit: int = 200) -> MailState:
    """Mail that gave up after its last retry, and how much is still waiting to go."""
    failed = list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.FAILED)
            .order_by(OutboxMessage.created_at.desc())
            .limit(limit)
        )
    )
    pending_count, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status.in_((OutboxStatus.DRAFT, OutboxStatus.PENDING))
        )
    ).one()
    return MailState(failed=failed, pending_count=pending_count, oldest_pending=as_utc(oldest))


def undelivered_mail(offering_id: int) -> dict[int, OutboxMessage]:
    """enrollment id → the latest mail to that person that gave up for good (staff see it on
    the participants list, in plain words, with "correct the address" and "send again")."""
    rows = db.session.scalars(
        sa.select(OutboxMessage)
        .join(Enrollment, Enrollment.id == OutboxMessage.enrollment_id)
        .where(
            Enrollment.offering_id == offering_id,
            OutboxMessage.status == OutboxStatus.FAILED,
            OutboxMessage.kind.not_in([str(kind) for kind in TO_STAFF]),
        )
        .order_by(OutboxMessage.id)
    )
    return {message.enrollment_id: message for message in rows}
