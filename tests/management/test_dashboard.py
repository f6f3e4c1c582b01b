"""The staff dashboard is personal ("my dates"), keeps today's dates until midnight, counts
requests once per offering; drop-in dates keep a headcount."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from app.extensions import db
from app.i18n import LOCAL_TZ
from app.management import queries
from app.models import Occurrence
from tests.factories import add_facilitator, held_now, make_enrollment, make_offering, now
from tests.management.helpers import make_staff, make_world, sign_in_as

EN = {"Accept-Language": "en"}


def _local(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=LOCAL_TZ).astimezone(UTC)


def test_dashboard_shows_only_the_offerings_i_facilitate(client):
    w = make_world()
    make_offering(title="Skolens andet kursus", organisation=w.school)
    mine = make_offering(title="Min egen gruppe", organisation=w.centre, kind="group")
    add_facilitator(mine, user=w.coordinator)
    sign_in_as(client, w.coordinator)
    page = client.get("/manage/", headers=EN).text
    assert "Min egen gruppe" in page
    # The coordinator may see every school offering, but the dashboard is "my dates".
    assert "Skolens andet kursus" not in page and "Håb og recovery" not in page
    assert "All offerings" in page


def test_a_date_stays_on_the_dashboard_until_midnight_of_its_day(app):
    w = make_world()
    day = (now() + timedelta(days=30)).astimezone(LOCAL_TZ).date()
    offering = make_offering(
        title="Aftenmøde", organisation=w.school, starts=[_local(day, 17)], kind="meeting"
    )
    add_facilitator(offering, user=w.peer)
    shown = {
        label: [r.occurrence.offering.title for r in queries.my_dashboard(w.peer, now=at).rows]
        for label, at in {
            "during": _local(day, 18),
            "after, same evening": _local(day, 23) + timedelta(minutes=59),
            "after midnight": _local(day + timedelta(days=1), 0) + timedelta(minutes=1),
        }.items()
    }
    assert "Aftenmøde" in shown["during"]
    assert "Aftenmøde" in shown["after, same evening"]
    assert "Aftenmøde" not in shown["after midnight"]


def test_todays_finished_date_still_links_to_its_attendance(client):
    w = make_world()
    start = max(
        now() - timedelta(hours=3),
        datetime.combine(now().astimezone(LOCAL_TZ).date(), time(0, 1), tzinfo=LOCAL_TZ),
    )
    offering = make_offering(
        title="Dagens møde", organisation=w.school, starts=[start], duration=timedelta(minutes=1)
    )
    add_facilitator(offering, user=w.peer)
    sign_in_as(client, w.peer)
    page = client.get("/manage/", headers=EN).text
    assert "Dagens møde" in page
    assert f"/manage/occurrences/{offering.occurrences[0].id}/attendance" in page


def test_request_count_is_shown_once_per_offering_not_per_date(client):
    w = make_world()
    starts = [now() + timedelta(days=d) for d in (2, 9, 16)]
    group = make_offering(
        title="Samtalegruppe", organisation=w.school, starts=starts, enrolment_mode="request"
    )
    add_facilitator(group, user=w.peer)
    make_enrollment(group, status="requested")
    make_enrollment(group, status="requested")
    sign_in_as(client, w.peer)
    page = client.get("/manage/", headers=EN).text
    assert page.count("Samtalegruppe") == 4  # three dates and one request line
    assert page.count("2 new requests") == 1
    assert page.count("1 new request") == 1  # the world's course, once for its one date


def test_drop_in_date_records_a_headcount_on_the_attendance_page(client):
    w = make_world()
    cafe = make_offering(
        title="Recovery-café",
        organisation=w.school,
        enrolment_mode="drop_in",
        capacity=None,
        kind="meeting",
    )
    add_facilitator(cafe, user=w.peer)
    occurrence = cafe.occurrences[0]
    held_now(occurrence)
    sign_in_as(client, w.peer)
    url = f"/manage/occurrences/{occurrence.id}/attendance"
    page = client.get(url, headers=EN).text
    assert "How many came" in page and "No confirmed participants yet." not in page

    headcount_url = f"/manage/occurrences/{occurrence.id}/headcount"
    response = client.post(headcount_url, data={"headcount": "14"})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    db.session.expire_all()
    assert db.session.get(Occurrence, occurrence.id).headcount == 14
    assert 'value="14"' in client.get(url).text
    assert "14 came" in client.get("/manage/", headers=EN).text

    client.post(headcount_url, data={"headcount": "-3"}, headers=EN)
    assert "Write a number from 0 up." in client.get(url, headers=EN).text
    db.session.expire_all()
    assert db.session.get(Occurrence, occurrence.id).headcount == 14


def test_a_drop_in_dates_headcount_waits_for_its_day(client):
    w = make_world()
    cafe = make_offering(title="Recovery-café", organisation=w.school, enrolment_mode="drop_in")
    add_facilitator(cafe, user=w.peer)
    coming = cafe.occurrences[0]  # days ahead
    sign_in_as(client, w.peer)
    page = client.get(f"/manage/occurrences/{coming.id}/attendance", headers=EN).text
    assert "Until its day" in page and "Save the headcount" not in page
    client.post(f"/manage/occurrences/{coming.id}/headcount", data={"headcount": "5"})
    page = client.get(f"/manage/occurrences/{coming.id}/attendance", headers=EN).text
    assert "This date has not come yet." in page
    assert db.session.get(Occurrence, coming.id).headcount is None


def test_headcount_is_refused_for_a_course_with_sign_ups(client):
    w = make_world()
    sign_in_as(client, w.peer)
    client.post(
        f"/manage/occurrences/{w.occurrence.id}/headcount", data={"headcount": "5"}, headers=EN
    )
    page = client.get(f"/manage/occurrences/{w.occurrence.id}/attendance", headers=EN).text
    assert "A headcount is only kept for drop-in meetings." in page
    assert "How many came" not in page
    db.session.expire_all()
    assert db.session.get(Occurrence, w.occurrence.id).headcount is None


def test_a_peer_worker_who_does_not_facilitate_cannot_record_a_headcount(client):
    w = make_world()
    cafe = make_offering(title="Café", organisation=w.centre, enrolment_mode="drop_in")
    other = make_staff("peer_worker", w.school)
    sign_in_as(client, other)
    response = client.post(
        f"/manage/occurrences/{cafe.occurrences[0].id}/headcount", data={"headcount": "5"}
    )
    assert response.status_code == 403
