"""Every calendar URL at a glance.

GET  /offerings/<slug>.ics           one public offering's occurrences
GET  /calendar.ics                   the catalogue, with exactly the catalogue page's filters
GET  /my/calendar/<token>.ics        a participant's confirmed occurrences (private, join link)
GET  /manage/calendar/<token>.ics    the occurrences a staff member runs (private, join link)
GET  /enrollments/<token>.ics        one enrollment's occurrences, as the seat stands (private)
POST /my/calendar/renew              new address for the personal feed; the old one dies
POST /my/calendar/settings           discreet titles on or off

Calendar apps poll every hour for years, so an unchanged feed is answered 304 from a validator
made of the change marker (one indexed read), the URL, the language headers and the day,
before any feed is built or any token is checked (see conditional.py).
"""

from __future__ import annotations

import functools
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _

from app.calendar import conditional, feeds, ical, tokens
from app.catalogue.queries import CatalogueFilters
from app.database import utcnow
from app.enrollment.sign_in import PARTICIPANT_SESSION_KEY
from app.enrollment.tokens import enrollment_by_token
from app.i18n import current_language, localized
from app.page_cache import current_marker

bp = Blueprint("calendar", __name__, cli_group=None)

CONTENT_TYPE = "text/calendar; charset=utf-8"


@bp.record_once
def _answer_unchanged_polls_early(state) -> None:
    conditional.install(state.app)


def calendar_feed(*, private: bool):
    """Answer conditional requests before the view runs; the view returns (text, filename).

    The same validators as `conditional.NotModifiedMiddleware`, which usually answers the
    304s before Flask runs at all; this is the path for everything else.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(**kwargs):
            now = utcnow()
            etag, last_modified = conditional.validators(request.environ, current_marker(), now)
            if conditional.not_modified(
                etag, last_modified, request.if_none_match, request.if_modified_since
            ):
                response = Response(status=304)
            else:
                result = view(now=now, **kwargs)
                if result is None:
                    abort(404)
                body, filename = result
                response = Response(body.encode("utf-8"), content_type=CONTENT_TYPE)
                response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
            response.set_etag(etag)
            response.last_modified = last_modified
            response.headers["Cache-Control"] = conditional.cache_control(private)
            response.headers["Vary"] = conditional.VARY
            return response

        return wrapper

    return decorate


def _public_url() -> str:
    return current_app.config["PUBLIC_URL"]


@bp.get("/offerings/<slug:slug>.ics")
@calendar_feed(private=False)
def offering_feed(slug: str, now: datetime):
    """One offering's occurrences, for a calendar app to subscribe to."""
    found = feeds.offering_events(
        slug, now=now, public_url=_public_url(), language=current_language()
    )
    if found is None:
        return None
    offering, events = found
    name = f"{localized(offering.title, offering.title_en)} · Holdplads"
    return ical.build_feed(events, name=name, now=now), f"{slug}.ics"


@bp.get("/calendar.ics")
@calendar_feed(private=False)
def catalogue_feed(now: datetime):
    """The catalogue as a calendar, with the same filters as the catalogue page."""
    filters = CatalogueFilters.from_args(request.args)
    if filters.date_problems:
        abort(400, " ".join(filters.date_messages().values()))
    events = feeds.catalogue_events(
        filters, now=now, public_url=_public_url(), language=current_language()
    )
    name = _("Holdplads: chosen offerings") if filters.active else _("Holdplads: all offerings")
    return ical.build_feed(events, name=name, now=now), "holdplads.ics"


@bp.get("/my/calendar/<token>.ics")
@calendar_feed(private=True)
def personal_feed(token: str, now: datetime):
    """A participant's own confirmed occurrences, behind their secret address."""
    calendar = tokens.personal_calendar_for(token)
    if calendar is None:
        return None
    events = feeds.personal_events(calendar, now=now, public_url=_public_url())
    if calendar.discreet:
        name = "Holdplads"
    else:
        with force_locale(feeds.personal_language(calendar.email_normalized)):
            name = _("My Holdplads calendar")
    return ical.build_feed(events, name=name, now=now), "holdplads.ics"


@bp.get("/manage/calendar/<token>.ics")
@calendar_feed(private=True)
def facilitator_feed(token: str, now: datetime):
    """The occurrences a staff member runs, behind their secret address."""
    user = tokens.facilitator_for(token)
    if user is None:
        return None
    events = feeds.facilitator_events(
        user, now=now, public_url=_public_url(), language=current_language()
    )
    name = _("Holdplads: what I run")
    return ical.build_feed(events, name=name, now=now), "holdplads.ics"


@bp.get("/enrollments/<token>.ics")
@calendar_feed(private=True)
def enrollment_feed(token: str, now: datetime):
    """One enrollment's occurrences, behind its manage link."""
    enrollment = enrollment_by_token(token)
    if enrollment is None:
        return None
    events = feeds.enrollment_events(enrollment, now=now, public_url=_public_url())
    offering = enrollment.offering
    title = ical.localized_text(enrollment.language or "da", offering.title, offering.title_en)
    name = f"{title} · Holdplads"
    return ical.build_feed(events, name=name, now=now), f"{offering.slug}.ics"


# --- the /my page's actions (the page itself belongs to the sign-up area) ----------------


def _participant_email() -> str:
    email = session.get(PARTICIPANT_SESSION_KEY)
    if not email:
        abort(403)
    return email


def _back_to_my_bookings():
    return redirect(url_for("enrollment.my_bookings"))


@bp.post("/my/calendar/renew")
def renew_personal_feed():
    """Give the personal feed a new address; calendars using the old one stop updating."""
    email = _participant_email()
    tokens.personal_calendar_token(email, renew=True, now=utcnow())
    flash(
        _(
            "Your calendar has a new address. The old one no longer works: "
            "subscribe again with the new one."
        ),
        "success",
    )
    return _back_to_my_bookings()


@bp.post("/my/calendar/settings")
def personal_feed_settings():
    """Turn discreet titles on or off for the personal feed."""
    email = _participant_email()
    discreet = request.form.get("discreet", "") in {"1", "on", "true", "yes"}
    tokens.set_discreet(email, discreet)
    if discreet:
        flash(_("Your calendar now shows only “Holdplads” and the time."), "success")
    else:
        flash(_("Your calendar now shows the names of your courses and meetings."), "success")
    return _back_to_my_bookings()


@bp.app_template_global()
def feed_url(endpoint: str, **values) -> str:
    """A feed's absolute address from PUBLIC_URL (calendar apps fetch it from elsewhere)."""
    return current_app.config["PUBLIC_URL"] + url_for(endpoint, **values)
