"""WHO-5 in a real browser, axe-clean: the question at the start (in both languages, with its
errors), the questions in the evaluation, the switch in the editor and the staff's table.
The flows themselves are proved through the test client in tests/wellbeing/test_who5.py."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.enrollment.tokens import manage_token
from app.evaluations import services as evaluations
from app.evaluations.models import EvaluationInvite
from app.extensions import db
from app.models import Attendance, AttendanceStatus
from app.wellbeing import services as wellbeing
from app.wellbeing.models import WellbeingAnswer
from tests.conftest import assert_accessible
from tests.enrollment.helpers import outbox
from tests.factories import make_enrollment, make_offering, now
from tests.management.helpers import PASSWORD, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.committing]

ANSWERS = ["Det meste af tiden", "Hele tiden", "Lidt af tiden", "På intet tidspunkt"]
ANSWERS.append("Lidt af tiden")


def _choose(page, answers) -> None:
    for n, answer in enumerate(answers):
        page.locator("section.who5 fieldset").nth(n).get_by_label(answer, exact=True).check()


def test_who5_pages_in_a_browser(page, live_server):
    offering = make_offering(
        title="Håb og recovery",
        who5_enabled=True,
        starts=[now() - timedelta(days=9), now() - timedelta(days=2)],
    )
    offering_id = offering.id
    coordinator_email = make_staff("coordinator", offering.organisation).email
    # Five answered at the start (raw 11: index 44) and came; a sixth is new.
    came = [make_enrollment(offering) for _ in range(5)]
    for person in came:
        assert wellbeing.answer_start(person, [3, 2, 2, 2, 2], now=now())
        db.session.add(
            Attendance(
                enrollment_id=person.id,
                occurrence_id=offering.occurrences[0].id,
                status=AttendanceStatus.PRESENT,
            )
        )
    db.session.commit()
    evaluations.send_evaluations(now=now() + timedelta(seconds=1))
    db.session.commit()
    first_link = re.search(r"/evaluation/[A-Za-z0-9_-]{20,}", outbox("evaluation")[0].body_text)
    invites = db.session.scalars(sa.select(EvaluationInvite).order_by(EvaluationInvite.id)).all()
    for invite in invites[1:]:  # four answer at the end (raw 25: index 100)
        assert wellbeing.answer_end(invite, [5, 5, 5, 5, 5], now=now())
    newcomer = make_enrollment(offering)
    token = manage_token(newcomer)
    db.session.commit()  # no read left open while the server writes

    # The question at the start, from the sign-up's own page.
    page.goto(f"{live_server}/enrollments/{token}/wellbeing?lang=en")
    assert page.locator("section.who5 legend").first.inner_text() == (
        "I have felt cheerful and in good spirits"
    )
    assert_accessible(page)
    page.goto(f"{live_server}/enrollments/{token}?lang=da")
    assert_accessible(page)
    page.get_by_role("link", name="Svar på de fem spørgsmål, eller spring dem over").click()
    assert page.locator("h1").inner_text() == "Hvordan har du haft det?"
    assert page.locator("section.who5 fieldset legend").count() == 5
    page.locator("section.who5 fieldset").nth(0).get_by_label("Hele tiden", exact=True).check()
    page.get_by_role("button", name="Send mine svar").click()  # one of five: shown again
    assert page.locator(".field__error").count() == 4
    assert_accessible(page)
    _choose(page, ANSWERS)
    page.get_by_role("button", name="Send mine svar").click()
    page.wait_for_url(re.compile(r"/enrollments/[^/]+$"))
    assert "Tak fordi du svarede." in page.locator("main").inner_text()
    assert "/wellbeing" not in page.content()

    # The evaluation asks the same five statements of one who answered at the start.
    page.goto(f"{live_server}{first_link.group(0)}")
    assert page.locator("section.who5 fieldset").count() == 5
    assert_accessible(page)
    page.get_by_label("5 – meget brugbart").check()
    for n in range(1, 4):
        page.locator("main fieldset").nth(n).get_by_label("Enig", exact=True).check()
    _choose(page, ["Hele tiden"] * 5)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/evaluation/thanks")
    db.session.commit()
    assert db.session.query(WellbeingAnswer).count() == 11  # 6 at the start, 5 at the end
    db.session.commit()

    # Staff: the switch in the editor, and the table of the pairs.
    page.goto(f"{live_server}/manage/login")
    page.locator("#email").fill(coordinator_email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/manage/$"))
    page.goto(f"{live_server}/manage/offerings/{offering_id}/edit")
    assert page.get_by_label("Spørg om trivsel (WHO-5) ved start og i evalueringen").is_checked()
    assert_accessible(page)
    page.goto(f"{live_server}/manage/offerings/{offering_id}/evaluation")
    cells = page.locator("table.who5-table tbody td").all_inner_texts()
    assert cells == ["5", "44,0", "100,0", "+56,0"]
    assert_accessible(page)
