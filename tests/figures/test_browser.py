"""The key-figures page in Chromium: accessible (axe), charts beside tables, prints on A4."""

from __future__ import annotations

import pytest

from app.figures import export
from tests.conftest import assert_accessible
from tests.figures.history import build_history
from tests.management.helpers import make_staff
from tests.management.test_browser import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committing]


def test_figures_page_is_accessible_and_prints_without_the_filters(page, live_server):
    h = build_history()
    coordinator = make_staff("coordinator", h.school)
    _sign_in(page, live_server, coordinator)
    for lang in ("da", "en"):
        page.goto(f"{live_server}/manage/figures?period=2026-autumn&lang={lang}")
        assert page.locator("h1").count() == 1
        assert page.locator("svg[role=img]").count() == 3
        assert_accessible(page)
    page.select_option("#kind", "group")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**kind=group**")
    assert page.locator("tr[data-key=total] td").first.inner_text() == "8"
    page.emulate_media(media="print")
    assert not page.locator(".figures-filters").is_visible()
    assert page.locator(".trend-table").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_compare_page_is_accessible_with_a_kept_export(page, live_server):
    h = build_history()
    coordinator = make_staff("coordinator", h.school)
    _sign_in(page, live_server, coordinator)
    page.goto(f"{live_server}/manage/figures/compare?period=2026-autumn")
    page.set_input_files("#export_file", str(export.EXAMPLE_PATH))
    page.locator("main form[enctype] button[type=submit]").click()
    page.wait_for_url("**/compare?period=2026-autumn")
    assert page.locator("table.compare-table thead th").count() == 2  # the example is a range
    assert page.get_by_text("Eksempel Kommune, 2026-08-01..2026-12-31").is_visible()
    assert_accessible(page)
