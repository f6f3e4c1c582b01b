"""ical.py on its own: events, the time zone, invitations (no app, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from app.calendar import ical
from app.models import Location
from tests.calendar.helpers import COPENHAGEN, events, local, parse, vevents

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
PUBLIC_URL = "https://holdplads.example.dk"


def fake_occurrence(occurrence_id=1, *, starts_at, hours=2, online=False, **offering_fields):
    town = {"postcode": "8000", "city": "Aarhus C"}
    location = Location(name="Recovery-skolen", room="Lokale 2", address="Vestergade 1", **town)
    offering = SimpleNamespace(
        slug="angst-og-hverdag",
        title="Angst og hverdag",
        title_en="Anxiety and everyday life",
        summary="Et kursus om angst.",
        summary_en="A course about anxiety.",
        status="published",
        revision=0,
        is_online=online,
        online_join_url="https://meet.example.org/secret-room" if online else None,
        location=None if online else location,
        updated_at=NOW - timedelta(days=3),
    )
    for name, value in offering_fields.items():
        setattr(offering, name, value)
    return SimpleNamespace(
        id=occurrence_id,
        offering=offering,
        location=offering.location,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        status="scheduled",
        cancelled_at=None,
        note=None,
        sequence=0,
        updated_at=NOW - timedelta(days=2),
    )


def fake_enrollment(**fields):
    values = {
        "name": "Åse Holm",
        "email": "aase@example.org",
        "status": "confirmed",
        "language": "da",
    }
    values.update(fields)
    return SimpleNamespace(**values)


def feed(*occurrences, **options):
    return ical.build_feed(
        [ical.occurrence_event(o, public_url=PUBLIC_URL, **options) for o in occurrences],
        name="Test",
        now=NOW,
    )


def test_vtimezone_is_two_yearly_rules_not_a_table():
    cal, _ = parse(feed(fake_occurrence(starts_at=local(2027, 3, 1, 17))))
    (tz,) = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Copenhagen"
    parts = {c.name: c for c in tz.subcomponents}
    assert set(parts) == {"STANDARD", "DAYLIGHT"}
    assert parts["DAYLIGHT"]["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"
    assert parts["STANDARD"]["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
    assert "RDATE" not in tz.to_ical().decode()


# The day before and after each change in 2027 (28 March, 31 October), at 17:00 local.
DST_CASES = [
    (local(2027, 3, 27, 17), "20270327T170000", datetime(2027, 3, 27, 16, 0, tzinfo=UTC)),
    (local(2027, 3, 29, 17), "20270329T170000", datetime(2027, 3, 29, 15, 0, tzinfo=UTC)),
    (local(2027, 10, 30, 17), "20271030T170000", datetime(2027, 10, 30, 15, 0, tzinfo=UTC)),
    (local(2027, 11, 1, 17), "20271101T170000", datetime(2027, 11, 1, 16, 0, tzinfo=UTC)),
]


@pytest.mark.parametrize(("starts_at", "wall_clock", "utc"), DST_CASES)
def test_times_around_summer_time_changes_are_right_in_both_parsers(starts_at, wall_clock, utc):
    text = feed(fake_occurrence(starts_at=starts_at))
    assert f"DTSTART;TZID=Europe/Copenhagen:{wall_clock}" in text
    cal, vcal = parse(text)
    (event,) = cal.walk("VEVENT")
    assert event.decoded("DTSTART").astimezone(UTC) == utc
    assert event.decoded("DTSTART").astimezone(COPENHAGEN).hour == 17
    # vobject builds its tzinfo from *our* VTIMEZONE, so this checks the RRULEs themselves.
    vevent = vcal.vevent
    assert vevent.dtstart.value.astimezone(UTC) == utc
    assert vevent.dtend.value.astimezone(UTC) == utc + timedelta(hours=2)
    # icalendar's own reading of our VTIMEZONE component agrees as well.
    (vtimezone,) = cal.walk("VTIMEZONE")
    tz = vtimezone.to_tz()
    naive = datetime.strptime(wall_clock, "%Y%m%dT%H%M%S")
    assert naive.replace(tzinfo=tz).astimezone(UTC) == utc


def test_every_event_carries_the_required_properties():
    occurrence = fake_occurrence(7, starts_at=local(2027, 2, 2, 10))
    text = feed(occurrence)
    cal, vcal = parse(text)
    for name in (
        "PRODID",
        "VERSION",
        "CALSCALE",
        "METHOD",
        "NAME",
        "X-WR-CALNAME",
        "REFRESH-INTERVAL",
        "X-PUBLISHED-TTL",
        "X-WR-TIMEZONE",
    ):
        assert name in cal, name
    assert str(cal["METHOD"]) == "PUBLISH"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text
    assert "X-PUBLISHED-TTL:PT1H" in text
    event = events(cal)["occurrence-7@holdplads.example.dk"]
    assert event.decoded("DTSTAMP") == NOW
    assert event.decoded("LAST-MODIFIED") == NOW - timedelta(days=2)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=2)
    assert int(event["SEQUENCE"]) == 0
    assert str(event["SUMMARY"]) == "Angst og hverdag"
    assert str(event["LOCATION"]) == "Recovery-skolen, Lokale 2, Vestergade 1, 8000 Aarhus C"
    assert str(event["URL"]) == "https://holdplads.example.dk/offerings/angst-og-hverdag"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Et kursus om angst." in str(event["DESCRIPTION"])
    assert "ORGANIZER" not in event and "ATTENDEE" not in event
    assert vevents(vcal)["occurrence-7@holdplads.example.dk"].summary.value == "Angst og hverdag"


def test_english_events_use_the_english_title():
    text = feed(fake_occurrence(starts_at=local(2027, 2, 2, 10)), language="en")
    (event,) = parse(text)[0].walk("VEVENT")
    assert str(event["SUMMARY"]) == "Anxiety and everyday life"


def test_online_events_say_online_and_carry_the_join_link_only_when_asked():
    occurrence = fake_occurrence(starts_at=local(2027, 2, 2, 10), online=True)
    public = feed(occurrence)
    assert "meet.example.org" not in public
    (event,) = parse(public)[0].walk("VEVENT")
    assert str(event["LOCATION"]) == "Online"
    assert "CONFERENCE" not in event
    private = feed(occurrence, join_link=True, private=True)
    (event,) = parse(private)[0].walk("VEVENT")
    assert "https://meet.example.org/secret-room" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "https://meet.example.org/secret-room"
    assert str(event["CONFERENCE"]) == "https://meet.example.org/secret-room"
    assert event["CONFERENCE"].params["LABEL"] == "Deltag online"
    assert str(event["CLASS"]) == "PRIVATE"


def test_discreet_events_show_only_holdplads_and_the_time():
    occurrence = fake_occurrence(starts_at=local(2027, 2, 2, 10))
    text = feed(occurrence, discreet=True, private=True)
    assert "Angst" not in text and "Recovery-skolen" not in text
    assert "angst-og-hverdag" not in text
    (event,) = parse(text)[0].walk("VEVENT")
    assert str(event["SUMMARY"]) == "Holdplads"
    assert event.decoded("DTSTART").astimezone(COPENHAGEN).hour == 10


def test_sequence_adds_the_offering_revision():
    occurrence = fake_occurrence(starts_at=local(2027, 2, 2, 10), revision=2)
    occurrence.sequence = 3
    (event,) = parse(feed(occurrence))[0].walk("VEVENT")
    assert int(event["SEQUENCE"]) == 5


def test_cancelled_occurrence_stays_thirty_days_then_drops_out():
    occurrence = fake_occurrence(starts_at=local(2027, 2, 2, 10))
    occurrence.status = "cancelled"
    occurrence.cancelled_at = NOW
    assert ical.shown_in_feed(occurrence, NOW + timedelta(days=30))
    assert not ical.shown_in_feed(occurrence, NOW + timedelta(days=31))
    (event,) = parse(feed(occurrence))[0].walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"


def test_request_invitation_names_organizer_and_accepted_attendee():
    occurrences = [fake_occurrence(i, starts_at=local(2027, 2, i, 10)) for i in (1, 2, 3)]
    text = ical.build_invitation(
        fake_enrollment(),
        occurrences,
        method="REQUEST",
        public_url=PUBLIC_URL,
        organizer_email="holdplads@example.dk",
        now=NOW,
    )
    cal, vcal = parse(text)
    assert str(cal["METHOD"]) == "REQUEST"
    parsed = events(cal)
    assert set(parsed) == {f"occurrence-{i}@holdplads.example.dk" for i in (1, 2, 3)}
    for event in parsed.values():
        assert str(event["ORGANIZER"]) == "mailto:holdplads@example.dk"
        attendee = event["ATTENDEE"]
        assert str(attendee) == "mailto:aase@example.org"
        assert attendee.params["PARTSTAT"] == "ACCEPTED"
        assert attendee.params["RSVP"] == "FALSE"
        assert str(event["CLASS"]) == "PRIVATE"
        assert str(event["STATUS"]) == "CONFIRMED"
    assert len(vcal.vevent_list) == 3


def test_cancel_of_a_seat_raises_sequence_and_keeps_the_uid():
    occurrence = fake_occurrence(5, starts_at=local(2027, 2, 2, 10))
    occurrence.sequence = 2
    text = ical.build_invitation(
        fake_enrollment(status="cancelled"),
        [occurrence],
        method="CANCEL",
        public_url=PUBLIC_URL,
        organizer_email="holdplads@example.dk",
        now=NOW,
    )
    cal, _ = parse(text)
    assert str(cal["METHOD"]) == "CANCEL"
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == "occurrence-5@holdplads.example.dk"
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 3
    assert "meet.example.org" not in text


def test_cancel_of_a_cancelled_occurrence_keeps_its_already_raised_sequence():
    occurrence = fake_occurrence(5, starts_at=local(2027, 2, 2, 10))
    occurrence.status = "cancelled"
    occurrence.cancelled_at = NOW
    occurrence.sequence = 4
    text = ical.build_invitation(
        fake_enrollment(),
        [occurrence],
        method="CANCEL",
        public_url=PUBLIC_URL,
        organizer_email="holdplads@example.dk",
        now=NOW,
    )
    (event,) = parse(text)[0].walk("VEVENT")
    assert int(event["SEQUENCE"]) == 4
    assert str(event["STATUS"]) == "CANCELLED"


def test_invitation_methods_are_only_request_and_cancel():
    with pytest.raises(ValueError):
        ical.build_invitation(
            fake_enrollment(),
            [],
            method="PUBLISH",
            public_url=PUBLIC_URL,
            organizer_email="holdplads@example.dk",
        )


AWKWARD_TEXTS = [
    "Kort",
    "Komma, semikolon; og baglæns \\ streg",
    "Linjeskift\nog CRLF\r\nog CR\rog bogstavelig \\N",
    "æøå " * 40,  # long, multi-byte: folds between characters, never inside one
    "x" * 73 + "\\;" + "y" * 80,  # an escape right at the fold
    "🙂 emoji og 中文 " * 12,
    "^" * 150,
]


@pytest.mark.parametrize("text", AWKWARD_TEXTS)
def test_fast_feed_writer_writes_exactly_what_icalendar_writes(text):
    occurrence = fake_occurrence(12, starts_at=local(2027, 10, 31, 2, 30), title=text, summary=text)
    occurrence.note = text
    plain = ical.occurrence_event(occurrence, public_url=PUBLIC_URL)
    online = ical.occurrence_event(
        fake_occurrence(13, starts_at=local(2027, 3, 28, 1), online=True, title=text),
        public_url=PUBLIC_URL + "/" + "sti" * 30,
        join_link=True,
        private=True,
    )
    cancelled = ical.EventData(
        **{**plain.__dict__, "status": "CANCELLED", "description": "", "location": ""}
    )
    events_ = [plain, online, cancelled]
    fast = ical.build_feed(events_, name=text, now=NOW, description=text)
    reference = ical.build_feed_with_icalendar(events_, name=text, now=NOW, description=text)
    assert fast == reference
    assert all(len(line.encode()) <= 75 for line in fast.split("\r\n"))
    cal, vcal = parse(fast)
    assert str(cal.walk("VEVENT")[0]["SUMMARY"]) == text.replace("\r\n", "\n").replace(
        "\r", "\n"
    ).replace("\\N", "\n")
