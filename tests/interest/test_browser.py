"""Interest mode in a browser: the public pages and the staff pages, axe-clean in Danish and
in English; a talk is recorded and the group started by clicking."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.i18n import local
from app.suggestions.models import GroupSuggestion, SuggestionSupporter
from tests.conftest import assert_accessible
from tests.factories import add_facilitator, make_enrollment, make_offering, now
from tests.management.helpers import PASSWORD, make_world

pytestmark = [pytest.mark.browser, pytest.mark.committing]


def test_interest_list_talks_and_start_in_both_languages(page, live_server):
    world = make_world()
    offering = make_offering(
        title="Søvn og uro",
        kind="group",
        enrolment_mode="interest",
        min_participants=2,
        capacity=6,
        organisation=world.school,
        audiences=("citizen", "relative"),
        starts=[],
    )
    add_facilitator(offering, user=world.peer)
    first = make_enrollment(offering, status="interested", email="a@example.com")
    second = make_enrollment(offering, status="interested", email="b@example.com")
    first.first_talk, second.first_talk = "held", "to_do"
    suggestion = GroupSuggestion(topic="Ensomhed om aftenen", reason="Aftenerne er lange.")
    suggestion.supporters = [SuggestionSupporter(is_author=True, email="x@example.com")]
    db.session.add(suggestion)
    db.session.commit()

    for lang in ("da", "en"):
        page.goto(f"{live_server}/?lang={lang}")
        assert_accessible(page)
        page.goto(f"{live_server}/offerings/{offering.slug}?lang={lang}")
        assert ("1 af 2" if lang == "da" else "1 of 2") in page.content()
        assert_accessible(page)
        page.goto(f"{live_server}/offerings/{offering.slug}/enroll?lang={lang}")
        assert_accessible(page)

    page.goto(f"{live_server}/manage/login")
    page.locator("#email").fill(world.coordinator.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/manage/$"))
    page.goto(f"{live_server}/manage/offerings/{offering.id}/interest?lang=en")
    assert_accessible(page)
    page.goto(f"{live_server}/manage/offerings/{offering.id}/interest?lang=da")
    assert_accessible(page)
    page.locator(f"#p{second.id}-talk").select_option("held")
    page.locator(f"#p{second.id}-on").fill(local(now()).date().isoformat())
    page.locator(f"#person-{second.id} form.talk-form button").click()
    page.wait_for_url(re.compile(r"/interest"))
    assert "Klar til start: 2 af 2" in page.content()
    day = (local(now()) + timedelta(days=8)).date()
    page.locator("#first_date").fill(day.isoformat())
    page.locator("#start").fill("17:00")
    page.locator("#end").fill("19:00")
    page.locator("#repeat").select_option("1")
    page.locator("#count").fill("3")
    assert_accessible(page)
    page.locator("form[action$='/interest/start'] button").click()
    page.wait_for_url(re.compile(r"/interest"))
    assert "Gruppen er startet. 2 personer har en plads" in page.content()
    assert_accessible(page)

    for lang in ("da", "en"):
        page.goto(f"{live_server}/manage/suggestions/{suggestion.id}/group?lang={lang}")
        assert_accessible(page)
