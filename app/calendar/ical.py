"""iCalendar (RFC 5545) for feeds and invitations: data in, text out, no Flask.

Calendar clients are unforgiving, so every event follows the same rules wherever it
appears (public feed, personal feed, invitation in a mail):

- UID `occurrence-<id>@<host>`: built from the occurrence's id and the site's host, so it
  never changes and the same gathering is one event in every calendar that holds it.
- SEQUENCE = `occurrence.sequence + offering.revision`. Both counters only ever rise: the
  staff area raises `occurrence.sequence` when it moves or cancels one occurrence (see
  app/calendar/changes.py) and `offering.revision` when the offering's title or place changes,
  which every occurrence shows. The sum therefore rises on every change a person would notice.
- Times are local (Europe/Copenhagen) with a compact VTIMEZONE whose two components carry
  the EU's yearly rules (last Sunday of March / October) as RRULEs. icalendar's own
  `Timezone.from_tzid` writes a 1970-2038 RDATE table instead, which is long and ends.
- Always DTEND; DTSTAMP in UTC; LAST-MODIFIED from the occurrence.
- Public feeds never carry an online join link, an organiser or an attendee.

The few words that end up inside events ("Online", the discreet title, "Join online") are
in `_WORDS` below rather than in the gettext catalogue: this module must work without an app
or request (mails are built in services and CLI commands), and the event language is the
participant's, not the current request's.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vText,
)

TZID = "Europe/Copenhagen"
LOCAL_TZ = ZoneInfo(TZID)
PRODID = "-//Holdplads//Holdplads calendar//DA"
REFRESH = timedelta(hours=1)
# Cancelled occurrences stay in feeds this long, so subscribed calendars learn of the
# cancellation (and strike the event through) instead of keeping it silently.
CANCELLED_KEPT_FOR = timedelta(days=30)

METHOD_PUBLISH = "PUBLISH"
METHOD_REQUEST = "REQUEST"
METHOD_CANCEL = "CANCEL"

STATUS_CONFIRMED = "CONFIRMED"
STATUS_TENTATIVE = "TENTATIVE"
STATUS_CANCELLED = "CANCELLED"

_WORDS = {
    "da": {
        "online": "Online",
        "discreet": "Holdplads",
        "join": "Deltag online",
        "cancelled": "AFLYST",
        "more": "Læs mere",
        "note": "Bemærk",
    },
    "en": {
        "online": "Online",
        "discreet": "Holdplads",
        "join": "Join online",
        "cancelled": "CANCELLED",
        "more": "Read more",
        "note": "Note",
    },
}


def _words(language: str) -> dict[str, str]:
    return _WORDS.get(language, _WORDS["da"])


@dataclass(frozen=True)
class EventData:
    """One occurrence as a calendar shows it; built once, written into any calendar."""

    uid: str
    starts_at: datetime  # aware
    ends_at: datetime  # aware
    summary: str
    description: str
    location: str
    url: str
    status: str  # CONFIRMED, TENTATIVE (not yet a seat) or CANCELLED
    sequence: int
    last_modified: datetime
    private: bool = False
    # RFC 7986 CONFERENCE: the online join link, for a confirmed participant's own calendar
    # only (it is then also the LOCATION, the thing calendar apps let one tap).
    conference: str | None = None
    conference_label: str | None = None

    @property
    def cancelled(self) -> bool:
        return self.status == STATUS_CANCELLED


@functools.lru_cache(maxsize=16)
def host_of(public_url: str) -> str:
    return urlsplit(public_url).hostname or "localhost"


def event_uid(occurrence_id: int, public_url: str) -> str:
    """Stable forever: the same gathering has the same UID in every feed and every mail."""
    return f"occurrence-{occurrence_id}@{host_of(public_url)}"


def offering_url(public_url: str, slug: str) -> str:
    return f"{public_url.rstrip('/')}/offerings/{slug}"


def event_sequence(occurrence: Any) -> int:
    return int(occurrence.sequence or 0) + int(occurrence.offering.revision or 0)


def occurrence_cancelled(occurrence: Any) -> bool:
    """An occurrence shows as cancelled when it, or its whole offering, was cancelled."""
    return occurrence.status == "cancelled" or occurrence.offering.status == "cancelled"


def cancelled_since(occurrence: Any) -> datetime | None:
    """When the occurrence became cancelled; the offering's last change for a cancelled offering."""
    if occurrence.status == "cancelled":
        return occurrence.cancelled_at or occurrence.updated_at
    if occurrence.offering.status == "cancelled":
        return occurrence.offering.updated_at
    return None


