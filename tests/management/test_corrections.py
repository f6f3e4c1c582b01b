"""Corrections: participants correct their name, phone and needs from the manage link; staff
correct them too (audit-logged); an undelivered mail shows on the participants list in plain
words, with "correct the address" and "send again"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.enrollment import services
from app.extensions import db
from app.mail.sender import send_pending
from app.models import AuditEntry, Enrollment, OutboxMessage, OutboxStatus
from tests.enrollment.helpers import person
from tests.factories import add_facilitator, make_offering, now
from tests.management.helpers import make_staff, make_world, sign_in_as
from tests.notices.test_notices import bouncing_smtp_server  # noqa: F401 (a fixture)

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def ctx(app):
    with app.app_context():
        yield app


def _fresh(enrollment_id: int) -> Enrollment:
    db.session.expire_all()
    return db.session.get(Enrollment, enrollment_id)


def test_a_participant_corrects_name_phone_and_needs_from_the_manage_link(app, client):
    offering = make_offering(title="Håb og recovery")
    enrollment, token = services.enroll(offering.id, person("Ane", phone="12345678"), now=now())
    db.session.commit()
    manage = client.get(f"/enrollments/{token}", headers=EN).text
    assert f"/enrollments/{token}/correct" in manage
    form = client.get(f"/enrollments/{token}/correct", headers=EN).text
    assert 'value="Deltager Ane"' in form and 'value="12345678"' in form
    assert 'name="email"' not in form  # the address is the key to the link
    response = client.post(
        f"/enrollments/{token}/correct",
        data={"name": "Ane Andersen", "phone": "+45 87654321", "needs": "Trinfri adgang"},
    )
    assert response.status_code == 302
    fixed = _fresh(enrollment.id)
    assert (fixed.name, fixed.phone, fixed.needs) == (
        "Ane Andersen",
        "+45 87654321",
        "Trinfri adgang",
    )
    assert fixed.email == "deltagerAne@example.com"
    assert db.session.scalars(sa.select(AuditEntry)).all() == []  # their own change
    bad = client.post(
        f"/enrollments/{token}/correct", data={"name": "", "phone": "ring"}, headers=EN
    )
    assert bad.status_code == 400
    assert "Please write your name." in bad.text
    assert "Please write only digits, spaces and + in the phone number." in bad.text
    assert client.get("/enrollments/1-" + "0" * 64 + "/correct").status_code == 404


def test_staff_correct_a_participant_and_it_is_logged_without_the_values(client):
    w = make_world()
    sign_in_as(client, w.peer)
    page = client.get(f"/manage/offerings/{w.offering.id}/participants", headers=EN).text
    url = f"/manage/enrollments/{w.confirmed.id}/correct"
    assert f'href="{url}"' in page
    assert 'value="Anna Andersen"' in client.get(url).text
    response = client.post(
        url,
        data={
            "name": "Anna Andersen-Berg",
            "phone": "20304050",
            "email": "anna.ny@example.com",
            "needs": "",
        },
    )
    assert response.status_code == 302
    fixed = _fresh(w.confirmed.id)
    assert (fixed.name, fixed.phone, fixed.email, fixed.email_normalized) == (
        "Anna Andersen-Berg",
        "20304050",
        "anna.ny@example.com",
        "anna.ny@example.com",
    )
    [entry] = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "correct_details")
    ).all()
    assert (entry.user_id, entry.offering_id) == (w.peer.id, w.offering.id)
    assert entry.details == f"enrollment {w.confirmed.id}: name, phone, email"
    assert "Anna" not in entry.details and "example" not in entry.details
    # An address someone else on the list already uses is refused, next to the field.
    taken = client.post(
        url,
        data={"name": "Anna", "phone": "", "email": w.waitlisted.email, "needs": ""},
        headers=EN,
    )
    assert taken.status_code == 400
    assert "already signed up for this offering" in taken.text


def test_staff_of_another_organisation_cannot_correct(client):
    w = make_world()
    sign_in_as(client, w.volunteer_staff)
    url = f"/manage/enrollments/{w.confirmed.id}/correct"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"name": "X", "phone": "12345678"}).status_code == 403
    assert _fresh(w.confirmed.id).name == "Anna Andersen"


def test_undelivered_mail_shows_for_the_facilitator_with_correct_and_send_again(
    client,
    bouncing_smtp_server,  # noqa: F811
):
    offering = make_offering(title="Håb og recovery")
    peer = make_staff("peer_worker", offering.organisation, name="Pia")
    add_facilitator(offering, user=peer)
    enrollment, _token = services.enroll(
        offering.id, person("X", email="findes-ikke@example.com"), now=now()
    )
    db.session.commit()
    send_pending(now=now())  # refused for good: 550 5.1.1
    [failed] = db.session.scalars(
        sa.select(OutboxMessage).where(
            OutboxMessage.enrollment_id == enrollment.id, OutboxMessage.status == "failed"
        )
    ).all()

    sign_in_as(client, peer)  # a facilitator, not an admin
    list_url = f"/manage/offerings/{offering.id}/participants"
    page = client.get(list_url, headers=EN).text
    assert (
        "A mail to findes-ikke@example.com could not be delivered: the address does not exist."
        in page
    )
    assert "550" not in page  # plain words, not the server's code
    assert "Correct the address" in page and "Send again" in page
    send_again = f"/manage/enrollments/{enrollment.id}/mail/{failed.id}/send-again"
    assert f'action="{send_again}"' in page

    client.post(
        f"/manage/enrollments/{enrollment.id}/correct",
        data={"name": "Deltager X", "phone": "", "email": "x.rigtig@example.com", "needs": ""},
    )
    response = client.post(send_again, headers=EN)
    assert response.status_code == 302
    db.session.expire_all()
    again = db.session.get(OutboxMessage, failed.id)
    assert (again.status, again.to_address, again.attempts) == (
        OutboxStatus.PENDING,
        "x.rigtig@example.com",
        0,
    )
    send_pending(now=now() + timedelta(seconds=5))
    received = [
        m for m in bouncing_smtp_server.messages if m.envelope_to == ["x.rigtig@example.com"]
    ]
    assert len(received) == 1 and "Håb og recovery" in received[0]["Subject"]
    page = client.get(list_url, headers=EN).text
    assert "could not be delivered" not in page
    # Sending a mail that is no longer failed again says so calmly.
    again_page = client.post(send_again, headers=EN, follow_redirects=True).text
    assert "That mail is no longer waiting to be sent again." in again_page


def test_the_manage_page_token_still_works_after_staff_correct_the_address(app, client):
    offering = make_offering()
    enrollment, token = services.enroll(offering.id, person("Bo"), now=now())
    db.session.commit()
    services.correct_details(
        enrollment.id,
        name="Bo",
        phone=None,
        needs=None,
        email="bo.ny@example.com",
        now=now(),
        by_staff_id=None,
    )
    db.session.commit()
    assert client.get(f"/enrollments/{token}").status_code == 200
    assert re.search(r"bo\.ny@example\.com", client.get(f"/enrollments/{token}").text)


def test_staff_correct_only_what_they_may_see(client):
    w = make_world()
    w.confirmed.needs = "Kørestol"
    db.session.commit()
    sign_in_as(client, w.coordinator)  # runs the school's course, does not facilitate it
    url = f"/manage/enrollments/{w.confirmed.id}/correct"
    form = client.get(url).text
    assert 'name="email"' in form and 'name="needs"' not in form and "Kørestol" not in form
    client.post(url, data={"name": "Anna A.", "phone": "20304050", "needs": "Intet"})
    fixed = _fresh(w.confirmed.id)
    assert (fixed.name, fixed.phone, fixed.needs) == ("Anna A.", "20304050", "Kørestol")


def test_a_failed_staff_mail_about_a_sign_up_is_not_shown_as_the_participants(client):
    w = make_world()
    db.session.add(
        OutboxMessage(
            kind="absence",  # to a facilitator, linked to the sign-up it is about
            to_address="tovholder@example.org",
            subject="Melder afbud",
            body_text="Hej",
            enrollment_id=w.confirmed.id,
            status=OutboxStatus.FAILED,
            last_error="550 5.1.1 User unknown",
            next_attempt_at=now(),
            created_at=now(),
        )
    )
    db.session.commit()
    sign_in_as(client, w.peer)
    page = client.get(f"/manage/offerings/{w.offering.id}/participants", headers=EN).text
    assert "could not be delivered" not in page and "tovholder@example.org" not in page
