"""A place is written one way: name, room, address (Location.place_text) everywhere."""

from __future__ import annotations

from datetime import timedelta

from app.enrollment import services
from app.extensions import db
from tests.enrollment.helpers import outbox, person
from tests.factories import make_location, make_offering, now


def test_offering_page_mail_and_calendar_say_the_place_the_same_way(app, client):
    home = make_location(name="Huset", room="Lokale 2", address="Vestergade 1", city="Aarhus C")
    moved = make_location(name="Biblioteket", room="Salen", address="Møllegade 3", city="Aarhus C")
    offering = make_offering(location=home, starts=[now() + timedelta(days=3)])
    offering.occurrences[0].location_override = moved
    db.session.commit()
    assert home.place_text == "Huset, Lokale 2, Vestergade 1, 8000 Aarhus C"

    page = client.get(f"/offerings/{offering.slug}").text
    assert "Huset, Lokale 2<br>Vestergade 1, 8000 Aarhus C" in page
    assert "Biblioteket, Salen, Møllegade 3, 8000 Aarhus C" in page  # the moved meeting

    with app.app_context():
        services.enroll(offering.id, person(1), now=now())
        [mail] = outbox("confirmed")
        assert f"Sted: {home.place_text}" in mail.body_text
    feed = client.get(f"/offerings/{offering.slug}.ics").text.replace("\r\n ", "")
    assert "LOCATION:Biblioteket\\, Salen\\, Møllegade 3\\, 8000 Aarhus C" in feed
