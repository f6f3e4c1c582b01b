"""'I can't come this time' (afbud): one tap per date, the seat kept, undone, never by a GET."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.enrollment import absence, services
from app.extensions import db
from app.mail import notifications
from app.models import Attendance, AttendanceStatus, EnrollmentStatus
from tests.enrollment.helpers import fresh, outbox, person, statuses
from tests.factories import add_facilitator, make_offering, make_user, now
from tests.management.helpers import make_staff, sign_in_as

pytestmark = pytest.mark.usefixtures("ctx")


def _course(capacity=1, kind="course", **fields):
    starts = [now() + timedelta(hours=20), now() + timedelta(days=8)]
    offering = make_offering(capacity=capacity, kind=kind, starts=starts, **fields)
    facilitator = make_user(name="Sanne Facilitator", email="sanne@example.org")
    add_facilitator(offering, user=facilitator)
    return offering


def _attendance(enrollment_id: int) -> list[Attendance]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Attendance).filter_by(enrollment_id=enrollment_id)))


def _manage_link(enrollment_id: int) -> str:
    mail = [m for m in outbox("confirmed") if m.enrollment_id == enrollment_id][0]
    return re.search(r"/enrollments/[A-Za-z0-9_-]+", mail.body_text).group(0)


def test_sending_word_never_frees_a_course_seat_and_tells_the_facilitators(client):
    offering = _course(capacity=1)
    seated, _ = services.enroll(offering.id, person(1), now=now())
    waiting, _ = services.enroll(offering.id, person(2), now=now())
    db.session.commit()
    first = offering.occurrences[0]
    manage = _manage_link(seated.id)
    page = client.get(manage).text
    assert "I can't come this time" in page

    response = client.post(f"{manage}/absence/{first.id}", data={}, follow_redirects=True)
    assert "You keep your seat for the other dates" in response.text
    assert "You have sent word" in response.text
    assert statuses(offering) == {
        "deltager1@example.com": EnrollmentStatus.CONFIRMED,
        "deltager2@example.com": EnrollmentStatus.WAITLISTED,
    }
    [row] = _attendance(seated.id)
    assert row.status == AttendanceStatus.EXCUSED and row.sent_word_at is not None
    [mail] = outbox("absence")
    assert mail.to_address == "sanne@example.org"
    assert "Deltager 1" in mail.subject
    assert f"/manage/occurrences/{first.id}/attendance" in mail.body_text
    assert outbox("offer") == [] and outbox("cancelled") == []


def test_sending_word_can_be_undone_until_the_date_starts(client):
    offering = _course(capacity=5)
    seated, _ = services.enroll(offering.id, person(1), now=now())
    db.session.commit()
    first = offering.occurrences[0]
    manage = _manage_link(seated.id)
    client.post(f"{manage}/absence/{first.id}", data={})
    response = client.post(
        f"{manage}/absence/{first.id}", data={"undo": "1"}, follow_redirects=True
    )
    assert "we look forward to seeing you after all" in response.text
    assert _attendance(seated.id) == []
    assert len(outbox("absence_taken_back")) == 1
    assert fresh(seated).status == EnrollmentStatus.CONFIRMED
    # Once the date has started, neither the word nor its undo can be sent.
    absence.send_word(seated.id, first.id, now=now())
    late = first.starts_at + timedelta(minutes=1)
    try:
        absence.take_back_word(seated.id, first.id, now=late)
        raise AssertionError("an undo after the start must be refused")
    except absence.AbsenceNotPossible:
        pass
    assert [r.sent_word_at is not None for r in _attendance(seated.id)] == [True]


def test_the_reminder_link_opens_a_page_and_only_its_button_sends_word(client):
    offering = _course(capacity=5)
    seated, _ = services.enroll(offering.id, person(1), now=now())
    assert notifications.queue_reminders(now=now()) == 1
    db.session.commit()
    [reminder] = outbox("reminder")
    link = re.search(r"/absence/\d+/[A-Za-z0-9_-]+", reminder.body_text).group(0)
    for _ in range(3):  # a mail scanner opening the link, several times
        page = client.get(link)
        assert page.status_code == 200
        assert "Yes, I can't come this time" in page.text
    assert _attendance(seated.id) == [] and outbox("absence") == []
    done = client.post(link, data={}, follow_redirects=True)
    assert "You have sent word" in done.text
    assert len(_attendance(seated.id)) == 1
    undone = client.post(link, data={"undo": "1"}, follow_redirects=True)
    assert "Yes, I can't come this time" in undone.text
    assert _attendance(seated.id) == []
    # A link for another date, or a forged one, opens nothing.
    other = offering.occurrences[1].id
    assert client.get(re.sub(r"/absence/\d+/", f"/absence/{other}/", link)).status_code == 404
    assert client.get(link[:-4] + "abcd").status_code == 404


def test_for_a_themed_meeting_the_tap_cancels_and_the_seat_goes_to_the_waiting_list(client):
    offering = _course(capacity=1, kind="meeting")
    seated, _ = services.enroll(offering.id, person(1), now=now())
    services.enroll(offering.id, person(2), now=now())
    db.session.commit()
    manage = _manage_link(seated.id)
    occurrence = offering.occurrences[0]
    # the manage page links to a page that asks first; neither it nor a bare POST cancels
    page = client.get(manage).text
    assert f'href="{manage}/absence/{occurrence.id}"' in page
    assert f'action="{manage}/absence/{occurrence.id}"' not in page
    for _ in range(2):  # a GET (a link scanner) and a POST without the page's confirmation
        asked = client.get(f"{manage}/absence/{occurrence.id}")
        assert asked.status_code == 200
        assert "Your seat goes to the next person on the waiting list" in asked.text
        assert "Yes, I can't come this time" in asked.text and "No, keep it" in asked.text
        asked = client.post(f"{manage}/absence/{occurrence.id}", data={})
        assert asked.status_code == 200 and "Yes, I can't come this time" in asked.text
    assert statuses(offering)["deltager1@example.com"] == EnrollmentStatus.CONFIRMED
    assert _attendance(seated.id) == []
    response = client.post(
        f"{manage}/absence/{occurrence.id}", data={"confirmed": "1"}, follow_redirects=True
    )
    assert "Your seat goes to the next person" in response.text
    assert statuses(offering)["deltager1@example.com"] == EnrollmentStatus.CANCELLED
    assert statuses(offering)["deltager2@example.com"] in (
        EnrollmentStatus.OFFERED,
        EnrollmentStatus.CONFIRMED,
    )


def test_my_bookings_door_and_no_one_elses_enrollment(client):
    offering = _course(capacity=5)
    mine, _ = services.enroll(offering.id, person(1), now=now())
    theirs, _ = services.enroll(offering.id, person(2), now=now())
    db.session.commit()
    with client.session_transaction() as session:
        from app.enrollment.sign_in import PARTICIPANT_SESSION_KEY

        session[PARTICIPANT_SESSION_KEY] = "deltager1@example.com"
    first = offering.occurrences[0].id
    assert "I can't come this time" in client.get(f"/my/enrollments/{mine.id}").text
    client.post(f"/my/enrollments/{mine.id}/absence/{first}", data={})
    assert len(_attendance(mine.id)) == 1
    assert client.post(f"/my/enrollments/{theirs.id}/absence/{first}", data={}).status_code == 404
    assert _attendance(theirs.id) == []


def test_staff_dashboard_and_attendance_list_show_who_sent_word(client):
    offering = _course(capacity=5)
    staff = make_staff("coordinator", offering.organisation)
    add_facilitator(offering, user=staff)
    seated, _ = services.enroll(offering.id, person(1), now=now())
    services.enroll(offering.id, person(2), now=now())
    first = offering.occurrences[0]
    absence.send_word(seated.id, first.id, now=now())
    db.session.commit()
    sign_in_as(client, staff)
    dashboard = client.get("/manage/").text
    assert "Sent word that they cannot come:" in dashboard and "Deltager 1" in dashboard
    attendance = client.get(f"/manage/occurrences/{first.id}/attendance").text
    assert "1 person has sent word that they cannot come." in attendance
    assert attendance.count("Sent word: cannot come") == 1


def test_each_afbud_button_names_its_date_and_the_page_repeats_no_id(client):
    offering = _course(capacity=2)
    seated, _ = services.enroll(offering.id, person(1), now=now())
    db.session.commit()
    page = client.get(_manage_link(seated.id)).text
    buttons = re.findall(r"<button[^>]*>(.*?)</button>", page, re.S)
    named = [b for b in buttons if "I can't come this time" in b]
    assert len(named) == len(offering.occurrences) >= 2
    assert len(set(named)) == len(named)  # a screen reader hears which date each one is for
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
