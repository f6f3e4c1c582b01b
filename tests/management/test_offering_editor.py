"""The offering editor (issue 12): sign-up deadlines, the sign-up status on the staff page,
copies for next season, Danish dates."""

from __future__ import annotations

import re
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
    for day in ("24-12-2054", "2054-12-23", "22.12.2054"):  # far ahead: past dates are refused
        response = client.post(
            f"/manage/offerings/{w.offering.id}/occurrences/new",
            data={"day": day, "start": "17:00", "end": "19:00"},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    days = sorted(o.starts_at.date().isoformat() for o in w.offering.occurrences)
    assert {"2054-12-22", "2054-12-23", "2054-12-24"} <= set(days)


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
            "first_date": "04-01-2055",
            "count": "3",
            "skip": "11-01-2055",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    days = {o.starts_at.date().isoformat() for o in w.offering.occurrences}
    assert {"2055-01-04", "2055-01-18", "2055-01-25"} <= days
    assert "2055-01-11" not in days


# --- errors on the long form ------------------------------------------------------------


def test_errors_are_listed_at_the_top_with_links_and_the_first_gets_focus(client):
    w = make_world()
    sign_in_as(client, w.peer)
    response = client.post(
        "/manage/offerings/new",
        data=_form(organisation_id=str(w.school.id), title="", audiences=[], capacity="0"),
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    summary = page.split('class="notice notice--cancelled error-summary"', 1)[1].split("</div>")[0]
    links = re.findall(r'<a href="#([\w-]+)">', summary)
    assert links == ["title", "audiences-0", "capacity"]
    assert re.search(r'<input[^>]*autofocus[^>]*id="title"', page)
    assert page.count("autofocus") == 1


def test_the_new_place_and_online_fields_are_marked_to_show_only_when_chosen(client):
    w = make_world()
    sign_in_as(client, w.peer)
    page = client.get("/manage/offerings/new").get_data(as_text=True)
    assert 'id="new-place"' in page and 'id="online-fields"' in page
    css = client.get("/static/holdplads.css").get_data(as_text=True)
    assert '#location_choice option[value="new"]:not(:checked)) #new-place' in css


# --- a series shows its dates before they are created -----------------------------------


def _series(**overrides) -> dict:
    data = {
        "weekday": "0",
        "start": "17:00",
        "end": "19:00",
        "every_weeks": "1",
        "first_date": "04-01-2055",
        "count": "3",
        "skip": "",
    }
    data.update(overrides)
    return data


def test_a_series_shows_its_dates_before_they_are_created(client):
    w = make_world()
    sign_in_as(client, w.peer)
    before = len(w.offering.occurrences)
    url = f"/manage/offerings/{w.offering.id}/occurrences/series"
    shown = client.post(url, data=_series(preview="1"))
    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    assert "Disse 3 datoer bliver tilføjet" in page
    for day in ("4. januar 2055", "11. januar 2055", "18. januar 2055"):
        assert day in page
    db.session.expire_all()
    assert len(db.session.get(Offering, w.offering.id).occurrences) == before
    added = client.post(url, data=_series(submit="1"))
    assert added.status_code == 302
    db.session.expire_all()
    assert len(db.session.get(Offering, w.offering.id).occurrences) == before + 3


# --- staff preview a draft exactly as the public will see it ----------------------------


def test_staff_preview_a_draft_as_the_public_will_see_it(client):
    w = make_world()
    w.offering.status = "draft"
    w.offering.description = "Vi **mødes** på torsdage."
    db.session.commit()
    assert client.get(f"/offerings/{w.offering.slug}").status_code == 404
    sign_in_as(client, w.peer)
    staff_page = client.get(f"/manage/offerings/{w.offering.id}").get_data(as_text=True)
    assert f'href="/manage/offerings/{w.offering.id}/preview"' in staff_page
    response = client.get(f"/manage/offerings/{w.offering.id}/preview")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Forhåndsvisning for medarbejdere." in page
    assert "<strong>mødes</strong>" in page
    assert w.offering.title in page
    assert 'name="robots" content="noindex"' in page
    assert "no-store" in response.headers["Cache-Control"]
    # The parts that change with the seats are filled in, as on the public page.
    assert "<!--offering-seats" not in page
    assert f"{w.offering.capacity} pladser i alt" in page
    # A draft has no sign-up form yet: the button is shown, but leads nowhere (no 404).
    assert f'href="/offerings/{w.offering.slug}/enroll"' not in page
    assert '<span class="button button--primary">Tilmeld dig</span>' in page
    assert "Forhåndsvisning: knappen fører til tilmeldingen, når tilbuddet er udgivet." in page
    assert f"/offerings/{w.offering.slug}.ics" not in page  # no feed yet: a 404
    assert "kalenderlinkene kommer her, når tilbuddet er udgivet" in page
    w.offering.status = "published"
    db.session.commit()
    published = client.get(f"/manage/offerings/{w.offering.id}/preview").text
    assert f'href="/offerings/{w.offering.slug}/enroll"' in published
    assert "Forhåndsvisning: knappen" not in published
    assert "kalenderlinkene kommer her" not in published
    assert f"/offerings/{w.offering.slug}.ics" in published
    sign_in_as(client, w.volunteer_staff)
    assert client.get(f"/manage/offerings/{w.offering.id}/preview").status_code == 403
