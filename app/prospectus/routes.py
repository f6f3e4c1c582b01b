"""The term prospectus: every URL of the area at a glance.

GET /prospectus[?term=2027-spring]       the booklet: HTML with print CSS for A4
GET /prospectus.pdf[?term=2027-spring]   the same booklet as a tagged PDF
GET /p/<offering_id>                     the short link printed in the booklet (and in its QR
                                         code): on to the offering's sign-up page
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, redirect, render_template, url_for
from flask import request as flask_request
from flask_babel import gettext as _

from app.database import utcnow
from app.extensions import db, limiter
from app.i18n import current_language, local
from app.models import EnrolmentMode, Offering, OfferingStatus
from app.page_cache import cached_page
from app.pdf import html_to_pdf
from app.prospectus import queries
from app.qr import qr_svg

bp = Blueprint("prospectus", __name__)
bp.add_app_template_global(qr_svg, "qr_svg")


def term_label(period) -> str:
    year = period.start.year
    if period.slug.endswith("-spring"):
        return _("Spring %(year)d", year=year)
    return _("Autumn %(year)d", year=year)


def _booklet_context() -> dict | None:
    try:
        period = queries.term_from(flask_request.args.get("term"), today=local(utcnow()).date())
    except queries.UnknownTerm:
        return None
    public_url = current_app.config["PUBLIC_URL"]
    before, after = queries.neighbour_terms(period)
    return {
        "period": period,
        "term_label": term_label(period),
        "sections": queries.booklet(period, utcnow()),
        "term_name": term_label,
        "before": before,
        "after": after,
        "before_label": term_label(before),
        "after_label": term_label(after),
        "public_url": public_url,
        "host": urlsplit(public_url).netloc + urlsplit(public_url).path,
    }


def _unknown_term():
    asked = (flask_request.args.get("term") or "")[:40]
    return render_template("prospectus/unknown_term.html", asked=asked), 400


@bp.get("/prospectus")
@cached_page
def booklet():
    """The term's offerings as a printable, accessible booklet."""
    context = _booklet_context()
    if context is None:
        return _unknown_term()
    return render_template("prospectus/page.html", **context)


@bp.get("/prospectus.pdf")
@limiter.limit("60/minute")
@cached_page
def booklet_pdf():
    """The same booklet as a tagged PDF, to print or pass on. Drawing it takes seconds for a
    full term, so it is kept like the public pages until something changes."""
    context = _booklet_context()
    if context is None:
        return _unknown_term()
    html = render_template("prospectus/pdf.html", **context)
    filename = _("prospectus") + f"-{context['period'].slug}-{current_language()}.pdf"
    response = Response(
        html_to_pdf(html, static_folder=current_app.static_folder), mimetype="application/pdf"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/p/<int:offering_id>")
def short_link(offering_id: int):
    """The booklet's short link: the sign-up page (a drop-in's page says "just come")."""
    offering = db.session.get(Offering, offering_id)
    if offering is None or offering.status == OfferingStatus.DRAFT:
        abort(404)
    if offering.enrolment_mode == EnrolmentMode.DROP_IN or offering.status != "published":
        return redirect(url_for("catalogue.offering", slug=offering.slug))
    return redirect(url_for("enrollment.enroll", slug=offering.slug))
