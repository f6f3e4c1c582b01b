"""The prospectus in a real browser: accessible (axe) in both languages, and laid out for A4
when printed (a screenshot at A4 size with print styles, and Chromium's own A4 print)."""

from __future__ import annotations

import pytest

from tests.conftest import assert_accessible
from tests.pdf_checks import pdfinfo
from tests.prospectus.helpers import make_term

pytestmark = [pytest.mark.browser, pytest.mark.committing]

# A4 at the CSS pixel's 96 dpi: 210 mm x 297 mm.
A4 = {"width": 794, "height": 1123}


@pytest.mark.parametrize(
    ("language", "heading"),
    [("da", "Kursuskatalog: Efterår 2026"), ("en", "Prospectus: Autumn 2026")],
)
def test_the_prospectus_is_accessible_and_prints_on_a4(
    browser, live_server, tmp_path, language, heading
):
    make_term()
    context = browser.new_context(viewport=A4, locale=f"{language}-DK")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/prospectus?lang={language}")
        assert page.locator("h1").inner_text() == heading
        assert_accessible(page)

        page.emulate_media(media="print")
        shot = tmp_path / f"prospectus-a4-{language}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        # Printed: no site header, menu or footer; nothing wider than the sheet.
        assert not page.locator(".site-header").is_visible()
        assert not page.locator(".prospectus-tools").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= A4["width"]
        assert page.locator("h1").bounding_box()["y"] < 150  # the title opens the page
        for qr in page.locator(".entry__qr svg").all():
            box = qr.bounding_box()
            assert box["x"] + box["width"] <= A4["width"] and 80 <= box["width"] <= 110

        pdf = page.pdf(format="A4", print_background=False)
        info = pdfinfo(pdf, tmp_path)
        assert info["Page size"].endswith("(A4)")
        assert int(info["Pages"]) >= 4  # cover, then courses, groups, meetings each on a page
    finally:
        context.close()
