"""The staff flows a person clicks through, in headless Chromium, with axe-core on each page."""

from __future__ import annotations

import csv
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.i18n import local
from app.models import Occurrence, Offering
from tests.conftest import PHONE, assert_accessible
from tests.factories import held_now, now
from tests.management.helpers import PASSWORD, make_world

pytestmark = [pytest.mark.browser, pytest.mark.committing]


def _sign_in(page, live_server, user) -> None:
    page.goto(f"{live_server}/manage/login")
    assert_accessible(page)
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/manage/$"))


def test_create_publish_sign_up_approve_attend_and_export(page, browser, live_server, tmp_path):
    w = make_world()
    _sign_in(page, live_server, w.peer)
    assert_accessible(page)

    # Create an offering (request mode, so the facilitator approves).
    page.goto(f"{live_server}/manage/offerings/new")
    page.locator("#title").fill("Søvn og ro")
    page.locator("#summary").fill("Et kursus om at sove bedre.")
    page.locator("#description").fill("Vi mødes **tre** gange.")
    page.locator("#capacity").fill("6")
    page.locator("#enrolment_mode").select_option("request")
    assert_accessible(page)
    page.locator("button[name=submit]").click()
    page.wait_for_url(re.compile(r"/manage/offerings/\d+$"))
    offering_url = page.url

    # A weekly series of three Thursdays at 17:00.
    page.locator("a[href$='/occurrences/series']").click()
    first = (local(now()) + timedelta(days=7)).date()
    page.locator("#weekday").select_option(str(first.weekday()))
    page.locator("#start").fill("17:00")
    page.locator("#end").fill("19:00")
    page.locator("#first_date").fill(first.isoformat())
    page.locator("#count").fill("3")
    assert_accessible(page)
    page.locator("main form button.button--primary").click()  # the dates first (issue 12)
    assert page.locator(".series-preview__dates li").count() == 3
    page.locator("main form button[name=submit]").click()
    page.wait_for_url(offering_url)
    assert page.locator("ol.occurrences li").count() == 3
    assert (
        page.locator("ol.occurrences").inner_text().count("17.00")
        + page.locator("ol.occurrences").inner_text().count("17:00")
        == 3
    )

    page.locator("form[action$='/publish'] button").click()
    page.wait_for_url(offering_url)
    assert page.locator(".flash--success").count() == 1
    assert_accessible(page)

    page.goto(f"{live_server}/")
    assert "Søvn og ro" in page.content()

    # A citizen asks to join from a second browser.
    citizen = browser.new_context(viewport=PHONE, locale="da-DK")
    try:
        visitor = citizen.new_page()
        visitor.goto(f"{live_server}/offerings/soevn-og-ro/enroll")
        visitor.locator("#name").fill("Ida Jensen")
        visitor.locator("#email").fill("ida@example.com")
        visitor.locator("#consent").check()
        visitor.locator("form.signup__form button[type=submit]").click()
        visitor.wait_for_url(re.compile(r"/enroll/done"))
    finally:
        citizen.close()

    # The facilitator approves the request.
    page.goto(offering_url + "/participants")
    assert "Ida Jensen" in page.content()
    assert_accessible(page)
    page.locator("form[action$='/approve'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/participants$"))
    assert page.locator("form[action$='/approve']").count() == 0
    assert page.locator("#confirmed-heading").inner_text().endswith("(1)")

    # Attendance at the first date, today: one tap, saved without a reload.
    db.session.rollback()  # a fresh look: the server wrote since
    first_date = db.session.scalars(
        sa.select(Occurrence)
        .join(Offering)
        .where(Offering.slug == "soevn-og-ro")
        .order_by(Occurrence.starts_at)
    ).first()
    held_now(first_date)
    page.goto(offering_url)
    page.locator("a[href$='/attendance']").first.click()
    page.wait_for_url(re.compile(r"/attendance$"))
    assert_accessible(page)
    present = page.locator("button[value=present]")
    present.click()
    expect(present).to_have_attribute("aria-pressed", "true")
    # Only the script fills the live region: the page was not reloaded.
    expect(page.locator("#attendance-status")).to_contain_text("Ida Jensen")
    page.reload()
    assert present.get_attribute("aria-pressed") == "true"
    present.click()  # the same button again: the mark is taken away
    expect(present).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#attendance-status")).to_contain_text("Markering fjernet for Ida Jensen")
    present.click()
    expect(present).to_have_attribute("aria-pressed", "true")

    # Export the list and read it back as Excel would.
    page.goto(offering_url + "/participants")
    with page.expect_download() as download_info:
        page.locator("a[href$='/participants.csv']").click()
    path = tmp_path / "deltagere.csv"
    download_info.value.save_as(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert len(rows[0]) == 9
    assert rows[1][0] == "Ida Jensen" and rows[1][1] == "ida@example.com"
    db.session.rollback()


def test_staff_pages_for_an_admin_are_accessible(page, live_server):
    w = make_world()
    _sign_in(page, live_server, w.admin)
    for path in (
        "/manage/offerings",
        "/manage/accounts",
        "/manage/accounts/new",
        "/manage/organisations",
        "/manage/audit",
        "/manage/figures",
        f"/manage/offerings/{w.offering.id}/edit",
        f"/manage/offerings/{w.offering.id}/email",
        f"/manage/offerings/{w.offering.id}/attendance-sheet",
        f"/manage/occurrences/{w.occurrence.id}/move",
        "/manage/?lang=en",
    ):
        page.goto(live_server + path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)
