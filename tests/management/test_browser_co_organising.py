"""A co-organised offering in headless Chromium, from both organisations' side (issue 12, and
issue 13 §4): each person opens it and sees what the rule allows; axe-core on every staff page
the rule changed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.i18n import local
from app.models import Attendance, AuditEntry, Offering
from tests.conftest import PHONE, assert_accessible
from tests.factories import held_now, make_enrollment, now
from tests.management.helpers import (
    PASSWORD,
    make_co_organised_world,
    make_world,
)

pytestmark = [pytest.mark.browser, pytest.mark.committing]

NEEDS = "Har brug for at sidde ved døren"


def _sign_in(page, live_server, user) -> None:
    page.goto(f"{live_server}/manage/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/manage/$"))


def _tab(browser):
    context = browser.new_context(viewport=PHONE, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_a_co_organised_group_from_the_centres_and_the_schools_side(page, browser, live_server):
    w = make_world()
    frida = w.volunteer_staff  # volunteer centre: owns and leads the group
    peter = w.peer  # Recovery School peer worker who co-leads it
    school_coordinator = w.coordinator  # the co-organiser's other staff

    # The centre's staff member creates the group and names the school's peer worker.
    _sign_in(page, live_server, frida)
    page.goto(f"{live_server}/manage/offerings/new")
    page.locator("#title").fill("Hørestemmer-gruppen")
    page.locator("#kind").select_option("group")
    page.locator("#summary").fill("En selvhjælpsgruppe for dem, der hører stemmer.")
    page.locator("#capacity").fill("8")
    picker = page.locator("#facilitators-1-user_id")
    expect(picker.locator("option", has_text=f"{peter.name} (Recovery-skolen)")).to_have_count(1)
    picker.select_option(str(peter.id))
    page.locator("#facilitators-1-role").select_option("peer")
    page.locator("button[name=submit]").click()
    # Not yet a co-organiser: refused next to the field, in words, and the page stays accessible.
    error = page.locator("#facilitators-1-user_id-error")
    expect(error).to_contain_text(f"{peter.name} arbejder for Recovery-skolen")
    assert_accessible(page)
    page.locator(f"input[name=co_organisers][value='{w.school.id}']").check()
    page.locator("button[name=submit]").click()
    page.wait_for_url(re.compile(r"/manage/offerings/\d+$"))
    group_url = page.url

    page.locator("a[href$='/occurrences/new']").click()
    day = (local(now()) + timedelta(days=3)).date()
    page.locator("#day").fill(day.isoformat())
    page.locator("#start").fill("17:00")
    page.locator("#end").fill("19:00")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(group_url)

    db.session.rollback()
    group = db.session.scalars(sa.select(Offering).filter_by(slug="hoerestemmer-gruppen")).one()
    assert [f.user_id for f in group.facilitators] == [frida.id, peter.id]
    signe = make_enrollment(group, status="confirmed", name="Signe Sørensen")
    signe.phone, signe.needs, signe.wants_companion = "20304050", NEEDS, True
    db.session.commit()
    group_id, signe_email = group.id, signe.email

    # Frida runs it: the participants with contact data and needs, and she edits.
    page.goto(group_url)
    expect(page.locator(f"a[href$='/offerings/{group_id}/edit']")).to_have_count(1)
    page.goto(f"{group_url}/participants")
    expect(page.locator("main")).to_contain_text("Signe Sørensen")
    expect(page.locator("main")).to_contain_text(signe_email)
    expect(page.locator("main")).to_contain_text(NEEDS)

    # Peter, from the school's side: he runs participants and attendance, and does not edit.
    context, peter_page = _tab(browser)
    try:
        _sign_in(peter_page, live_server, peter)
        peter_page.goto(group_url)
        assert_accessible(peter_page)
        expect(peter_page.locator(f"a[href$='/offerings/{group_id}/participants']")).to_have_count(
            1
        )
        expect(peter_page.locator(f"a[href$='/offerings/{group_id}/edit']")).to_have_count(0)
        expect(peter_page.locator(f"a[href$='/offerings/{group_id}/cancel']")).to_have_count(0)
        peter_page.locator(f"a[href$='/offerings/{group_id}/participants']").click()
        expect(peter_page.locator("main")).to_contain_text("Signe Sørensen")
        expect(peter_page.locator("main")).to_contain_text(signe_email)
        expect(peter_page.locator("main")).to_contain_text(NEEDS)
        assert_accessible(peter_page)
        peter_page.goto(group_url)
        db.session.rollback()  # a fresh look: the server wrote since
        held_now(db.session.get(Offering, group_id).occurrences[0])  # the date is today
        peter_page.locator("a[href$='/attendance']").first.click()
        peter_page.wait_for_url(re.compile(r"/attendance$"))
        assert_accessible(peter_page)
        present = peter_page.locator("button[value=present]")
        present.click()
        expect(present).to_have_attribute("aria-pressed", "true")
        assert peter_page.goto(f"{group_url}/edit").status == 403
    finally:
        context.close()

    # The school's coordinator: a co-organiser's other staff see the group and its counts only.
    context, coordinator_page = _tab(browser)
    try:
        _sign_in(coordinator_page, live_server, school_coordinator)
        coordinator_page.goto(group_url)
        main = coordinator_page.locator("main")
        expect(main).to_contain_text("Hørestemmer-gruppen")
        expect(main).to_contain_text("1 af 8 pladser taget")
        expect(main).not_to_contain_text("Signe Sørensen")
        expect(
            coordinator_page.locator("a[href*='/participants'], a[href$='/attendance']")
        ).to_have_count(0)
        assert_accessible(coordinator_page)
        assert coordinator_page.goto(f"{group_url}/participants").status == 403
        assert coordinator_page.goto(f"{group_url}/participants.csv").status == 403
    finally:
        context.close()

    db.session.rollback()
    assert db.session.scalar(sa.select(Attendance.recorded_by_id)) == peter.id


def test_a_co_organised_course_from_the_schools_side_cover_and_the_centre(
    page, browser, live_server
):
    w = make_co_organised_world()
    course_url = f"{live_server}/manage/offerings/{w.offering.id}"

    # A school colleague covers for the sick facilitator: attendance only, told it is logged.
    _sign_in(page, live_server, w.cover)
    page.goto(course_url)
    assert_accessible(page)
    expect(page.locator("a[href$='/participants']")).to_have_count(0)
    db.session.rollback()  # a fresh look: the server wrote since
    held_now(w.occurrence)  # the date is today
    page.locator("a[href$='/attendance']").first.click()
    page.wait_for_url(re.compile(r"/attendance$"))
    expect(page.locator("main")).to_contain_text("som afløser")
    expect(page.locator("main")).to_contain_text("Anna Andersen")
    expect(page.locator("main")).not_to_contain_text(w.confirmed.email)
    assert_accessible(page)
    present = page.locator("button[value=present]")
    present.click()
    expect(present).to_have_attribute("aria-pressed", "true")

    # The school's coordinator runs it without being a facilitator: contact data, no needs.
    context, coordinator_page = _tab(browser)
    try:
        _sign_in(coordinator_page, live_server, w.coordinator)
        coordinator_page.goto(f"{course_url}/participants")
        main = coordinator_page.locator("main")
        expect(main).to_contain_text(w.confirmed.email)
        expect(main).not_to_contain_text("Kommer i kørestol")
        expect(main).to_contain_text("vises kun for holdets tovholdere")
        assert_accessible(coordinator_page)
    finally:
        context.close()

    # The centre's facilitator runs it from the other side; the centre's other staff see counts.
    for user, runs_it in ((w.centre_facilitator, True), (w.volunteer_staff, False)):
        context, centre_page = _tab(browser)
        try:
            _sign_in(centre_page, live_server, user)
            centre_page.goto(course_url)
            assert_accessible(centre_page)
            links = centre_page.locator("a[href$='/participants']")
            expect(links).to_have_count(1 if runs_it else 0)
            expect(centre_page.locator("a[href$='/edit']")).to_have_count(0)
            response = centre_page.goto(f"{course_url}/participants")
            assert response.status == (200 if runs_it else 403)
            if runs_it:
                expect(centre_page.locator("main")).to_contain_text("Kommer i kørestol")
        finally:
            context.close()

    db.session.rollback()
    assert "record_attendance_as_cover" in db.session.scalars(sa.select(AuditEntry.action)).all()


def test_an_admin_who_changes_the_owner_is_offered_the_other_organisations(page, live_server):
    w = make_world()
    school, centre = w.coordinator.organisation, w.volunteer_staff.organisation
    _sign_in(page, live_server, w.admin)
    page.goto(f"{live_server}/manage/offerings/new")
    partners = page.locator("fieldset[data-co-organisers]")
    owner = page.locator("#organisation_id")
    first = int(owner.input_value())
    other = centre if first == school.id else school
    mine = school if first == school.id else centre
    expect(partners.get_by_label(mine.name, exact=True)).to_be_hidden()
    expect(partners.get_by_label(other.name, exact=True)).to_be_visible()
    partners.get_by_label(other.name, exact=True).check()
    owner.select_option(str(other.id))
    # The new owner is no longer offered (and not ticked); the first owner now is.
    expect(partners.get_by_label(other.name, exact=True)).to_be_hidden()
    assert not partners.get_by_label(other.name, exact=True).is_checked()
    expect(partners.get_by_label(mine.name, exact=True)).to_be_visible()
    assert_accessible(page)
