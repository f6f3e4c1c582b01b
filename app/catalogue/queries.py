"""Read-side queries for the catalogue, the offering page and the API.

Written on purpose: seat counts and dates are aggregated in SQL, related rows are loaded
with a fixed number of `selectinload` queries, and the catalogue is paged, so a request
makes the same number of queries whether the catalogue holds ten offerings or ten thousand.
Seats and availability come from `app/enrollment/seats.py`, as everywhere else.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.database import UTCDateTime, as_utc
from app.dates import BadDate, DateProblem, parse_date, problem_text
from app.enrollment.availability import Availability, OfferingFacts, availability
from app.enrollment.seats import (
    OfferingSeats,
    facts_from_row,
    free_seat_now,
    offering_seats,
    seat_summary,
)
from app.extensions import db
from app.i18n import LOCAL_TZ
from app.models import (
    PUBLIC_OFFERING_STATUSES,
    Audience,
    EnrolmentMode,
    Facilitator,
    Occurrence,
    OccurrenceStatus,
    Offering,
    OfferingAudience,
    OfferingKind,
    OfferingStatus,
    Theme,
    offering_themes,
)

PAGE_SIZE = 30
MAX_QUERY_LENGTH = 100
PUBLIC_STATUSES = PUBLIC_OFFERING_STATUSES


_CONTROL_CHARACTERS = dict.fromkeys(range(32))


class _CleanArgs:
    """URL arguments without control characters (PostgreSQL refuses NUL in text)."""

    def __init__(self, args) -> None:
        self._args = args

    def get(self, name: str, default: str = "") -> str:
        return str(self._args.get(name, default)).translate(_CONTROL_CHARACTERS)


@dataclass
class CatalogueFilters:
    """The catalogue's filters as the URL gives them, cleaned; bad values are dropped."""

    kind: str | None = None
    audience: str | None = None
    theme: str | None = None
    q: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    free: bool = False
    page: int = 1
    problems: list[str] = field(default_factory=list)  # which inputs were ignored
    # Dates that could not be used, and why: the page, the API and the feeds answer 400.
    date_problems: dict[str, DateProblem] = field(default_factory=dict)

    @classmethod
    def from_args(cls, raw_args) -> CatalogueFilters:
        filters = cls()
        args = _CleanArgs(raw_args)
        kind = args.get("kind", "").strip()
        if kind:
            if kind in {k.value for k in OfferingKind}:
                filters.kind = kind
            else:
                filters.problems.append("kind")
        audience = args.get("audience", "").strip()
        if audience:
            if audience in {a.value for a in Audience}:
                filters.audience = audience
            else:
                filters.problems.append("audience")
        theme = args.get("theme", "").strip()
        if theme:
            filters.theme = theme[:80]
        q = " ".join(args.get("q", "").split())
        if q:
            filters.q = q[:MAX_QUERY_LENGTH]
        for name, attr in (("from", "date_from"), ("to", "date_to")):
            raw = args.get(name, "").strip()
            if raw:
                try:
                    setattr(filters, attr, parse_date(raw))
                except BadDate as bad:
                    filters.date_problems[name] = bad.problem
        if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
            filters.date_problems["to"] = DateProblem.REVERSED
            filters.date_to = None
        filters.free = args.get("free", "") in {"1", "true", "on", "yes"}
        try:
            filters.page = max(1, min(int(args.get("page", "1")), 10_000))
        except ValueError:
            filters.page = 1
        return filters

    def as_args(self, **overrides) -> dict[str, str]:
        """The filters as URL arguments, for links that keep them (paging, feeds)."""
        args = {
            "kind": self.kind,
            "audience": self.audience,
            "theme": self.theme,
            "q": self.q,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "free": "1" if self.free else None,
        }
        args.update(overrides)
        return {k: str(v) for k, v in args.items() if v not in (None, "", False)}

    @property
    def active(self) -> bool:
        return bool(self.as_args())

    def date_messages(self) -> dict[str, str]:
        """Per date argument ("from", "to"), the sentence that says what is wrong with it."""
        return {name: problem_text(problem) for name, problem in self.date_problems.items()}