def shown_in_feed(occurrence: Any, now: datetime) -> bool:
    """Scheduled occurrences always; cancelled ones for 30 days after the cancellation."""
    since = cancelled_since(occurrence)
    return since is None or now - since <= CANCELLED_KEPT_FOR


def localized_text(language: str, da_text: str | None, en_text: str | None) -> str:
    """Like app.i18n.localized, but in the given language, not the request's."""
    if language == "en" and en_text:
        return en_text
    return da_text or ""


def location_text(occurrence: Any, language: str) -> str:
    """Place name, room and address; "Online" for online offerings (never the join link)."""
    offering = occurrence.offering
    # An online offering meets "Online", unless this one occurrence was moved to a room.
    location = getattr(occurrence, "location_override", None)
    if location is None:
        if offering.is_online:
            return _words(language)["online"]
        location = occurrence.location
    if location is None:
        return ""
    return location.place_text


def _texts(
    occurrence: Any, public_url: str, language: str, join_link: bool, discreet: bool
) -> tuple[str, str, str, str, str | None]:
    """(summary, description, location, url, join link or None) of an occurrence."""
    offering = occurrence.offering
    words = _words(language)
    url = offering_url(public_url, offering.slug)
    cancelled = occurrence_cancelled(occurrence)
    if discreet:
        # Not even the offering's address: its slug names the course. "My bookings" instead.
        summary = words["discreet"]
        location = ""
        url = f"{public_url.rstrip('/')}/my"
        lines = [url]
    else:
        summary = localized_text(language, offering.title, offering.title_en)
        location = location_text(occurrence, language)
        lines = [localized_text(language, offering.summary, offering.summary_en)]
        if occurrence.note:
            lines.append(f"{words['note']}: {occurrence.note}")
        lines.append(f"{words['more']}: {url}")
    conference = None
    if join_link and offering.is_online and offering.online_join_url and not cancelled:
        lines.append(f"{words['join']}: {offering.online_join_url}")
        if getattr(occurrence, "location_override", None) is None:
            # Calendar apps show LOCATION (and CONFERENCE) as the thing to tap: the link itself.
            location = conference = offering.online_join_url
    if cancelled:
        summary = f"{words['cancelled']}: {summary}"
    return summary, "\n\n".join(line for line in lines if line), location, url, conference


def occurrence_event(
    occurrence: Any,
    *,
    public_url: str,
    language: str = "da",
    join_link: bool = False,
    discreet: bool = False,
    private: bool = False,
    _memo: dict | None = None,
) -> EventData:
    """One occurrence (with .offering and .location loaded) as event data.

    `join_link` adds the online join link: only for confirmed participants' own calendars.
    `discreet` hides the offering's name and place ("Holdplads" and the time only) for
    calendars that family or colleagues can see.
    """
    offering = occurrence.offering
    cancelled = occurrence_cancelled(occurrence)
    if _memo is None:
        texts = _texts(occurrence, public_url, language, join_link, discreet)
    else:
        # The occurrences of one offering share almost all their words: work them out once.
        key = (
            id(offering),
            id(getattr(occurrence, "location_override", None)),
            occurrence.note,
            cancelled,
        )
        texts = _memo.get(key)
        if texts is None:
            texts = _memo[key] = _texts(occurrence, public_url, language, join_link, discreet)
    summary, description, location, url, conference = texts
    return EventData(
        uid=event_uid(occurrence.id, public_url),
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        summary=summary,
        description=description,
        location=location,
        url=url,
        status=STATUS_CANCELLED if cancelled else STATUS_CONFIRMED,
        sequence=event_sequence(occurrence),
        # The offering's own edits (title, place, summary) show in every occurrence too.
        last_modified=max(occurrence.updated_at, offering.updated_at or occurrence.updated_at),
        private=private,
        conference=conference,
        conference_label=_words(language)["join"] if conference else None,
    )


