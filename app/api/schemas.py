"""How an offering looks in JSON. The OpenAPI document describes exactly this shape."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app

from app.enrollment.availability import Availability
from app.i18n import local, localized
from app.models import EnrolmentMode, Location, Offering, Organisation


def _iso(value: datetime | None) -> str | None:
    """ISO 8601 with the Danish offset, as people there read it (+01:00 / +02:00)."""
    return local(value).isoformat() if value is not None else None


def _location(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {
        "name": location.name,
        "address": location.address,
        "postcode": location.postcode,
        "city": location.city,
        "room": location.room,
        "step_free": location.step_free,
        "accessible_toilet": location.accessible_toilet,
        "hearing_loop": location.hearing_loop,
        "accessibility_notes": localized(
            location.accessibility_notes, location.accessibility_notes_en
        )
        or None,
    }


def _organisation(org: Organisation) -> dict[str, str]:
    return {"slug": org.slug, "name": localized(org.name, org.name_en)}


def offering_json(
    offering: Offering,
    availability: Availability,
    next_start: datetime | None,
    now: datetime,
    by_audience: dict[str, int | None] | None = None,
) -> dict[str, Any]:
    """`by_audience`: seats left per audience where audience shares apply (else null)."""
    base = current_app.config["PUBLIC_URL"]
    return {
        "slug": offering.slug,
        "kind": offering.kind,
        "title": localized(offering.title, offering.title_en),
        "summary": localized(offering.summary, offering.summary_en),
        "audiences": offering.audiences,
        "themes": [
            {"slug": theme.slug, "name": localized(theme.name, theme.name_en)}
            for theme in offering.themes
        ],
        "status": offering.status,
        "enrolment_mode": offering.enrolment_mode,
        "signup_state": availability.state.value,
        "capacity": offering.capacity,
        "seats_left": availability.seats_left,
        "seats_left_by_audience": by_audience or None,
        "interest_count": availability.interest_count,
        "ready_count": availability.ready_count,
        "min_participants": offering.min_participants
        if offering.enrolment_mode == EnrolmentMode.INTEREST
        else None,
        "waitlist": availability.waitlist_count,
        "organiser": _organisation(offering.organisation),
        "co_organisers": [_organisation(org) for org in offering.co_organisers],
        "online": offering.is_online,
        "location": None if offering.is_online else _location(offering.location),
        "teaching_language": offering.teaching_language,
        "next_start": _iso(next_start),
        "url": f"{base}/offerings/{offering.slug}",
        "ics_url": f"{base}/offerings/{offering.slug}.ics",
        "occurrences": [
            {
                "start": _iso(occurrence.starts_at),
                "end": _iso(occurrence.ends_at),
                "status": occurrence.status,
            }
            for occurrence in offering.occurrences
            if occurrence.ends_at >= now
        ],
    }
