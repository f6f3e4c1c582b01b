"""Parsing helpers: every feed is read by two independent parsers, icalendar and vobject."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
import vobject

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Copenhagen wall-clock time as an aware UTC datetime (how the database keeps it)."""
    return datetime(year, month, day, hour, minute, tzinfo=COPENHAGEN).astimezone(UTC)


def parse(text: str):
    """(icalendar Calendar, vobject component); both parsers must accept the text."""
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    cal = icalendar.Calendar.from_ical(text)
    vcal = vobject.readOne(text)
    return cal, vcal


def events(cal) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def vevents(vcal) -> dict[str, object]:
    return {e.uid.value: e for e in getattr(vcal, "vevent_list", [])}
