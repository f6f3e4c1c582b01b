"""Audience shares in a browser: the staff editor and the offering page, axe-clean in both
languages."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from tests.conftest import assert_accessible
from tests.management.helpers import PASSWORD, make_world

pytestmark = [pytest.mark.browser, pytest.mark.committing]


def test_staff_keep_seats_for_citizens_and_the_page_shows_seats_per_audience(page, live_server):
    world = make_world()
    offering = world.offering
    from app.models import OfferingAudience

    offering.audience_rows.append(OfferingAudience(audience="staff"))
    db.session.commit()
    page.goto(f"{live_server}/manage/login")
    page.locator("#email").fill(world.coordinator.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/manage/$"))

    page.goto(f"{live_server}/manage/offerings/{offering.id}")
    page.locator(f"a[href$='/offerings/{offering.id}/shares']").click()
    assert "Sådan virker det" in page.content()
    assert_accessible(page)
    page.locator("#citizen_percent").fill("50")
    page.locator("#staff_max").fill("1")
    page.locator("main form button.button--primary").click()
    page.wait_for_url(re.compile(rf"/manage/offerings/{offering.id}$"))
    page.goto(f"{live_server}/manage/offerings/{offering.id}/shares?lang=en")
    assert "1 of the 2 seats (50 %) are kept for Citizen." in page.content()
    assert_accessible(page)
    page.locator("#citizen_percent").fill("150")
    page.locator("main form button.button--primary").click()
    assert "Write a number from 1 to 100." in page.content()
    assert_accessible(page)

    for lang, words in (("da", "Ledige pladser for hver"), ("en", "Seats left for each")):
        page.goto(f"{live_server}/offerings/{offering.slug}?lang={lang}")
        assert words in page.content()
        assert_accessible(page)
