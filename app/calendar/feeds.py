"""Which occurrences each feed holds, loaded in a fixed number of queries, turned into events.

Feeds are the only readers here; `ical.py` writes them. Every function takes `now`, so tests
control the 30-day window for cancelled occurrences.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.calendar import ical
from app.catalogue.queries import (
    PUBLIC_STATUSES,
    CatalogueFilters,
    catalogue_where,
    in_date_range,
    occurrence_summary,
)
from app.enrollment.seats import seat_summary
from app.extensions import db
from app.models import (
    Enrollment,
    EnrollmentStatus,
    Facilitator,
    Location,
    Occurrence,
    Offering,
    PersonalCalendar,
    User,
)

# The catalogue feed keeps what ended recently, so a calendar does not lose last week's
# meeting the moment it is over, nor a fresh cancellation.
RECENT = ical.CANCELLED_KEPT_FOR


@dataclass(slots=True)
class FeedOccurrence:
    """What a feed reads of an occurrence: its columns, its offering and its places.

    Feeds read thousands of occurrences and change none, so they are read as plain rows
    (2-3 times faster than ORM objects) next to the few offerings and places they belong to.
    """

    id: int
    offering: Offering
    location_override: Location | None
    starts_at: datetime
    ends_at: datetime
    status: str
    cancelled_at: datetime | None
    note: str | None
    sequence: int
    updated_at: datetime

    @property
    def location(self) -> Location | None:
        return self.location_override or self.offering.location


_COLUMNS = (
    Occurrence.id,
    Occurrence.offering_id,
    Occurrence.location_id,
    Occurrence.starts_at,
    Occurrence.ends_at,
    Occurrence.status,
    Occurrence.cancelled_at,
    Occurrence.note,
    Occurrence.sequence,
    Occurrence.updated_at,
)


def _occurrences(*conditions) -> list[FeedOccurrence]:
    """Occurrences with their offering and both places: three queries, whatever the number."""
    rows = db.session.execute(
        sa.select(*_COLUMNS)
        .join(Offering, Offering.id == Occurrence.offering_id)
        .where(*conditions)
        .order_by(Occurrence.starts_at, Occurrence.id)
    ).all()
    offering_ids = {row.offering_id for row in rows}
    offerings = {
        o.id: o
        for o in db.session.scalars(
            sa.select(Offering)
            .where(Offering.id.in_(offering_ids))
            .options(joinedload(Offering.location))
        )
    }
    place_ids = {row.location_id for row in rows if row.location_id is not None}
    places = (
        {p.id: p for p in db.session.scalars(sa.select(Location).where(Location.id.in_(place_ids)))}
        if place_ids
        else {}
    )
    return [
        FeedOccurrence(
            id=row.id,
            offering=offerings[row.offering_id],
            location_override=places.get(row.location_id),
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            status=row.status,
            cancelled_at=row.cancelled_at,
            note=row.note,
            sequence=row.sequence,
            updated_at=row.updated_at,
        )
        for row in rows
    ]


def offering_events(
    slug: str, *, now: datetime, public_url: str, language: str
) -> tuple[Offering, list[ical.EventData]] | None:
    """Every occurrence of one public offering; None for drafts and unknown slugs."""
    offering = db.session.scalar(
        sa.select(Offering).where(Offering.slug == slug, Offering.status.in_(PUBLIC_STATUSES))
    )
    if offering is None:
        return None
    occurrences = _occurrences(Occurrence.offering_id == offering.id)
    return offering, ical.occurrence_events(
        occurrences, now=now, public_url=public_url, language=language
    )


def catalogue_events(
    filters: CatalogueFilters, *, now: datetime, public_url: str, language: str
) -> list[ical.EventData]:
    """The occurrences of exactly the offerings the catalogue page lists for these filters.

    Not paged. Occurrences that ended more than 30 days ago are left out; with `from`/`to`
    only the occurrences in that window are kept.
    """
    occ = occurrence_summary(now)
    seats = seat_summary()
    offering_ids = (
        sa.select(Offering.id)
        .join(occ, occ.c.offering_id == Offering.id)
        .outerjoin(seats, seats.c.offering_id == Offering.id)
        .where(*catalogue_where(filters, now, occ, seats))
    )
    occurrences = _occurrences(
        Occurrence.offering_id.in_(offering_ids),
        Occurrence.ends_at >= now - RECENT,
        *in_date_range(filters),
    )
    return ical.occurrence_events(occurrences, now=now, public_url=public_url, language=language)


def personal_events(
    calendar: PersonalCalendar, *, now: datetime, public_url: str
) -> list[ical.EventData]:
    """A participant's confirmed occurrences across all offerings, with the join link.

    The words inside the events follow the language of the person's latest sign-up.
    """
    confirmed = (
        sa.select(Enrollment.offering_id)
        .where(
            Enrollment.email_normalized == calendar.email_normalized,
            Enrollment.status == EnrollmentStatus.CONFIRMED,
        )
        .scalar_subquery()
    )
    language = personal_language(calendar.email_normalized)
    occurrences = _occurrences(
        Occurrence.offering_id.in_(confirmed), Offering.status.in_(PUBLIC_STATUSES)
    )
    return ical.occurrence_events(
        occurrences,
        now=now,
        public_url=public_url,
        language=language,
        join_link=True,
        discreet=calendar.discreet,
        private=True,
    )


def personal_language(email_normalized: str) -> str:
    return (
        db.session.scalar(
            sa.select(Enrollment.language)
            .where(Enrollment.email_normalized == email_normalized)
            .order_by(Enrollment.created_at.desc(), Enrollment.id.desc())
            .limit(1)
        )
        or "da"
    )


def facilitator_events(
    user: User, *, now: datetime, public_url: str, language: str
) -> list[ical.EventData]:
    """The occurrences of the public offerings this staff member runs, with the join link."""
    runs = sa.select(Facilitator.offering_id).where(Facilitator.user_id == user.id)
    occurrences = _occurrences(
        Occurrence.offering_id.in_(runs), Offering.status.in_(PUBLIC_STATUSES)
    )
    return ical.occurrence_events(
        occurrences, now=now, public_url=public_url, language=language, join_link=True, private=True
    )


_TENTATIVE = (
    EnrollmentStatus.REQUESTED,
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.OFFERED,
    EnrollmentStatus.INTERESTED,
)


def enrollment_events(
    enrollment: Enrollment, *, now: datetime, public_url: str
) -> list[ical.EventData]:
    """One enrollment's offering, as this person's seat stands.

    Confirmed: the occurrences as they are, with the join link. Not yet a seat (requested,
    waiting list, offered): TENTATIVE. Cancelled or declined: every occurrence CANCELLED with
    SEQUENCE + 1 (as the CANCEL mail says) for 30 days, so calendars take them away.
    """
    if enrollment.offering.status not in PUBLIC_STATUSES:
        return []
    occurrences = _occurrences(Occurrence.offering_id == enrollment.offering_id)
    confirmed = enrollment.status == EnrollmentStatus.CONFIRMED
    events = ical.occurrence_events(
        occurrences,
        now=now,
        public_url=public_url,
        language=enrollment.language or "da",
        join_link=confirmed,
        private=True,
    )
    if enrollment.status in _TENTATIVE:
        return [e if e.cancelled else replace(e, status=ical.STATUS_TENTATIVE) for e in events]
    if not confirmed:
        since = enrollment.cancelled_at or enrollment.updated_at
        if since is not None and now - since > ical.CANCELLED_KEPT_FOR:
            return []
        return [
            e if e.cancelled else replace(e, status=ical.STATUS_CANCELLED, sequence=e.sequence + 1)
            for e in events
        ]
    return events
