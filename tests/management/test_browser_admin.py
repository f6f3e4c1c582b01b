"""Issue 12's staff pages in headless Chromium: axe-core clean, and usable on a phone."""

from __future__ import annotations

import re

import pytest

from tests.conftest import assert_accessible
from tests.management.helpers import PASSWORD, make_world

pytestmark = [pytest.mark.browser, pytest.mark.committing]

PHONE = {"width": 390, "height": 844}


def _sign_in(page, live_server, user) -> None:
    page.goto(f"{live_server}/manage/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/manage/$"))


def test_administration_pages_are_accessible(page, live_server):
    w = make_world()
    _sign_in(page, live_server, w.admin)
    for path in (
        f"/manage/accounts/{w.peer.id}/edit",
        f"/manage/organisations/{w.centre.id}/edit",
        "/manage/places",
        f"/manage/places/{w.offering.location_id}/edit",
        "/manage/accounts",
        f"/manage/offerings/{w.offering.id}",
    ):
        page.goto(live_server + path)
        assert page.locator("h1").count() == 1, path
        assert_accessible(page)


def test_the_403_page_keeps_the_staff_menu_and_is_accessible(page, live_server):
    w = make_world()
    _sign_in(page, live_server, w.peer)
    response = page.goto(live_server + "/manage/organisations")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "Ingen adgang til denne side"
    page.locator(".menu-fold__toggle").click()  # the staff menu is folded on a phone
    assert page.get_by_role("link", name="Tilbud", exact=True).count() == 1
    assert_accessible(page)


def test_the_offering_form_hides_unchosen_fields_and_focuses_the_first_error(browser, live_server):
    w = make_world()
    for javascript in (True, False):
        context = browser.new_context(
            viewport=PHONE, locale="da-DK", java_script_enabled=javascript
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        _sign_in(page, live_server, w.peer)
        page.goto(f"{live_server}/manage/offerings/new")
        assert not page.locator("#new-place").is_visible()
        assert not page.locator("#online_join_url").is_visible()
        page.locator("#location_choice").select_option("new")
        assert page.locator("#loc_name").is_visible()
        page.locator("#is_online").check()
        assert page.locator("#online_join_url").is_visible()
        page.locator("#title").fill("")
        page.locator("#loc_name").fill("")
        page.locator("main form button[name=submit]").click()
        page.wait_for_load_state()
        assert page.locator(".error-summary a").first.get_attribute("href") == "#title"
        assert page.evaluate("document.activeElement.id") == "title"
        assert page.locator("#loc_name").is_visible()  # still chosen, with its error
        if javascript:  # axe-core itself runs as JavaScript
            assert_accessible(page)
        context.close()


def test_series_preview_and_draft_preview_are_accessible(page, live_server):
    w = make_world()
    _sign_in(page, live_server, w.peer)
    page.goto(f"{live_server}/manage/offerings/{w.offering.id}/occurrences/series")
    page.locator("#start").fill("17:00")
    page.locator("#end").fill("19:00")
    page.locator("#first_date").fill("2055-01-04")  # far ahead: past dates are refused
    page.locator("#count").fill("3")
    page.get_by_role("button", name="Vis datoerne").click()
    expect_heading = page.locator("#series-preview-heading")
    assert expect_heading.inner_text() == "Disse 3 datoer bliver tilføjet"
    assert page.locator(".series-preview__dates li").count() == 3
    assert_accessible(page)
    page.get_by_role("button", name="Tilføj disse 3 datoer").click()
    page.wait_for_url(re.compile(rf"/manage/offerings/{w.offering.id}$"))
    page.goto(f"{live_server}/manage/offerings/{w.offering.id}/preview")
    assert page.locator("h1").count() == 1
    assert_accessible(page)
