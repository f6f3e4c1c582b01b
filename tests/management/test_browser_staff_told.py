"""Issue 12's staff pages in headless Chromium, with axe-core on each: the personal
dashboard, a drop-in headcount, how I hear about an offering, a request declined after its
confirmation page, someone who must be phoned, an undelivered mail with "correct the
address", and a participant correcting their details from the manage link."""

from __future__ import annotations

import re

import pytest

from app.enrollment import services
from app.extensions import db
from app.models import OutboxMessage, OutboxStatus
from tests.conftest import assert_accessible
from tests.enrollment.helpers import person
from tests.factories import add_facilitator, held_now, make_enrollment, make_offering, now
from tests.management.helpers import make_world
from tests.management.test_browser import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committing]


def test_a_facilitators_pages_for_issue_12_work_and_are_accessible(page, browser, live_server):
    w = make_world()
    cafe = make_offering(
        title="Recovery-café", organisation=w.school, enrolment_mode="drop_in", capacity=None
    )
    add_facilitator(cafe, user=w.peer)
    phoned = make_enrollment(w.offering, status="waitlisted", name="Frede Fisker")
    phoned.email, phoned.email_normalized, phoned.phone = None, None, "20304050"
    bounced, token = services.enroll(
        w.offering.id, person("X", email="findes-ikke@example.com"), now=now()
    )
    db.session.add(
        OutboxMessage(
            kind="waitlisted",
            to_address="findes-ikke@example.com",
            subject="Du er på ventelisten",
            body_text="Hej",
            enrollment_id=bounced.id,
            status=OutboxStatus.FAILED,
            last_error="{'findes-ikke@example.com': (550, b'5.1.1 User unknown')}",
            next_attempt_at=now(),
            created_at=now(),
        )
    )
    db.session.commit()
    _sign_in(page, live_server, w.peer)
    assert "Recovery-café" in page.content() and "Håb og recovery" in page.content()
    assert_accessible(page)

    # A drop-in date: the headcount on the attendance page.
    db.session.rollback()  # a fresh look: the server wrote since
    held_now(cafe.occurrences[0])  # today: the headcount is taken on the day
    page.goto(f"{live_server}/manage/occurrences/{cafe.occurrences[0].id}/attendance")
    page.locator("#headcount").fill("12")
    assert_accessible(page)
    page.locator("form[action$='/headcount'] button").click()
    page.wait_for_url(re.compile(r"/attendance$"))
    assert page.locator("#headcount").input_value() == "12"

    # How I hear about the course.
    page.goto(f"{live_server}/manage/offerings/{w.offering.id}")
    page.locator("input[value=daily]").check()
    assert_accessible(page)
    page.locator("form[action$='/notices'] button").click()
    page.wait_for_url(re.compile(r"#notices$"))
    assert page.locator("input[value=daily]").is_checked()

    # The list: someone who must be phoned, an undelivered mail in plain words.
    page.goto(f"{live_server}/manage/offerings/{w.offering.id}/participants")
    content = page.content()
    assert "Ingen mail: skal ringes op" in content
    assert "kunne ikke leveres: adressen findes ikke" in content
    assert_accessible(page)

    # Declining asks first.
    page.locator("form[action$='/decline'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/decline$"))
    assert "Afvis anmodningen fra Carl Clausen?" in page.content()
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/participants$"))
    assert page.locator("form[action$='/decline']").count() == 0

    # Correct the address from the undelivered mail's link.
    page.locator(f"a[href$='/enrollments/{bounced.id}/correct']").first.click()
    page.wait_for_url(re.compile(r"/correct$"))
    assert_accessible(page)
    page.locator("#email").fill("x.rigtig@example.com")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/participants"))
    assert "x.rigtig@example.com" in page.content()

    # The participant corrects their own details from the manage link.
    citizen = browser.new_context(viewport={"width": 360, "height": 740}, locale="da-DK")
    try:
        visitor = citizen.new_page()
        visitor.goto(f"{live_server}/enrollments/{token}/correct")
        assert_accessible(visitor)
        visitor.locator("#needs").fill("Sidder gerne ved døren")
        visitor.locator("main form button[type=submit]").click()
        visitor.wait_for_url(re.compile(rf"/enrollments/{re.escape(token)}$"))
        assert "Sidder gerne ved døren" in visitor.content()
        assert_accessible(visitor)
    finally:
        citizen.close()
    db.session.rollback()
