"""Places where offerings meet, with the facts someone needs to decide whether they can get
in (step-free access, hearing loop, toilet, directions). A place is shared: correcting it
here corrects it once for every offering and date there, and calendars are told.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime

import sqlalchemy as sa

from app.calendar.changes import mark_occurrence_changed, mark_offering_changed
from app.extensions import db
from app.management.services import LocationDetails
from app.models import Location, Occurrence, Offering

# What a calendar shows of a place: a change to these raises the events' SEQUENCE.
_IN_CALENDARS = ("name", "address", "postcode", "city", "room")


def _text(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _write(location: Location, details: LocationDetails) -> bool:
    """Copy the details onto the place; True when something a calendar shows changed."""
    calendar_changed = False
    for f in fields(LocationDetails):
        value = _text(getattr(details, f.name))
        if f.name in ("name", "address"):
            value = value or ""
        if getattr(location, f.name) != value:
            calendar_changed |= f.name in _IN_CALENDARS
            setattr(location, f.name, value)
    return calendar_changed


def create_place(details: LocationDetails) -> Location:
    location = Location()
    _write(location, details)
    db.session.add(location)
    db.session.flush()
    return location


def update_place(location: Location, details: LocationDetails, *, now: datetime) -> Location:
    """Correct a place; every offering and date there shows the new facts at once."""
    if _write(location, details):
        for offering in db.session.scalars(
            sa.select(Offering).where(Offering.location_id == location.id)
        ):
            mark_offering_changed(offering, now=now)
        for occurrence in db.session.scalars(
            sa.select(Occurrence).where(Occurrence.location_id == location.id)
        ):
            mark_occurrence_changed(occurrence, now=now)
    db.session.flush()
    return location


def details_of(location: Location) -> LocationDetails:
    return LocationDetails(**{f.name: getattr(location, f.name) for f in fields(LocationDetails)})


def places_with_use() -> list[tuple[Location, int]]:
    """Every place by name, with how many offerings meet there."""
    uses = (
        sa.select(Offering.location_id, sa.func.count().label("n"))
        .group_by(Offering.location_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Location, sa.func.coalesce(uses.c.n, 0))
        .outerjoin(uses, uses.c.location_id == Location.id)
        .order_by(Location.name, Location.id)
    ).all()
    return [(location, int(n)) for location, n in rows]
