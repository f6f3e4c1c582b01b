"""Afbud follows each facilitator's choice (issue 12): a participant who cannot come to one
date, or takes it back, is told at once (its own mail), in the daily digest with the date,
or never, in the facilitator's own language. Delivered to a real SMTP server."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.enrollment import absence, services
from app.extensions import db
from app.mail.compose import when
from app.mail.sender import send_pending
from app.notices.models import NoticeEvent, PendingNotice
from app.notices.services import set_frequency
from app.privacy.own_data import delete_enrollment_data
from tests.enrollment.helpers import outbox, person
from tests.factories import add_facilitator, make_offering, make_user, now
from tests.management.helpers import make_staff, sign_in_as


@pytest.fixture(autouse=True)
def ctx(app):
    with app.app_context():
        yield app


def _course(*, frequency: str, language: str = "da"):
    """A course with two dates, one staff facilitator who chose `frequency`, and Carl."""
    offering = make_offering(
        title="Håb og recovery",
        starts=[now() + timedelta(days=2), now() + timedelta(days=9)],
    )
    sanne = make_user(name="Sanne", email="sanne@example.org", language=language)
    add_facilitator(offering, user=sanne)
    set_frequency(sanne.id, offering.id, frequency, now=now())
    carl, _token = services.enroll(offering.id, person("Carl"), now=now())
    db.session.commit()
    return offering, sanne, carl


def _deliver() -> None:
    db.session.commit()
    send_pending(now=now())


def _to_sanne(smtp_server) -> list:
    return [m for m in smtp_server.messages if m.envelope_to == ["sanne@example.org"]]


def _date(offering, language: str) -> str:
    with force_locale(language):
        return when(offering.occurrences[0].starts_at)


@pytest.mark.parametrize(
    ("language", "subject", "taken_back", "said"),
    [
        (
            "da",
            "Melder afbud: Deltager Carl, Håb og recovery",
            "Kommer alligevel: Deltager Carl, Håb og recovery",
            "har meldt afbud til Håb og recovery",
        ),
        (
            "en",
            "Cannot come: Deltager Carl, Håb og recovery",
            "Coming after all: Deltager Carl, Håb og recovery",
            "has sent word that they cannot come to Håb og recovery",
        ),
    ],
)
def test_afbud_at_once_is_one_mail_in_the_facilitators_language(
    smtp_server, language, subject, taken_back, said
):
    offering, _sanne, carl = _course(frequency="at_once", language=language)
    first = offering.occurrences[0]
    absence.send_word(carl.id, first.id, now=now())
    absence.send_word(carl.id, first.id, now=now())  # a second tap tells nobody again
    _deliver()
    [mail] = _to_sanne(smtp_server)
    assert mail["Subject"] == subject
    text = mail.get_body(("plain",)).get_content()
    assert said in text and _date(offering, language) in text
    assert f"/manage/occurrences/{first.id}/attendance" in text
    assert f"/manage/offerings/{offering.id}#notices" in text  # where to choose otherwise

    absence.take_back_word(carl.id, first.id, now=now())
    _deliver()
    assert [m["Subject"] for m in _to_sanne(smtp_server)] == [subject, taken_back]
    assert db.session.scalars(sa.select(PendingNotice)).all() == []


@pytest.mark.parametrize(
    ("language", "sent", "back", "subject"),
    [
        (
            "da",
            "Melder afbud til en mødegang: Deltager Carl",
            "Kommer alligevel til mødegangen: Deltager Carl",
            "Holdplads i dag: 2 ting at vide",
        ),
        (
            "en",
            "Cannot come to one date: Deltager Carl",
            "Can come to the date after all: Deltager Carl",
            "Holdplads today: 2 things to know",
        ),
    ],
)
def test_afbud_daily_waits_for_the_digest_with_the_date(
    runner, smtp_server, language, sent, back, subject
):
    offering, _sanne, carl = _course(frequency="daily", language=language)
    first = offering.occurrences[0]
    absence.send_word(carl.id, first.id, now=now())
    absence.take_back_word(carl.id, first.id, now=now())
    _deliver()
    assert _to_sanne(smtp_server) == []  # nothing at once
    assert outbox("absence") == [] and outbox("absence_taken_back") == []
    waiting = db.session.scalars(sa.select(PendingNotice).order_by(PendingNotice.id)).all()
    assert [(n.event, n.occurrence_id) for n in waiting] == [
        (NoticeEvent.ABSENCE, first.id),
        (NoticeEvent.ABSENCE_TAKEN_BACK, first.id),
    ]

    assert "digests queued: 1" in runner.invoke(args=["send-digests"]).output
    runner.invoke(args=["send-mail"])
    [digest] = _to_sanne(smtp_server)
    assert digest["Subject"] == subject
    text = digest.get_body(("plain",)).get_content()
    date = _date(offering, language)
    assert f"{sent} ({date})" in text
    assert f"{back} ({date})" in text


def test_afbud_never_sends_nothing_and_queues_nothing(runner, smtp_server):
    offering, _sanne, carl = _course(frequency="never")
    first = offering.occurrences[0]
    absence.send_word(carl.id, first.id, now=now())
    absence.take_back_word(carl.id, first.id, now=now())
    _deliver()
    assert db.session.scalars(sa.select(PendingNotice)).all() == []
    assert "digests queued: 0" in runner.invoke(args=["send-digests"]).output
    runner.invoke(args=["send-mail"])
    assert _to_sanne(smtp_server) == []
    assert outbox("absence") == [] and outbox("absence_taken_back") == []


def test_erasing_the_person_takes_their_waiting_afbud_out_of_the_digest(runner, smtp_server):
    offering, _sanne, carl = _course(frequency="daily")
    dina, _ = services.enroll(offering.id, person("Dina"), now=now())
    first = offering.occurrences[0]
    absence.send_word(carl.id, first.id, now=now())
    absence.send_word(dina.id, first.id, now=now())
    db.session.commit()

    delete_enrollment_data(carl.id, now=now())
    db.session.commit()

    assert [n.enrollment_id for n in db.session.scalars(sa.select(PendingNotice))] == [dina.id]
    runner.invoke(args=["send-digests"])
    runner.invoke(args=["send-mail"])
    [digest] = _to_sanne(smtp_server)
    text = digest.get_body(("plain",)).get_content()
    assert "Deltager Dina" in text and "Carl" not in text and "–" not in text


def test_the_notice_choice_says_that_afbud_is_told_too(client):
    offering, _sanne, _carl = _course(frequency="at_once")
    peer = make_staff("peer_worker", offering.organisation, name="Pia")
    add_facilitator(offering, user=peer)
    sign_in_as(client, peer)
    page = client.get(f"/manage/offerings/{offering.id}").text
    assert "når nogen melder afbud til en mødegang eller trækker sit afbud tilbage" in page
    english = client.get(f"/manage/offerings/{offering.id}?lang=en").text
    assert "sends word that they cannot come to a date (afbud)" in english
