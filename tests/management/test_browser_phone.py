"""Staff pages on a phone (issue 12): the menu folds under one button and every link in it
can be reached; no staff page scrolls sideways; axe-core finds nothing. In Chromium."""

from __future__ import annotations

import re

import pytest

from tests.conftest import assert_accessible
from tests.figures.history import build_history
from tests.management.helpers import PASSWORD, make_staff, make_world

pytestmark = [pytest.mark.browser, pytest.mark.committing]

PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}


def _phone_page(browser, live_server, user, viewport=PHONE):
    context = browser.new_context(viewport=viewport, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server}/manage/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/manage/$"))
    return context, page


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _open_the_menu(page):
    """Open the folded menu the way a person does, and return its links."""
    toggle = page.locator(".menu-fold__toggle")
    assert toggle.is_visible()
    items = page.locator(".menu-fold > ul")
    assert not items.is_visible()  # folded: the page starts right under the header
    toggle.click()
    assert items.is_visible()
    return items.locator("a, button")


def _assert_each_can_be_tapped(page, controls, width: int) -> None:
    """Every link and button of the open menu is on screen, inside the width, not covered."""
    assert controls.count() > 0
    for i in range(controls.count()):
        control = controls.nth(i)
        control.scroll_into_view_if_needed()
        assert control.is_visible(), control.inner_text()
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, control.inner_text()
        assert box["height"] >= 24, control.inner_text()  # a target a thumb can hit
        on_top = control.evaluate(
            """el => { const r = el.getBoundingClientRect();
                       const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                       return hit === el || el.contains(hit); }"""
        )
        assert on_top, control.inner_text()


def _staff_pages(page, live_server) -> list[str]:
    """Every staff page the open menu links to (the public ones are checked elsewhere)."""
    hrefs = page.locator(".menu-fold > ul a").evaluate_all("els => els.map(e => e.pathname)")
    return [h for h in dict.fromkeys(hrefs) if h.startswith("/manage")]


@pytest.mark.parametrize("role", ["admin", "coordinator", "peer"])
def test_every_staff_page_fits_a_phone_with_its_menu_folded(browser, live_server, role):
    build_history()  # months of figures: the widest table on the key-figures page
    w = make_world()
    # a long address must wrap inside its card, not widen the page
    make_staff(
        "volunteer_staff",
        w.centre,
        name="Mette Kristensen-Frederiksen",
        email="mette.kristensen-frederiksen@frivilligcenter-aarhus.example.org",
    )
    user = w.by_role(role)
    context, page = _phone_page(browser, live_server, user)
    controls = _open_the_menu(page)
    names = [controls.nth(i).inner_text().strip() for i in range(controls.count())]
    assert "Tilbud" in names and "Log ud" in names
    if role == "admin":
        assert {"Konti", "Organisationer", "Adgangslog", "Indstillinger for log ind"} <= set(names)
    pages = _staff_pages(page, live_server)
    pages += [
        f"/manage/offerings/{w.offering.id}",
        f"/manage/offerings/{w.offering.id}/participants",
        f"/manage/occurrences/{w.occurrence.id}/attendance",
    ]
    if role != "peer":
        pages.append("/manage/figures?period=2026-autumn")
    for path in pages:
        response = page.goto(live_server + path)
        assert response.status == 200, path
        assert _page_width(page) == PHONE["width"], path
        controls = _open_the_menu(page)
        _assert_each_can_be_tapped(page, controls, PHONE["width"])
        assert _page_width(page) == PHONE["width"], path  # the open menu does not widen it
        assert_accessible(page)
    context.close()


def test_the_admin_pages_fit_a_small_phone_too(browser, live_server):
    build_history()
    w = make_world()
    context, page = _phone_page(browser, live_server, w.admin, SMALL_PHONE)
    controls = _open_the_menu(page)
    _assert_each_can_be_tapped(page, controls, SMALL_PHONE["width"])
    for path in [*_staff_pages(page, live_server), "/manage/figures?period=2026-autumn&lang=en"]:
        page.goto(live_server + path)
        assert _page_width(page) == SMALL_PHONE["width"], path


def test_a_wide_table_scrolls_in_its_own_region_on_a_phone(browser, live_server):
    build_history()
    w = make_world()
    context, page = _phone_page(browser, live_server, w.admin)
    page.goto(f"{live_server}/manage/figures?period=2026-autumn")
    region = page.get_by_role("region", name="Pr. måned: tallene bag diagrammerne")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")  # it scrolls, visibly
    assert region.get_attribute("tabindex") == "0"  # and by keyboard
    assert _page_width(page) == PHONE["width"]
    context.close()


def test_on_a_wide_screen_the_menu_is_open_without_a_button(browser, live_server):
    w = make_world()
    context, page = _phone_page(browser, live_server, w.admin, {"width": 1280, "height": 800})
    assert not page.locator(".menu-fold__toggle").is_visible()
    assert page.get_by_role("link", name="Konti", exact=True).is_visible()
    assert _page_width(page) == 1280
    assert_accessible(page)
    context.close()
