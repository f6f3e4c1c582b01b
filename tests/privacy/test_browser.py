"""In a real browser: no request ever leaves the site, and the sign-up works by keyboard alone."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from tests.conftest import assert_accessible
from tests.enrollment.helpers import outbox, statuses
from tests.factories import make_offering

pytestmark = [pytest.mark.browser, pytest.mark.committing]


def test_no_request_leaves_the_site_and_only_necessary_cookies_are_set(browser, live_server):
    offering = make_offering(title="Håb og recovery", capacity=8, audiences=("citizen",))
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(10_000)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    for path in (
        "/",
        "/?lang=en",
        f"/offerings/{offering.slug}",
        "/my",
        "/privacy",
        "/accessibility",
        "/manage/login",
        "/no-such-page",
        "/?lang=da",
    ):
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
    page.goto(f"{live_server}/offerings/{offering.slug}/enroll")
    page.locator("#name").fill("Ida Jensen")
    page.locator("#email").fill("ida@example.com")
    page.locator("#consent").check()
    page.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/enroll/done"))
    db.session.rollback()  # a fresh snapshot of what the server committed
    page.goto(live_server + _manage_link())
    page.wait_for_url(re.compile(r"/enrollments/"))
    page.locator("a.button--danger").click()
    page.wait_for_url(re.compile(r"/cancel$"))
    page.locator("button.button--danger").click()
    page.wait_for_url(re.compile(r"/enrollments/[^/]+$"))
    page.wait_for_load_state("networkidle")

    assert len(requested) > 20
    elsewhere = [url for url in requested if not url.startswith(live_server + "/")]
    assert elsewhere == []
    cookies = {cookie["name"] for cookie in context.cookies()}
    assert cookies <= {"session", "lang"}, cookies
    context.close()


def _manage_link() -> str:
    return re.search(r"/enrollments/[A-Za-z0-9_-]+", outbox("confirmed")[0].body_text)[0]


def _tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element is focused, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "s => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"the keyboard never reaches {selector}")


@pytest.mark.parametrize("lang", ["da", "en"])
def test_sign_up_and_cancel_with_the_keyboard_only(page, live_server, lang):
    offering = make_offering(title="Håb og recovery", capacity=8, audiences=("citizen",))
    page.goto(f"{live_server}/offerings/{offering.slug}?lang={lang}")

    _tab_to(page, f"a[href='/offerings/{offering.slug}/enroll']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/enroll$"))
    _tab_to(page, "#name")
    page.keyboard.type("Ida Jensen")
    _tab_to(page, "#email")
    page.keyboard.type("ida@example.com")
    _tab_to(page, "#consent")
    page.keyboard.press("Space")
    assert page.locator("#consent").is_checked()
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/enroll/done"))
    assert_accessible(page)

    db.session.rollback()  # a fresh snapshot of what the server committed
    page.goto(live_server + _manage_link())  # the link from the mail
    _tab_to(page, "a.button--danger")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cancel$"))
    _tab_to(page, "button.button--danger")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/enrollments/[^/]+$"))
    assert page.locator(".flash--success").count() == 1
    db.session.rollback()
    assert statuses(offering) == {"ida@example.com": "cancelled"}


def test_the_privacy_and_accessibility_pages_pass_axe(page, live_server):
    for path in (
        "/privacy?lang=da",
        "/privacy?lang=en",
        "/accessibility?lang=da",
        "/accessibility?lang=en",
    ):
        page.goto(live_server + path)
        assert_accessible(page)
