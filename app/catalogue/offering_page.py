"""An offering's page rendered in parts, so that a sign-up for it costs one seat query.

A sign-up changes three places on its offering's page: the seat line at the top, the
"Join" panel (seats, waiting list, seats per audience, the button) and the note under
"Add the dates to your calendar". Everything else (description, dates, people, place)
changes only with the change marker's `structure_version`. So the page is rendered with a
slot for each of the three (`<!--offering-seats:…-->`) and kept, with what the slots need
except the seat counts (`Skeleton`), per structure version, language and URL, until the
next of its dates ends (the page marks the dates that have ended). A request after a sign-up
reads the offering's seat counts (and its seats per audience, where audience shares apply)
and fills the slots from catalogue/_offering_seats.html.

The staff preview renders the same template and fills it from the same parts, so the
public page and its preview cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import get_locale

from app.catalogue.cards import kept_parts
from app.enrollment.availability import Availability, OfferingFacts, availability
from app.enrollment.seats import (
    OfferingSeats,
    audience_seats_in_order,
    held_by_audience,
    seat_rows,
    with_seats,
)
from app.enrollment.shares import Share, seats_left_by_audience, shares_apply, shares_of
from app.models import Audience
from app.page_cache import page_marker

_SLOT = re.compile(r"<!--offering-seats:(quick|join|calendar_note)-->")


@dataclass(frozen=True)
class SeatsShown:
    """What the seat-dependent parts of an offering's page show (their cache key, too)."""

    slug: str
    capacity: int | None
    availability: Availability
    audience_seats: tuple[tuple[Audience, int | None], ...]  # empty without audience shares
    # The staff preview of an offering not yet published: its sign-up page does not exist yet,
    # so the Join panel shows the button without a link to it.
    unpublished: bool = False


@dataclass(frozen=True)
class Skeleton:
    """An offering's page with its seat slots, and what the slots need but the seats."""

    html: str
    offering_id: int
    slug: str
    facts: OfferingFacts  # seat counts left at 0
    shares: tuple[Share, ...]  # empty when no audience share applies
    # The page marks the dates that have ended: it is kept until the next one ends.
    valid_until: datetime | None


def seats_shown(detail: OfferingSeats) -> SeatsShown:
    """The parts' content from an offering read whole (the first render, the preview)."""
    return SeatsShown(
        slug=detail.offering.slug,
        capacity=detail.offering.capacity,
        availability=detail.availability,
        audience_seats=tuple(detail.audience_seats_shown),
    )


def skeleton_of(html: str, detail: OfferingSeats, now: datetime) -> Skeleton:
    offering = detail.offering
    shares = shares_of(offering)
    coming_ends = [o.ends_at for o in offering.occurrences if o.ends_at >= now]
    return Skeleton(
        html=html,
        offering_id=offering.id,
        slug=offering.slug,
        facts=with_seats(detail.facts, None),
        shares=tuple(shares) if shares_apply(shares) else (),
        valid_until=min(coming_ends, default=None),
    )


def seats_now(skeleton: Skeleton, now: datetime) -> SeatsShown:
    """The parts' content now: one query of the seat counts, one more with audience shares."""
    facts = with_seats(skeleton.facts, seat_rows([skeleton.offering_id]).get(skeleton.offering_id))
    by_audience = None
    if skeleton.shares:
        held = held_by_audience([skeleton.offering_id])[skeleton.offering_id]
        by_audience = seats_left_by_audience(facts.capacity, skeleton.shares, held, now)
    return SeatsShown(
        slug=skeleton.slug,
        capacity=facts.capacity,
        availability=availability(facts, now),
        audience_seats=tuple(audience_seats_in_order(by_audience)),
    )


def fill(html: str, seats: SeatsShown) -> str:
    """The page with its three slots filled (each part rendered once per language and content)."""
    parts = _parts(seats)
    return _SLOT.sub(lambda slot: parts[slot.group(1)], html)


def _parts(seats: SeatsShown) -> dict[str, str]:
    key = f"offering-seats|{get_locale()}|{seats!r}"
    kept = kept_parts().get(key)
    if kept is not None:
        return kept
    macros = current_app.jinja_env.get_template("catalogue/_offering_seats.html").module
    parts = {name: str(getattr(macros, name)(seats)) for name in ("quick", "join", "calendar_note")}
    kept_parts().put(key, parts)
    return parts


def skeleton_key(language: str, path: str, full_path: str) -> str:
    """No minute in it: what moves with the clock is in the seat parts, but for which dates
    have ended (`Skeleton.valid_until`)."""
    structure = page_marker(path).split(".")[0]  # "o<structure_version>"
    return f"offering|{structure}|{language}|{full_path}"


def kept_or_made(key: str, now: datetime, render: Callable[[], Skeleton]) -> Skeleton:
    """The page kept under `key` while none of its dates has ended since, or rendered by
    `render` (by one thread of the worker while the others wait for it) and kept."""
    return kept_parts().get_or_make(
        key, render, usable=lambda kept: kept.valid_until is None or now <= kept.valid_until
    )
