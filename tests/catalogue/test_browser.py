"""The catalogue in a real browser: accessible in both languages, usable at 320 px and by
keyboard, filterable without JavaScript, and never talking to another host.

One browser for the module and the demo catalogue, so each test loads only a page or two.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from app.demo.catalogue import seed_demo_catalogue
from app.extensions import db
from app.models import Offering, OfferingKind, OfferingStatus
from tests.conftest import assert_accessible
from tests.factories import make_enrollment, make_offering

pytestmark = [pytest.mark.browser, pytest.mark.committing]


@pytest.fixture
def demo_slug(app) -> str:
    """The demo catalogue, committed for the live server; the slug of a rich offering."""
    with app.app_context():
        seed_demo_catalogue(datetime.now(UTC))
        db.session.commit()
        return db.session.scalar(
            sa.select(Offering.slug)
            .where(Offering.status == OfferingStatus.PUBLISHED, Offering.kind == "course")
            .order_by(Offering.id)
            .limit(1)
        )


def _results_count(page) -> int:
    text = page.locator("#results-heading").inner_text()
    return int(text.split()[0])


@pytest.mark.parametrize("lang", ["da", "en"])
def test_catalogue_and_offering_page_pass_axe_in_both_languages(live_server, page, demo_slug,
                                                                lang):  # fmt: skip
    page.goto(f"{live_server}/?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert _results_count(page) > 10
    assert_accessible(page)
    page.goto(f"{live_server}/offerings/{demo_slug}?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert_accessible(page)


def test_pages_fit_a_320px_screen_without_sideways_scrolling(live_server, browser, demo_slug):
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="da-DK")
    try:
        page = context.new_page()
        for path in ("/", f"/offerings/{demo_slug}", "/?lang=en"):
            page.goto(live_server + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"{path} is {width}px wide at a 320px viewport"
    finally:
        context.close()


def test_tab_from_the_top_reaches_the_skip_link_first_and_it_moves_focus_to_main(
    live_server, page, demo_slug
):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused
    assert page.locator(".skip-link").is_visible()  # shown when focused, hidden otherwise
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'main'")
    # The next Tab continues inside the content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_filters_work_without_javascript(live_server, browser, demo_slug):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(live_server + "/")
        everything = _results_count(page)
        page.locator(".filters__toggle").click()  # folded on a phone (a <details>)
        page.select_option("#kind", OfferingKind.GROUP.value)
        page.locator(".filters button[type=submit]").click()
        page.wait_for_url("**/?*kind=group*")
        query = parse_qs(urlsplit(page.url).query)
        assert query["kind"] == ["group"]
        groups = _results_count(page)
        assert 0 < groups < everything
        assert page.locator("#kind").input_value() == "group"  # the choice is kept
    finally:
        context.close()


def test_pages_request_nothing_from_other_hosts(live_server, page, demo_slug):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server + "/")
    page.goto(f"{live_server}/offerings/{demo_slug}?lang=en")
    page.wait_for_load_state("networkidle")
    assert requested, "no requests were recorded"
    others = [url for url in requested if not url.startswith(live_server + "/")]
    assert not others, f"requests to other hosts: {others}"
    # The stylesheet is among them, so the check saw more than the documents.
    assert any(url.endswith(".css") for url in requested)


def test_a_sign_up_shows_at_once_on_a_cached_page(live_server, page):
    """The live server reads the change marker on its own connection, outside any session:
    a commit made elsewhere must still show on the very next load."""
    offering = make_offering(title="Kursus med få pladser", capacity=3)
    url = f"{live_server}/offerings/{offering.slug}"
    page.goto(url)
    assert "3 ledige pladser" in page.locator(".offering__side").inner_text()
    page.reload()  # now served from the page cache
    assert "3 ledige pladser" in page.locator(".offering__side").inner_text()
    make_enrollment(offering)
    page.reload()
    assert "2 ledige pladser" in page.locator(".offering__side").inner_text()


def test_clicking_anywhere_on_a_card_even_its_seat_label_opens_the_offering(live_server, page):
    offering = make_offering(title="Et kort at klikke på", capacity=4)
    page.goto(live_server + "/")
    card = page.locator("article.card", has_text="Et kort at klikke på")
    assert card.locator("a").count() == 1
    for part in (".state", ".card__facts", ".card__summary"):
        card.scroll_into_view_if_needed()
        box = card.locator(part).bounding_box()  # a click where a person would tap
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_url(f"**/offerings/{offering.slug}")
        page.go_back()
        page.wait_for_url(f"{live_server}/")
