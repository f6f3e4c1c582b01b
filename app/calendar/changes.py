"""What any code that changes a date, a place or a status must call, so calendars follow.

Calendar clients keep their copy of an event unless its SEQUENCE rises (RFC 5545 3.8.7.4).
The staff area calls these when it moves, re-places or cancels an occurrence, or changes an
offering's title or place; the feeds and invitations then carry the higher number.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def mark_occurrence_changed(occurrence: Any, *, now: datetime | None = None) -> int:
    """Raise the occurrence's SEQUENCE after moving, re-placing or cancelling it."""
    occurrence.sequence = (occurrence.sequence or 0) + 1
    occurrence.updated_at = now or datetime.now(UTC)
    return occurrence.sequence


def mark_offering_changed(offering: Any, *, now: datetime | None = None) -> int:
    """Raise the offering's revision after a change every occurrence shows (title, place)."""
    offering.revision = (offering.revision or 0) + 1
    offering.updated_at = now or datetime.now(UTC)
    return offering.revision
