"""The public JSON API, described by /api/v1/openapi.json.

/api/v1/offerings               the catalogue, with the catalogue page's filters, paged
/api/v1/offerings/<slug>        one offering
/api/v1/openapi.json            the OpenAPI 3.1 description of both
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from app.api.openapi import openapi_document
from app.api.schemas import offering_json
from app.catalogue.queries import CatalogueFilters, catalogue_page, offering_detail
from app.database import utcnow
from app.enrollment.seats import audience_seats
from app.extensions import csrf
from app.models import OccurrenceStatus
from app.page_cache import cached_page

bp = Blueprint("api", __name__)
csrf.exempt(bp)

MAX_PER_PAGE = 100


@bp.after_request
def allow_other_sites(response):
    """Municipal websites fetch this from their own pages."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/offerings")
@cached_page
def offerings():
    """The catalogue as JSON: the same filters as `/`, plus `page` and `per_page`."""
    filters = CatalogueFilters.from_args(request.args)
    if filters.date_problems:
        return bad_dates(filters)
    try:
        per_page = min(max(int(request.args.get("per_page", "30")), 1), MAX_PER_PAGE)
    except ValueError:
        per_page = 30
    now = utcnow()
    page = catalogue_page(filters, now, page_size=per_page, with_occurrences=True)
    by_audience = audience_seats([entry.offering for entry in page.entries], now)
    return jsonify(
        offerings=[
            offering_json(
                entry.offering,
                entry.availability,
                entry.next_start,
                now,
                by_audience.get(entry.offering.id),
            )
            for entry in page.entries
        ],
        total=page.total,
        page=page.page,
        page_count=page.page_count,
        per_page=per_page,
        ignored_filters=sorted(set(filters.problems)),
    )


def bad_dates(filters: CatalogueFilters):
    """400 with one sentence per date we could not use (they are never silently ignored)."""
    messages = filters.date_messages()
    error = " ".join(f"{name}: {text}" for name, text in sorted(messages.items()))
    return jsonify(error=error, status=400, fields=messages), 400


@bp.get("/offerings/<slug:slug>")
@cached_page
def offering(slug: str):
    """One public offering as JSON."""
    now = utcnow()
    detail = offering_detail(slug, now)
    if detail is None:
        abort(404)
    upcoming = [
        o.starts_at
        for o in detail.offering.occurrences
        if o.ends_at >= now and o.status == OccurrenceStatus.SCHEDULED
    ]
    next_start = min(upcoming) if upcoming else None
    return jsonify(
        offering_json(detail.offering, detail.availability, next_start, now, detail.by_audience)
    )


@bp.get("/openapi.json")
def openapi():
    """The machine-readable description of this API."""
    return jsonify(openapi_document())