@dataclass
class CatalogueEntry:
    offering: Offering
    next_start: datetime | None  # next scheduled occurrence that has not ended
    # What the card shows and is grouped by: the first scheduled date inside the chosen
    # range (without a range: the next one).
    shown_start: datetime | None
    shown_end: datetime | None
    facts: OfferingFacts
    availability: Availability


@dataclass
class CancelledEntry:
    """A cancelled offering that would otherwise be listed: shown apart, never counted."""

    offering: Offering
    planned_start: datetime | None  # its first date still to come, as it was planned


@dataclass
class CataloguePage:
    entries: list[CatalogueEntry]
    total: int  # offerings one can still go to; cancelled ones are not counted
    page: int
    page_count: int
    cancelled: list[CancelledEntry] = field(default_factory=list)


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def occurrence_summary(now: datetime):
    """Per offering: first/last scheduled start, the next one still to come, one row each."""
    scheduled = Occurrence.status == OccurrenceStatus.SCHEDULED
    upcoming = Occurrence.ends_at >= now
    return (
        sa.select(
            Occurrence.offering_id.label("offering_id"),
            sa.func.min(sa.case((scheduled, Occurrence.starts_at))).label("first_start"),
            sa.func.max(sa.case((scheduled, Occurrence.starts_at))).label("last_start"),
            sa.func.min(sa.case((sa.and_(scheduled, upcoming), Occurrence.starts_at))).label(
                "next_start"
            ),
            sa.func.min(sa.case((upcoming, Occurrence.starts_at))).label("first_upcoming"),
        )
        .group_by(Occurrence.offering_id)
        .subquery("occurrence_summary")
    )


def waiting_for_start():
    """SQL: a published group in interest mode that has not started (it may have no dates)."""
    return sa.and_(
        Offering.enrolment_mode == EnrolmentMode.INTEREST,
        Offering.started_at.is_(None),
        Offering.status == OfferingStatus.PUBLISHED,
    )


def catalogue_where(filters: CatalogueFilters, now: datetime, occ, seats) -> list:
    """The public catalogue's WHERE clause: published (or cancelled) and still to come.

    `occ` and `seats` are `occurrence_summary(now)` and `seat_summary()`, joined by the caller.
    """
    conditions = [
        Offering.status.in_(PUBLIC_STATUSES),
        sa.or_(occ.c.first_upcoming.is_not(None), waiting_for_start()),
    ]
    if filters.kind:
        conditions.append(Offering.kind == filters.kind)
    if filters.audience:
        conditions.append(
            sa.exists().where(
                OfferingAudience.offering_id == Offering.id,
                OfferingAudience.audience == filters.audience,
            )
        )
    if filters.theme:
        conditions.append(
            sa.exists().where(
                offering_themes.c.offering_id == Offering.id,
                offering_themes.c.theme_id == Theme.id,
                Theme.slug == filters.theme,
            )
        )
    if filters.q:
        for word in filters.q.lower().split()[:8]:
            pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conditions.append(
                sa.or_(
                    *(
                        sa.func.lower(column).like(pattern, escape="\\")
                        for column in (
                            Offering.title,
                            Offering.title_en,
                            Offering.summary,
                            Offering.summary_en,
                            Offering.description,
                            Offering.description_en,
                        )
                    )
                )
            )
    if filters.date_from or filters.date_to:
        conditions.append(
            sa.exists().where(
                Occurrence.offering_id == Offering.id,
                Occurrence.status == OccurrenceStatus.SCHEDULED,
                *_range_conditions(filters, now),
            )
        )
    if filters.free:
        conditions.extend(
            [
                Offering.status == OfferingStatus.PUBLISHED,
                free_seat_now(
                    first_start=occ.c.first_start,
                    last_start=occ.c.last_start,
                    next_start=occ.c.next_start,
                    seats_taken=seats.c.seats_taken,
                    now=now,
                ),
            ]
        )
    return conditions


def _range_conditions(filters: CatalogueFilters, now: datetime) -> list:
    """An occurrence that has not ended and meets the chosen date range."""
    return [Occurrence.ends_at >= now, *in_date_range(filters)]


def in_date_range(filters: CatalogueFilters) -> list:
    """An occurrence that meets the chosen `from`/`to` days (Danish days), if any."""
    conditions = []
    if filters.date_from:
        conditions.append(Occurrence.ends_at >= _local_midnight_utc(filters.date_from))
    if filters.date_to:
        conditions.append(
            Occurrence.starts_at < _local_midnight_utc(filters.date_to + timedelta(days=1))
        )
    return conditions


