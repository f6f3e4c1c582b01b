"""Optional English directions for a place (issue 18, "English pages").

Staff type them beside the Danish ones when they add a place; English pages show them, and
without them show the Danish directions marked lang="da".
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Offering, OfferingStatus
from tests.conftest import assert_accessible
from tests.factories import make_location, make_offering
from tests.management.helpers import make_world, sign_in_as

DANISH = "Gå ind ad porten og følg skiltene over gården."
ENGLISH = "Go through the gate and follow the signs across the courtyard."


def _new_offering_with_a_place(client, **place) -> Offering:
    world = make_world()
    sign_in_as(client, world.peer)
    response = client.post(
        "/manage/offerings/new",
        data={
            "title": "Angst og håb",
            "kind": "course",
            "summary": "Et kursus om angst.",
            "description": "Vi mødes fire gange.",
            "audiences": ["citizen"],
            "organisation_id": str(world.school.id),
            "location_choice": "new",
            "loc_name": "Sundhedshuset",
            "loc_address": "Vestergade 1",
            "loc_city": "Aarhus",
            "capacity": "12",
            "enrolment_mode": "instant",
            "teaching_language": "da",
            **place,
        },
    )
    assert response.status_code == 302, response.text
    offering = db.session.scalars(sa.select(Offering).where(Offering.slug == "angst-og-haab")).one()
    offering.status = OfferingStatus.PUBLISHED
    db.session.commit()
    return offering


def test_staff_write_english_directions_and_english_pages_show_them(client):
    form = client.application.test_client()
    offering = _new_offering_with_a_place(
        form, loc_directions=f"  {DANISH} ", loc_directions_en=ENGLISH
    )
    assert (offering.location.directions, offering.location.directions_en) == (DANISH, ENGLISH)
    english = client.get(f"/offerings/{offering.slug}?lang=en").text
    assert f'<p class="hint">{ENGLISH}</p>' in english
    assert DANISH not in english
    danish = client.get(f"/offerings/{offering.slug}?lang=da").text
    assert f'<p class="hint">{DANISH}</p>' in danish
    assert ENGLISH not in danish


def test_without_english_directions_english_pages_show_the_danish_marked_lang_da(client):
    offering = _new_offering_with_a_place(client.application.test_client(), loc_directions=DANISH)
    assert offering.location.directions_en is None
    english = client.get(f"/offerings/{offering.slug}?lang=en").text
    assert f'<p class="hint" lang="da">{DANISH}</p>' in english


def test_the_editor_offers_english_directions_for_a_new_place(client):
    world = make_world()
    sign_in_as(client, world.peer)
    page = client.get("/manage/offerings/new?lang=en").text
    assert '<label for="loc_directions_en">How to find it, in English</label>' in page
    assert 'id="loc_directions_en"' in page and 'lang="en"' in page
    assert "Hvordan finder man det" not in page
    danish = client.get("/manage/offerings/new?lang=da").text
    assert '<label for="loc_directions">Sådan finder du det</label>' in danish


@pytest.mark.browser
@pytest.mark.committing
def test_a_place_with_and_without_english_directions_is_accessible_in_both_languages(
    live_server, page
):
    with_english = make_offering(
        location=make_location(directions=DANISH, directions_en=ENGLISH), title="Med vej"
    )
    danish_only = make_offering(location=make_location(directions=DANISH), title="Uden vej")
    slugs = {with_english.slug: ENGLISH, danish_only.slug: DANISH}
    for slug, english_text in slugs.items():
        for language, expected in (("da", DANISH), ("en", english_text)):
            page.goto(f"{live_server}/offerings/{slug}?lang={language}")
            assert page.locator("p.hint", has_text=expected).count() == 1
            assert_accessible(page)
