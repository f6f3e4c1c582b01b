"""The feeds as a calendar app sees them: HTTP, headers, contents, both parsers."""

from __future__ import annotations

import secrets
from datetime import UTC, timedelta

import pytest
import sqlalchemy as sa

from app.calendar.changes import mark_occurrence_changed
from app.calendar.conditional import NotModifiedMiddleware
from app.calendar.tokens import facilitator_calendar_token, personal_calendar_token
from app.enrollment.tokens import manage_token
from app.extensions import db
from app.models import Enrollment, OccurrenceStatus
from tests.calendar.helpers import COPENHAGEN, events, local, parse, vevents
from tests.factories import (
    add_facilitator,
    make_enrollment,
    make_location,
    make_offering,
    make_theme,
    make_user,
    now,
)

HOST = "holdplads.test"


def uid(occurrence) -> str:
    return f"occurrence-{occurrence.id}@{HOST}"


def get_feed(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Content-Encoding" not in response.headers
    return response, *parse(response.text)


def online_offering(**fields):
    return make_offering(
        title="Recovery online",
        is_online=True,
        online_join_url="https://meet.example.org/hemmeligt-rum",
        location=None,
        **fields,
    )


# --- one offering ----------------------------------------------------------------------


def test_offering_feed_lists_every_occurrence_with_stable_uids(client):
    starts = [now() + timedelta(days=d) for d in (3, 10, 17)]
    offering = make_offering(title="Håb og recovery", slug="haab", starts=starts)
    response, cal, vcal = get_feed(client, "/offerings/haab.ics")
    assert set(events(cal)) == {uid(o) for o in offering.occurrences}
    assert set(vevents(vcal)) == {uid(o) for o in offering.occurrences}
    assert str(cal["METHOD"]) == "PUBLISH"
    assert "Håb og recovery" in str(cal["X-WR-CALNAME"]) == str(cal["NAME"])
    assert response.headers["Cache-Control"].startswith("public")
    assert "no-transform" in response.headers["Cache-Control"]
    for occurrence, event in zip(offering.occurrences, events(cal).values(), strict=True):
        assert str(event["UID"]) == uid(occurrence)
        assert event.decoded("DTSTART").astimezone(UTC) == occurrence.starts_at
        assert event.decoded("DTEND").astimezone(UTC) == occurrence.ends_at
        assert str(event["URL"]) == "http://holdplads.test/offerings/haab"
        assert str(event["STATUS"]) == "CONFIRMED"
        assert "ATTENDEE" not in event and "ORGANIZER" not in event
    # Asking again gives the same UIDs: they never change.
    _, again, _ = get_feed(client, "/offerings/haab.ics")
    assert set(events(again)) == set(events(cal))


def test_offering_feed_location_has_the_address(client):
    place = make_location(
        name="Kulturhuset", address="Torvet 3", postcode="8000", city="Aarhus C", room="Sal 1"
    )
    make_offering(slug="med-adresse", location=place)
    _, cal, _ = get_feed(client, "/offerings/med-adresse.ics")
    (event,) = cal.walk("VEVENT")
    assert str(event["LOCATION"]) == "Kulturhuset, Sal 1, Torvet 3, 8000 Aarhus C"


def test_drafts_and_unknown_offerings_have_no_feed(client):
    make_offering(slug="kladde", status="draft")
    assert client.get("/offerings/kladde.ics").status_code == 404
    assert client.get("/offerings/findes-ikke.ics").status_code == 404


def test_dst_in_a_served_feed(client):
    starts = [
        local(2027, 3, 27, 17),
        local(2027, 3, 29, 17),
        local(2027, 10, 30, 17),
        local(2027, 11, 1, 17),
    ]
    make_offering(slug="hele-aaret", starts=starts)
    _, cal, vcal = get_feed(client, "/offerings/hele-aaret.ics")
    utc_hours = [e.decoded("DTSTART").astimezone(UTC).hour for e in cal.walk("VEVENT")]
    assert utc_hours == [16, 15, 15, 16]
    local_hours = [v.dtstart.value.astimezone(COPENHAGEN).hour for v in vcal.vevent_list]
    assert local_hours == [17, 17, 17, 17]


def test_public_feeds_never_hold_a_join_link_or_a_participant(client):
    offering = online_offering(slug="online-kursus")
    make_enrollment(offering, name="Bente Hemmelig", email="bente@example.org")
    for url in ("/offerings/online-kursus.ics", "/calendar.ics"):
        text = get_feed(client, url)[0].text
        assert "meet.example.org" not in text
        assert "Bente" not in text and "bente@example.org" not in text
        assert "ATTENDEE" not in text and "ORGANIZER" not in text
    (event,) = parse(client.get("/offerings/online-kursus.ics").text)[0].walk("VEVENT")
    assert str(event["LOCATION"]) == "Online"
    assert "CONFERENCE" not in event


def test_sequence_rises_when_an_occurrence_moves(client):
    offering = make_offering(slug="flyttes")
    (occurrence,) = offering.occurrences
    before = events(get_feed(client, "/offerings/flyttes.ics")[1])[uid(occurrence)]
    occurrence.starts_at += timedelta(hours=1)
    occurrence.ends_at += timedelta(hours=1)
    mark_occurrence_changed(occurrence)
    db.session.commit()
    after = events(get_feed(client, "/offerings/flyttes.ics")[1])[uid(occurrence)]
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("DTSTART") - before.decoded("DTSTART") == timedelta(hours=1)
    assert str(after["UID"]) == str(before["UID"])


def test_cancelled_occurrence_stays_as_cancelled_for_thirty_days(client):
    offering = make_offering(
        slug="aflyses", starts=[now() + timedelta(days=2), now() + timedelta(days=9)]
    )
    first, second = offering.occurrences
    first.status = OccurrenceStatus.CANCELLED
    first.cancelled_at = now()
    mark_occurrence_changed(first)
    second.status = OccurrenceStatus.CANCELLED
    second.cancelled_at = now() - timedelta(days=31)
    mark_occurrence_changed(second)
    db.session.commit()
    _, cal, vcal = get_feed(client, "/offerings/aflyses.ics")
    parsed = events(cal)
    assert set(parsed) == {uid(first)}
    assert str(parsed[uid(first)]["STATUS"]) == "CANCELLED"
    assert int(parsed[uid(first)]["SEQUENCE"]) == 1
    assert vevents(vcal)[uid(first)].status.value == "CANCELLED"


def test_cancelled_offering_shows_every_occurrence_cancelled(client):
    make_offering(
        slug="aflyst-tilbud", status="cancelled", starts=[now() + timedelta(days=d) for d in (2, 9)]
    )
    _, cal, _ = get_feed(client, "/offerings/aflyst-tilbud.ics")
    statuses = [str(e["STATUS"]) for e in cal.walk("VEVENT")]
    assert statuses == ["CANCELLED", "CANCELLED"]


# --- the catalogue ---------------------------------------------------------------------


def test_catalogue_feed_uses_the_catalogue_filters(client):
    anxiety = make_theme("angst")
    course = make_offering(title="Angstkursus", kind="course", themes=[anxiety])
    group = make_offering(title="Gruppe for pårørende", kind="group", audiences=["relative"])
    make_offering(title="Kladde", status="draft")
    make_offering(title="Forbi", starts=[now() - timedelta(days=60)])
    all_uids = set(events(get_feed(client, "/calendar.ics")[1]))
    assert all_uids == {uid(course.occurrences[0]), uid(group.occurrences[0])}
    assert set(events(get_feed(client, "/calendar.ics?kind=group")[1])) == {
        uid(group.occurrences[0])
    }
    assert set(events(get_feed(client, "/calendar.ics?audience=relative")[1])) == {
        uid(group.occurrences[0])
    }
    assert set(events(get_feed(client, "/calendar.ics?theme=angst&q=angst")[1])) == {
        uid(course.occurrences[0])
    }
    assert events(get_feed(client, "/calendar.ics?kind=meeting")[1]) == {}


def test_catalogue_feed_date_window(client):
    soon = make_offering(starts=[now() + timedelta(days=3)])
    later = make_offering(starts=[now() + timedelta(days=40)])
    day = (now() + timedelta(days=30)).astimezone(COPENHAGEN).date().isoformat()
    assert set(events(get_feed(client, f"/calendar.ics?from={day}")[1])) == {
        uid(later.occurrences[0])
    }
    assert set(events(get_feed(client, f"/calendar.ics?to={day}")[1])) == {uid(soon.occurrences[0])}


def test_pages_link_to_their_feeds_with_subscribe_links(client):
    make_offering(slug="med-links", kind="group")
    page = client.get("/offerings/med-links").text
    assert "webcal://holdplads.test/offerings/med-links.ics" in page
    assert "https://calendar.google.com/calendar/render?cid=webcal%3A//holdplads.test" in page
    assert "outlook.live.com/calendar/0/addfromweb?url=http%3A//holdplads.test" in page
    catalogue = client.get("/?kind=group").text
    assert "webcal://holdplads.test/calendar.ics?kind=group" in catalogue
    english = client.get("/offerings/med-links?lang=en").text
    assert "How does a calendar subscription work?" in english


# --- conditional requests --------------------------------------------------------------


@pytest.fixture
def count_queries(app):
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        if "SAVEPOINT" not in statement:  # the test harness's own transaction handling
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    yield statements
    sa.event.remove(engine, "before_cursor_execute", record)


def test_unchanged_feed_is_answered_304_from_one_query(client, count_queries):
    make_offering(slug="uaendret")
    first, _, _ = get_feed(client, "/offerings/uaendret.ics")
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    count_queries.clear()
    again = client.get("/offerings/uaendret.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert count_queries == ["SELECT version FROM change_marker WHERE id = 1"]  # not built
    since = client.get(
        "/offerings/uaendret.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304
    older = client.get(
        "/offerings/uaendret.ics", headers={"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}
    )
    assert older.status_code == 200


def test_any_change_gives_a_new_validator_and_a_full_answer(client):
    offering = make_offering(slug="aendres")
    etag = get_feed(client, "/offerings/aendres.ics")[0].headers["ETag"]
    offering.title = "Nyt navn"
    db.session.flush()  # services flush; the commit then raises the change marker
    db.session.commit()
    response = client.get("/offerings/aendres.ics", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag
    assert "Nyt navn" in response.text


def test_validator_differs_per_feed_and_per_filter(client):
    make_offering(slug="et")
    make_offering(slug="to")
    etags = {
        client.get(url).headers["ETag"]
        for url in (
            "/offerings/et.ics",
            "/offerings/to.ics",
            "/calendar.ics",
            "/calendar.ics?kind=group",
        )
    }
    assert len(etags) == 4


# --- the personal feed ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _app_context(app):
    """Token functions sign with the app's SECRET_KEY."""
    with app.app_context():
        yield


def personal_token(email: str) -> str:
    token = personal_calendar_token(email)
    db.session.commit()
    return token


def test_personal_feed_holds_confirmed_occurrences_with_the_join_link(client):
    mine = online_offering()
    other = make_offering(title="Andet kursus")
    waiting = make_offering(title="Venteliste-kursus")
    make_offering(title="Ikke mit")
    make_enrollment(mine, email="sara@example.org")
    make_enrollment(other, email="Sara@Example.org".lower())
    make_enrollment(waiting, email="sara@example.org", status="waitlisted").language = "en"
    token = personal_token("sara@example.org")
    response, cal, vcal = get_feed(client, f"/my/calendar/{token}.ics")
    parsed = events(cal)
    assert set(parsed) == {uid(mine.occurrences[0]), uid(other.occurrences[0])}
    assert len(vcal.vevent_list) == 2
    online = parsed[uid(mine.occurrences[0])]
    assert "https://meet.example.org/hemmeligt-rum" in str(online["DESCRIPTION"])
    # The link is what calendar apps let one tap: LOCATION and RFC 7986's CONFERENCE.
    assert str(online["LOCATION"]) == "https://meet.example.org/hemmeligt-rum"
    assert str(online["CONFERENCE"]) == "https://meet.example.org/hemmeligt-rum"
    assert online["CONFERENCE"].params["FEATURE"] == "VIDEO"
    assert all(str(e["CLASS"]) == "PRIVATE" for e in parsed.values())
    assert response.headers["Cache-Control"].startswith("private")
    # Named in the language of the person's latest sign-up (English here).
    assert str(cal["X-WR-CALNAME"]) == "My Holdplads calendar"


def test_token_is_long_random_and_only_a_hash_is_stored(client):
    from app.models import PersonalCalendar

    token = personal_token("ole@example.org")
    assert personal_calendar_token("ole@example.org") == token  # shown again on /my
    row = db.session.scalar(sa.select(PersonalCalendar))
    assert token not in (row.token_hash, row.email_normalized)
    assert len(token.split("-", 1)[1]) == 64
    assert personal_token("kim@example.org") != token


def test_renewing_the_token_kills_the_old_url(client):
    make_enrollment(make_offering(), email="ida@example.org")
    old = personal_token("ida@example.org")
    assert client.get(f"/my/calendar/{old}.ics").status_code == 200
    with client.session_transaction() as session:
        session["participant_email"] = "ida@example.org"
    response = client.post("/my/calendar/renew")
    assert response.status_code == 302
    assert response.headers["Location"] == "/my"
    new = personal_calendar_token("ida@example.org")
    assert new != old
    assert client.get(f"/my/calendar/{old}.ics").status_code == 404
    assert client.get(f"/my/calendar/{new}.ics").status_code == 200


def test_wrong_or_forged_tokens_are_404(client):
    personal_token("eva@example.org")
    for token in ("nonsense", "1-" + "0" * 64, "99999-" + "a" * 64, secrets.token_hex(32)):
        assert client.get(f"/my/calendar/{token}.ics").status_code == 404
        assert client.get(f"/manage/calendar/{token}.ics").status_code == 404
        assert client.get(f"/enrollments/{token}.ics").status_code == 404


def test_personal_feed_actions_need_a_signed_in_participant(client):
    assert client.post("/my/calendar/renew").status_code == 403
    assert client.post("/my/calendar/settings", data={"discreet": "1"}).status_code == 403


def test_discreet_mode_hides_course_name_and_place(client):
    offering = make_offering(title="Angst og søvn", summary="Om at sove bedre")
    make_enrollment(offering, email="jon@example.org")
    token = personal_token("jon@example.org")
    with client.session_transaction() as session:
        session["participant_email"] = "jon@example.org"
    assert client.post("/my/calendar/settings", data={"discreet": "1"}).status_code == 302
    response, cal, _ = get_feed(client, f"/my/calendar/{token}.ics")
    assert "Angst og søvn" not in response.text
    assert "Om at sove bedre" not in response.text
    assert offering.location.name not in response.text
    assert offering.slug not in response.text  # the offering's address names it too
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Holdplads"
    assert event.decoded("DTSTART").astimezone(UTC) == offering.occurrences[0].starts_at
    assert str(cal["X-WR-CALNAME"]) == "Holdplads"
    client.post("/my/calendar/settings", data={})
    assert "Angst og søvn" in client.get(f"/my/calendar/{token}.ics").text


# --- the facilitator's feed -------------------------------------------------------------


def test_facilitator_feed_holds_what_they_run(client):
    peer = make_user()
    runs = online_offering()
    add_facilitator(runs, user=peer)
    other = make_offering()
    add_facilitator(other, user=make_user())
    token = facilitator_calendar_token(peer.id)
    db.session.commit()
    assert facilitator_calendar_token(peer.id) == token
    response, cal, _ = get_feed(client, f"/manage/calendar/{token}.ics")
    assert set(events(cal)) == {uid(runs.occurrences[0])}
    assert "meet.example.org" in response.text
    assert response.headers["Cache-Control"].startswith("private")
    renewed = facilitator_calendar_token(peer.id, renew=True)
    db.session.commit()
    assert client.get(f"/manage/calendar/{token}.ics").status_code == 404
    assert client.get(f"/manage/calendar/{renewed}.ics").status_code == 200


# --- one enrollment ---------------------------------------------------------------------


def enrollment_with_token(offering, **fields) -> tuple[Enrollment, str]:
    enrollment = make_enrollment(offering, **fields)
    return enrollment, manage_token(enrollment)


def test_enrollment_feed_follows_the_seat(client):
    offering = online_offering(starts=[now() + timedelta(days=d) for d in (3, 10)])
    enrollment, token = enrollment_with_token(offering, status="waitlisted")
    response, cal, _ = get_feed(client, f"/enrollments/{token}.ics")
    assert {str(e["STATUS"]) for e in cal.walk("VEVENT")} == {"TENTATIVE"}
    assert "meet.example.org" not in response.text
    assert response.headers["Cache-Control"].startswith("private")
    enrollment.status = "confirmed"
    db.session.commit()
    response, cal, _ = get_feed(client, f"/enrollments/{token}.ics")
    assert {str(e["STATUS"]) for e in cal.walk("VEVENT")} == {"CONFIRMED"}
    assert {str(e["LOCATION"]) for e in cal.walk("VEVENT")} == {
        "https://meet.example.org/hemmeligt-rum"
    }
    enrollment.status = "cancelled"
    enrollment.cancelled_at = now()
    db.session.commit()
    response, cal, _ = get_feed(client, f"/enrollments/{token}.ics")
    assert {str(e["STATUS"]) for e in cal.walk("VEVENT")} == {"CANCELLED"}
    assert {int(e["SEQUENCE"]) for e in cal.walk("VEVENT")} == {1}
    assert "meet.example.org" not in response.text


def test_304_answers_carry_the_same_headers_as_full_answers(client):
    make_enrollment(make_offering(), email="lis@example.org")
    token = personal_token("lis@example.org")
    for url, cache in ((f"/my/calendar/{token}.ics", "private"), ("/calendar.ics", "public")):
        full = client.get(url, headers={"Accept-Language": "en"})
        again = client.get(
            url, headers={"If-None-Match": full.headers["ETag"], "Accept-Language": "en"}
        )
        assert again.status_code == 304
        for name in ("ETag", "Last-Modified", "Cache-Control", "Vary"):
            assert again.headers[name] == full.headers[name], name
        assert full.headers["Cache-Control"].startswith(cache)
        # Another language is another answer.
        other = client.get(
            url, headers={"If-None-Match": full.headers["ETag"], "Accept-Language": "da"}
        )
        assert other.status_code == 200


def test_post_is_never_answered_304(client):
    make_offering(slug="post-test")
    etag = client.get("/offerings/post-test.ics").headers["ETag"]
    response = client.post("/offerings/post-test.ics", headers={"If-None-Match": etag})
    assert response.status_code == 405


def test_enrollment_feed_is_named_in_the_persons_language(client):
    offering = make_offering(title="Angst og søvn", title_en="Anxiety and sleep")
    enrollment, token = enrollment_with_token(offering)
    enrollment.language = "en"
    db.session.commit()
    _, cal, _ = get_feed(client, f"/enrollments/{token}.ics")
    assert str(cal["X-WR-CALNAME"]) == "Anxiety and sleep · Holdplads"
    enrollment.language = "da"
    db.session.commit()
    _, cal, _ = get_feed(client, f"/enrollments/{token}.ics")
    assert str(cal["X-WR-CALNAME"]) == "Angst og søvn · Holdplads"


def test_routes_answer_304_themselves_when_the_middleware_does_not(app, client, monkeypatch):
    make_offering(slug="uden-genvej")
    etag = client.get("/offerings/uden-genvej.ics").headers["ETag"]
    layer = app.wsgi_app
    while not isinstance(layer, NotModifiedMiddleware):
        layer = layer.wsgi_app
    monkeypatch.setattr(layer, "_not_modified", lambda environ: None)
    again = client.get("/offerings/uden-genvej.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    assert again.data == b""


def test_catalogue_feed_answers_400_for_dates_outside_1900_to_2200(client):
    make_offering()
    for query in ("from=0001-01-01", "to=9999-12-31", "from=igår", "from=2027-02-01&to=2027-01-01"):
        response = client.get(f"/calendar.ics?{query}")
        assert response.status_code == 400, query
        assert "dato" in response.text.lower(), query
    assert client.get("/calendar.ics?from=1900-01-01&to=2200-12-31").status_code == 200
