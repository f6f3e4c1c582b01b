"""Every public catalogue URL at a glance.

/                      the catalogue, filterable by kind, audience, theme, q, from, to, free
/offerings/<slug>      one offering: description, facilitators, occurrences, seats, sign-up
"""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, abort, render_template, request

from app.catalogue.queries import CatalogueFilters, all_themes, catalogue_page, offering_detail
from app.catalogue.render import markdown_to_html
from app.database import utcnow
from app.dates import EARLIEST, LATEST
from app.i18n import local
from app.models import Audience, OfferingKind
from app.page_cache import cached_page

bp = Blueprint("catalogue", __name__)


@bp.get("/")
@cached_page
def index():
    """The catalogue: every public offering still to come, soonest first, grouped by month."""
    filters = CatalogueFilters.from_args(request.args)
    page = catalogue_page(filters, now=utcnow())
    months = [
        (month, list(entries))
        for month, entries in groupby(
            page.entries,
            key=lambda e: local(e.shown_start).replace(day=1).date(),
        )
    ]
    body = render_template(
        "catalogue/index.html",
        filters=filters,
        page=page,
        months=months,
        themes=all_themes(),
        kinds=list(OfferingKind),
        audiences=list(Audience),
        earliest_date=EARLIEST.isoformat(),
        latest_date=LATEST.isoformat(),
    )
    # A date we could not use: the page still answers (the form says what is wrong), as a 400.
    return body, 400 if filters.date_problems else 200


@bp.get("/offerings/<slug:slug>")
@cached_page
def offering(slug: str):
    """An offering's page: all it holds, every occurrence, seats left and how to join."""
    now = utcnow()
    detail = offering_detail(slug, now=now)
    if detail is None:
        abort(404)
    return render_template(
        "catalogue/offering.html",
        detail=detail,
        offering=detail.offering,
        description_html=markdown_to_html(detail.offering),
        now=now,
    )
