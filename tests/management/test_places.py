"""Places (issue 12): access facts corrected once, for every offering that meets there."""

from __future__ import annotations

from app.extensions import db
from app.models import Location
from tests.factories import make_location, make_offering
from tests.management.helpers import make_world, sign_in_as


def _place_form(**overrides) -> dict:
    data = {
        "name": "Kulturhuset",
        "address": "Torvet 1",
        "postcode": "8000",
        "city": "Aarhus",
        "room": "Lokale 2",
        "step_free": "y",
        "hearing_loop": "y",
        "accessible_toilet": "",
        "accessibility_notes": "",
        "accessibility_notes_en": "",
        "directions": "Bus 2 til Torvet; indgang fra gården, elevator til 1. sal.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def test_correcting_a_place_corrects_every_offering_there(client):
    w = make_world()
    place = make_location(name="Gammelt navn", step_free=False, hearing_loop=False)
    first = make_offering(title="Første tilbud", location=place, organisation=w.school)
    second = make_offering(title="Andet tilbud", location=place, organisation=w.school)
    revisions = (first.revision, second.revision)
    sign_in_as(client, w.peer)
    listing = client.get("/manage/places").get_data(as_text=True)
    assert "Gammelt navn" in listing
    response = client.post(f"/manage/places/{place.id}/edit", data=_place_form())
    assert response.status_code == 302
    for offering in (first, second):
        page = client.get(f"/offerings/{offering.slug}").get_data(as_text=True)
        assert "Kulturhuset, Lokale 2" in page
        assert "Teleslynge" in page
        assert "elevator til 1. sal" in page
    db.session.refresh(first)
    db.session.refresh(second)
    assert (first.revision, second.revision) == (revisions[0] + 1, revisions[1] + 1)


def test_a_new_place_needs_a_name_and_an_address(client):
    w = make_world()
    sign_in_as(client, w.volunteer_staff)
    refused = client.post("/manage/places/new", data=_place_form(name="", address=""))
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Skriv stedets navn." in page and "Skriv adressen." in page
    assert client.post("/manage/places/new", data=_place_form()).status_code == 302
    assert db.session.query(Location).filter_by(name="Kulturhuset").one().hearing_loop


def test_correcting_a_place_keeps_and_edits_its_english_directions(client):
    w = make_world()
    place = make_location(name="Biblioteket", directions_en="Take bus 2.")
    sign_in_as(client, w.coordinator)
    page = client.get(f"/manage/places/{place.id}/edit").get_data(as_text=True)
    assert "Take bus 2." in page
    client.post(
        f"/manage/places/{place.id}/edit",
        data=_place_form(name="Biblioteket", directions_en="Take bus 3."),
    )
    db.session.refresh(place)
    assert place.directions_en == "Take bus 3."
