"""Suggest a group in a real browser: suggest, approve as centre staff, then "me too";
axe-core on every page, in Danish and in English."""

from __future__ import annotations

import re

import pytest

from tests.conftest import assert_accessible
from tests.management.helpers import PASSWORD, make_world

pytestmark = [pytest.mark.browser, pytest.mark.committing]


def test_suggest_approve_and_me_too_pass_axe_in_both_languages(page, live_server):
    world = make_world()

    # From the catalogue's group filter to the form.
    page.goto(f"{live_server}/?kind=group")
    page.locator(".filters__toggle").click()  # the filters are folded on a phone (a <details>)
    page.locator("a[href='/suggestions']").first.click()
    page.wait_for_url(re.compile(r"/suggestions$"))
    assert_accessible(page)
    page.locator("main a[href='/suggestions/new']").first.click()
    assert page.locator("#no-health-note").is_visible()
    page.locator("main form button[type=submit]").click()  # empty: messages by the fields
    assert page.locator("#topic-error").is_visible()
    assert_accessible(page)
    page.locator("#topic").fill("Unge pårørende")
    page.locator("#reason").fill("Vi er flere, der gerne vil mødes.")
    page.locator("#email").fill("ida@example.com")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/suggestions$"))
    assert "Unge pårørende" not in page.locator("main").inner_text()  # waits for staff

    # Centre staff approve it.
    page.goto(f"{live_server}/manage/login")
    page.locator("#email").fill(world.volunteer_staff.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/manage/$"))
    page.goto(f"{live_server}/manage/suggestions")
    assert_accessible(page)
    page.locator("main form[action$='/approve'] button").click()
    page.wait_for_url(re.compile(r"/manage/suggestions$"))
    page.locator(".menu-fold__toggle").click()  # the staff menu is folded on a phone
    page.locator("nav form button.nav-button").click()  # sign out

    # Public now, with its count; "me too" anonymously.
    for lang in ("da", "en"):
        page.goto(f"{live_server}/suggestions/new?lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        assert_accessible(page)
        page.goto(f"{live_server}/suggestions?lang={lang}")
        assert "Unge pårørende" in page.locator("main").inner_text()
        assert_accessible(page)
    page.goto(f"{live_server}/suggestions?lang=da")
    page.locator("main li form button").first.click()
    page.wait_for_url(re.compile(r"/suggestions#suggestion-\d+$"))
    assert "1 mere deler dette behov" in page.locator("main").inner_text()
    assert_accessible(page)
