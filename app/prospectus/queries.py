"""The offerings of a term, grouped as the booklet prints them: kind, then theme."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.enrollment.availability import OfferingFacts, SeatState, availability
from app.extensions import db
from app.figures.period import Period, PeriodError, parse, term, term_of
from app.models import (
    EnrolmentMode,
    Facilitator,
    Occurrence,
    OccurrenceStatus,
    Offering,
    OfferingKind,
    OfferingStatus,
    Theme,
)

# A weekly group has many dates: the booklet prints this many and "and N more".
DATES_SHOWN = 8


class UnknownTerm(ValueError):
    """?term= is not a term such as 2027-spring or 2026-autumn."""


def term_from(value: str | None, *, today: date) -> Period:
    """The current term, or the one asked for (`2027-spring`, `2026-autumn`)."""
    if not value:
        return term_of(today)
    value = value.strip().lower()[:40]
    try:
        period = parse(value, today=today)
    except PeriodError as error:
        raise UnknownTerm(value) from error
    if period.kind != "term":
        raise UnknownTerm(value)
    return period


def neighbour_terms(period: Period) -> tuple[Period, Period]:
    """The term before and the term after."""
    year = period.start.year
    if period.slug.endswith("-spring"):
        return term(year - 1, "autumn"), term(year, "autumn")
    return term(year, "spring"), term(year + 1, "spring")


@dataclass
class Entry:
    offering: Offering
    dates: list[Occurrence]  # the term's dates, not cancelled, the first DATES_SHOWN
    more_dates: int  # how many more the booklet does not print
    # A course across the term boundary: its first date before the term, its last after it
    # (the booklet says "continues from/into <term>" so no one takes it for a short one).
    began: Occurrence | None = None
    goes_on: Occurrence | None = None
    signup_closed: bool = False  # begun and closed: the booklet must not say "Sign up"

    @property
    def began_term(self) -> Period | None:
        return term_of(_local_day(self.began.starts_at)) if self.began else None

    @property
    def goes_on_term(self) -> Period | None:
        return term_of(_local_day(self.goes_on.starts_at)) if self.goes_on else None


def _local_day(moment: datetime) -> date:
    from app.i18n import local

    return local(moment).date()


def signup_closed(offering: Offering, now: datetime) -> bool:
    """Sign-up has closed (by its deadline or because it has begun); never for a drop-in."""
    if offering.enrolment_mode == EnrolmentMode.DROP_IN:
        return False
    starts = [o.starts_at for o in offering.occurrences if not o.is_cancelled]
    facts = OfferingFacts(
        kind=offering.kind,
        status=offering.status,
        enrolment_mode=offering.enrolment_mode,
        capacity=offering.capacity,
        signup_opens_at=offering.signup_opens_at,
        signup_closes_at=offering.signup_closes_at,
        first_start=min(starts, default=None),
        last_start=max(starts, default=None),
        seats_taken=0,
        waitlist_count=0,
    )
    return availability(facts, now).state == SeatState.CLOSED


@dataclass
class ThemeGroup:
    theme: Theme | None  # None: offerings without a theme
    entries: list[Entry] = field(default_factory=list)


@dataclass
class KindSection:
    kind: OfferingKind
    groups: list[ThemeGroup]

    @property
    def count(self) -> int:
        return sum(len(group.entries) for group in self.groups)


def term_offerings(period: Period) -> list[Offering]:
    """Published offerings with at least one date (not cancelled) starting in the term."""
    in_term = sa.select(Occurrence.offering_id).where(
        Occurrence.status == OccurrenceStatus.SCHEDULED,
        Occurrence.starts_at >= period.starts_at,
        Occurrence.starts_at < period.ends_at,
    )
    return list(
        db.session.scalars(
            sa.select(Offering)
            .where(Offering.status == OfferingStatus.PUBLISHED, Offering.id.in_(in_term))
            .options(
                joinedload(Offering.location),
                joinedload(Offering.organisation),
                selectinload(Offering.co_organisers),
                selectinload(Offering.themes),
                selectinload(Offering.audience_rows),
                selectinload(Offering.facilitators).joinedload(Facilitator.user),
                selectinload(Offering.occurrences).joinedload(Occurrence.location_override),
            )
            .order_by(Offering.title, Offering.id)
        ).unique()
    )


def booklet(period: Period, now: datetime) -> list[KindSection]:
    """The term's offerings by kind (courses, groups, meetings), then by their first theme
    (alphabetically; those without a theme last); each offering once."""
    sections = []
    offerings = term_offerings(period)
    for kind in OfferingKind:
        groups: dict[int | None, ThemeGroup] = {}
        for offering in (o for o in offerings if o.kind == kind):
            theme = offering.themes[0] if offering.themes else None
            group = groups.setdefault(theme.id if theme else None, ThemeGroup(theme))
            dates = [
                o
                for o in offering.occurrences
                if not o.is_cancelled and period.starts_at <= o.starts_at < period.ends_at
            ]
            held = [o for o in offering.occurrences if not o.is_cancelled]
            before = [o for o in held if o.starts_at < period.starts_at]
            after = [o for o in held if o.starts_at >= period.ends_at]
            group.entries.append(
                Entry(
                    offering,
                    dates[:DATES_SHOWN],
                    max(0, len(dates) - DATES_SHOWN),
                    began=min(before, key=lambda o: o.starts_at) if before else None,
                    goes_on=max(after, key=lambda o: o.starts_at) if after else None,
                    signup_closed=signup_closed(offering, now),
                )
            )
        if groups:
            ordered = sorted(
                groups.values(), key=lambda g: (g.theme is None, g.theme.name if g.theme else "")
            )
            sections.append(KindSection(kind, ordered))
    return sections
