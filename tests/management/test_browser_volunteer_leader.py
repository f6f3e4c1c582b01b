"""A volunteer group leader (frivillig tovholder, issue 12) on a phone, in headless Chromium:
signs in, sees only the group they lead — not the volunteer centre's other group — takes
attendance, and is told in Danish why the rest is not theirs. axe-core on every page they see."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import Attendance, Offering
from tests.conftest import PHONE, assert_accessible
from tests.factories import add_facilitator, held_now, make_enrollment, make_offering, now
from tests.management.helpers import PASSWORD, make_staff, make_world

pytestmark = [pytest.mark.browser, pytest.mark.committing]


def test_a_volunteer_leader_on_a_phone_sees_only_their_group_and_takes_attendance(
    page, live_server
):
    w = make_world()
    leader = make_staff("volunteer_leader", w.centre, name="Tove Tovholder")
    theirs = make_offering(
        title="Selvhjælpsgruppe om angst",
        kind="group",
        organisation=w.centre,
        capacity=8,
        starts=[now() + timedelta(days=2)],
    )
    add_facilitator(theirs, user=w.volunteer_staff, role="professional")
    add_facilitator(theirs, user=leader, role="volunteer")
    signe = make_enrollment(theirs, status="confirmed", name="Signe Sørensen")
    other = make_offering(
        title="Gå-gruppen", kind="group", organisation=w.centre, starts=[now() + timedelta(days=3)]
    )
    add_facilitator(other, user=w.volunteer_staff, role="volunteer")
    make_enrollment(other, status="confirmed", name="Otto Olsen")
    db.session.commit()
    theirs_id, other_id, signe_id, leader_id = theirs.id, other.id, signe.id, leader.id
    assert page.viewport_size == PHONE

    page.goto(f"{live_server}/manage/login")
    assert_accessible(page)
    page.locator("#email").fill(leader.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/manage/$"))

    # My page: their group's date, nothing of the centre's other group, a menu of what is theirs.
    main = page.locator("main")
    expect(main).to_contain_text("Selvhjælpsgruppe om angst")
    expect(main).not_to_contain_text("Gå-gruppen")
    expect(page.locator("a[href='/manage/offerings/new']")).to_have_count(0)
    for hidden in ("figures", "suggestions", "accounts", "places", "organisations", "audit"):
        expect(page.locator(f"a[href^='/manage/{hidden}']")).to_have_count(0)
    assert_accessible(page)

    # The offerings list: only the group they lead.
    page.goto(f"{live_server}/manage/offerings")
    expect(main).to_contain_text("Selvhjælpsgruppe om angst")
    expect(main).not_to_contain_text("Gå-gruppen")
    assert_accessible(page)

    # Their group: participants and attendance, no editing.
    page.locator(f"main a[href='/manage/offerings/{theirs_id}']").click()
    page.wait_for_url(re.compile(rf"/manage/offerings/{theirs_id}$"))
    expect(page.locator(f"a[href$='/offerings/{theirs_id}/edit']")).to_have_count(0)
    expect(page.locator(f"a[href$='/offerings/{theirs_id}/cancel']")).to_have_count(0)
    assert_accessible(page)
    page.locator(f"a[href$='/offerings/{theirs_id}/participants']").first.click()
    expect(main).to_contain_text("Signe Sørensen")
    assert_accessible(page)

    page.goto(f"{live_server}/manage/offerings/{theirs_id}")
    db.session.rollback()  # a fresh look: the server wrote since
    held_now(db.session.get(Offering, theirs_id).occurrences[0])  # the date is today
    page.locator("a[href$='/attendance']").first.click()
    page.wait_for_url(re.compile(r"/attendance$"))
    expect(main).to_contain_text("Signe Sørensen")
    expect(main).not_to_contain_text("som afløser")
    assert_accessible(page)
    present = page.locator("button[value=present]")
    present.click()
    expect(present).to_have_attribute("aria-pressed", "true")

    # The centre's other group is not theirs: refused, in Danish, with the menu kept.
    response = page.goto(f"{live_server}/manage/offerings/{other_id}")
    assert response.status == 403
    expect(main).to_contain_text("Som frivillig tovholder arbejder du med de grupper")
    expect(main).not_to_contain_text("Gå-gruppen")
    expect(page.locator("a[href='/manage/offerings']")).to_have_count(1)
    assert_accessible(page)

    db.session.rollback()
    recorded = db.session.execute(
        sa.select(Attendance.enrollment_id, Attendance.status, Attendance.recorded_by_id)
    ).all()
    assert [tuple(r) for r in recorded] == [(signe_id, "present", leader_id)]
