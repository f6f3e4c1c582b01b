"""A staff-only offering's sign-up form (issue 18, "The sign-up form").

It offers no peer companion and never speaks of diagnoses; it may ask where the person works
(a setting per offering, in the staff editor), and staff see the answer in the participants
list and the CSV.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Enrollment, Offering
from tests.conftest import assert_accessible
from tests.enrollment.helpers import form_data
from tests.factories import add_facilitator, make_enrollment, make_offering
from tests.management.helpers import make_world, sign_in_as


def _staff_course(**fields) -> Offering:
    return make_offering(title="Recovery for medarbejdere", audiences=("staff",), **fields)


def _enrollment(offering) -> Enrollment:
    return db.session.scalars(
        sa.select(Enrollment).where(Enrollment.offering_id == offering.id)
    ).one()


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_staff_only_form_offers_no_companion_and_never_mentions_diagnoses(client, language):
    page = client.get(f"/offerings/{_staff_course().slug}/enroll?lang={language}").text
    assert 'name="wants_companion"' not in page
    assert "iagnos" not in page  # diagnoser / diagnoses, not even in the footer
    assert "ølgeskab" not in page and "companion" not in page
    assert 'name="workplace"' not in page  # not asked unless the offering asks
    citizens = client.get(f"/offerings/{make_offering().slug}/enroll?lang={language}").text
    assert 'name="wants_companion"' in citizens and "iagnos" in citizens


def test_a_staff_only_offering_that_asks_gets_the_workplace_and_no_forged_companion(client):
    offering = _staff_course(asks_workplace=True)
    url = f"/offerings/{offering.slug}/enroll"
    page = client.get(url + "?lang=da").text
    assert '<label for="workplace">Hvor arbejder du?</label>' in page
    missing = client.post(url, data=form_data(1, audience="staff", workplace=""))
    assert missing.status_code == 400
    assert "Skriv venligst, hvor du arbejder." in missing.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment)) == 0
    client.post(
        url,
        data=form_data(1, audience="staff", workplace=" Psykiatrien Vest ", wants_companion="y"),
    )
    enrollment = _enrollment(offering)
    assert enrollment.workplace == "Psykiatrien Vest"
    assert enrollment.wants_companion is False


def test_a_workplace_is_never_stored_where_the_offering_did_not_ask(client):
    for offering in (_staff_course(), make_offering(asks_workplace=True)):
        client.post(
            f"/offerings/{offering.slug}/enroll",
            data=form_data(1, audience=offering.audiences[0].value, workplace="Forged"),
        )
        assert _enrollment(offering).workplace is None


def test_staff_see_the_workplace_in_the_participant_list_and_the_csv(client):
    world = make_world()
    offering = _staff_course(asks_workplace=True, organisation=world.school)
    add_facilitator(offering, user=world.peer)
    db.session.commit()
    client.post(
        f"/offerings/{offering.slug}/enroll",
        data=form_data(1, audience="staff", workplace="Botilbuddet Åen"),
    )
    sign_in_as(client, world.peer)
    listing = client.get(f"/manage/offerings/{offering.id}/participants?lang=da").text
    assert '<p class="person__workplace">Arbejdsplads: Botilbuddet Åen</p>' in listing
    csv = client.get(f"/manage/offerings/{offering.id}/participants.csv?lang=da")
    header, row = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()[:2]
    assert header.split(";")[4] == "Arbejdsplads"
    assert row.split(";")[4] == "Botilbuddet Åen"
    other = client.get(f"/manage/offerings/{world.offering.id}/participants.csv?lang=da")
    assert "Arbejdsplads" not in other.get_data(as_text=True)


def test_the_editor_asks_for_a_workplace_only_on_a_staff_only_offering(client):
    world = make_world()
    sign_in_as(client, world.peer)
    form = {
        "title": "Til medarbejdere",
        "kind": "course",
        "summary": "For medarbejdere.",
        "description": "Vi mødes.",
        "organisation_id": str(world.school.id),
        "location_choice": "",
        "capacity": "12",
        "enrolment_mode": "instant",
        "teaching_language": "da",
        "asks_workplace": "y",
    }
    refused = client.post(
        "/manage/offerings/new?lang=da", data={**form, "audiences": ["staff", "citizen"]}
    )
    assert refused.status_code == 400
    assert "Kun et tilbud alene for medarbejdere kan spørge, hvor folk arbejder." in refused.text
    saved = client.post("/manage/offerings/new", data={**form, "audiences": ["staff"]})
    assert saved.status_code == 302
    offering = db.session.scalars(sa.select(Offering).where(Offering.title == form["title"])).one()
    assert offering.asks_workplace is True
    edit = client.get(f"/manage/offerings/{offering.id}/edit").text
    [checkbox] = re.findall(r'<input[^>]*name="asks_workplace"[^>]*>', edit)
    assert "checked" in checkbox


@pytest.mark.browser
@pytest.mark.committing
@pytest.mark.parametrize("language", ["da", "en"])
def test_the_staff_only_form_with_a_workplace_is_accessible(live_server, page, language):
    offering = _staff_course(asks_workplace=True)
    page.goto(f"{live_server}/offerings/{offering.slug}/enroll?lang={language}")
    page.locator("#workplace").fill("Psykiatrien Vest")
    assert page.locator("#wants_companion").count() == 0
    assert_accessible(page)
    page.locator("button[type=submit]").click()  # the rest left empty: the errors show
    page.wait_for_selector(".field__error")
    assert_accessible(page)


def test_erasing_a_sign_up_blanks_the_workplace_too(ctx, client):
    from app.privacy.retention import erase_enrollment
    from tests.factories import now

    offering = _staff_course(asks_workplace=True)
    client.post(
        f"/offerings/{offering.slug}/enroll",
        data=form_data(1, audience="staff", workplace="Botilbuddet Åen"),
    )
    enrollment = _enrollment(offering)
    assert enrollment.workplace == "Botilbuddet Åen"
    erase_enrollment(enrollment, now=now())
    db.session.commit()
    db.session.expire_all()
    assert _enrollment(offering).workplace is None


@pytest.mark.browser
@pytest.mark.committing
@pytest.mark.parametrize("language", ["da", "en"])
def test_staff_pages_with_the_new_fields_are_accessible(live_server, page, language):
    """The editor (workplace setting, English directions), the participant list showing a
    workplace, and the staff message form: axe-core finds nothing, in Danish and English."""
    from tests.management.helpers import PASSWORD

    world = make_world()
    offering = _staff_course(asks_workplace=True, organisation=world.school)
    add_facilitator(offering, user=world.peer)
    participant = make_enrollment(offering, audience="staff", name="Mette Holm")
    participant.workplace = "Botilbuddet Åen"
    db.session.commit()
    page.goto(f"{live_server}/manage/login?lang={language}")
    page.locator("#email").fill(world.peer.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/manage/$"))
    for path, shown in (
        ("/manage/offerings/new", "#loc_directions_en"),
        (f"/manage/offerings/{offering.id}/edit", "#asks_workplace"),
        (f"/manage/offerings/{offering.id}/participants", ".person__workplace"),
        (f"/manage/offerings/{offering.id}/email", "#body-help"),
    ):
        page.goto(f"{live_server}{path}?lang={language}")
        assert page.locator(shown).count() == 1, path
        assert_accessible(page)
