"""The offering editor (issue 12): sign-up deadlines, the sign-up status on the staff page,
copies for next season, Danish dates."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.catalogue.queries import CatalogueFilters, catalogue_page
from app.extensions import db
from app.models import Occurrence, Offering
from tests.enrollment.helpers import form_data, statuses
from tests.factories import make_offering, now
from tests.management.helpers import make_world, sign_in_as
from tests.management.test_offerings import _form


def _begun_course(**fields) -> Offering:
    return make_offering(
        title="Begyndt kursus",
        capacity=5,
        starts=[now() - timedelta(days=2), now() + timedelta(days=5)],
        **fields,
    )


# --- a sign-up deadline set by staff is honoured ----------------------------------------


def test_a_later_deadline_reopens_a_course_whose_first_date_has_passed(client):
    closed = _begun_course()
    reopened = _begun_course(signup_closes_at=now() + timedelta(days=3))
    for offering in (closed, reopened):
        client.post(
            f"/offerings/{offering.slug}/enroll",
            data=form_data(offering.id, email=f"sen{offering.id}@example.org"),
        )
    assert list(statuses(reopened).values()) == ["confirmed"]
    assert statuses(closed) == {}
    free = {e.offering.slug for e in catalogue_page(CatalogueFilters(free=True), now()).entries}
    assert reopened.slug in free and closed.slug not in free


def test_a_deadline_never_reaches_past_the_last_date():
    from app.enrollment.seats import offering_seats

    course = make_offering(
        capacity=5,
        starts=[now() - timedelta(days=9), now() - timedelta(days=2)],
        signup_closes_at=now() + timedelta(days=10),
    )
    assert offering_seats(course, now()).availability.state == "closed"
    free = {e.offering.slug for e in catalogue_page(CatalogueFilters(free=True), now()).entries}
    assert course.slug not in free


def test_staff_page_says_whether_sign_up_is_open_until_when_and_why(client):
    w = make_world()
    sign_in_as(client, w.coordinator)
    page = client.get(f"/manage/offerings/{w.offering.id}").get_data(as_text=True)
    assert "Tilmeldingen er åben" in page
    assert "indtil første mødegang begynder" in page

    w.offering.occurrences[0].starts_at = now() - timedelta(hours=1)
    w.offering.occurrences[0].ends_at = now() + timedelta(hours=1)
    db.session.commit()
    page = client.get(f"/manage/offerings/{w.offering.id}").get_data(as_text=True)
    assert "Tilmeldingen er lukket" in page
    assert "sæt en senere tilmeldingsfrist" in page

    w.offering.occurrences.append(
        Occurrence(starts_at=now() + timedelta(days=7), ends_at=now() + timedelta(days=7, hours=2))
    )
    w.offering.signup_closes_at = now() + timedelta(days=3)
    db.session.commit()
    page = client.get(f"/manage/offerings/{w.offering.id}").get_data(as_text=True)
    assert "Tilmeldingen er åben" in page
    assert "den tilmeldingsfrist, du har sat" in page


def test_publishing_an_offering_nobody_can_sign_up_for_says_so(client):
    w = make_world()
    w.offering.status = "draft"
    w.offering.occurrences[0].starts_at = now() - timedelta(hours=3)
    w.offering.occurrences[0].ends_at = now() - timedelta(hours=1)
    db.session.commit()
    sign_in_as(client, w.coordinator)
    page = client.post(
        f"/manage/offerings/{w.offering.id}/publish", follow_redirects=True
    ).get_data(as_text=True)
    assert "Men ingen kan tilmelde sig" in page


# --- copy to next season ----------------------------------------------------------------


def test_a_copy_whose_address_is_cleared_gets_one_from_its_new_title(client):
    w = make_world()
    sign_in_as(client, w.peer)
    client.post(f"/manage/offerings/{w.offering.id}/duplicate")
    copy = db.session.scalars(
        sa.select(Offering).where(Offering.slug == "haab-og-recovery-kopi")
    ).one()
    response = client.post(
        f"/manage/offerings/{copy.id}/edit",
        data=_form(
            title="Håb og recovery, forår 2027",
            slug="",
            organisation_id=str(w.school.id),
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(copy)
    assert copy.slug == "haab-og-recovery-foraar-2027"


# --- Danish dates -----------------------------------------------------------------------


def test_dates_are_accepted_in_danish_format_as_well_as_iso(client):
    w = make_world()
    sign_in_as(client, w.peer)
    for day in ("24-12-2026", "2026-12-23", "22.12.2026"):
        response = client.post(
            f"/manage/offerings/{w.offering.id}/occurrences/new",
            data={"day": day, "start": "17:00", "end": "19:00"},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    days = sorted(o.starts_at.date().isoformat() for o in w.offering.occurrences)
    assert {"2026-12-22", "2026-12-23", "2026-12-24"} <= set(days)


def test_a_wrong_date_says_how_to_write_it(client):
    w = make_world()
    sign_in_as(client, w.peer)
    response = client.post(
        f"/manage/offerings/{w.offering.id}/occurrences/new",
        data={"day": "31-02-2026", "start": "17:00", "end": "19:00"},
    )
    assert response.status_code == 400
    assert "Skriv datoen som 24-12-2026 eller 2026-12-24." in response.get_data(as_text=True)


def test_series_skip_dates_take_danish_format(client):
    w = make_world()
    sign_in_as(client, w.peer)
    response = client.post(
        f"/manage/offerings/{w.offering.id}/occurrences/series",
        data={
            "weekday": "0",
            "start": "17:00",
            "end": "19:00",
            "every_weeks": "1",
            "first_date": "04-01-2027",
            "count": "3",
            "skip": "11-01-2027",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    days = {o.starts_at.date().isoformat() for o in w.offering.occurrences}
    assert {"2027-01-04", "2027-01-18", "2027-01-25"} <= days
    assert "2027-01-11" not in days