def occurrence_events(
    occurrences: Iterable[Any], *, now: datetime, **options: Any
) -> list[EventData]:
    """The occurrences a feed shows (see `shown_in_feed`), as event data."""
    memo: dict = {}
    return [
        occurrence_event(o, _memo=memo, **options) for o in occurrences if shown_in_feed(o, now)
    ]


# --- writing -------------------------------------------------------------------------------


def copenhagen_vtimezone() -> Timezone:
    """Europe/Copenhagen with its yearly rules (EU summer time since 1996), in two parts."""
    tz = Timezone()
    tz.add("tzid", TZID)
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1996, 10, 27, 3, 0, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    standard.add("tzname", "CET")
    standard.add("tzoffsetfrom", timedelta(hours=2))
    standard.add("tzoffsetto", timedelta(hours=1))
    daylight = TimezoneDaylight()
    daylight.add("dtstart", datetime(1996, 3, 31, 2, 0, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    daylight.add("tzname", "CEST")
    daylight.add("tzoffsetfrom", timedelta(hours=1))
    daylight.add("tzoffsetto", timedelta(hours=2))
    tz.add_component(standard)
    tz.add_component(daylight)
    return tz


def _local_naive(value: datetime) -> datetime:
    """Local wall-clock time; written with TZID=Europe/Copenhagen, which our VTIMEZONE defines."""
    return value.astimezone(LOCAL_TZ).replace(tzinfo=None)


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _event(data: EventData, now: datetime) -> Event:
    event = Event()
    event.add("uid", data.uid)
    event.add("dtstamp", _utc(now))
    event.add("dtstart", _local_naive(data.starts_at), parameters={"TZID": TZID})
    event.add("dtend", _local_naive(data.ends_at), parameters={"TZID": TZID})
    event.add("sequence", data.sequence)
    event.add("last-modified", _utc(data.last_modified))
    event.add("summary", data.summary)
    if data.description:
        event.add("description", data.description)
    if data.location:
        event.add("location", data.location)
    event.add("url", data.url, parameters={"VALUE": "URI"})
    event.add("status", data.status)
    event.add("transp", "TRANSPARENT" if data.cancelled else "OPAQUE")
    event.add("class", "PRIVATE" if data.private else "PUBLIC")
    if data.conference:
        event.add(
            "conference",
            data.conference,
            parameters={"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": data.conference_label},
        )
    return event


def _calendar(method: str, name: str | None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("name", vText(name))
        cal.add("x-wr-calname", vText(name))
    cal.add("x-wr-timezone", TZID)
    cal.add_component(copenhagen_vtimezone())
    return cal


# --- the fast event writer ----------------------------------------------------------------
# icalendar spends ~750 µs writing one event (a property object, parameters and a fold per
# line), which makes a 1,000-event feed take most of a second. Feeds are written with the few
# lines below instead: the same escaping and folding as icalendar's, the same property order,
# so the text is byte for byte what icalendar writes. tests/calendar/test_ical.py proves that
# equality on awkward input; invitations (a handful of events) still go through icalendar.


def _escape(text: str) -> str:
    """RFC 5545 TEXT escaping, in icalendar's order (see icalendar.parser.string)."""
    return (
        text.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _fold(line: str) -> str:
    """Fold at 75 octets like icalendar: never inside a UTF-8 character or an escape."""
    if len(line) < 75 and len(line.encode()) < 75:
        return line
    folded: list[str] = []
    current: list[str] = []
    count = 0
    for char in line:
        size = len(char.encode())
        if current and count + size >= 75:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                folded.append("".join(current))
                current, count = [carried], len(carried.encode())
            else:
                folded.append("".join(current))
                current, count = [], 0
        current.append(char)
        count += size
    folded.append("".join(current))
    return "\r\n ".join(folded)


@functools.lru_cache(maxsize=4096)
def _text_line(name: str, value: str) -> str:
    # Occurrences of one offering share title, description and place: escape and fold once.
    return _fold(f"{name}:{_escape(value)}")


@functools.lru_cache(maxsize=1024)
def _uri_line(name: str, value: str) -> str:
    return _fold(f"{name}:{value}")


_LOCAL_FORMAT = "%Y%m%dT%H%M%S"
_UTC_FORMAT = "%Y%m%dT%H%M%SZ"


def _event_text(data: EventData, dtstamp: str) -> str:
    """One VEVENT exactly as `_event(data, now).to_ical()` writes it, ~20 times faster."""
    lines = [
        "BEGIN:VEVENT",
        _text_line("SUMMARY", data.summary),
        f"DTSTART;TZID={TZID}:{data.starts_at.astimezone(LOCAL_TZ).strftime(_LOCAL_FORMAT)}",
        f"DTEND;TZID={TZID}:{data.ends_at.astimezone(LOCAL_TZ).strftime(_LOCAL_FORMAT)}",
        dtstamp,
        _text_line("UID", data.uid),
        f"SEQUENCE:{data.sequence}",
        "CLASS:PRIVATE" if data.private else "CLASS:PUBLIC",
    ]
    if data.conference:
        lines.append(
            _uri_line(
                f"CONFERENCE;FEATURE=VIDEO;LABEL={data.conference_label};VALUE=URI",
                data.conference,
            )
        )
    if data.description:
        lines.append(_text_line("DESCRIPTION", data.description))
    lines.append(f"LAST-MODIFIED:{_utc(data.last_modified).strftime(_UTC_FORMAT)}")
    if data.location:
        lines.append(_text_line("LOCATION", data.location))
    lines.append(f"STATUS:{data.status}")
    lines.append("TRANSP:TRANSPARENT" if data.cancelled else "TRANSP:OPAQUE")
    lines.append(_uri_line("URL;VALUE=URI", data.url))
    lines.append("END:VEVENT\r\n")
    return "\r\n".join(lines)


def _feed_calendar(name: str, description: str | None) -> Calendar:
    cal = _calendar(METHOD_PUBLISH, name)
    if description:
        cal.add("x-wr-caldesc", vText(description))
    # Both spellings: REFRESH-INTERVAL is RFC 7986, X-PUBLISHED-TTL is what Outlook reads.
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vText("PT1H"))
    return cal


def build_feed(
    events: Iterable[EventData],
    *,
    name: str,
    now: datetime,
    description: str | None = None,
) -> str:
    """A subscribable calendar (METHOD:PUBLISH): no organiser, no attendees.

    icalendar writes the calendar's own properties and the VTIMEZONE; the events are
    written by `_event_text`, which writes what icalendar would, only faster.
    """
    head = _feed_calendar(name, description).to_ical().decode("utf-8")
    end = "END:VCALENDAR\r\n"
    assert head.endswith(end)
    dtstamp = f"DTSTAMP:{_utc(now).strftime(_UTC_FORMAT)}"
    body = "".join(_event_text(data, dtstamp) for data in events)
    return head[: -len(end)] + body + end


def build_feed_with_icalendar(
    events: Iterable[EventData], *, name: str, now: datetime, description: str | None = None
) -> str:
    """The reference: the same feed written wholly by icalendar (tests compare the two)."""
    cal = _feed_calendar(name, description)
    for data in events:
        cal.add_component(_event(data, now))
    return cal.to_ical().decode("utf-8")


def _mailto(address: str) -> str:
    return address if address.lower().startswith("mailto:") else f"mailto:{address}"


def invitation_uid(offering_id: int, public_url: str) -> str:
    """The one calendar object a person's invitations to an offering are about."""
    return f"offering-{offering_id}@{host_of(public_url)}"


def invitation_sequence(offering: Any, occurrences: Sequence[Any], seat_number: int) -> int:
    """Rises on every change a person would notice, and past every CANCEL they were sent.

    Every term only rises: the offering's revision, each date's sequence (moved, cancelled),
    the number of dates (one added), and 2 × `seat_number` (the enrollment's id). A seat's
    CANCEL is this + 1; a person who signs up again gets a new enrollment with a higher id,
    so the new invitation is at least 1 above that CANCEL (a calendar ignores an update with
    a lower SEQUENCE) — and no query is needed to know it.
    """
    return (
        int(offering.revision or 0)
        + sum(int(o.sequence or 0) for o in occurrences)
        + len(occurrences)
        + 2 * seat_number
    )


def _local_dates(values: Iterable[datetime]) -> list[datetime]:
    return [_local_naive(v) for v in values]


def build_invitation(
    enrollment: Any,
    occurrences: Sequence[Any],
    *,
    method: str,
    public_url: str,
    organizer_email: str,
    now: datetime | None = None,
    seat_number: int = 0,
) -> str:
    """An invitation for a mail: METHOD:REQUEST (a seat, or a change to its dates) or
    METHOD:CANCEL (the seat is gone, or the whole offering is cancelled).

    iTIP (RFC 5546) carries ONE calendar object per message, so all `occurrences` (every date
    of the offering, with .offering and .location loaded) are one recurring event with the UID
    `offering-<id>@host`: DTSTART/DTEND the first scheduled date, RDATE the other scheduled
    dates, EXDATE the cancelled ones, and an override (RECURRENCE-ID) for a date whose length,
    place or note differs from the first. Every message carries the whole object, so a moved
    or cancelled date is an update of it (REQUEST, SEQUENCE higher), never a loose event.
    `organizer_email` is the site's sending address (plain email, no display name);
    `seat_number` is the enrollment's id (see `invitation_sequence`).
    """
    method = method.upper()
    if method not in (METHOD_REQUEST, METHOD_CANCEL):
        raise ValueError(f"invitations are REQUEST or CANCEL, not {method}")
    if not occurrences:
        raise ValueError("an invitation needs at least one date")
    now = now or datetime.now(UTC)
    language = getattr(enrollment, "language", None) or "da"
    ordered = sorted(occurrences, key=lambda o: o.starts_at)
    offering = ordered[0].offering
    confirmed = enrollment.status == "confirmed"
    datas = [
        occurrence_event(
            occurrence,
            public_url=public_url,
            language=language,
            join_link=confirmed and method == METHOD_REQUEST,
            private=True,
        )
        for occurrence in ordered
    ]
    scheduled = [d for d in datas if not d.cancelled]
    cancelled = [d for d in datas if d.cancelled]
    sequence = invitation_sequence(offering, ordered, seat_number)
    if method == METHOD_CANCEL:
        sequence += 1
    uid = invitation_uid(offering.id, public_url)
    first = scheduled[0] if scheduled else datas[0]
    master_status = STATUS_CANCELLED if method == METHOD_CANCEL or not scheduled else first.status
    master_data = replace(
        first,
        uid=uid,
        sequence=sequence,
        status=master_status,
        summary=first.summary if scheduled else datas[0].summary,
        last_modified=max(d.last_modified for d in datas),
    )
    cal = _calendar(method, None)
    organizer = vCalAddress(_mailto(organizer_email))
    organizer.params["CN"] = vText("Holdplads")
    attendee = vCalAddress(_mailto(enrollment.email))
    attendee.params["CN"] = vText(enrollment.name)
    attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
    attendee.params["CUTYPE"] = vText("INDIVIDUAL")
    attendee.params["PARTSTAT"] = vText("ACCEPTED" if method == METHOD_REQUEST else "DECLINED")
    attendee.params["RSVP"] = vText("FALSE")

    def vevent(data: EventData) -> Event:
        event = _event(data, now)
        event.add("organizer", organizer)
        event.add("attendee", attendee)
        return event

    master = vevent(master_data)
    tz = {"TZID": TZID}
    others = [d for d in scheduled if d is not first]
    if others:
        master.add("rdate", _local_dates(d.starts_at for d in others), parameters=tz)
    if cancelled and scheduled:
        master.add("exdate", _local_dates(d.starts_at for d in cancelled), parameters=tz)
    cal.add_component(master)
    if method == METHOD_REQUEST:
        length = first.ends_at - first.starts_at
        for data in others:
            same = (
                data.ends_at - data.starts_at == length
                and data.location == first.location
                and data.description == first.description
            )
            if same:
                continue
            override = vevent(replace(data, uid=uid, sequence=sequence))
            override.add("recurrence-id", _local_naive(data.starts_at), parameters=tz)
            cal.add_component(override)
    return cal.to_ical().decode("utf-8")
