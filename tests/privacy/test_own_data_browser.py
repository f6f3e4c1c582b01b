"""In a real browser: from the manage link to "your data is erased", accessible on the way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.extensions import db
from tests.conftest import assert_accessible
from tests.enrollment.helpers import outbox
from tests.factories import make_offering

pytestmark = [pytest.mark.browser, pytest.mark.committing]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_see_download_and_delete_ones_data_from_the_manage_link(page, live_server, lang):
    offering = make_offering(title="Håb og recovery", capacity=8, audiences=("citizen",))
    page.goto(f"{live_server}/offerings/{offering.slug}/enroll?lang={lang}")
    page.locator("#name").fill("Ida Jensen")
    page.locator("#email").fill("ida@example.com")
    page.locator("#needs").fill("Jeg kommer i kørestol")
    page.locator("#consent").check()
    page.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/enroll/done"))
    db.session.rollback()  # a fresh snapshot of what the server committed
    link = re.search(r"/enrollments/[A-Za-z0-9_-]+", outbox("confirmed")[0].body_text)[0]

    page.goto(live_server + link)
    page.locator(f"a[href='{link}/data']").click()
    page.wait_for_url(re.compile(r"/data$"))
    assert "Jeg kommer i kørestol" in page.content()
    assert_accessible(page)
    with page.expect_download() as download:
        page.locator("a[download]").click()
    assert "Jeg kommer i kørestol" in Path(download.value.path()).read_text(encoding="utf-8")

    page.locator("a.button--danger").click()
    page.wait_for_url(re.compile(r"/delete-data$"))
    assert_accessible(page)
    page.locator("button.button--danger").click()
    page.wait_for_url(re.compile(r"/my/data/deleted$"))
    assert_accessible(page)
    assert page.goto(live_server + link).status == 404  # the old link is dead
    db.session.rollback()
    assert len(outbox("data_erased")) == 1
