"""Staff decisions in the audit log: who decided what, about which offering, and when.

Each entry is written by the service that makes the change, in the same transaction.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.enrollment.tokens import manage_token
from app.extensions import db
from app.models import AuditEntry
from tests.management.helpers import make_world, sign_in_as
from tests.management.test_offerings import _edit_data


def _entries() -> list[tuple]:
    db.session.expire_all()
    return [
        (e.user_id, e.action, e.offering_id, e.details)
        for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))
    ]


def test_approving_a_request_is_logged_with_who_and_which(client):
    w = make_world()
    sign_in_as(client, w.peer)
    assert client.post(f"/manage/enrollments/{w.requested.id}/approve").status_code == 302
    assert _entries() == [
        (w.peer.id, "approve_request", w.offering.id, f"enrollment {w.requested.id}: confirmed")
    ]


def test_declining_a_request_is_logged(client):
    w = make_world()
    sign_in_as(client, w.coordinator)
    client.post(f"/manage/enrollments/{w.requested.id}/decline", data={"message": "Desværre"})
    assert _entries() == [
        (
            w.coordinator.id,
            "decline_request",
            w.offering.id,
            f"enrollment {w.requested.id}: declined",
        )
    ]


def test_staff_cancelling_a_seat_is_logged_but_a_participant_cancelling_is_not(app, client):
    w = make_world()
    with app.app_context():
        leave, cancel = manage_token(w.waitlisted), manage_token(w.requested)
    assert client.post(f"/enrollments/{leave}/leave").status_code == 302
    assert client.post(f"/enrollments/{cancel}/cancel").status_code == 302
    assert db.session.get(type(w.requested), w.requested.id).status == "cancelled"
    assert _entries() == []  # their own choices, not staff decisions
    sign_in_as(client, w.peer)
    client.post(f"/manage/enrollments/{w.confirmed.id}/cancel")
    assert _entries() == [
        (w.peer.id, "cancel_seat", w.offering.id, f"enrollment {w.confirmed.id}: cancelled")
    ]


def test_promoting_from_the_waiting_list_is_logged(client):
    w = make_world()
    w.offering.capacity = 3  # a free seat the waiting list has not been offered
    db.session.commit()
    sign_in_as(client, w.peer)
    assert client.post(f"/manage/enrollments/{w.waitlisted.id}/promote").status_code == 302
    assert _entries() == [
        (
            w.peer.id,
            "promote_from_waitlist",
            w.offering.id,
            f"enrollment {w.waitlisted.id}: confirmed",
        )
    ]


def test_changing_the_number_of_seats_is_logged_with_old_and_new(client):
    w = make_world()
    sign_in_as(client, w.peer)
    response = client.post(
        f"/manage/offerings/{w.offering.id}/edit", data=_edit_data(w.offering, capacity="3")
    )
    assert response.status_code == 302
    assert _entries() == [(w.peer.id, "change_capacity", w.offering.id, "capacity 2 → 3")]


def test_an_edit_that_keeps_the_seats_logs_no_capacity_change(client):
    w = make_world()
    sign_in_as(client, w.peer)
    client.post(f"/manage/offerings/{w.offering.id}/edit", data=_edit_data(w.offering))
    assert _entries() == []


def test_recording_attendance_is_logged(client):
    w = make_world()
    sign_in_as(client, w.peer)
    client.post(
        f"/manage/occurrences/{w.occurrence.id}/attendance",
        data={"enrollment_id": str(w.confirmed.id), "status": "present"},
    )
    assert _entries() == [
        (
            w.peer.id,
            "record_attendance",
            w.offering.id,
            f"enrollment {w.confirmed.id}, occurrence {w.occurrence.id}: present",
        )
    ]


def test_the_audit_page_names_each_decision(client):
    w = make_world()
    sign_in_as(client, w.peer)
    client.post(f"/manage/enrollments/{w.requested.id}/approve")
    client.post(
        f"/manage/offerings/{w.offering.id}/edit", data=_edit_data(w.offering, capacity="4")
    )
    sign_in_as(client, w.admin)
    page = client.get("/manage/audit", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Approved a request" in page and "Changed the number of seats" in page
    assert "capacity 2 → 4" in page
