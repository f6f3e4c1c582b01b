"""The catalogue rendered in parts, so that a sign-up costs one query and a few seat lines.

A sign-up changes one card's seat line, yet the catalogue page holding it is a new page.
Everything on that page but the seat lines (the filters, the months, every card's title,
dates and place) changes only with the change marker's `structure_version`. So:

- each card is rendered once per structure version, language and dates, with a slot where
  its seat line goes (`offering_card`);
- a catalogue page is kept, slots and all, with the facts each slot needs except the seat
  counts (`Skeleton`), per structure version, language, minute and URL;
- a request after a sign-up fills the slots from one query of the page's seat counts
  (`fill_seats`). With "free seats" the list itself depends on seats: one query finds which
  offerings are listed and their seats (`queries.catalogue_listing`), and the page is kept
  per listing too.

Every key holds all its part shows, so a kept part is never stale.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from app.catalogue.queries import CatalogueEntry, Listing
from app.enrollment.availability import Availability, OfferingFacts, availability
from app.enrollment.seats import seat_rows, with_seats
from app.page_cache import PageCache, page_marker

_CARDS = "catalogue_cards"
_SLOT = re.compile(r"<!--seats:(\d+)-->")


@dataclass(frozen=True)
class Skeleton:
    """A catalogue page with a slot per seat line, and what each slot needs but seats."""

    html: str
    status: int
    facts: dict[int, OfferingFacts]  # by offering id, seat counts left at 0


def init_app(app) -> None:
    app.extensions[_CARDS] = PageCache(app.config["CARD_CACHE_SIZE"])


def kept_parts() -> PageCache:
    """This worker's kept parts of public pages: catalogue cards, seat lines and skeletons,
    and offering pages' skeletons and seat parts (app/catalogue/offering_page.py)."""
    return current_app.extensions[_CARDS]


def _structure() -> str:
    return page_marker("/").split(".")[0]  # "c<structure_version>"


def offering_card(entry: CatalogueEntry, date_label: str) -> Markup:
    """One entry's card (macros.html `offering_card`) with a slot for its seat line."""
    key = "|".join(
        (
            "card",
            _structure(),
            str(get_locale()),
            str(entry.offering.id),
            str(entry.shown_start),
            str(entry.shown_end),
            date_label,
        )
    )
    kept = kept_parts().get(key)
    if kept is not None:
        return kept
    macro = current_app.jinja_env.get_template("macros.html").module.offering_card
    card = Markup(macro(entry, date_label, seat_slot=True))
    kept_parts().put(key, card)
    return card


def _seat_line(state: Availability, language: str) -> str:
    key = f"seat|{language}|{state!r}"
    kept = kept_parts().get(key)
    if kept is not None:
        return kept
    line = str(current_app.jinja_env.get_template("macros.html").module.seat_state(state))
    kept_parts().put(key, line)
    return line


def fill_seats(html: str, states: dict[int, Availability]) -> str:
    """The page with each slot replaced by its offering's seat line."""
    language = str(get_locale())
    lines: dict[Availability, str] = {}  # many slots say the same ("8 seats left")

    def line(slot: re.Match) -> str:
        state = states[int(slot.group(1))]
        text = lines.get(state)
        if text is None:
            text = lines[state] = _seat_line(state, language)
        return text

    return _SLOT.sub(line, html)


def skeleton_key(language: str, minute: int, full_path: str, listing: Listing | None = None) -> str:
    """A kept page's key; with "free seats", the listing (which offerings, how many) too."""
    key = f"page|{_structure()}|{language}|{minute}|{full_path}"
    if listing is not None:
        key += f"|{listing.total}|{','.join(map(str, listing.ids))}"
    return key


def kept_or_made(key: str, render: Callable[[], Skeleton]) -> Skeleton:
    """The page kept under `key`, or rendered by `render` (by one thread of the worker while
    the others wait for it) and kept."""
    return kept_parts().get_or_make(key, render)


def skeleton_of(html: str, status: int, entries: list[CatalogueEntry]) -> Skeleton:
    return Skeleton(
        html=html,
        status=status,
        facts={entry.offering.id: with_seats(entry.facts, None) for entry in entries},
    )


def seat_states(
    skeleton: Skeleton, now: datetime, rows: dict | None = None
) -> dict[int, Availability]:
    """Each slot's availability now, from one query of the seat counts (or from `rows`, the
    seat counts read with the page's listing)."""
    if rows is None:
        rows = seat_rows(list(skeleton.facts))
    return {
        offering_id: availability(with_seats(facts, rows.get(offering_id)), now)
        for offering_id, facts in skeleton.facts.items()
    }
