"""The catalogue on a phone: the filters folded, the first offering on the first screen."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.demo.catalogue import seed_demo_catalogue
from app.extensions import db
from tests.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.committing]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(app) -> None:
    with app.app_context():
        seed_demo_catalogue(datetime.now(UTC))
        db.session.commit()


def _first_card_bottom(page) -> float:
    box = page.locator(".cards .card__title").first.bounding_box()
    return box["y"] + box["height"]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_on_a_phone_the_first_offering_shows_on_the_first_screen(live_server, browser, demo, lang):
    context = browser.new_context(viewport=PHONE, locale="da-DK")
    try:
        page = context.new_page()
        page.goto(f"{live_server}/?lang={lang}")
        assert page.locator(".filters__fold").get_attribute("open") is None
        assert not page.locator("#kind").is_visible()
        assert _first_card_bottom(page) <= PHONE["height"]
        # One tap opens the filters; they work as before.
        page.locator(".filters__toggle").click()
        assert page.locator("#kind").is_visible()
        assert_accessible(page)
    finally:
        context.close()


def test_on_a_phone_the_active_filters_are_summarised_above_the_results(live_server, browser, demo):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{live_server}/?lang=en")
        page.locator(".filters__toggle").click()
        page.select_option("#kind", "group")
        page.check("#free")
        page.locator(".filters button[type=submit]").click()
        page.wait_for_url("**/?*kind=group*")
        summary = page.locator(".active-filters").inner_text()
        assert "Self-help groups" in summary and "Only with free seats" in summary
        assert "Clear filters" in summary
        assert page.locator(".filters__fold").get_attribute("open") is None
        assert _first_card_bottom(page) <= PHONE["height"]
    finally:
        context.close()


def test_on_a_wide_screen_the_filters_are_open_beside_the_results(live_server, browser, demo):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{live_server}/?lang=en")
        assert page.locator("#kind").is_visible()
        assert not page.locator(".filters__toggle").is_visible()
        assert page.locator(".active-filters").count() == 0
    finally:
        context.close()
