"""A person signs up and cancels on a phone, and every page on the way passes axe-core."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from tests.conftest import assert_accessible
from tests.enrollment.helpers import outbox, statuses
from tests.factories import make_offering

pytestmark = [pytest.mark.browser, pytest.mark.committing]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_sign_up_and_cancel_on_a_phone(page, live_server, lang):
    offering = make_offering(title="Håb og recovery", capacity=8, audiences=("citizen", "relative"))
    page.goto(f"{live_server}/offerings/{offering.slug}?lang={lang}")
    page.locator(f"a[href='/offerings/{offering.slug}/enroll']").click()

    page.locator("button[type=submit]").click()  # empty: errors next to the fields
    assert page.locator(".field__error").count() >= 3
    assert_accessible(page)

    page.locator("#name").fill("Ida Jensen")
    page.locator("#email").fill("ida@example.com")
    page.locator("input[name=audience][value=relative]").check()
    page.locator("#wants_companion").check()
    page.locator("#consent").check()
    assert_accessible(page)
    page.locator("button[type=submit]").click()

    page.wait_for_url(re.compile(r"/enroll/done"))
    assert page.locator("h1").count() == 1
    assert "/enrollments/" not in page.content()  # the link is in the mail only
    assert_accessible(page)

    db.session.rollback()  # a fresh snapshot of what the server committed
    link = re.search(r"/enrollments/[A-Za-z0-9_-]+", outbox("confirmed")[0].body_text)[0]
    page.goto(f"{live_server}{link}")
    page.wait_for_url(re.compile(r"/enrollments/"))
    assert_accessible(page)
    page.locator("a.button--danger").click()
    page.wait_for_url(re.compile(r"/cancel$"))
    assert_accessible(page)
    page.locator("button.button--danger").click()
    page.wait_for_url(re.compile(r"/enrollments/[^/]+$"))
    assert page.locator(".flash--success").count() == 1
    assert_accessible(page)
    db.session.rollback()  # a fresh snapshot of what the server committed
    assert statuses(offering) == {"ida@example.com": "cancelled"}
    assert [m.kind for m in outbox()] == ["confirmed", "cancelled"]
