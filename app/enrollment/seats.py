"""Seats: how many are held and how many wait, for one offering or for a page of them.

pretix's `QuotaAvailability` is the model: one place counts what holds a seat, and every
reader asks it — the catalogue and offering pages, the API, the calendar feeds, the staff
pages and the sign-up service — so no two of them can count differently. What the counts
*mean* (open, full, closed) is decided by the pure rules in `availability.py`; this module
reads the database and hands those rules their facts.

    seat_summary()           per offering, as a subquery, for pages that join it (catalogue, feeds)
    facts_from_row(...)      the facts of an offering from such a joined row
    offering_seats(...)      one offering: facts and availability in one query
    public_offering_seats()  the same for a public offering found by its slug (sign-up pages)
    seat_counts(ids)         per offering, counts by status in one query (staff pages)
    seats_taken(id)          inside the sign-up lock: how many seats are held right now
    free_seat_now(...)       SQL twin of "one can take a seat now" (the catalogue's filter)
    held_by_audience(ids)    per offering and audience, seats held (audience shares)
    has_seat_for(...)        inside the sign-up lock: a seat for this audience, by every share
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.database import as_utc
from app.enrollment.availability import Availability, OfferingFacts, availability, seats_left
from app.enrollment.shares import can_take_seat, seats_left_by_audience, shares_apply, shares_of
from app.extensions import db
from app.models import (
    ACTIVE_ENROLLMENT_STATUSES,
    PUBLIC_OFFERING_STATUSES,
    SEAT_HOLDING_STATUSES,
    Audience,
    ChangeMarker,
    Enrollment,
    EnrollmentStatus,
    EnrolmentMode,
    Occurrence,
    OccurrenceStatus,
    Offering,
    OfferingKind,
    TalkStatus,
)

# --- a page of offerings ---------------------------------------------------------------------


def seat_summary(offering_ids: list[int] | None = None):
    """Per offering: seats held (confirmed + offered) and people waiting, as a subquery.

    Outer-join it on `offering_id`; an offering nobody signed up for has no row (read NULL
    as 0, as `facts_from_row` does). With `offering_ids`, only those offerings are counted.
    """
    only = [] if offering_ids is None else [Enrollment.offering_id.in_(offering_ids)]
    return (
        sa.select(
            Enrollment.offering_id.label("offering_id"),
            sa.func.sum(sa.case((Enrollment.status.in_(SEAT_HOLDING_STATUSES), 1), else_=0)).label(
                "seats_taken"
            ),
            sa.func.sum(
                sa.case((Enrollment.status == EnrollmentStatus.WAITLISTED, 1), else_=0)
            ).label("waitlist_count"),
            sa.func.sum(
                sa.case((Enrollment.status == EnrollmentStatus.INTERESTED, 1), else_=0)
            ).label("interest_count"),
            sa.func.sum(sa.case((_ready(), 1), else_=0)).label("ready_count"),
        )
        .where(*only)
        .group_by(Enrollment.offering_id)
        .subquery("seat_summary")
    )


def with_seats(facts: OfferingFacts, row) -> OfferingFacts:
    """`facts` with the seat counts of a `seat_summary` row (None: nobody signed up)."""
    return dataclasses.replace(
        facts,
        seats_taken=int(row.seats_taken or 0) if row else 0,
        waitlist_count=int(row.waitlist_count or 0) if row else 0,
        interest_count=int(row.interest_count or 0) if row else 0,
        ready_count=int(row.ready_count or 0) if row else 0,
    )


def seat_rows(offering_ids: list[int]) -> dict:
    """The `seat_summary` rows of these offerings, by offering id: one query."""
    if not offering_ids:
        return {}
    rows = db.session.execute(_SEAT_ROWS, {"seat_rows_ids": list(offering_ids)})
    return {row.offering_id: row for row in rows}


def _ready():
    """On the interest list and had the first talk: ready for the group to start."""
    return sa.and_(
        Enrollment.status == EnrollmentStatus.INTERESTED, Enrollment.first_talk == TalkStatus.HELD
    )


# Built once (every page after a sign-up reads it): building it anew cost more than running it.
_SEAT_ROWS = sa.select(seat_summary(sa.bindparam("seat_rows_ids", expanding=True)))


def facts_from_row(offering: Offering, row) -> OfferingFacts:
    """The facts availability needs, from a row with first/last start and the seat summary."""
    return OfferingFacts(
        kind=offering.kind,
        status=offering.status,
        enrolment_mode=offering.enrolment_mode,
        capacity=offering.capacity,
        signup_opens_at=offering.signup_opens_at,
        signup_closes_at=offering.signup_closes_at,
        first_start=as_utc(row.first_start),
        last_start=as_utc(row.last_start),
        seats_taken=int(row.seats_taken or 0),
        waitlist_count=int(row.waitlist_count or 0),
        interest_count=int(getattr(row, "interest_count", 0) or 0),
        ready_count=int(getattr(row, "ready_count", 0) or 0),
        min_participants=offering.min_participants,
        started=offering.started_at is not None,
    )


def free_seat_now(*, first_start, last_start, next_start, seats_taken, now: datetime):
    """SQL: one can take a seat now, or just come (the catalogue's "free seats" filter).

    The twin of `availability()` answering OPEN or JUST_COME for a published offering, by the
    same rules: seats below capacity, and sign-up not closed (at the deadline staff set, but
    never after the last date has begun; without one, courses and meetings close when they
    begin, groups at their last date). Arguments are columns of the caller's joined summaries.
    """
    natural_close = sa.case((Offering.kind == OfferingKind.GROUP, last_start), else_=first_start)
    drop_in = Offering.enrolment_mode == EnrolmentMode.DROP_IN
    return sa.and_(
        next_start.is_not(None),
        sa.or_(
            drop_in,
            Offering.capacity.is_(None),
            sa.func.coalesce(seats_taken, 0) < Offering.capacity,
        ),
        sa.or_(
            drop_in,
            sa.and_(Offering.signup_closes_at.is_(None), natural_close > now),
            sa.and_(Offering.signup_closes_at > now, last_start > now),
        ),
    )


# --- one offering ----------------------------------------------------------------------------


@dataclass
class OfferingSeats:
    """An offering with its facts and what a visitor is told about its seats."""

    offering: Offering
    facts: OfferingFacts
    availability: Availability
    # Where audience shares apply: seats a person of each audience can take now.
    by_audience: dict[str, int | None] | None = None

    @property
    def audience_seats_shown(self) -> list[tuple[Audience, int | None]]:
        """(audience, seats left) in the offering's order, for pages; empty without shares."""
        return audience_seats_in_order(self.by_audience)


def audience_seats_in_order(
    by_audience: dict[str, int | None] | None,
) -> list[tuple[Audience, int | None]]:
    """(audience, seats left) in the order pages list audiences; empty without shares."""
    if not by_audience:
        return []
    return [(a, by_audience[a]) for a in Audience if a in by_audience]


def _facts_row(offering_id: int):
    """Dates and seat counts of one offering in a single query."""
    return db.session.execute(_FACTS, {"facts_offering": offering_id}).one()


def _facts_columns(offering_id: int) -> list:
    scheduled = (Occurrence.offering_id == offering_id) & (
        Occurrence.status == OccurrenceStatus.SCHEDULED
    )
    mine = Enrollment.offering_id == offering_id
    return [
        sa.select(sa.func.min(Occurrence.starts_at))
        .where(scheduled)
        .scalar_subquery()
        .label("first_start"),
        sa.select(sa.func.max(Occurrence.starts_at))
        .where(scheduled)
        .scalar_subquery()
        .label("last_start"),
        sa.select(sa.func.count())
        .where(mine, Enrollment.status.in_(SEAT_HOLDING_STATUSES))
        .scalar_subquery()
        .label("seats_taken"),
        sa.select(sa.func.count())
        .where(mine, Enrollment.status == EnrollmentStatus.WAITLISTED)
        .scalar_subquery()
        .label("waitlist_count"),
        sa.select(sa.func.count())
        .where(mine, Enrollment.status == EnrollmentStatus.INTERESTED)
        .scalar_subquery()
        .label("interest_count"),
        sa.select(sa.func.count()).where(mine, _ready()).scalar_subquery().label("ready_count"),
    ]


# The statements of a sign-up are built once, with parameters: building these selects anew
# for every request (and their cache keys) cost more than running them.
_FACTS_COLUMNS = _facts_columns(sa.bindparam("facts_offering"))
_FACTS = sa.select(*_FACTS_COLUMNS)
_SIGNUP_FACTS = sa.select(
    *_FACTS_COLUMNS,
    sa.select(Enrollment.id)
    .where(
        Enrollment.offering_id == sa.bindparam("facts_offering"),
        Enrollment.email_normalized == sa.bindparam("facts_email"),
        Enrollment.status.in_(ACTIVE_ENROLLMENT_STATUSES),
    )
    .limit(1)
    .scalar_subquery()
    .label("existing_id"),
    sa.select(sa.func.max(Enrollment.queued_at))
    .where(Enrollment.offering_id == sa.bindparam("facts_offering"))
    .scalar_subquery()
    .label("latest_queued_at"),
)
# The audiences come in the same statement: the form offers them and the sign-up checks them.
_PUBLIC_OFFERING = (
    sa.select(Offering)
    .where(
        Offering.slug == sa.bindparam("public_slug"),
        Offering.status.in_(PUBLIC_OFFERING_STATUSES),
    )
    .options(joinedload(Offering.audience_rows))
)
_PUBLIC_OFFERING_AND_MARKER = _PUBLIC_OFFERING.add_columns(
    sa.select(ChangeMarker.structure_version)
    .where(ChangeMarker.id == 1)
    .scalar_subquery()
    .label("structure_marker")
)


def offering_seats(offering: Offering, now: datetime) -> OfferingSeats:
    """One offering's facts and availability: one query, whatever the offering holds."""
    facts = facts_from_row(offering, _facts_row(offering.id))
    return OfferingSeats(
        offering=offering,
        facts=facts,
        availability=availability(facts, now),
        by_audience=audience_seats([offering], now).get(offering.id),
    )


def signup_facts(offering: Offering, email_normalized: str):
    """After the offering's lock, in one statement: its dates and seat counts (as
    `_facts_row`), the person's active enrollment on it (`existing_id`) and the latest place
    in line (`latest_queued_at`)."""
    return db.session.execute(
        _SIGNUP_FACTS, {"facts_offering": offering.id, "facts_email": email_normalized}
    ).one()


def public_offering(slug: str) -> Offering | None:
    """A public offering by its slug; None if not public."""
    return db.session.scalars(_PUBLIC_OFFERING, {"public_slug": slug}).unique().one_or_none()


def public_offering_seats(slug: str, now: datetime) -> OfferingSeats | None:
    """A public offering by its slug, with its seats (the sign-up pages); None if not public."""
    offering = public_offering(slug)
    return None if offering is None else offering_seats(offering, now)


def public_offering_seats_and_marker(slug: str, now: datetime) -> tuple[OfferingSeats, int] | None:
    """As `public_offering_seats`, with the structure marker read in the offering's statement.

    For a page kept by that marker: read in one snapshot with the offering, the marker is
    never newer than what the page shows (read after it, a change committed in between would
    keep the old page under the new marker)."""
    row = (
        db.session.execute(_PUBLIC_OFFERING_AND_MARKER, {"public_slug": slug})
        .unique()
        .one_or_none()
    )
    if row is None:
        return None
    return offering_seats(row.Offering, now), int(row.structure_marker or 0)


def seats_taken(offering_id: int) -> int:
    """Seats held right now (confirmed + offered). Call it under the offering's lock."""
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Enrollment.offering_id == offering_id,
            Enrollment.status.in_(SEAT_HOLDING_STATUSES),
        )
    )


