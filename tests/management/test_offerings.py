"""Creating, editing, publishing, cancelling and duplicating offerings, and their dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.i18n import LOCAL_TZ
from app.models import Occurrence, Offering, OutboxMessage
from tests.factories import make_enrollment, make_location, make_offering, make_theme, now
from tests.management.helpers import make_world, sign_in_as


def _form(**overrides) -> dict:
    data = {
        "title": "Angst og håb",
        "kind": "course",
        "summary": "Et kursus om angst.",
        "description": "Vi **mødes** fire gange.",
        "audiences": ["citizen", "relative"],
        "location_choice": "",
        "capacity": "12",
        "enrolment_mode": "instant",
        "teaching_language": "da",
        "facilitators-0-user_id": "",
        "facilitators-0-guest_name": "Dorte Gæst",
        "facilitators-0-role": "professional",
    }
    data.update(overrides)
    return data


def _offering(slug: str) -> Offering:
    return db.session.scalars(sa.select(Offering).where(Offering.slug == slug)).one()


def _mails(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_peer_worker_creates_a_draft_with_a_slug_from_the_title(client):
    w = make_world()
    theme = make_theme("angst", "Angst")
    db.session.commit()
    sign_in_as(client, w.peer)
    response = client.post(
        "/manage/offerings/new",
        data=_form(
            organisation_id=str(w.school.id),
            themes=[str(theme.id)],
            **{"facilitators-1-user_id": str(w.peer.id), "facilitators-1-role": "peer"},
        ),
    )
    assert response.status_code == 302
    offering = _offering("angst-og-haab")
    assert offering.status == "draft"
    assert offering.audiences == ["citizen", "relative"]
    assert [t.slug for t in offering.themes] == ["angst"]
    assert [(f.display_name, f.role) for f in offering.facilitators] == [
        ("Dorte Gæst", "professional"),
        (w.peer.name, "peer"),
    ]
    assert offering.created_by_id == w.peer.id


def test_invalid_offering_form_explains_next_to_the_field_and_keeps_the_input(client):
    w = make_world()
    sign_in_as(client, w.peer)
    response = client.post(
        "/manage/offerings/new",
        data=_form(
            organisation_id=str(w.school.id),
            title="",
            audiences=[],
            capacity="0",
            summary="Min egen tekst",
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page.count('class="field__error"') >= 3
    assert 'aria-invalid="true"' in page
    assert "Min egen tekst" in page
    assert "Skriv en titel." in page or "Write a title." in page


def test_peer_worker_cannot_create_for_another_organisation(client):
    w = make_world()
    sign_in_as(client, w.peer)
    response = client.post("/manage/offerings/new", data=_form(organisation_id=str(w.centre.id)))
    assert response.status_code == 400
    assert db.session.scalar(sa.select(Offering).where(Offering.title == "Angst og håb")) is None


def test_preview_renders_sanitised_markdown_without_saving(client):
    w = make_world()
    sign_in_as(client, w.peer)
    response = client.post(
        "/manage/offerings/new",
        data=_form(
            organisation_id=str(w.school.id),
            preview="1",
            description="## Om kurset\n\n<script>alert(1)</script> **fed**",
        ),
    )
    page = response.get_data(as_text=True)
    assert "<h3>Om kurset</h3>" in page and "<strong>fed</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert db.session.scalar(sa.select(Offering).where(Offering.title == "Angst og håb")) is None


def test_taken_slug_is_refused_next_to_the_field(client):
    w = make_world()
    sign_in_as(client, w.peer)
    response = client.post(
        "/manage/offerings/new", data=_form(organisation_id=str(w.school.id), slug=w.offering.slug)
    )
    assert response.status_code == 400
    assert "field__error" in response.get_data(as_text=True)


def test_new_place_with_accessibility_facts_and_local_signup_window(client):
    w = make_world()
    sign_in_as(client, w.peer)
    client.post(
        "/manage/offerings/new",
        data=_form(
            organisation_id=str(w.school.id),
            location_choice="new",
            loc_name="Sundhedshuset",
            loc_address="Vestergade 1",
            loc_city="Aarhus",
            loc_step_free="y",
            loc_hearing_loop="y",
            signup_closes_date="2026-07-01",
            signup_closes_time="12:00",
        ),
    )
    offering = _offering("angst-og-haab")
    assert offering.location.name == "Sundhedshuset"
    assert offering.location.step_free and offering.location.hearing_loop
    assert offering.signup_closes_at == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)  # summer: UTC+2


def _edit_data(offering: Offering, **overrides) -> dict:
    data = _form(
        title=offering.title,
        organisation_id=str(offering.organisation_id),
        capacity=str(offering.capacity or ""),
        audiences=offering.audiences,
        slug=offering.slug,
    )
    data.update(overrides)
    return data


def test_lowering_capacity_below_the_confirmed_count_is_refused_with_an_explanation(client):
    w = make_world()
    make_enrollment(w.offering, status="confirmed")  # two confirmed now
    sign_in_as(client, w.peer)
    response = client.post(
        f"/manage/offerings/{w.offering.id}/edit", data=_edit_data(w.offering, capacity="1")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="capacity-error"' in page and "2" in page
    db.session.expire_all()
    assert db.session.get(Offering, w.offering.id).capacity == 2


def test_raising_capacity_offers_the_new_seat_to_the_waiting_list(client):
    w = make_world()
    sign_in_as(client, w.peer)
    response = client.post(
        f"/manage/offerings/{w.offering.id}/edit", data=_edit_data(w.offering, capacity="3")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Offering, w.offering.id).capacity == 3
    assert w.waitlisted.status in ("offered", "confirmed")


def test_publish_needs_a_date_and_then_shows_in_the_catalogue(client):
    w = make_world()
    sign_in_as(client, w.peer)
    client.post("/manage/offerings/new", data=_form(organisation_id=str(w.school.id)))
    offering = _offering("angst-og-haab")
    client.post(f"/manage/offerings/{offering.id}/publish")
    assert offering.status == "draft"
    client.post(
        f"/manage/offerings/{offering.id}/occurrences/new",
        data={
            "day": (now() + timedelta(days=10)).date().isoformat(),
            "start": "17:00",
            "end": "19:00",
        },
    )
    client.post(f"/manage/offerings/{offering.id}/publish")
    assert offering.status == "published"
    assert "Angst og håb" in client.get("/").get_data(as_text=True)
    client.post(f"/manage/offerings/{offering.id}/unpublish")
    assert offering.status == "draft"


def test_a_single_date_can_be_held_somewhere_else_than_usual(client):
    w = make_world()
    sign_in_as(client, w.peer)
    library = make_location(name="Biblioteket")
    year = now().year + 1  # a new date is never in the past
    response = client.post(
        f"/manage/offerings/{w.offering.id}/occurrences/new",
        data={
            "day": f"{year}-11-05",
            "start": "17:00",
            "end": "19:00",
            "location_id": str(library.id),
            "note": "Lokale 2",
        },
    )
    assert response.status_code == 302
    added = db.session.scalars(
        sa.select(Occurrence).where(
            Occurrence.offering_id == w.offering.id,
            Occurrence.starts_at == datetime(year, 11, 5, 16, 0, tzinfo=UTC),
        )
    ).one()
    assert (added.location_id, added.note) == (library.id, "Lokale 2")


def test_weekly_series_form_adds_dates_at_the_same_local_time(client):
    w = make_world()
    sign_in_as(client, w.peer)
    # Next year's Thursdays from mid-October, across the change to winter time.
    first = date(now().year + 1, 10, 14)
    first += timedelta(days=(3 - first.weekday()) % 7)
    thursdays = [first + timedelta(weeks=n) for n in (0, 1, 3, 4)]
    response = client.post(
        f"/manage/offerings/{w.offering.id}/occurrences/series",
        data={
            "weekday": "3",
            "start": "17:00",
            "end": "19:00",
            "every_weeks": "1",
            "first_date": first.isoformat(),
            "count": "4",
            "skip": (first + timedelta(weeks=2)).isoformat(),
        },
    )
    assert response.status_code == 302
    added = [o for o in w.offering.occurrences if o.id != w.occurrence.id]
    assert [o.starts_at.astimezone(LOCAL_TZ).strftime("%m-%d %H:%M") for o in added] == [
        day.strftime("%m-%d 17:00") for day in thursdays
    ]


def test_series_form_without_count_or_end_date_explains(client):
    w = make_world()
    sign_in_as(client, w.peer)
    response = client.post(
        f"/manage/offerings/{w.offering.id}/occurrences/series",
        data={
            "weekday": "3",
            "start": "17:00",
            "end": "19:00",
            "every_weeks": "1",
            "first_date": "2026-10-15",
            "count": "",
            "skip": "not a date",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="count-error"' in page and 'id="skip-error"' in page


def test_moving_a_date_raises_its_sequence_and_tells_participants(client):
    w = make_world()
    sign_in_as(client, w.peer)
    occurrence = w.occurrence
    day = (now() + timedelta(days=20)).astimezone(LOCAL_TZ).date()
    response = client.post(
        f"/manage/occurrences/{occurrence.id}/move",
        data={"day": day.isoformat(), "start": "10:00", "end": "12:00", "message": "Nyt lokale"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    occurrence = db.session.get(Occurrence, occurrence.id)
    assert occurrence.sequence == 1
    assert occurrence.starts_at.astimezone(LOCAL_TZ).hour == 10
    assert {m.to_address for m in _mails("occurrence_moved")} >= {w.confirmed.email}


def test_cancelling_a_date_keeps_it_as_cancelled_and_tells_participants(client):
    w = make_world()
    sign_in_as(client, w.peer)
    client.post(f"/manage/occurrences/{w.occurrence.id}/cancel", data={"message": "Syg"})
    db.session.expire_all()
    occurrence = db.session.get(Occurrence, w.occurrence.id)
    assert occurrence.status == "cancelled" and occurrence.cancelled_at is not None
    assert occurrence.sequence == 1
    assert _mails("occurrence_cancelled")


def test_cancelling_the_offering_tells_every_participant(client):
    w = make_world()
    sign_in_as(client, w.coordinator)
    response = client.post(
        f"/manage/offerings/{w.offering.id}/cancel", data={"message": "Underviseren er syg."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    offering = db.session.get(Offering, w.offering.id)
    assert offering.status == "cancelled"
    assert offering.cancellation_reason == "Underviseren er syg."
    assert all(o.is_cancelled for o in offering.occurrences)
    assert {m.to_address for m in _mails("offering_cancelled")} == {
        w.confirmed.email,
        w.waitlisted.email,
        w.requested.email,
    }


def test_duplicate_copies_everything_but_slug_dates_and_people(client):
    w = make_world()
    theme = make_theme("recovery")
    w.offering.themes.append(theme)
    db.session.commit()
    sign_in_as(client, w.peer)
    response = client.post(f"/manage/offerings/{w.offering.id}/duplicate")
    assert response.status_code == 302
    copy = _offering("haab-og-recovery-kopi")
    assert copy.title == "Håb og recovery (kopi)"
    assert copy.status == "draft"
    assert copy.occurrences == []
    assert [t.slug for t in copy.themes] == ["recovery"]
    assert [f.user_id for f in copy.facilitators] == [w.peer.id]
    assert copy.capacity == w.offering.capacity


def test_dashboard_shows_my_next_dates_with_seats_and_new_requests(client):
    w = make_world()
    other = make_offering(title="Ikke min", organisation=w.school)
    sign_in_as(client, w.peer)
    page = client.get("/manage/").get_data(as_text=True)
    assert "Håb og recovery" in page and "Ikke min" not in page
    assert "1 af 2" in page or "1 of 2" in page  # one confirmed, two seats
    assert "1 ny anmodning" in page or "1 new request" in page
    assert other.title not in page


def test_calendar_link_is_created_and_shown(client):
    w = make_world()
    sign_in_as(client, w.peer)
    client.post("/manage/calendar-link")
    page = client.get("/manage/").get_data(as_text=True)
    assert "http://holdplads.test/manage/calendar/" in page
    url = page.split("http://holdplads.test", 1)[1].split('"', 1)[0]
    assert client.get(url).status_code == 200


def test_key_figures_for_a_coordinator(client):
    w = make_world()
    sign_in_as(client, w.coordinator)
    page = client.get("/manage/figures").get_data(as_text=True)
    assert "Nøgletal" in page or "Key figures" in page


def test_staff_set_an_offerings_own_shorter_erase_time_and_the_form_says_its_date(client):
    w = make_world()
    w.offering.occurrences[-1].starts_at = datetime(2027, 3, 10, 17, 0, tzinfo=UTC)
    w.offering.occurrences[-1].ends_at = datetime(2027, 3, 10, 19, 0, tzinfo=UTC)
    db.session.commit()
    client.application.config["RETENTION_DAYS"] = 183
    client.set_cookie("lang", "en")
    sign_in_as(client, w.peer)
    url = f"/manage/offerings/{w.offering.id}/edit"
    keep_peer = {"facilitators-1-user_id": str(w.peer.id), "facilitators-1-role": "peer"}
    form = client.get(url).get_data(as_text=True)
    assert 'name="retention_days"' in form and "data sooner (days)" in form

    refused = client.post(url, data=_edit_data(w.offering, retention_days="200", **keep_peer))
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert 'id="retention_days-error"' in page and "At most 183 days" in page
    refused = client.post(url, data=_edit_data(w.offering, retention_days="-1", **keep_peer))
    assert refused.status_code == 400 and "Write a number from 0 up." in refused.text
    db.session.expire_all()
    assert db.session.get(Offering, w.offering.id).retention_days is None

    saved = client.post(url, data=_edit_data(w.offering, retention_days="30", **keep_peer))
    assert saved.status_code == 302
    db.session.expire_all()
    offering = db.session.get(Offering, w.offering.id)
    assert offering.retention_days == 30
    assert 'value="30"' in client.get(url).text
    # The sign-up form promises the shorter time: 10 March + 30 days.
    assert "erased on Friday, April 9, 2027" in client.get(
        f"/offerings/{offering.slug}/enroll?lang=en"
    ).get_data(as_text=True)

    cleared = client.post(url, data=_edit_data(offering, retention_days="", **keep_peer))
    assert cleared.status_code == 302
    db.session.expire_all()
    assert db.session.get(Offering, w.offering.id).retention_days is None
