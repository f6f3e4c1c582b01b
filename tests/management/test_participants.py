"""The participants page: decisions, attendance, exports, mail, and the audit log."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from app.extensions import db
from app.models import Attendance, AuditEntry, Enrollment, OutboxMessage
from tests.factories import held_now, make_enrollment, make_offering
from tests.management.helpers import make_world, sign_in_as


def _status(enrollment: Enrollment) -> str:
    db.session.expire_all()
    return db.session.get(Enrollment, enrollment.id).status


def _audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_participants_page_lists_each_group_with_waiting_positions_and_is_audited(client):
    w = make_world()
    second = make_enrollment(w.offering, status="waitlisted", name="Dina Dahl")
    sign_in_as(client, w.peer)
    page = client.get(f"/manage/offerings/{w.offering.id}/participants").get_data(as_text=True)
    assert page.index("Carl Clausen") < page.index("Anna Andersen")  # requests first
    assert page.index("Bo Berg") < page.index(second.name)  # waiting list in order
    assert w.confirmed.email in page
    entry = db.session.scalars(sa.select(AuditEntry)).one()
    assert (entry.user_id, entry.action, entry.offering_id) == (
        w.peer.id,
        "view_participants",
        w.offering.id,
    )


def test_volunteer_staff_cannot_see_another_organisations_participants(client):
    w = make_world()
    sign_in_as(client, w.volunteer_staff)
    response = client.get(f"/manage/offerings/{w.offering.id}/participants")
    assert response.status_code == 403
    assert w.confirmed.email not in response.get_data(as_text=True)
    assert _audit_actions() == []


def test_approving_a_request_on_a_full_offering_puts_it_on_the_waiting_list(client):
    w = make_world()
    make_enrollment(w.offering, status="confirmed")  # now full
    sign_in_as(client, w.peer)
    client.post(f"/manage/enrollments/{w.requested.id}/approve", data={"message": "Velkommen"})
    assert _status(w.requested) == "waitlisted"


def test_approving_a_request_with_a_free_seat_confirms_it_and_mails_the_person(client):
    w = make_world()
    sign_in_as(client, w.peer)
    client.post(f"/manage/enrollments/{w.requested.id}/approve", data={"message": "Velkommen"})
    assert _status(w.requested) == "confirmed"
    mail = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.enrollment_id == w.requested.id)
    ).all()
    assert mail and "Velkommen" in mail[-1].body_text


def test_declining_a_request_with_a_message(client):
    w = make_world()
    sign_in_as(client, w.peer)
    client.post(
        f"/manage/enrollments/{w.requested.id}/decline",
        data={"message": "Holdet er lukket", "confirm": "yes"},
    )
    assert _status(w.requested) == "declined"


def test_cancelling_a_seat_and_moving_someone_from_the_waiting_list(client, app):
    w = make_world()
    app.config["WAITLIST_OFFER_HOURS"] = 0
    try:
        sign_in_as(client, w.peer)
        client.post(f"/manage/enrollments/{w.confirmed.id}/cancel", data={"confirm": "yes"})
    finally:
        app.config.pop("WAITLIST_OFFER_HOURS")
    assert _status(w.confirmed) == "cancelled"


def test_moving_from_a_full_waiting_list_explains_there_is_no_seat(client):
    w = make_world()
    make_enrollment(w.offering, status="confirmed")
    sign_in_as(client, w.peer)
    page = client.post(
        f"/manage/enrollments/{w.waitlisted.id}/promote", follow_redirects=True
    ).get_data(as_text=True)
    assert "flash--error" in page
    assert _status(w.waitlisted) == "waitlisted"


def test_move_from_waiting_list_gives_a_free_seat(client):
    w = make_world()
    w.offering.capacity = 3
    db.session.commit()
    sign_in_as(client, w.peer)
    client.post(f"/manage/enrollments/{w.waitlisted.id}/promote")
    assert _status(w.waitlisted) == "confirmed"


def test_staff_add_someone_who_phoned(client):
    w = make_world()
    w.offering.capacity = 5
    db.session.commit()
    sign_in_as(client, w.peer)
    response = client.post(
        f"/manage/offerings/{w.offering.id}/participants/new",
        data={
            "name": "Eva Eriksen",
            "email": "eva@example.com",
            "audience": "relative",
            "language": "da",
            "wants_companion": "y",
        },
    )
    assert response.status_code == 302
    eva = db.session.scalars(
        sa.select(Enrollment).where(Enrollment.email == "eva@example.com")
    ).one()
    assert (eva.status, eva.audience, eva.added_by_id, eva.wants_companion) == (
        "confirmed",
        "relative",
        w.peer.id,
        True,
    )


def test_adding_someone_already_signed_up_says_so_next_to_the_email(client):
    w = make_world()
    sign_in_as(client, w.peer)
    response = client.post(
        f"/manage/offerings/{w.offering.id}/participants/new",
        data={"name": "Anna", "email": w.confirmed.email, "audience": "citizen", "language": "da"},
    )
    assert response.status_code == 400
    assert 'id="email-error"' in response.get_data(as_text=True)


def test_attendance_is_saved_with_one_tap_as_json_for_the_script(client):
    w = make_world()
    held_now(w.occurrence)
    sign_in_as(client, w.peer)
    url = f"/manage/occurrences/{w.occurrence.id}/attendance"
    response = client.post(
        url,
        data={"enrollment_id": w.confirmed.id, "status": "present"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json["ok"] is True and response.json["status"] == "present"
    client.post(
        url,
        data={"enrollment_id": w.confirmed.id, "status": "excused"},
        headers={"Accept": "application/json"},
    )
    rows = db.session.scalars(sa.select(Attendance)).all()
    assert [(r.enrollment_id, r.status, r.recorded_by_id) for r in rows] == [
        (w.confirmed.id, "excused", w.peer.id)
    ]


def test_before_its_day_a_date_takes_only_word_that_someone_cannot_come(client):
    w = make_world()  # its first date is days ahead
    sign_in_as(client, w.peer)
    url = f"/manage/occurrences/{w.occurrence.id}/attendance"
    page = client.get(url, headers={"Accept-Language": "en"}).text
    assert "This date has not come yet. Until its day, you can only mark who cannot come." in page
    assert 'value="excused"' in page
    assert 'value="present"' not in page and 'value="absent"' not in page
    refused = client.post(
        url,
        data={"enrollment_id": w.confirmed.id, "status": "present"},
        headers={"Accept": "application/json", "Accept-Language": "da"},
    )
    assert refused.status_code == 400
    assert refused.json["error"].startswith("Datoen er ikke kommet endnu.")
    assert db.session.scalars(sa.select(Attendance)).all() == []
    by_form = client.post(url, data={"enrollment_id": w.confirmed.id, "status": "absent"})
    assert "Datoen er ikke kommet endnu." in client.get(by_form.location).text
    assert db.session.scalars(sa.select(Attendance)).all() == []
    sent_word = client.post(
        url,
        data={"enrollment_id": w.confirmed.id, "status": "excused"},
        headers={"Accept": "application/json"},
    )
    assert sent_word.status_code == 200
    rows = db.session.scalars(sa.select(Attendance)).all()
    assert [(r.enrollment_id, r.status) for r in rows] == [(w.confirmed.id, "excused")]
    # A tap by mistake is undone by tapping the same button again.
    undone = client.post(
        url,
        data={"enrollment_id": w.confirmed.id, "status": "excused"},
        headers={"Accept": "application/json", "Accept-Language": "en"},
    )
    assert (
        undone.json["status"] == "" and undone.json["message"] == "Mark removed for Anna Andersen"
    )
    assert db.session.scalars(sa.select(Attendance)).all() == []
    page = client.get(url).text
    assert 'value="excused" class="tap tap--excused" aria-pressed="false"' in page


def test_attendance_works_without_javascript_by_redirecting_back(client):
    w = make_world()
    held_now(w.occurrence)
    sign_in_as(client, w.peer)
    url = f"/manage/occurrences/{w.occurrence.id}/attendance"
    response = client.post(url, data={"enrollment_id": w.confirmed.id, "status": "absent"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert 'value="absent" class="tap tap--absent" aria-pressed="true"' in page


def test_attendance_is_only_for_confirmed_participants_of_that_offering(client):
    w = make_world()
    other = make_offering(organisation=w.school)
    stranger = make_enrollment(other, status="confirmed")
    sign_in_as(client, w.peer)
    url = f"/manage/occurrences/{w.occurrence.id}/attendance"
    for enrollment in (stranger, w.waitlisted):
        response = client.post(
            url,
            data={"enrollment_id": enrollment.id, "status": "present"},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 400
    assert db.session.scalars(sa.select(Attendance)).all() == []


def test_csv_opens_in_danish_excel_and_is_audited(client):
    w = make_world()
    w.confirmed.phone = "=1+1"  # would be a formula in a spreadsheet
    db.session.commit()
    sign_in_as(client, w.peer)
    response = client.get(f"/manage/offerings/{w.offering.id}/participants.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows[0]) == 9
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Anna Andersen", "Bo Berg", "Carl Clausen"}
    assert by_name["Anna Andersen"][2] == "'=1+1"
    assert by_name["Bo Berg"][5] == "1"
    assert "export_csv" in _audit_actions()


def test_printable_attendance_sheet_lists_confirmed_against_dates(client):
    w = make_world()
    sign_in_as(client, w.peer)
    page = client.get(f"/manage/offerings/{w.offering.id}/attendance-sheet").get_data(as_text=True)
    assert "Anna Andersen" in page and "Bo Berg" not in page
    assert "print_attendance_sheet" in _audit_actions()


def test_email_only_the_confirmed(client):
    w = make_world()
    sign_in_as(client, w.peer)
    response = client.post(
        f"/manage/offerings/{w.offering.id}/email",
        data={"audience": "confirmed", "subject": "Husk madpakke", "body": "Vi ses.\n\nHilsen Pia"},
    )
    assert response.status_code == 302
    mails = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "staff_message")
    ).all()
    assert [m.to_address for m in mails] == [w.confirmed.email]
    assert "email_participants" in _audit_actions()


def test_email_those_present_at_a_date(client):
    w = make_world()
    other = make_enrollment(w.offering, status="confirmed")
    db.session.add(
        Attendance(enrollment_id=other.id, occurrence_id=w.occurrence.id, status="present")
    )
    db.session.commit()
    sign_in_as(client, w.peer)
    client.post(
        f"/manage/offerings/{w.offering.id}/email",
        data={
            "audience": "present",
            "occurrence_id": str(w.occurrence.id),
            "subject": "Tak",
            "body": "Tak for i dag.",
        },
    )
    mails = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "staff_message")
    ).all()
    assert [m.to_address for m in mails] == [other.email]


def test_admin_reads_the_audit_log(client):
    w = make_world()
    sign_in_as(client, w.peer)
    client.get(f"/manage/offerings/{w.offering.id}/participants")
    sign_in_as(client, w.admin)
    page = client.get("/manage/audit").get_data(as_text=True)
    assert w.peer.name in page and "Håb og recovery" in page
