"""/my: "Next time" is a date the person is coming to, and an ended course says it ended."""

from __future__ import annotations

import re
from datetime import timedelta

from app.enrollment import absence, services
from app.extensions import db
from tests.enrollment.helpers import person
from tests.enrollment.test_cancelled_by_whom import _my_bookings
from tests.factories import make_offering, now


def _panel(page: str, title: str) -> str:
    return page.split(title, 1)[1].split("</li>", 1)[0]


def test_a_date_you_sent_word_for_is_not_your_next_time(ctx, client):
    offering = make_offering(
        title="Drømme om job", starts=[now() + timedelta(days=2), now() + timedelta(days=9)]
    )
    enrollment, _ = services.enroll(offering.id, person(1), now=now())
    db.session.commit()
    first, second = offering.occurrences
    before = _panel(_my_bookings(client, "deltager1@example.com", "en"), "Drømme om job")
    next_before = re.search(r"Next time: ([^<]+)</p>", before).group(1)

    absence.send_word(enrollment.id, first.id, now=now())
    db.session.commit()
    panel = _panel(_my_bookings(client, "deltager1@example.com", "en"), "Drømme om job")
    next_after = re.search(r"Next time: ([^<]+)</p>", panel).group(1)
    sent = re.search(r"You have sent word: ([^<]+)</p>", panel).group(1)
    assert sent == next_before  # the first date, now marked as sent word for
    assert next_after != next_before  # the next date they are coming to: the second
    assert "You have a seat" in panel


def test_an_ended_course_does_not_say_you_have_a_seat(ctx, client):
    offering = make_offering(
        title="Stress og hverdag", starts=[now() + timedelta(days=2), now() + timedelta(days=9)]
    )
    services.enroll(offering.id, person(1), now=now())
    for occurrence in offering.occurrences:  # the course has since been held
        occurrence.starts_at -= timedelta(days=60)
        occurrence.ends_at -= timedelta(days=60)
    db.session.commit()
    panel = _panel(_my_bookings(client, "deltager1@example.com", "en"), "Stress og hverdag")
    assert "Ended: you had a seat" in panel
    assert "You have a seat" not in panel and "Next time" not in panel
    danish = _panel(_my_bookings(client, "deltager1@example.com", "da"), "Stress og hverdag")
    assert "Afsluttet: du havde en plads" in danish and "Du har en plads" not in danish
