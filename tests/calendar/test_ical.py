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


def invite(enrollment, occurrences, method="REQUEST", **options):
    return ical.build_invitation(
        enrollment,
        occurrences,
        method=method,
        public_url=PUBLIC_URL,
        organizer_email="holdplads@example.dk",
        now=NOW,
        **options,
    )


def course_dates():
    """Three dates: the second moved to another room, the third cancelled."""
    occurrences = [fake_occurrence(i, starts_at=local(2027, 2, i, 10)) for i in (1, 2, 3)]
    for occurrence in occurrences:
        occurrence.offering = occurrences[0].offering
        occurrence.offering.id = 7
    occurrences[1].location_override = Location(name="Biblioteket", address="Dokk1")
    occurrences[1].sequence = 1
    occurrences[2].status = "cancelled"
    occurrences[2].cancelled_at = NOW
    occurrences[2].sequence = 1
    return occurrences


def expanded_starts(vcal) -> list[datetime]:
    """The dates a client computes from the object (vobject expands RDATE minus EXDATE)."""
    master = next(e for e in vcal.vevent_list if not hasattr(e, "recurrence_id"))
    return sorted(d.astimezone(COPENHAGEN) for d in master.getrruleset(addRDate=True))


def test_request_is_one_calendar_object_with_every_date_for_both_parsers():
    occurrences = course_dates()
    text = invite(fake_enrollment(), occurrences)
    cal, vcal = parse(text)
    assert str(cal["METHOD"]) == "REQUEST"
    vevents_ = cal.walk("VEVENT")
    assert {str(e["UID"]) for e in vevents_} == {"offering-7@holdplads.example.dk"}
    master, override = vevents_  # the moved room is an override; the rest are RDATE/EXDATE
    assert "RECURRENCE-ID" not in master
    assert master.decoded("DTSTART").astimezone(COPENHAGEN) == local(2027, 2, 1, 10)
    assert [d.dt for r in [master["RDATE"]] for d in r.dts] == [
        datetime(2027, 2, 2, 10, tzinfo=COPENHAGEN)
    ]
    assert [d.dt for d in master["EXDATE"].dts] == [datetime(2027, 2, 3, 10, tzinfo=COPENHAGEN)]
    assert override.decoded("RECURRENCE-ID") == datetime(2027, 2, 2, 10, tzinfo=COPENHAGEN)
    assert "Biblioteket" in str(override["LOCATION"])
    assert expanded_starts(vcal) == [local(2027, 2, 1, 10), local(2027, 2, 2, 10)]
    for event in vevents_:
        assert str(event["ORGANIZER"]) == "mailto:holdplads@example.dk"
        assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
        assert str(event["CLASS"]) == "PRIVATE"
        assert int(event["SEQUENCE"]) == ical.invitation_sequence(
            occurrences[0].offering, occurrences, 0
        )


def test_request_puts_the_join_link_in_location_for_a_confirmed_seat_only():
    occurrence = fake_occurrence(4, starts_at=local(2027, 2, 2, 10), online=True)
    occurrence.offering.id = 9
    (event,) = parse(invite(fake_enrollment(), [occurrence]))[0].walk("VEVENT")
    assert str(event["LOCATION"]) == "https://meet.example.org/secret-room"
    assert str(event["CONFERENCE"]) == "https://meet.example.org/secret-room"
    waiting = invite(fake_enrollment(status="waitlisted"), [occurrence])
    assert "secret-room" not in waiting


def test_cancel_of_a_seat_is_the_whole_object_with_a_higher_sequence():
    occurrences = course_dates()
    request = parse(invite(fake_enrollment(), occurrences))[0].walk("VEVENT")[0]
    text = invite(fake_enrollment(status="cancelled"), occurrences, method="CANCEL")
    cal, _ = parse(text)
    assert str(cal["METHOD"]) == "CANCEL"
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == str(request["UID"])
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == int(request["SEQUENCE"]) + 1
    assert event["ATTENDEE"].params["PARTSTAT"] == "DECLINED"


def test_signing_up_again_after_a_cancel_sends_a_higher_sequence_than_the_cancel():
    occurrences = course_dates()
    cancel = invite(
        fake_enrollment(status="cancelled"), occurrences, method="CANCEL", seat_number=41
    )
    again = invite(fake_enrollment(), occurrences, seat_number=42)  # the new enrollment
    cancel_sequence = int(parse(cancel)[0].walk("VEVENT")[0]["SEQUENCE"])
    assert int(parse(again)[0].walk("VEVENT")[0]["SEQUENCE"]) > cancel_sequence
    # ...and a second round trip keeps climbing.
    cancel2 = invite(
        fake_enrollment(status="cancelled"), occurrences, method="CANCEL", seat_number=42
    )
    again2 = invite(fake_enrollment(), occurrences, seat_number=57)
    assert int(parse(cancel2)[0].walk("VEVENT")[0]["SEQUENCE"]) > int(
        parse(again)[0].walk("VEVENT")[0]["SEQUENCE"]
    )
    assert int(parse(again2)[0].walk("VEVENT")[0]["SEQUENCE"]) > int(
        parse(cancel2)[0].walk("VEVENT")[0]["SEQUENCE"]
    )


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