def has_free_seat(offering: Offering, *, taken: int | None = None) -> bool:
    """A seat can be given now (no limit, or fewer held than the capacity).

    `taken`: the seats held, when the caller counted them under the lock already."""
    held = seats_taken(offering.id) if taken is None else taken
    left = seats_left(offering.capacity, held)
    return left is None or left > 0


# --- audience shares (app/enrollment/shares.py) -------------------------------------------


def held_by_audience(offering_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per offering, seats held (confirmed + offered) by each audience, in one query."""
    held: dict[int, dict[str, int]] = {i: {} for i in offering_ids}
    if not offering_ids:
        return held
    rows = db.session.execute(
        sa.select(Enrollment.offering_id, Enrollment.audience, sa.func.count())
        .where(
            Enrollment.offering_id.in_(offering_ids),
            Enrollment.status.in_(SEAT_HOLDING_STATUSES),
        )
        .group_by(Enrollment.offering_id, Enrollment.audience)
    ).all()
    for offering_id, audience, n in rows:
        held[offering_id][str(audience)] = n
    return held


def audience_seats(offerings: list[Offering], now: datetime) -> dict[int, dict[str, int | None]]:
    """For the offerings among these with audience shares: seats left per audience.

    One query for a whole page, none when no offering on it has shares.
    """
    with_shares = [o for o in offerings if shares_apply(shares_of(o))]
    held = held_by_audience([o.id for o in with_shares])
    return {
        o.id: seats_left_by_audience(o.capacity, shares_of(o), held[o.id], now) for o in with_shares
    }


def has_seat_for(
    offering: Offering, audience: str, now: datetime, *, taken: int | None = None
) -> bool:
    """A person of `audience` can be given a seat now, by capacity and every audience share.

    Call it under the offering's lock, like `seats_taken` (`taken`: counted under it already).
    """
    shares = shares_of(offering)
    if not shares_apply(shares):
        return has_free_seat(offering, taken=taken)
    held = held_by_audience([offering.id])[offering.id]
    return can_take_seat(audience, offering.capacity, shares, held, now)


# --- staff pages -----------------------------------------------------------------------------


@dataclass
class SeatCounts:
    """One offering's active enrollments by status."""

    confirmed: int = 0
    offered: int = 0
    waitlisted: int = 0
    requested: int = 0
    interested: int = 0

    @property
    def taken(self) -> int:
        """Seats held: an offer holds the freed seat for the person it was offered to."""
        return sum(getattr(self, str(status)) for status in SEAT_HOLDING_STATUSES)


def seat_counts(offering_ids: list[int]) -> dict[int, SeatCounts]:
    """Per offering: confirmed, offered, waiting and new requests, in one query."""
    if not offering_ids:
        return {}
    rows = db.session.execute(
        sa.select(Enrollment.offering_id, Enrollment.status, sa.func.count())
        .where(Enrollment.offering_id.in_(offering_ids))
        .group_by(Enrollment.offering_id, Enrollment.status)
    ).all()
    counts: dict[int, SeatCounts] = {i: SeatCounts() for i in offering_ids}
    for offering_id, status, n in rows:
        if status in ACTIVE_ENROLLMENT_STATUSES:
            setattr(counts[offering_id], str(status), n)
    return counts
