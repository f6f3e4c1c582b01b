"""Every public catalogue URL at a glance.

/                      the catalogue, filterable by kind, audience, theme, q, from, to, free
/offerings/<slug>      one offering: description, facilitators, occurrences, seats, sign-up
"""

from __future__ import annotations

from datetime import datetime
from itertools import groupby

from flask import Blueprint, abort, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _

from app.catalogue import cards, offering_page
from app.catalogue.queries import (
    CatalogueFilters,
    Listing,
    all_themes,
    catalogue_listing,
    catalogue_page,
    offering_detail,
)
from app.catalogue.render import markdown_to_html
from app.database import utcnow
from app.dates import EARLIEST, LATEST
from app.i18n import local, localized, select_locale
from app.models import Audience, OfferingKind
from app.page_cache import cached_page, page_minute, personal_request

bp = Blueprint("catalogue", __name__)
bp.add_app_template_global(cards.offering_card, "kept_offering_card")


@bp.get("/")
@cached_page
def index():
    """The catalogue: every public offering still to come, soonest first, grouped by month.

    Rendered in parts (app/catalogue/cards.py): after a sign-up, the page kept for this
    structure version gets its seat lines from one query, and nothing else is rendered. With
    "free seats", one query finds which offerings are listed, with their seats, and the page
    kept for that listing is filled from it.
    """
    filters = CatalogueFilters.from_args(request.args)
    now = utcnow()
    listing = None
    if filters.free and not personal_request():  # what is listed depends on the seats
        listing = catalogue_listing(filters, now)
    if personal_request() or (filters.free and listing is None):
        # A signed-in visitor or one with a flash message gets a page for them alone; a page
        # past the last shows the last one. Neither is kept.
        page, body, status = _render_index(filters, now)
        return cards.fill_seats(body, {e.offering.id: e.availability for e in page.entries}), status
    key = cards.skeleton_key(
        select_locale(), page_minute(request.full_path), request.full_path, listing
    )

    rendered = {}  # the seats of the page this thread rendered, if it did

    def render() -> cards.Skeleton:
        page, body, status = _render_index(filters, now, listing)
        rendered.update({e.offering.id: e.availability for e in page.entries})
        return cards.skeleton_of(body, status, page.entries)

    skeleton = cards.kept_or_made(key, render)
    states = rendered or cards.seat_states(skeleton, now, listing.seat_rows if listing else None)
    return cards.fill_seats(skeleton.html, states), skeleton.status


def _render_index(filters: CatalogueFilters, now: datetime, listing: Listing | None = None):
    """The catalogue page with a slot for each seat line: (page, html, status)."""
    page = catalogue_page(filters, now=now, listed=listing)
    themes = all_themes()
    months = [
        (month, list(entries))
        for month, entries in groupby(
            page.entries,
            # Interest-mode groups without dates come last, under a heading of their own.
            key=lambda e: local(e.shown_start).replace(day=1).date() if e.shown_start else None,
        )
    ]
    body = render_template(
        "catalogue/index.html",
        filters=filters,
        page=page,
        months=months,
        themes=themes,
        chosen=active_filter_labels(filters, themes),
        kinds=list(OfferingKind),
        audiences=list(Audience),
        earliest_date=EARLIEST.isoformat(),
        latest_date=LATEST.isoformat(),
    )
    # A date we could not use: the page still answers (the form says what is wrong), as a 400.
    return page, body, 400 if filters.date_problems else 200


@bp.get("/offerings/<slug:slug>")
@cached_page
def offering(slug: str):
    """An offering's page: all it holds, every occurrence, seats left and how to join.

    Rendered in parts (app/catalogue/offering_page.py): after a sign-up, the page kept for
    this structure version gets its seat parts from one query, and nothing else is rendered.
    """
    now = utcnow()
    if personal_request():  # a page for this visitor alone: neither kept nor taken
        detail = _offering_detail(slug, now)
        body = _render_offering(detail, now)
        return offering_page.fill(body, offering_page.seats_shown(detail))
    key = offering_page.skeleton_key(select_locale(), request.path, request.full_path)

    rendered = []  # the seats of the page this thread rendered, if it did

    def render() -> offering_page.Skeleton:
        detail = _offering_detail(slug, now)
        rendered.append(offering_page.seats_shown(detail))
        return offering_page.skeleton_of(_render_offering(detail, now), detail, now)

    skeleton = offering_page.kept_or_made(key, now, render)
    seats = rendered[0] if rendered else offering_page.seats_now(skeleton, now)
    return offering_page.fill(skeleton.html, seats)


def _offering_detail(slug: str, now: datetime):
    detail = offering_detail(slug, now=now)
    if detail is None:
        abort(404)
    return detail


def _render_offering(detail, now: datetime) -> str:
    """The offering's page with a slot for each of its seat parts."""
    return render_template(
        "catalogue/offering.html",
        detail=detail,
        offering=detail.offering,
        description_html=markdown_to_html(detail.offering),
        now=now,
    )


def active_filter_labels(filters: CatalogueFilters, themes) -> list[str]:
    """The chosen filters in words, for the line above the results (the form may be folded)."""
    labels = []
    if filters.q:
        labels.append(_("Search: %(q)s", q=filters.q))
    if filters.kind:
        labels.append(str(OfferingKind(filters.kind).plural))
    if filters.audience:
        labels.append(_("For: %(audience)s", audience=Audience(filters.audience).label))
    theme = next((t for t in themes if t.slug == filters.theme), None)
    if theme is not None:
        labels.append(_("Theme: %(theme)s", theme=localized(theme.name, theme.name_en)))
    if filters.date_from:
        labels.append(_("From %(date)s", date=format_date(filters.date_from, "long")))
    if filters.date_to:
        labels.append(_("To %(date)s", date=format_date(filters.date_to, "long")))
    if filters.free:
        labels.append(_("Only with free seats"))
    return labels
