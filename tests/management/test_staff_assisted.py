"""Staff-assisted sign-up and decisions that ask first: someone who phoned needs only a name
and a phone number; declining, cancelling a seat and cancelling a date show a confirmation
page; "approve" says what happened; each "add a message" says which action it belongs to."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Enrollment, Occurrence, OutboxMessage
from tests.factories import make_enrollment
from tests.management.helpers import make_world, sign_in_as

EN = {"Accept-Language": "en"}


def _status(enrollment: Enrollment) -> str:
    db.session.expire_all()
    return db.session.get(Enrollment, enrollment.id).status


def _mail_to(enrollment_id: int) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.enrollment_id == enrollment_id)
        )
    )


def _add(client, offering_id: int, **data):
    form = {"name": "Frede Fisker", "audience": "citizen", "language": "da", **data}
    return client.post(f"/manage/offerings/{offering_id}/participants/new", data=form, headers=EN)


def test_someone_who_phoned_is_added_with_a_name_and_a_phone_number_only(client):
    w = make_world()
    w.offering.capacity = 5
    db.session.commit()
    sign_in_as(client, w.peer)
    response = _add(client, w.offering.id, phone="+45 20 30 40 50")
    assert response.status_code == 302
    frede = db.session.scalars(sa.select(Enrollment).filter_by(name="Frede Fisker")).one()
    assert (frede.status, frede.email, frede.phone) == ("confirmed", None, "+45 20 30 40 50")
    assert _mail_to(frede.id) == []  # nothing to send it to
    page = client.get(f"/manage/offerings/{w.offering.id}/participants", headers=EN).text
    assert "The person has a seat now." in page
    assert "There is no email address: phone them to tell them." in page
    assert "No email: must be phoned" in page and 'href="tel:+45 20 30 40 50"' in page

    # A second person who phoned, also without an address, is another person.
    assert _add(client, w.offering.id, name="Gitte Gris", phone="22334455").status_code == 302
    # Mails to "everyone" skip those who must be phoned.
    client.post(
        f"/manage/offerings/{w.offering.id}/email",
        data={"audience": "all", "subject": "Husk", "body": "Vi ses"},
    )
    assert _mail_to(frede.id) == []


def test_adding_someone_needs_a_phone_number_or_an_email_address(client):
    w = make_world()
    sign_in_as(client, w.peer)
    response = _add(client, w.offering.id)
    assert response.status_code == 400
    assert "Write a phone number, or an email address." in response.text
    assert 'value="Frede Fisker"' in response.text  # what was typed is kept
    bad = _add(client, w.offering.id, phone="ring mig")
    assert "Please write only digits, spaces and + in the phone number." in bad.text
    assert db.session.scalars(sa.select(Enrollment).filter_by(name="Frede Fisker")).all() == []


def test_approve_on_a_full_offering_says_the_place_on_the_waiting_list(client):
    w = make_world()
    make_enrollment(w.offering, status="confirmed")  # two seats, both taken
    sign_in_as(client, w.peer)
    page = client.post(
        f"/manage/enrollments/{w.requested.id}/approve", follow_redirects=True, headers=EN
    ).text
    # Bo Berg was already waiting: Carl is number 2.
    assert "The offering is full: the person is on the waiting list, number 2." in page
    assert "approved" not in page.split("<main", 1)[1].split("</h1>", 1)[0]
    assert _status(w.requested) == "waitlisted"


def test_approve_with_a_free_seat_says_so(client):
    w = make_world()
    sign_in_as(client, w.peer)
    page = client.post(
        f"/manage/enrollments/{w.requested.id}/approve", follow_redirects=True, headers=EN
    ).text
    assert "The person has a seat now. They have been told by email." in page


def test_each_add_a_message_says_which_action_it_belongs_to(client):
    w = make_world()
    sign_in_as(client, w.peer)
    page = client.get(f"/manage/offerings/{w.offering.id}/participants", headers=EN).text
    assert "Add a message to the approval" in page
    assert "Add a message to the refusal" in page
    assert ">Add a message<" not in page


def test_declining_a_request_asks_first_and_keeps_the_message(client):
    w = make_world()
    sign_in_as(client, w.peer)
    url = f"/manage/enrollments/{w.requested.id}/decline"
    # The list's button (with its message) opens the confirmation page; nothing happens yet.
    ask = client.post(url, data={"message": "Holdet er fyldt"}, headers=EN)
    assert ask.status_code == 200
    assert "Decline the request from Carl Clausen?" in ask.text
    assert "Holdet er fyldt" in ask.text and 'name="confirm" value="yes"' in ask.text
    assert _status(w.requested) == "requested" and _mail_to(w.requested.id) == []
    assert "Decline the request from Carl Clausen?" in client.get(url, headers=EN).text
    done = client.post(
        url, data={"message": "Holdet er fyldt", "confirm": "yes"}, follow_redirects=True
    )
    assert done.status_code == 200
    assert _status(w.requested) == "declined"
    [mail] = _mail_to(w.requested.id)
    assert "Holdet er fyldt" in mail.body_text


def test_cancelling_a_seat_asks_first(client):
    w = make_world()
    sign_in_as(client, w.peer)
    url = f"/manage/enrollments/{w.confirmed.id}/cancel"
    ask = client.post(url, data={}, headers=EN)
    assert "Cancel the sign-up of Anna Andersen?" in ask.text
    assert "The seat goes to the next person on the waiting list." in ask.text
    assert _status(w.confirmed) == "confirmed"
    waiting = client.get(f"/manage/enrollments/{w.waitlisted.id}/cancel", headers=EN).text
    assert "Remove Bo Berg from the waiting list?" in waiting
    client.post(url, data={"confirm": "yes"})
    assert _status(w.confirmed) == "cancelled"
    # Asking again about someone already cancelled goes back to the list with a message.
    again = client.get(url, headers=EN, follow_redirects=True).text
    assert "status had already changed" in again


def test_cancelling_a_date_asks_first(client):
    w = make_world()
    sign_in_as(client, w.peer)
    url = f"/manage/occurrences/{w.occurrence.id}/cancel"
    page = client.get(f"/manage/offerings/{w.offering.id}", headers=EN).text
    assert f'href="{url}"' in page  # a link to a page, not a button that acts
    ask = client.get(url, headers=EN)
    assert ask.status_code == 200 and "Cancel this date and tell the participants" in ask.text
    db.session.expire_all()
    assert not db.session.get(Occurrence, w.occurrence.id).is_cancelled