def first_date_in_range(filters: CatalogueFilters, now: datetime):
    """Per offering (correlated): its first scheduled start inside the chosen range."""
    return (
        sa.select(sa.func.min(Occurrence.starts_at))
        .where(
            Occurrence.offering_id == Offering.id,
            Occurrence.status == OccurrenceStatus.SCHEDULED,
            *_range_conditions(filters, now),
        )
        .correlate(Offering)  # never to an enclosing query's Occurrence
        .scalar_subquery()
    )


def _listed(filters: CatalogueFilters, now: datetime):
    """What the catalogue lists: its subqueries (to join), the first date in range (to sort
    by) and its WHERE clause: (occ, seats, shown_start, conditions)."""
    occ = occurrence_summary(now)
    seats = seat_summary()
    shown_start = first_date_in_range(filters, now)
    conditions = [
        *catalogue_where(filters, now, occ, seats),
        Offering.status == OfferingStatus.PUBLISHED,
        sa.or_(shown_start.is_not(None), waiting_for_start()),
    ]
    return occ, seats, shown_start, conditions


@dataclass(frozen=True)
class Listing:
    """Which offerings one page of the catalogue lists, how many it lists in all, and the
    listed offerings' seat counts (`seat_summary` rows, by offering id)."""

    ids: tuple[int, ...]
    total: int
    seat_rows: dict


def catalogue_listing(
    filters: CatalogueFilters, now: datetime, *, page_size: int = PAGE_SIZE
) -> Listing | None:
    """What `catalogue_page` would list, without the offerings themselves: one query.

    For a page whose list depends on the seats ("free seats"): a page kept per listing is
    filled from it. None when the page asked for is past the last one (`catalogue_page`
    shows the last one then).
    """
    shape = (filters.kind, filters.audience, filters.theme, filters.q)
    dates = (filters.date_from, filters.date_to, filters.free, filters.page, page_size)
    rows = db.session.execute(_listing_statement(*shape, *dates), {"listing_now": now}).all()
    if not rows:
        return None if filters.page > 1 else Listing(ids=(), total=0, seat_rows={})
    return Listing(
        ids=tuple(row.offering_id for row in rows),
        total=rows[0].total,
        seat_rows={row.offering_id: row for row in rows},
    )


_LISTING_NOW = sa.bindparam("listing_now", type_=UTCDateTime())


