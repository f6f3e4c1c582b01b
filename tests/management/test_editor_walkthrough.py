"""The offering editor's defects from the walk-through (issue 12): Danish times, one message
per error, no new date in the past, the owner is not its own co-organiser, and the hint to
change the sign-up deadline only for those who can. Danish messages, what was typed kept."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import render_template_string

from app.extensions import db
from app.i18n import LOCAL_TZ, local
from app.management.forms import OfferingForm
from app.models import Occurrence, Offering
from tests.factories import now
from tests.management.helpers import make_co_organised_world, make_world, sign_in_as
from tests.management.test_offerings import _edit_data, _form

TIME_MESSAGE = "Skriv klokkeslættet som 10.00 eller 10:00."


def _next_year(month: int, day: int) -> str:
    return f"{day:02d}-{month:02d}-{now().year + 1}"


def _local_times(offering_id: int) -> list[str]:
    db.session.expire_all()
    offering = db.session.get(Offering, offering_id)
    return sorted(
        f"{o.starts_at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}-{o.ends_at.astimezone(LOCAL_TZ):%H:%M}"
        for o in offering.occurrences
    )


# --- (a) a time typed the Danish way ----------------------------------------------------


def test_a_date_takes_its_times_typed_as_10_00_10_00_10_or_1000(client):
    w = make_world()
    sign_in_as(client, w.peer)
    year = now().year + 1
    url = f"/manage/offerings/{w.offering.id}/occurrences/new"
    for day, start, end in [
        ("05-11", "10.00", "12.30"),
        ("06-11", "10:00", "12:30"),
        ("07-11", "10", "1230"),
        ("08-11", "kl. 9.30", "11,45"),
    ]:
        response = client.post(url, data={"day": f"{day}-{year}", "start": start, "end": end})
        assert response.status_code == 302, response.text
    assert {
        f"{year}-11-05 10:00-12:30",
        f"{year}-11-06 10:00-12:30",
        f"{year}-11-07 10:00-12:30",
        f"{year}-11-08 09:30-11:45",
    } <= set(_local_times(w.offering.id))


def test_a_time_nobody_can_read_says_how_to_write_it_and_keeps_what_was_typed(client):
    w = make_world()
    sign_in_as(client, w.peer)
    url = f"/manage/offerings/{w.offering.id}/occurrences/new"
    before = _local_times(w.offering.id)
    response = client.post(
        url, data={"day": _next_year(11, 5), "start": "kl ti", "end": "25.00", "note": "Lokale 2"}
    )
    assert response.status_code == 400
    page = response.text
    assert page.count(TIME_MESSAGE) == 2  # start and end, each once
    assert 'value="kl ti"' in page and 'value="25.00"' in page and 'value="Lokale 2"' in page
    assert _local_times(w.offering.id) == before


def test_a_series_and_the_sign_up_deadline_take_danish_times_too(client):
    w = make_world()
    sign_in_as(client, w.peer)
    year = now().year + 1
    series = client.post(
        f"/manage/offerings/{w.offering.id}/occurrences/series",
        data={
            "weekday": "0",
            "start": "17.00",
            "end": "1900",
            "every_weeks": "1",
            "first_date": f"{year}-03-01",
            "count": "2",
            "skip": "",
        },
    )
    assert series.status_code == 302, series.text
    assert sum(t.endswith(" 17:00-19:00") for t in _local_times(w.offering.id)) >= 2

    edit = f"/manage/offerings/{w.offering.id}/edit"
    keep_peer = {"facilitators-1-user_id": str(w.peer.id), "facilitators-1-role": "peer"}
    deadline = _edit_data(
        w.offering, signup_closes_date=f"{year}-02-20", signup_closes_time="16.00", **keep_peer
    )
    assert client.post(edit, data=deadline).status_code == 302
    db.session.expire_all()
    closes = db.session.get(Offering, w.offering.id).signup_closes_at
    assert local(closes).strftime("%Y-%m-%d %H:%M") == f"{year}-02-20 16:00"
    refused = client.post(edit, data={**deadline, "signup_closes_time": "fire"})
    assert refused.status_code == 400
    assert TIME_MESSAGE in refused.text and 'value="fire"' in refused.text
    # The list of errors at the top says it too, linked to the field.
    assert f'<a href="#signup_closes_time">Tilmelding lukker (klokkeslæt): {TIME_MESSAGE}' in (
        refused.text
    )


# --- (b) each error is its own message ---------------------------------------------------


def test_seats_that_are_no_whole_number_get_one_message_not_two_glued(client):
    w = make_world()
    sign_in_as(client, w.peer)
    response = client.post(
        "/manage/offerings/new", data=_form(organisation_id=str(w.school.id), capacity="2,5")
    )
    assert response.status_code == 400
    [error] = re.findall(r'id="capacity-error">(.*?)</', response.text)
    assert error == "Skriv et helt tal."
    assert "Skriv et tal fra 1 og op." not in response.text
    assert 'value="2,5"' in response.text
    too_few = client.post(
        "/manage/offerings/new", data=_form(organisation_id=str(w.school.id), capacity="0")
    )
    assert re.findall(r'id="capacity-error">(.*?)</', too_few.text) == ["Skriv et tal fra 1 og op."]


def test_two_errors_on_one_field_are_two_messages(app):
    with app.test_request_context("/?lang=da"):
        form = OfferingForm(formdata=None)
        form.capacity.errors = ["Skriv et helt tal.", "Der er allerede 3 bekræftede deltagere."]
        html = render_template_string(
            '{% from "management/_macros.html" import field %}{{ field(form.capacity) }}',
            form=form,
        )
    assert '<ul class="field__error field__errors" id="capacity-error">' in html
    assert "<li>Skriv et helt tal.</li><li>Der er allerede 3 bekræftede deltagere.</li>" in html
    assert "tal. Der" not in html


# --- (c) no new date in the past ---------------------------------------------------------


def test_a_new_date_or_series_in_the_past_is_refused_in_danish(client):
    w = make_world()
    sign_in_as(client, w.peer)
    before = _local_times(w.offering.id)
    one = client.post(
        f"/manage/offerings/{w.offering.id}/occurrences/new",
        data={"day": "01-06-2020", "start": "10.00", "end": "12.00", "note": "Lokale 2"},
    )
    assert one.status_code == 400
    assert "1. juni 2020 er forbi. Vælg i dag eller en senere dato." in one.text
    assert 'value="2020-06-01"' in one.text and 'value="10:00"' in one.text
    assert 'value="Lokale 2"' in one.text
    series = client.post(
        f"/manage/offerings/{w.offering.id}/occurrences/series",
        data={
            "weekday": "0",
            "start": "17:00",
            "end": "19:00",
            "every_weeks": "1",
            "first_date": "2020-01-06",
            "count": "3",
            "skip": "",
        },
    )
    assert series.status_code == 400
    assert "6. januar 2020 er forbi. Vælg i dag eller en senere dato." in series.text
    yesterday = (local(now()) - timedelta(days=1)).date()
    refused = client.post(
        f"/manage/offerings/{w.offering.id}/occurrences/new",
        data={"day": yesterday.isoformat(), "start": "10:00", "end": "12:00"},
    )
    assert refused.status_code == 400
    today = local(now()).date()
    allowed = client.post(
        f"/manage/offerings/{w.offering.id}/occurrences/new",
        data={"day": today.isoformat(), "start": "23:00", "end": "23:30"},
    )
    assert allowed.status_code == 302
    assert len(_local_times(w.offering.id)) == len(before) + 1


def test_an_offering_with_past_dates_can_still_be_edited_and_a_past_date_keep_its_day(client):
    w = make_world()
    past = Occurrence(
        offering_id=w.offering.id,
        starts_at=now() - timedelta(days=20),
        ends_at=now() - timedelta(days=20) + timedelta(hours=2),
    )
    db.session.add(past)
    db.session.commit()
    sign_in_as(client, w.peer)
    keep_peer = {"facilitators-1-user_id": str(w.peer.id), "facilitators-1-role": "peer"}
    edited = client.post(
        f"/manage/offerings/{w.offering.id}/edit",
        data=_edit_data(w.offering, title="Håb og recovery, forår", **keep_peer),
    )
    assert edited.status_code == 302, edited.text
    day = local(past.starts_at).date()
    kept = client.post(
        f"/manage/occurrences/{past.id}/move",
        data={"day": day.isoformat(), "start": "10.00", "end": "12.00", "note": "Lokale 3"},
    )
    assert kept.status_code == 302, kept.text
    moved_back = client.post(
        f"/manage/occurrences/{past.id}/move",
        data={"day": (day - timedelta(days=1)).isoformat(), "start": "10:00", "end": "12:00"},
    )
    assert moved_back.status_code == 400 and "er forbi" in moved_back.text
    db.session.expire_all()
    assert db.session.get(Occurrence, past.id).note == "Lokale 3"


# --- (d) the owner is not its own co-organiser -------------------------------------------


def _co_organiser_boxes(page: str) -> dict[str, bool]:
    """value -> ticked, of the "In cooperation with" checkboxes."""
    return {
        value: "checked" in tag
        for tag, value in re.findall(
            r'(<input[^>]*name="co_organisers"[^>]*value="(\d+)"[^>]*>)', page
        )
    }


def test_the_owning_organisation_is_not_offered_as_co_organiser_and_is_refused(client):
    w = make_world()
    sign_in_as(client, w.peer)
    new_form = client.get("/manage/offerings/new").text
    boxes = _co_organiser_boxes(new_form)
    assert str(w.centre.id) in boxes and str(w.school.id) not in boxes
    edit_form = client.get(f"/manage/offerings/{w.offering.id}/edit").text
    boxes = _co_organiser_boxes(edit_form)
    assert str(w.centre.id) in boxes and str(w.school.id) not in boxes

    response = client.post(
        "/manage/offerings/new",
        data=_form(
            organisation_id=str(w.school.id),
            title="Egen partner",
            co_organisers=[str(w.school.id), str(w.centre.id)],
        ),
    )
    assert response.status_code == 400
    assert (
        "Recovery-skolen ejer tilbuddet og kan derfor ikke også være medarrangør. "
        "Fjern krydset ved organisationen under “I samarbejde med”." in response.text
    )
    # shown ticked beside its message, with what else was typed
    assert _co_organiser_boxes(response.text) == {str(w.school.id): True, str(w.centre.id): True}
    assert 'value="Egen partner"' in response.text
    assert db.session.query(Offering).filter_by(title="Egen partner").count() == 0


# --- (e) the hint to change the deadline only for those who can --------------------------


def test_only_those_who_can_edit_are_told_to_change_the_sign_up_deadline(client):
    w = make_co_organised_world()
    started = w.offering.occurrences[0]
    started.starts_at = now() - timedelta(hours=1)
    started.ends_at = now() + timedelta(hours=1)
    db.session.add(
        Occurrence(
            offering_id=w.offering.id,
            starts_at=datetime.now(UTC) + timedelta(days=7),
            ends_at=datetime.now(UTC) + timedelta(days=7, hours=2),
        )
    )
    db.session.commit()
    for user, can_edit in [
        (w.peer, True),
        (w.coordinator, True),
        (w.centre_facilitator, False),
        (w.co_coordinator, False),
        (w.cover, False),
    ]:
        sign_in_as(client, user)
        page = client.get(f"/manage/offerings/{w.offering.id}").text
        assert "Tilmeldingen lukkede, da første mødegang begyndte" in page, user.name
        assert ("sæt en senere tilmeldingsfrist" in page) is can_edit, user.name
        assert ("tilbuddets formular" in page) is can_edit, user.name
