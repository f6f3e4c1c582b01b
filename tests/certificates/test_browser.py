"""/my in a real browser: the learning plan and the certificate, accessible (axe) and used."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import one_time_links
from app.certificates.models import Certificate
from app.extensions import db
from app.models import SignInToken
from tests.certificates.test_certificates import EMAIL, make_course, person_on
from tests.conftest import assert_accessible
from tests.factories import now

pytestmark = [pytest.mark.browser, pytest.mark.committing]


def _sign_in(page, live_server, language="da") -> None:
    token = one_time_links.issue(
        SignInToken,
        now=now(),
        lifetime=timedelta(minutes=30),
        email_normalized=EMAIL,
        language=language,
    )
    db.session.commit()
    page.goto(f"{live_server}/my/sign-in/{token}?lang={language}")
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/my")


def test_my_learning_plan_and_certificate_in_the_browser(page, live_server, tmp_path):
    offering = make_course()
    person_on(offering, 5)
    _sign_in(page, live_server)
    assert_accessible(page)

    page.get_by_role("link", name="Min læringsplan").click()
    assert page.locator("h1").inner_text() == "Min læringsplan"
    assert_accessible(page)
    page.get_by_label("Mine mål").fill("At sove bedre")
    page.locator("main button[type=submit]").click()
    assert page.get_by_label("Mine mål").input_value() == "At sove bedre"
    assert_accessible(page)

    page.goto(f"{live_server}/my")
    page.get_by_label("English").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Hent mit kursusbevis").click()
    saved = tmp_path / "bevis.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")

    code = db.session.scalar(sa.select(Certificate.code))
    for language, heading in (
        ("da", "Kursusbeviset er ægte"),
        ("en", "This certificate is genuine"),
    ):
        page.goto(f"{live_server}/certificates/{code}?lang={language}")
        assert page.locator("h1").inner_text() == heading
        assert_accessible(page)
