"""WHO-5 in a real browser: the question at the start (answered, and skipped), the questions in
the evaluation, the switch in the editor and the staff's table, all axe-clean."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.enrollment.tokens import manage_token
from app.evaluations import services as evaluations
from app.extensions import db
from app.models import Attendance, AttendanceStatus
from app.wellbeing.models import WellbeingAnswer
from tests.conftest import assert_accessible
from tests.enrollment.helpers import outbox
from tests.factories import make_enrollment, make_offering, now
from tests.management.helpers import PASSWORD, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.committing]

ANSWERS = [
    "Det meste af tiden",
    "Hele tiden",
    "Lidt af tiden",
    "På intet tidspunkt",
    "Lidt af tiden",
]


def _choose(page, answers) -> None:
    for n, answer in enumerate(answers):
        page.locator("section.who5 fieldset").nth(n).get_by_label(answer, exact=True).check()


def test_who5_start_evaluation_and_staff_table_in_a_browser(page, live_server):
    offering = make_offering(
        title="Håb og recovery",
        who5_enabled=True,
        starts=[now() - timedelta(days=9), now() - timedelta(days=2)],
    )
    coordinator = make_staff("coordinator", offering.organisation)
    people = [make_enrollment(offering) for _ in range(6)]
    tokens = {p.id: manage_token(p) for p in people}
    ids = [p.id for p in people]
    occurrence_id = offering.occurrences[0].id
    offering_id = offering.id
    db.session.commit()  # no read left open while the server writes

    # The first person answers at the start, from the manage page.
    page.goto(f"{live_server}/enrollments/{tokens[ids[0]]}?lang=da")
    assert_accessible(page)
    page.get_by_role("link", name="Svar på de fem spørgsmål, eller spring dem over").click()
    assert page.locator("h1").inner_text() == "Hvordan har du haft det?"
    assert page.locator("section.who5 fieldset legend").count() == 5
    assert_accessible(page)
    page.locator("section.who5 fieldset").nth(0).get_by_label("Hele tiden", exact=True).check()
    page.get_by_role("button", name="Send mine svar").click()  # one of five: shown again
    assert page.locator(".field__error").count() == 4
    assert_accessible(page)
    _choose(page, ANSWERS)
    page.get_by_role("button", name="Send mine svar").click()
    page.wait_for_url(re.compile(r"/enrollments/[^/]+$"))
    assert "Tak fordi du svarede." in page.locator("main").inner_text()
    assert_accessible(page)

    # The same page in English; the sixth person skips.
    page.goto(f"{live_server}/enrollments/{tokens[ids[5]]}/wellbeing?lang=en")
    assert page.locator("section.who5 legend").first.inner_text() == (
        "I have felt cheerful and in good spirits"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Skip the questions").click()
    page.wait_for_url(re.compile(r"/enrollments/[^/]+$"))
    assert_accessible(page)

    # Four more answer at the start (through the same page), then all come once.
    page.goto(f"{live_server}/?lang=da")
    for person in ids[1:5]:
        page.goto(f"{live_server}/enrollments/{tokens[person]}/wellbeing")
        _choose(page, ANSWERS)
        page.get_by_role("button", name="Send mine svar").click()
        page.wait_for_url(re.compile(r"/enrollments/[^/]+$"))
    db.session.commit()
    for person in ids:
        db.session.add(
            Attendance(
                enrollment_id=person,
                occurrence_id=occurrence_id,
                status=AttendanceStatus.PRESENT,
            )
        )
    db.session.commit()
    evaluations.send_evaluations(now=now() + timedelta(seconds=1))
    db.session.commit()
    links = {
        m.enrollment_id: re.search(r"/evaluation/[A-Za-z0-9_-]{20,}", m.body_text).group(0)
        for m in outbox("evaluation")
    }

    # The evaluation asks WHO-5 of those who answered at the start, not of the one who skipped.
    db.session.commit()
    page.goto(f"{live_server}{links[ids[5]]}")
    assert page.locator("section.who5").count() == 0
    for person in ids[:5]:
        page.goto(f"{live_server}{links[person]}")
        assert page.locator("section.who5 fieldset").count() == 5
        if person == ids[0]:
            assert_accessible(page)
        page.get_by_label("5 – meget brugbart").check()
        for n in range(1, 4):
            page.locator("main fieldset").nth(n).get_by_label("Enig", exact=True).check()
        _choose(page, ["Hele tiden"] * 5)
        page.locator("main button[type=submit]").click()
        page.wait_for_url("**/evaluation/thanks")
    db.session.commit()
    assert db.session.query(WellbeingAnswer).count() == 10
    db.session.commit()

    # Staff: the switch in the editor and the table of the pairs.
    coordinator_email = coordinator.email
    db.session.commit()
    page.goto(f"{live_server}/manage/login")
    page.locator("#email").fill(coordinator_email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/manage/$"))
    page.goto(f"{live_server}/manage/offerings/{offering_id}/edit")
    assert page.get_by_label("Spørg om trivsel (WHO-5) ved start og i evalueringen").is_checked()
    assert_accessible(page)
    page.goto(f"{live_server}/manage/offerings/{offering_id}/evaluation")
    table = page.locator("table.who5-table")
    # Start: raw 11 each → 44; end: raw 25 each → 100.
    assert table.locator("tbody td").all_inner_texts() == ["5", "44,0", "100,0", "+56,0"]
    assert_accessible(page)
