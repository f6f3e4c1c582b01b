"""Every key figure, aggregated in SQL: a fixed handful of queries whatever the volume.

Definitions (the page's footnotes say the same in plain words):
- the offerings *in scope* are the non-draft offerings the user may report on, narrowed by
  the filters; the offerings *of the period* are those with a date (occurrence) in it;
- an occurrence is *held* when it is scheduled and has started; *cancelled* when cancelled;
- a *sign-up* is every enrollment on an offering of the period, whatever became of it;
- a *participant* is a person (pseudonym) who got a seat (`confirmed_at` is set);
  *returning* when they had a seat on an offering that began before the period;
- *seats taken* are the enrollments holding a seat now (confirmed or offered);
- *waiting-list demand* counts sign-ups that never got a seat and were not requests
  turned down: still waiting, or gone from the list without a seat;
- a request is *approved* when staff said yes: with a seat, or onto the waiting list of a
  full offering (still waiting there, or offered a freed seat); *declined* when they said no.

Nothing here reads a name or an email: retention may blank them and the figures stay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.figures.period import Period
from app.models import (
    SEAT_HOLDING_STATUSES,
    Attendance,
    AttendanceStatus,
    Audience,
    Enrollment,
    EnrollmentStatus,
    EnrolmentMode,
    Occurrence,
    OccurrenceStatus,
    Offering,
    OfferingStatus,
    offering_co_organisers,
    offering_themes,
)


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    organisation_id: int | None = None
    theme_id: int | None = None
    offering_id: int | None = None


@dataclass
class RawFigures:
    """Exact counts. Never shown as they are: `suppression.py` turns them into a report."""

    offerings_held: int = 0
    occurrences_held: int = 0
    occurrences_cancelled: int = 0
    signups: dict[str, int] = field(default_factory=dict)  # by audience
    participants: int = 0
    returning: int = 0
    offerings_per_person: dict[str, int] = field(default_factory=dict)  # "1", "2", "3+"
    attendance: dict[str, int] = field(default_factory=dict)  # present, excused, absent
    seats: dict[str, int] = field(default_factory=dict)  # by audience, held now
    seats_offered: int = 0  # the capacity of offerings with a limit
    seats_taken_capped: int = 0  # seats taken there, never more than the capacity
    waitlist_demand: int = 0
    requests_approved: int = 0
    requests_declined: int = 0
    companion_wishes: int = 0
    # month (first day, ISO) -> series -> count
    months: dict[str, dict[str, int]] = field(default_factory=dict)


def _of_organisation(organisation_id: int) -> sa.ColumnElement[bool]:
    co_organised = sa.select(offering_co_organisers.c.offering_id).where(
        offering_co_organisers.c.organisation_id == organisation_id
    )
    return sa.or_(Offering.organisation_id == organisation_id, Offering.id.in_(co_organised))


def offerings_in_scope(scope_organisation_id: int | None, filters: Filters) -> sa.Select:
    """Ids of the offerings a user may report on, narrowed by the filters.

    `scope_organisation_id` None means every organisation (coordinators, admins).
    """
    query = sa.select(Offering.id).where(Offering.status != OfferingStatus.DRAFT)
    if scope_organisation_id is not None:
        query = query.where(_of_organisation(scope_organisation_id))
    if filters.kind:
        query = query.where(Offering.kind == filters.kind)
    if filters.organisation_id is not None:
        query = query.where(_of_organisation(filters.organisation_id))
    if filters.theme_id is not None:
        query = query.where(
            Offering.id.in_(
                sa.select(offering_themes.c.offering_id).where(
                    offering_themes.c.theme_id == filters.theme_id
                )
            )
        )
    if filters.offering_id is not None:
        query = query.where(Offering.id == filters.offering_id)
    return query


def _month_bucket(column, period: Period) -> sa.ColumnElement:
    """The month (its first day, as text) a UTC timestamp falls in, in Danish time.

    Month borders are computed here in Python (they move with summer time), so SQLite and
    PostgreSQL bucket exactly alike.
    """
    return sa.case(
        *[
            ((column >= lo) & (column < hi), sa.literal(first.isoformat()))
            for first, lo, hi in period.months()
        ],
        else_=sa.null(),
    )


def _count_if(condition) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def key_figures(
    period: Period, scope_organisation_id: int | None, filters: Filters, *, now: datetime
) -> RawFigures:
    figures = RawFigures()
    scope = offerings_in_scope(scope_organisation_id, filters).scalar_subquery()
    lo, hi = period.starts_at, period.ends_at
    in_period = sa.and_(Occurrence.starts_at >= lo, Occurrence.starts_at < hi)
    period_offerings = (
        sa.select(Occurrence.offering_id)
        .where(Occurrence.offering_id.in_(scope), in_period)
        .distinct()
        .scalar_subquery()
    )
    held = sa.and_(Occurrence.status == OccurrenceStatus.SCHEDULED, Occurrence.starts_at <= now)
    month = _month_bucket(Occurrence.starts_at, period)

    # 1. dates held and cancelled, per month
    for bucket, n_held, n_cancelled in db.session.execute(
        sa.select(
            month,
            _count_if(held),
            _count_if(Occurrence.status == OccurrenceStatus.CANCELLED),
        )
        .where(Occurrence.offering_id.in_(scope), in_period)
        .group_by(month)
    ):
        figures.occurrences_held += n_held
        figures.occurrences_cancelled += n_cancelled
        figures.months.setdefault(bucket, {})["occurrences_held"] = n_held
    figures.offerings_held = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Occurrence.offering_id))).where(
            Occurrence.offering_id.in_(scope), in_period, held
        )
    )

    # 2. sign-ups and what became of them, by audience
    seated_now = Enrollment.status.in_(SEAT_HOLDING_STATUSES)
    got_seat = Enrollment.confirmed_at.is_not(None)
    is_request = Offering.enrolment_mode == EnrolmentMode.REQUEST
    # A yes to a request when the offering is full puts it on the waiting list: approved too.
    approved = sa.and_(
        is_request,
        sa.or_(
            got_seat,
            Enrollment.status.in_((EnrollmentStatus.WAITLISTED, EnrollmentStatus.OFFERED)),
        ),
    )
    never_seated = sa.and_(
        ~got_seat,
        sa.or_(
            Enrollment.status.in_((EnrollmentStatus.WAITLISTED, EnrollmentStatus.OFFERED)),
            sa.and_(Enrollment.status == EnrollmentStatus.CANCELLED, ~is_request),
        ),
    )
    for row in db.session.execute(
        sa.select(
            Enrollment.audience,
            sa.func.count(),
            _count_if(seated_now),
            _count_if(never_seated),
            _count_if(approved),
            _count_if(Enrollment.status == EnrollmentStatus.DECLINED),
            _count_if(Enrollment.wants_companion),
        )
        .join(Offering, Offering.id == Enrollment.offering_id)
        .where(Enrollment.offering_id.in_(period_offerings))
        .group_by(Enrollment.audience)
    ):
        audience, signups, seats, demand, approved, declined, companion = row
        figures.signups[audience] = signups
        figures.seats[audience] = seats
        figures.waitlist_demand += demand
        figures.requests_approved += approved
        figures.requests_declined += declined
        figures.companion_wishes += companion
    # Wishes of people whose data was erased since, counted on their offering (app/privacy/).
    figures.companion_wishes += db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Offering.erased_companion_wishes), 0)).where(
            Offering.id.in_(period_offerings)
        )
    )
    for audience in Audience:
        figures.signups.setdefault(audience.value, 0)
        figures.seats.setdefault(audience.value, 0)

    # 3. sign-ups per month (by the day people signed up)
    signup_month = _month_bucket(Enrollment.created_at, period)
    for bucket, count in db.session.execute(
        sa.select(signup_month, sa.func.count())
        .where(Enrollment.offering_id.in_(period_offerings))
        .group_by(signup_month)
    ):
        if bucket is not None:
            figures.months.setdefault(bucket, {})["signups"] = count

    # 4. distinct participants, returning ones, offerings per person
    first_dates = (
        sa.select(Occurrence.offering_id, sa.func.min(Occurrence.starts_at).label("first"))
        .group_by(Occurrence.offering_id)
        .subquery()
    )
    earlier_seat = (
        sa.select(Enrollment.person_key)
        .join(first_dates, first_dates.c.offering_id == Enrollment.offering_id)
        .where(got_seat, first_dates.c.first < lo)
    )
    people = (
        sa.select(
            Enrollment.person_key.label("person"),
            sa.func.count(sa.distinct(Enrollment.offering_id)).label("offerings"),
        )
        .where(
            Enrollment.offering_id.in_(period_offerings),
            got_seat,
            Enrollment.person_key.is_not(None),
        )
        .group_by(Enrollment.person_key)
        .subquery()
    )
    total, returning, one, two, more = db.session.execute(
        sa.select(
            sa.func.count(),
            _count_if(people.c.person.in_(earlier_seat)),
            _count_if(people.c.offerings == 1),
            _count_if(people.c.offerings == 2),
            _count_if(people.c.offerings >= 3),
        ).select_from(people)
    ).one()
    figures.participants, figures.returning = total, returning
    figures.offerings_per_person = {"1": one, "2": two, "3+": more}

    # 5. attendance at the dates held, per month
    attendance_month = _month_bucket(Occurrence.starts_at, period)
    figures.attendance = {s.value: 0 for s in AttendanceStatus}
    for bucket, status, count in db.session.execute(
        sa.select(attendance_month, Attendance.status, sa.func.count())
        .join(Occurrence, Occurrence.id == Attendance.occurrence_id)
        .where(Occurrence.offering_id.in_(scope), in_period, held)
        .group_by(attendance_month, Attendance.status)
    ):
        figures.attendance[status] += count
        if status == AttendanceStatus.PRESENT:
            figures.months.setdefault(bucket, {})["present"] = count

    # 6. fill rate: seats taken against capacity, offerings with a limit only
    taken = (
        sa.select(
            Offering.capacity.label("capacity"),
            sa.func.count(Enrollment.id).label("taken"),
        )
        .select_from(Offering)
        .outerjoin(
            Enrollment,
            sa.and_(
                Enrollment.offering_id == Offering.id, Enrollment.status.in_(SEAT_HOLDING_STATUSES)
            ),
        )
        .where(Offering.id.in_(period_offerings), Offering.capacity.is_not(None))
        .group_by(Offering.id, Offering.capacity)
        .subquery()
    )
    offered, capped = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(taken.c.capacity), 0),
            sa.func.coalesce(
                sa.func.sum(
                    sa.case(
                        (taken.c.taken > taken.c.capacity, taken.c.capacity), else_=taken.c.taken
                    )
                ),
                0,
            ),
        )
    ).one()
    figures.seats_offered, figures.seats_taken_capped = int(offered), int(capped)

    for first, _lo, _hi in period.months():
        series = figures.months.setdefault(first.isoformat(), {})
        for name in ("occurrences_held", "signups", "present"):
            series.setdefault(name, 0)
    figures.months = {k: figures.months[k] for k in sorted(k for k in figures.months if k)}
    return figures
