"""The admin's sign-in page in a browser: axe-clean, and it explains why passwords stay on."""

from __future__ import annotations

import re

import pytest

from tests.conftest import assert_accessible
from tests.management.helpers import PASSWORD, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.committing]


def test_the_sign_in_page_is_accessible_and_explains_itself(page, live_server):
    email = make_staff("admin", None).email
    page.goto(f"{live_server}/manage/login?lang=da")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/manage/$"))
    page.locator(".menu-fold__toggle").click()  # the staff menu is folded on a phone
    page.get_by_role("link", name="Indstillinger for log ind", exact=True).click()
    page.wait_for_url(re.compile(r"/manage/settings/sign-in$"))
    assert page.locator('[data-key="why-not"]').is_visible()
    assert page.locator("main form").count() == 0  # nothing to press that would be refused
    assert_accessible(page)
