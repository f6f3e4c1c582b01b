"""Evaluation after a course: the mail, the once-only anonymous questionnaire, the results."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.database import utcnow
from app.evaluations import services
from app.evaluations.models import EvaluationAnswer, EvaluationInvite
from app.extensions import db
from app.mail.sender import send_pending
from app.models import Attendance, AttendanceStatus
from tests.enrollment.helpers import outbox
from tests.factories import add_facilitator, make_enrollment, make_offering, now
from tests.management.helpers import make_world, sign_in_as


@pytest.fixture(autouse=True)
def ctx(app):
    with app.app_context():
        yield app


ANSWER = {"usefulness": "4", "learnt": "5", "welcome": "4", "recommend": "3", "comment": ""}


def _came(enrollment, occurrence, status=AttendanceStatus.PRESENT):
    db.session.add(
        Attendance(enrollment_id=enrollment.id, occurrence_id=occurrence.id, status=status)
    )
    db.session.commit()


def _finished_course(**fields):
    """A course whose two meetings were 9 and 2 days ago."""
    return make_offering(
        title="Håb og recovery",
        starts=[now() - timedelta(days=9), now() - timedelta(days=2)],
        **fields,
    )


def _participant(offering, *, language="da", present=True, email=None):
    enrollment = make_enrollment(offering, email=email, name=f"Deltager {language}")
    enrollment.language = language
    db.session.commit()
    status = AttendanceStatus.PRESENT if present else AttendanceStatus.ABSENT
    _came(enrollment, offering.occurrences[0], status)
    return enrollment


def _send(runner) -> str:
    result = runner.invoke(args=["send-evaluations"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def _token(message) -> str:
    return re.search(r"/evaluation/([A-Za-z0-9_-]{20,})", message.body_text).group(1)


def test_the_questionnaire_is_mailed_once_to_each_who_came_in_their_language(runner, smtp_server):
    offering = _finished_course()
    _participant(offering, language="da", email="ida@example.com")
    _participant(offering, language="en", email="ben@example.com")
    _participant(offering, present=False, email="absent@example.com")  # never came
    upcoming = make_offering(starts=[now() - timedelta(days=2), now() + timedelta(days=5)])
    _participant(upcoming, email="notyet@example.com")  # the course is not over yet

    assert _send(runner) == "evaluations queued: 2"
    assert _send(runner) == "evaluations queued: 0"  # idempotent: cron may run it every hour
    assert len(outbox("evaluation")) == 2
    assert db.session.scalar(sa.select(sa.func.count(EvaluationInvite.id))) == 2

    assert send_pending(now=utcnow() + timedelta(seconds=1)).sent == 2
    by_address = {m.envelope_to[0]: m for m in smtp_server.messages}
    assert set(by_address) == {"ida@example.com", "ben@example.com"}
    danish, english = by_address["ida@example.com"], by_address["ben@example.com"]
    assert danish["Subject"] == "Hvordan var Håb og recovery?"
    assert english["Subject"] == "How was Håb og recovery?"
    da_text = danish.get_body(("plain",)).get_content()
    assert "Dit svar er anonymt" in da_text
    assert "http://holdplads.test/evaluation/" in da_text
    assert "Your answer is anonymous" in english.get_body(("plain",)).get_content()


def test_an_open_ended_group_is_evaluated_at_the_end_of_each_term(app):
    spring = datetime(2026, 3, 10, 16, tzinfo=UTC)
    autumn = datetime(2026, 9, 8, 16, tzinfo=UTC)
    group = make_offering(kind="group", starts=[spring, autumn])
    in_spring = make_enrollment(group)
    _came(in_spring, group.occurrences[0])
    only_autumn = make_enrollment(group)
    _came(only_autumn, group.occurrences[1])

    during_spring = datetime(2026, 6, 20, 10, tzinfo=UTC)
    assert services.send_evaluations(now=during_spring) == 0
    after_spring = datetime(2026, 7, 2, 10, tzinfo=UTC)  # July: spring's term has ended
    assert services.send_evaluations(now=after_spring) == 1
    assert services.send_evaluations(now=after_spring) == 0
    [invite] = db.session.scalars(sa.select(EvaluationInvite)).all()
    assert (invite.enrollment_id, invite.round) == (in_spring.id, "2026-spring")
    after_autumn = datetime(2027, 1, 3, 10, tzinfo=UTC)
    assert services.send_evaluations(now=after_autumn) == 1
    rounds = db.session.scalars(sa.select(EvaluationInvite.round).order_by(EvaluationInvite.id))
    assert list(rounds) == ["2026-spring", "2026-autumn"]


def test_the_link_works_once_and_the_answer_keeps_no_tie_to_the_person(client, runner):
    offering = _finished_course()
    person = _participant(offering, email="ida@example.com")
    _send(runner)
    [message] = outbox("evaluation")
    token = _token(message)
    url = f"/evaluation/{token}"

    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Jeg følte mig velkommen og tryg" in text and "Helt enig" in text

    answer = dict(ANSWER, comment="Dejligt forløb")
    response = client.post(url, data=answer)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/evaluation/thanks")
    assert "Tak for dit svar" in client.get("/evaluation/thanks").get_data(as_text=True)

    again = client.get(url)
    assert again.status_code == 404
    assert "Dette link er allerede brugt" in again.get_data(as_text=True)
    assert client.post(url, data=answer).status_code == 404
    [row] = db.session.scalars(sa.select(EvaluationAnswer)).all()
    assert db.session.scalar(sa.select(sa.func.count(EvaluationAnswer.id))) == 1

    columns = set(EvaluationAnswer.__table__.columns.keys())
    assert columns == {
        "id",
        "offering_id",
        "round",
        "answered_on",
        "usefulness",
        "learnt",
        "welcome",
        "recommend",
        "comment",
        "comment_hidden",
    }
    assert not isinstance(row.answered_on, datetime)  # the day, never the time
    assert row.answered_on == utcnow().astimezone(services.LOCAL_TZ).date()
    assert (row.usefulness, row.learnt, row.welcome, row.recommend) == (4, 5, 4, 3)
    assert row.comment == "Dejligt forløb"
    stored = " ".join(str(getattr(row, c)) for c in columns)
    assert person.email not in stored and person.name not in stored
    # The invitation's hash is spent: nothing links it to the answer or tells it was used.
    [invite] = db.session.scalars(sa.select(EvaluationInvite)).all()
    assert invite.token_hash != services._hash(token)


def test_a_bad_answer_is_shown_again_with_a_message_and_the_link_still_works(client, runner):
    offering = _finished_course()
    _participant(offering, language="en")
    _send(runner)
    url = f"/evaluation/{_token(outbox('evaluation')[0])}"
    for bad in (
        dict(ANSWER, usefulness="9"),
        {k: v for k, v in ANSWER.items() if k != "welcome"},
        dict(ANSWER, learnt="x"),
        dict(ANSWER, comment="x" * 3000),
    ):
        response = client.post(url + "?lang=en", data=bad)
        assert response.status_code == 400
    assert "Please choose an answer." in client.post(
        url + "?lang=en", data={"usefulness": "3"}
    ).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(EvaluationAnswer.id))) == 0
    assert client.post(url, data=ANSWER).status_code == 302


def test_an_unknown_or_expired_link_gets_the_calm_page(client, runner):
    assert client.get("/evaluation/nonsense").status_code == 404
    assert client.get("/evaluation/" + "x" * 500).status_code == 404
    offering = _finished_course()
    _participant(offering)
    _send(runner)
    invite = db.session.scalars(sa.select(EvaluationInvite)).one()
    invite.expires_at = now() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(f"/evaluation/{_token(outbox('evaluation')[0])}")
    assert response.status_code == 404
    assert "Dette link er allerede brugt" in response.get_data(as_text=True)


def _answers(offering, count, comment="Godt"):
    for n in range(count):
        db.session.add(
            EvaluationAnswer(
                offering_id=offering.id,
                round="end",
                answered_on=now().date(),
                usefulness=5 if n % 2 else 3,
                learnt=4,
                welcome=5,
                recommend=2,
                comment=f"{comment} {n}",
            )
        )
    db.session.commit()


def test_results_and_comments_show_only_from_five_answers(client):
    world = make_world()
    sign_in_as(client, world.peer)  # the peer worker facilitates world.offering
    url = f"/manage/offerings/{world.offering.id}/evaluation"
    _answers(world.offering, 4, comment="Sanne var god")
    page = client.get(url).get_data(as_text=True)
    assert "Resultaterne vises, når mindst 5 personer har svaret" in page
    assert "Sanne var god" not in page and "evaluation-results" not in page

    _answers(world.offering, 1, comment="Sanne var god")
    page = client.get(url).get_data(as_text=True)
    assert "Svar: 5" in page
    assert re.search(r'data-key="usefulness"><th scope="row">[^<]+</th><td>3\.8</td><td>40 %', page)
    assert re.search(r'data-key="learnt"><th scope="row">[^<]+</th><td>4\.0</td><td>100 %', page)
    assert re.search(r'data-key="recommend"><th scope="row">[^<]+</th><td>2\.0</td><td>0 %', page)
    assert page.count("Sanne var god") == 5
    for who in (world.coordinator, world.admin):
        sign_in_as(client, who)
        assert client.get(url).status_code == 200
    sign_in_as(client, world.volunteer_staff)
    assert client.get(url).status_code == 403


def test_staff_hide_a_comment_that_names_someone_and_can_show_it_again(client):
    world = make_world()
    _answers(world.offering, 5)
    sign_in_as(client, world.coordinator)
    url = f"/manage/offerings/{world.offering.id}/evaluation"
    target = db.session.scalars(
        sa.select(EvaluationAnswer).where(EvaluationAnswer.comment == "Godt 2")
    ).one()
    response = client.post(f"{url}/{target.id}/hide")
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Godt 2" not in page and "Kommentaren er skjult af en medarbejder." in page
    assert "Godt 3" in page
    client.post(f"{url}/{target.id}/show")
    assert "Godt 2" in client.get(url).get_data(as_text=True)
    # an answer of another offering cannot be hidden through this one
    other = make_offering()
    add_facilitator(other, user=world.peer, role="peer")
    _answers(other, 5, comment="Andet")
    foreign = db.session.scalars(
        sa.select(EvaluationAnswer).where(EvaluationAnswer.comment == "Andet 0")
    ).one()
    client.post(f"{url}/{foreign.id}/hide")
    assert db.session.get(EvaluationAnswer, foreign.id).comment_hidden is False
