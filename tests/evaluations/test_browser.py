"""The questionnaire in a real browser: accessible (axe) in Danish and English, and answered."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.evaluations import services
from app.extensions import db
from app.models import Attendance, AttendanceStatus
from tests.conftest import assert_accessible
from tests.enrollment.helpers import outbox
from tests.factories import make_enrollment, make_offering, now

pytestmark = [pytest.mark.browser, pytest.mark.committing]


def _links(count: int) -> list[str]:
    offering = make_offering(
        title="Håb og recovery", starts=[now() - timedelta(days=9), now() - timedelta(days=2)]
    )
    for _ in range(count):
        enrollment = make_enrollment(offering)
        db.session.add(
            Attendance(
                enrollment_id=enrollment.id,
                occurrence_id=offering.occurrences[0].id,
                status=AttendanceStatus.PRESENT,
            )
        )
    db.session.commit()
    services.send_evaluations(now=now() + timedelta(seconds=1))
    db.session.commit()
    return [
        re.search(r"/evaluation/[A-Za-z0-9_-]{20,}", m.body_text).group(0)
        for m in outbox("evaluation")
    ]


def test_the_questionnaire_is_accessible_and_can_be_answered(page, live_server):
    first, second = _links(2)
    page.goto(f"{live_server}{second}?lang=en")
    assert page.locator("h1").inner_text() == "How was it?"
    assert_accessible(page)
    page.goto(f"{live_server}{first}?lang=da")
    assert page.locator("h1").inner_text() == "Hvordan var det?"
    assert page.locator("fieldset legend").count() == 4
    assert_accessible(page)
    page.locator("main button[type=submit]").click()  # nothing chosen: shown again, with errors
    assert page.locator(".field__error").count() == 4
    assert_accessible(page)
    page.get_by_label("5 – meget brugbart").check()
    for n in range(3):
        page.locator("fieldset").nth(n + 1).get_by_label("Helt enig").check()
    page.get_by_label("Er der andet, du vil fortælle os? (frivilligt)").fill("Tak for det")
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/evaluation/thanks")
    assert page.locator("h1").inner_text() == "Tak for dit svar"
    assert_accessible(page)
    page.goto(f"{live_server}{first}")
    assert page.locator("h1").inner_text() == "Dette link er allerede brugt"
    assert_accessible(page)
