"""The list of dates is one macro: the offering page and one's sign-up page show the same."""

from __future__ import annotations

import re
from datetime import timedelta

from app.enrollment import services
from app.extensions import db
from tests.enrollment.helpers import person
from tests.factories import make_location, make_offering, now


def _dates(page: str) -> str:
    [dates] = re.findall(r'<ol class="occurrences">.*?</ol>', page, re.S)
    return dates


def test_offering_page_and_sign_up_page_list_the_dates_alike(app, client):
    offering = make_offering(starts=[now() + timedelta(days=d) for d in (1, 6, 13)])
    with app.app_context():
        _enrollment, token = services.enroll(offering.id, person(1), now=now())
        db.session.commit()
    held, moved, cancelled = offering.occurrences
    held.starts_at -= timedelta(days=2)  # met yesterday
    held.ends_at -= timedelta(days=2)
    moved.location_override = make_location(name="Biblioteket", room="Salen")
    moved.note = "Husk indesko"
    cancelled.status = "cancelled"
    db.session.commit()

    on_offering_page = _dates(client.get(f"/offerings/{offering.slug}").text)
    on_sign_up_page = _dates(client.get(f"/enrollments/{token}").text)
    assert on_offering_page == on_sign_up_page
    assert on_offering_page.count("<li") == 3
    assert "Afholdt" in on_offering_page and "Aflyst" in on_offering_page
    assert "Biblioteket, Salen" in on_offering_page and "Husk indesko" in on_offering_page