@functools.lru_cache(maxsize=256)
def _listing_statement(kind, audience, theme, q, date_from, date_to, free, page, page_size):
    """`catalogue_listing`'s statement for these filters, built once, with the time as a
    parameter: building it anew (and its cache key) cost five times more than running it."""
    filters = CatalogueFilters(
        kind=kind,
        audience=audience,
        theme=theme,
        q=q,
        date_from=date_from,
        date_to=date_to,
        free=free,
        page=page,
    )
    occ, seats, shown_start, conditions = _listed(filters, _LISTING_NOW)
    return (
        sa.select(
            Offering.id.label("offering_id"),
            seats.c.seats_taken,
            seats.c.waitlist_count,
            seats.c.interest_count,
            seats.c.ready_count,
            sa.func.count().over().label("total"),
        )
        .outerjoin(occ, occ.c.offering_id == Offering.id)
        .outerjoin(seats, seats.c.offering_id == Offering.id)
        .where(*conditions)
        .order_by(sa.nulls_last(shown_start), Offering.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )


def catalogue_page(
    filters: CatalogueFilters,
    now: datetime,
    *,
    page_size: int = PAGE_SIZE,
    with_occurrences: bool = False,
    listed: Listing | None = None,
) -> CataloguePage:
    """One page of the catalogue, sorted by the first date in range: a fixed number of queries.

    Listed and counted: published offerings with a scheduled date still to come in the range.
    The rest of what the feeds hold (cancelled offerings, offerings whose coming dates are all
    cancelled) comes apart in `cancelled`, on the first page only. With `listed` (from
    `catalogue_listing` with the same filters and time): exactly the offerings it found, and
    its total, even if seats changed since.
    """
    occ, seats, shown_start, conditions = _listed(filters, now)
    if listed is not None:
        conditions = [Offering.id.in_(listed.ids)]
        total = listed.total
    else:
        base = (
            sa.select(Offering.id)
            .outerjoin(occ, occ.c.offering_id == Offering.id)
            .outerjoin(seats, seats.c.offering_id == Offering.id)
            .where(*conditions)
        )
        total = db.session.execute(
            sa.select(sa.func.count()).select_from(base.subquery())
        ).scalar_one()
    page_count = max(1, -(-total // page_size))
    page = min(filters.page, page_count)
    shown_end = (
        sa.select(Occurrence.ends_at)
        .where(
            Occurrence.offering_id == Offering.id,
            Occurrence.status == OccurrenceStatus.SCHEDULED,
            Occurrence.starts_at == shown_start,
        )
        .limit(1)
        .scalar_subquery()
        .label("shown_end")
    )
    rows = db.session.execute(
        sa.select(
            Offering,
            occ.c.first_start,
            occ.c.last_start,
            occ.c.next_start,
            shown_start.label("shown_start"),
            shown_end,
            seats.c.seats_taken,
            seats.c.waitlist_count,
            seats.c.interest_count,
            seats.c.ready_count,
        )
        .outerjoin(occ, occ.c.offering_id == Offering.id)
        .outerjoin(seats, seats.c.offering_id == Offering.id)
        .where(*conditions)
        .options(
            joinedload(Offering.location),
            joinedload(Offering.organisation),
            selectinload(Offering.audience_rows),
            selectinload(Offering.themes),
            selectinload(Offering.co_organisers),
            *([selectinload(Offering.occurrences)] if with_occurrences else []),
        )
        .order_by(sa.nulls_last(shown_start), Offering.id)  # groups without dates last
        .limit(page_size)
        .offset(0 if listed is not None else (page - 1) * page_size)
    ).all()
    entries = []
    for row in rows:
        facts = facts_from_row(row.Offering, row)
        entries.append(
            CatalogueEntry(
                offering=row.Offering,
                next_start=as_utc(row.next_start),
                shown_start=as_utc(row.shown_start),
                shown_end=as_utc(row.shown_end),
                facts=facts,
                availability=availability(facts, now),
            )
        )
    cancelled = _cancelled_entries(filters, now, occ, seats, shown_start) if page == 1 else []
    return CataloguePage(
        entries=entries, total=total, page=page, page_count=page_count, cancelled=cancelled
    )


MAX_CANCELLED_SHOWN = 20


def _cancelled_entries(filters, now, occ, seats, shown_start) -> list[CancelledEntry]:
    """What the filters match but nobody can go to: cancelled, or every coming date cancelled."""
    if filters.free:
        return []
    rows = db.session.execute(
        sa.select(Offering, occ.c.first_upcoming)
        .join(occ, occ.c.offering_id == Offering.id)
        .outerjoin(seats, seats.c.offering_id == Offering.id)
        .where(
            *catalogue_where(filters, now, occ, seats),
            sa.or_(Offering.status != OfferingStatus.PUBLISHED, shown_start.is_(None)),
            sa.not_(waiting_for_start()),
        )
        .order_by(occ.c.first_upcoming, Offering.id)
        .limit(MAX_CANCELLED_SHOWN)
    ).all()
    return [CancelledEntry(offering=row.Offering, planned_start=as_utc(row[1])) for row in rows]


def all_themes() -> list[Theme]:
    return list(db.session.scalars(sa.select(Theme).order_by(Theme.name)))


# The offering page's offering, its facts and availability (see app/enrollment/seats.py).
OfferingDetail = OfferingSeats


def offering_detail(slug: str, now: datetime) -> OfferingDetail | None:
    """An offering with everything its page shows, or None if it is not public."""
    offering = db.session.scalars(
        sa.select(Offering)
        .where(Offering.slug == slug, Offering.status.in_(PUBLIC_STATUSES))
        .options(
            joinedload(Offering.location),
            joinedload(Offering.organisation),
            selectinload(Offering.co_organisers),
            selectinload(Offering.themes),
            selectinload(Offering.audience_rows),
            selectinload(Offering.facilitators).joinedload(Facilitator.user),
            selectinload(Offering.occurrences).joinedload(Occurrence.location_override),
        )
    ).first()
    if offering is None:
        return None
    return offering_seats(offering, now)
