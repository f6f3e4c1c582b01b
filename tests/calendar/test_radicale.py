"""A real CalDAV server (Radicale) accepts every kind of event we write and gives it back.

Radicale validates what it stores and refuses what is not valid iCalendar, so this is the
closest thing to "Thunderbird, Apple Calendar and Outlook will take it" a test can run.
"""

from __future__ import annotations

import base64
import http.client
import socket
import subprocess
import sys
import time
from datetime import UTC, timedelta

import pytest

from app.calendar import ical
from app.calendar.tokens import personal_calendar_token
from app.extensions import db
from app.models import OccurrenceStatus
from tests.calendar.helpers import events, parse
from tests.factories import make_enrollment, make_location, make_offering, now

AUTH = "Basic " + base64.b64encode(b"holdplads:any").decode()


@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("radicale")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--auth-type",
            "none",
            "--storage-filesystem-folder",
            str(folder),
            "--logging-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"Radicale did not start: {process.stderr.read().decode()}")
            time.sleep(0.1)
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def dav(port: int, method: str, path: str, body: str | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": AUTH}
    if body is not None:
        headers["Content-Type"] = "text/calendar; charset=utf-8"
    connection.request(method, path, body=body.encode() if body else None, headers=headers)
    response = connection.getresponse()
    text = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, text


def put_and_read_back(port: int, collection: str, name: str, text: str):
    status, _ = dav(port, "MKCALENDAR", f"/holdplads/{collection}/")
    assert status in (201, 405, 409), status  # 405/409: it exists already
    status, body = dav(port, "PUT", f"/holdplads/{collection}/{name}.ics", text)
    assert status == 201, (status, body)
    status, stored = dav(port, "GET", f"/holdplads/{collection}/{name}.ics")
    assert status == 200
    return parse(stored)


def single_event_calendars(feed_text: str) -> dict[str, str]:
    """A CalDAV object holds one UID: split a feed into one calendar per event."""
    head, _, rest = feed_text.partition("BEGIN:VEVENT")
    rest = "BEGIN:VEVENT" + rest.rsplit("END:VCALENDAR", 1)[0]
    out = {}
    for chunk in rest.split("BEGIN:VEVENT")[1:]:
        text = head + "BEGIN:VEVENT" + chunk + "END:VCALENDAR\r\n"
        uid = str(events(parse(text)[0]).popitem()[0])
        out[uid] = text
    return out


def assert_same_events(sent: str, stored_cal) -> None:
    ours = events(parse(sent)[0])
    theirs = events(stored_cal)
    assert set(theirs) == set(ours)
    for uid, event in ours.items():
        back = theirs[uid]
        for name in ("DTSTART", "DTEND", "DTSTAMP", "LAST-MODIFIED"):
            assert back.decoded(name) == event.decoded(name), name
        for name in ("SEQUENCE", "STATUS", "SUMMARY", "LOCATION", "URL", "CLASS"):
            assert str(back.get(name)) == str(event.get(name)), name


def test_public_feed_events_go_into_a_caldav_calendar(client, radicale):
    offering = make_offering(
        slug="til-radicale", starts=[now() + timedelta(days=d) for d in (3, 10)]
    )
    offering.occurrences[1].status = OccurrenceStatus.CANCELLED
    offering.occurrences[1].cancelled_at = now()
    offering.occurrences[1].sequence = 1
    db.session.commit()
    feed = client.get("/offerings/til-radicale.ics").text
    for index, (uid, text) in enumerate(single_event_calendars(feed).items()):
        stored, _ = put_and_read_back(radicale, "offentlig", f"event-{index}", text)
        assert_same_events(text, stored)
        assert uid.endswith("@holdplads.test")


def test_personal_feed_events_go_into_a_caldav_calendar(app, client, radicale):
    offering = make_offering(
        slug="personlig-radicale",
        is_online=True,
        online_join_url="https://meet.example.org/rum",
    )
    make_enrollment(offering, email="radi@example.org")
    with app.app_context():
        token = personal_calendar_token("radi@example.org")
        db.session.commit()
    feed = client.get(f"/my/calendar/{token}.ics").text
    ((uid, text),) = single_event_calendars(feed).items()
    stored, _ = put_and_read_back(radicale, "personlig", "event", text)
    assert_same_events(text, stored)
    assert "meet.example.org/rum" in str(events(stored)[uid]["DESCRIPTION"])


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_invitations_go_into_a_caldav_calendar(radicale, method):
    """A course's dates as ONE calendar object (CalDAV, like iTIP, allows one UID per
    resource): Radicale takes it, and both parsers read back the same dates."""
    starts = [now() + timedelta(days=d) for d in (3, 10, 17)]
    offering = make_offering(slug=f"invitation-{method.lower()}", starts=starts)
    moved, cancelled = offering.occurrences[1], offering.occurrences[2]
    moved.location_override = make_location(name="Biblioteket")
    moved.sequence = 1
    cancelled.status = OccurrenceStatus.CANCELLED
    cancelled.cancelled_at = now()
    cancelled.sequence = 1
    db.session.commit()
    enrollment = make_enrollment(offering, email="inv@example.org", name="Inge Vind")
    text = ical.build_invitation(
        enrollment,
        offering.occurrences,
        method=method,
        public_url="http://holdplads.test",
        organizer_email="holdplads@example.dk",
    )
    stored, stored_v = put_and_read_back(radicale, f"inv-{method.lower()}", "event", text)
    sent, _ = parse(text)
    assert [str(e["UID"]) for e in stored.walk("VEVENT")] == [
        str(e["UID"]) for e in sent.walk("VEVENT")
    ]
    assert {str(e["UID"]) for e in stored.walk("VEVENT")} == {
        f"offering-{offering.id}@holdplads.test"
    }
    event = stored.walk("VEVENT")[0]
    assert str(event["ORGANIZER"]) == "mailto:holdplads@example.dk"
    assert str(event["ATTENDEE"]) == "mailto:inv@example.org"
    if method == "CANCEL":
        assert str(event["STATUS"]) == "CANCELLED"
        return
    master = next(e for e in stored_v.vevent_list if not hasattr(e, "recurrence_id"))
    dates = sorted(d.astimezone(UTC) for d in master.getrruleset(addRDate=True))
    assert dates == [starts[0].replace(microsecond=0), starts[1].replace(microsecond=0)]
    (override,) = [e for e in stored.walk("VEVENT") if "RECURRENCE-ID" in e]
    assert "Biblioteket" in str(override["LOCATION"])


def test_radicale_refuses_what_is_not_valid_icalendar(radicale):
    """The proof above means something only if the server really checks."""
    broken = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\n"
        "BEGIN:VEVENT\r\nSUMMARY:no uid, no start\r\nDTSTART:not-a-date\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    dav(radicale, "MKCALENDAR", "/holdplads/broken/")
    status, _ = dav(radicale, "PUT", "/holdplads/broken/broken.ics", broken)
    assert status == 400
