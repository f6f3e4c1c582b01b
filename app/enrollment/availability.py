"""Whether an offering takes sign-ups now, and what a visitor is told about its seats.

Pure functions of an offering's facts and the time. `seats.py` beside this file reads the
facts from the database (one offering, or a page of them) and asks here, and the catalogue,
the offering page, the API and the sign-up service all go through it, so they never disagree.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from app.models import EnrolmentMode, OfferingKind, OfferingStatus


class SeatState(enum.StrEnum):
    CANCELLED = "cancelled"
    JUST_COME = "just_come"  # drop-in: no sign-up
    NOT_OPEN_YET = "not_open_yet"
    CLOSED = "closed"
    ASK_TO_JOIN = "ask_to_join"  # request mode: a facilitator answers
    OPEN = "open"  # seats left (or no limit)
    FULL = "full"  # the waiting list is open
    INTEREST = "interest"  # interest mode: register interest; staff start the group


@dataclass(frozen=True)
class OfferingFacts:
    """What availability depends on, read in one aggregate query."""

    kind: str
    status: str
    enrolment_mode: str
    capacity: int | None
    signup_opens_at: datetime | None
    signup_closes_at: datetime | None
    first_start: datetime | None  # first scheduled occurrence, past or future
    last_start: datetime | None  # last scheduled occurrence
    seats_taken: int  # confirmed + offered (an offer holds its seat)
    waitlist_count: int
    interest_count: int = 0  # interest mode: people on the interest list
    ready_count: int = 0  # of them, those who have had their first talk
    min_participants: int | None = None
    started: bool = False


@dataclass(frozen=True)
class Availability:
    state: SeatState
    seats_left: int | None  # None: no limit
    waitlist_count: int
    opens_at: datetime | None = None  # when sign-up opens, if it has not yet
    interest_count: int = 0
    ready_count: int = 0
    # Interest mode before the start: "starts when enough are ready — ready_count of this".
    waiting_for: int | None = None
    deadline: datetime | None = None  # when a deadline staff set closes sign-up (or the last date)

    @property
    def signup_possible(self) -> bool:
        return self.state in (
            SeatState.ASK_TO_JOIN,
            SeatState.OPEN,
            SeatState.FULL,
            SeatState.INTEREST,
        )


class ClosingReason(enum.StrEnum):
    """Why sign-up closes when it does (the staff page says it in words)."""

    DEADLINE = "deadline"  # the sign-up deadline staff set
    FIRST_DATE = "first_date"  # a course or meeting closes when it begins
    LAST_DATE = "last_date"  # a group takes newcomers until its last date; nothing is after it
    NO_DATES = "no_dates"


def signup_deadline(facts: OfferingFacts) -> tuple[datetime | None, ClosingReason]:
    """When sign-up closes, and why.

    A deadline staff set is honoured, also after the first date (a course may take latecomers
    until its second meeting), but never after the last date has begun. Without one, courses
    and meetings close when they begin; groups take newcomers until the last date.
    """
    if facts.last_start is None:
        return facts.signup_closes_at, (
            ClosingReason.DEADLINE if facts.signup_closes_at else ClosingReason.NO_DATES
        )
    if facts.signup_closes_at is not None:
        if facts.signup_closes_at <= facts.last_start:
            return facts.signup_closes_at, ClosingReason.DEADLINE
        return facts.last_start, ClosingReason.LAST_DATE
    if facts.kind == OfferingKind.GROUP:
        return facts.last_start, ClosingReason.LAST_DATE
    return facts.first_start, ClosingReason.FIRST_DATE


def signup_closes_at(facts: OfferingFacts) -> datetime | None:
    """When sign-up closes (see `signup_deadline`)."""
    return signup_deadline(facts)[0]


def seats_left(capacity: int | None, seats_taken: int) -> int | None:
    """Seats still free; None when there is no limit."""
    return None if capacity is None else max(capacity - seats_taken, 0)


def availability(facts: OfferingFacts, now: datetime) -> Availability:
    left = seats_left(facts.capacity, facts.seats_taken)

    def state() -> SeatState:
        if facts.status == OfferingStatus.CANCELLED:
            return SeatState.CANCELLED
        if facts.enrolment_mode == EnrolmentMode.DROP_IN:
            return SeatState.JUST_COME
        if facts.signup_opens_at is not None and now < facts.signup_opens_at:
            return SeatState.NOT_OPEN_YET
        closes = signup_closes_at(facts)
        if closes is not None and now >= closes:
            return SeatState.CLOSED
        if facts.enrolment_mode == EnrolmentMode.INTEREST:
            return SeatState.INTEREST  # no dates needed: the group starts when enough are ready
        if facts.first_start is None and facts.status != OfferingStatus.PUBLISHED:
            return SeatState.CLOSED
        if facts.enrolment_mode == EnrolmentMode.REQUEST:
            return SeatState.ASK_TO_JOIN
        if left is None or left > 0:
            return SeatState.OPEN
        return SeatState.FULL

    found = state()
    return Availability(
        state=found,
        seats_left=left,
        waitlist_count=facts.waitlist_count,
        opens_at=facts.signup_opens_at if found == SeatState.NOT_OPEN_YET else None,
        interest_count=facts.interest_count,
        ready_count=facts.ready_count,
        waiting_for=(
            facts.min_participants or 1
            if facts.enrolment_mode == EnrolmentMode.INTEREST and not facts.started
            else None
        ),
        deadline=signup_closes_at(facts) if facts.signup_closes_at is not None else None,
    )
